"""What the engine knows and writes down: hours, settings, log lines and their queue, the seal."""

from __future__ import annotations

from mutant import LOGS, SETTINGS, engine, group

MUTANTS = [
    *group(
        "phonetree_engine/hours.py",
        engine("hours", "settings", "cli"),
        (
            "start <= now and (now < end or end == END_OF_DAY)",
            "start < now and (now < end or end == END_OF_DAY)",
            {"why": "the first minute of the day's hours goes to voicemail"},
        ),
        (
            "start <= now and (now < end or end == END_OF_DAY)",
            "start <= now and (now <= end or end == END_OF_DAY)",
        ),
        (
            "for start, end in self.week[moment.weekday()]",
            "for start, end in self.week[(moment.weekday() + 1) % 7]",
            {"why": "Monday's hours kept on Sunday"},
        ),
        (
            "range((end - start) % 7 + 1)",
            "range((end - start) % 7)",
            {"why": "Mon-Fri is closed on Friday"},
        ),
        ("range((end - start) % 7 + 1)", "range(end - start + 1)", {"why": "Fri-Mon is refused"}),
        (
            "if end <= start:",
            "if end < start:",
            {"why": "09:00-09:00 starts a business never open"},
        ),
        (
            "if start < end:\n                raise ValueError",
            "if start <= end:\n                raise ValueError",
            {"why": "09:00-12:00; 12:00-17:00 refused as overlapping"},
        ),
        (
            'groups = [group.strip() for group in text.split(";") if group.strip()]',
            'groups = [group.strip() for group in text.split(";")]',
            {"why": "a trailing ; in an env file stops start-up"},
        ),
        ("if name in (day, day[:3]):", "if name == day[:3]:"),
        ("if runs and runs[-1][-1] == (day - 1) % 7:", "if runs and runs[-1][-1] == day - 1:"),
        ("first = (max(set(range(7)) - days) + 1) % 7", "first = 0"),
        ("bool(days & said)", "False", {"why": '"and Wednesdays also" said as if the only hours'}),
    ),
    *group(
        "phonetree_engine/lines.py",
        engine("logs", "webhooks", "callback", "fallback", "delivery"),
        (
            """or " " in text or '"' in text or "=" in text:""",
            """or '"' in text or "=" in text:""",
            {"why": "a caller name with a space reads as two fields"},
        ),
        (
            """or " " in text or '"' in text or "=" in text:""",
            """or " " in text or "=" in text:""",
        ),
        (
            """or " " in text or '"' in text or "=" in text:""",
            """or " " in text or '"' in text:""",
            {"why": 'a caller named "x next=goodbye" forges a field'},
        ),
        (
            "for code in (*range(0x20), 0x7F, 0x85, 0x2028, 0x2029)}",
            "for code in (*range(0x20), 0x7F)}",
            {"why": "a caller name with U+2028 starts a log line of its own"},
        ),
        (
            "tail = number[-4:] if len(number) > 6 else number[-2:]",
            "tail = number[-4:]",
            {"why": "a short number is logged whole"},
        ),
        ('head = "+" if number.startswith("+") else ""', 'head = ""'),
        (
            'DIGIT_RUN = re.compile(r"\\d(?:[\\s.\\-]*\\d){2,}")',
            'DIGIT_RUN = re.compile(r"\\d(?:[\\s.\\-]*\\d){3,}")',
        ),
        (
            'DIGIT_RUN = re.compile(r"\\d(?:[\\s.\\-]*\\d){2,}")',
            'DIGIT_RUN = re.compile(r"\\d(?:\\s*\\d){2,}")',
        ),
        ('parts.append(f"{key}={log_value(str(value))}")', 'parts.append(f"{key}={value}")'),
    ),
    *group(
        "phonetree_engine/seal.py",
        engine("seal", "context", "collect", "fuzz", "webhooks", "fallback", "callback"),
        (
            "if not hmac.compare_digest(tag, self._tag(nonce, body)):\n            return None",
            "pass",
            {"why": "a sealed number changed by anyone is believed"},
        ),
        (
            "nonce = secrets.token_bytes(NONCE)",
            "nonce = bytes(NONCE)",
            {"why": "one keystream for every value: two sealed numbers give each other away"},
        ),
        (
            "for counter in range((size + 31) // 32):",
            "for counter in range(size // 32):",
            {"why": "a short value travels unencrypted"},
        ),
        (
            "return hmac.new(self.mac_key, VERSION + nonce + body, hashlib.sha256).digest()[:TAG]",
            "return hmac.new(self.mac_key, VERSION + body, hashlib.sha256).digest()[:TAG]",
            {"why": "a changed nonce opens to garbage taken as a value"},
        ),
        ("if len(raw) < 1 + NONCE + TAG or raw[:1] != VERSION:", "if len(raw) < 1 + NONCE + TAG:"),
        (
            'self.mac_key = hmac.new(key, b"phonetree seal: authentication", hashlib.sha256)',
            'self.mac_key = hmac.new(b"", b"phonetree seal: authentication", hashlib.sha256)',
            {"why": "anyone can seal a number of their choosing"},
        ),
    ),
    *group(
        "phonetree_engine/settings.py",
        SETTINGS,
        (
            "elif name not in settable:",
            "elif False:",
            {"why": "a misspelt name in Tree(defaults=...) is ignored: the default never applies"},
        ),
        (
            "try:  # whether the environment sets it or not",
            "try:\n            break  # whether the environment sets it or not",
            {"why": "a tree's bad default starts, and stops the day a deploy unsets its variable"},
        ),
        (
            "if number is None or not low <= number <= high:",
            "if number is None or not low < number <= high:",
        ),
        ("if value.lower() not in _BOOLEANS:", "if value not in _BOOLEANS:"),
        (
            "name = value.strip().lower()",
            "name = value.strip()",
            {"why": "PROVIDER=Twilio refused"},
        ),
        (
            "if len(tags) > 9:",
            "if len(tags) > 10:",
            {"why": "a tenth language has no key: the caller presses 10"},
        ),
        ("if len(set(tags)) < len(tags):", "if False:"),
        (
            "if not equals or not voice or not re.fullmatch(LANGUAGE_TAG, tag):",
            "if not equals or not voice:",
        ),
        ('return value.rstrip("/")', "return value", {"why": "every webhook URL gets //"}),
        (
            'tail = "/..." if len(host) < len(after) else ""',
            "tail = after[len(host) :]",
            {"why": "a webhook URL's secret path shown in messages"},
        ),
        (
            'shown = {k: "(hidden)" if k in secret and v else v for k, v in self._values.items()}',
            "shown = dict(self._values)",
            {"why": "the auth token in a repr, in any traceback"},
        ),
        (
            "return moment.date() not in self.closed_dates and self",
            "return self",
        ),
        (
            "if moment.tzinfo is not None:\n            moment = moment.astimezone(self.timezone)",
            "pass",
            {"why": "the hours read in UTC, not in TIMEZONE"},
        ),
        (
            'values.get("voicemail_max_length", 120) > 120',
            'values.get("voicemail_max_length", 120) >= 120',
        ),
        (
            'unknown = set(values.get("voices") or {}) - set(',
            "unknown = set() - set(",
        ),
        (
            'raw = given or (default.strip() if isinstance(default, str) else "")',
            'raw = (default.strip() if isinstance(default, str) else "") or given',
            {"why": "a tree's default wins over the operator's variable"},
        ),
        (
            'raw = given or (default.strip() if isinstance(default, str) else "")',
            'raw = given or (default if isinstance(default, str) else "")',
        ),
        (
            "if text and setting.field not in self._given:",
            "if text:",
            {"why": "a tree's default wins over a value the app was given"},
        ),
        (
            "or self.twilio_auth_token\n",
            "\n",
            {"why": "replicas sharing a token cannot open each other's sealed values"},
        ),
        ("return _read(LOG_LEVEL, environ, upper=True)", "return _read(LOG_LEVEL, environ)"),
        (
            'PORT = Setting("PORT", integer(1, 65535)',
            'PORT = Setting("PORT", integer(1, 65536)',
            {"why": "PORT=65536 passes the check and fails to bind"},
        ),
        (
            'rows.append("| " + " | ".join(cell.replace("|", r"\\|") for cell in cells) + " |")',
            'rows.append("| " + " | ".join(cells) + " |")',
        ),
    ),
    *group(
        "phonetree_engine/logs.py",
        LOGS,
        (
            "if record is not None and queued >= self.capacity:",
            "if record is not None and queued > self.capacity:",
        ),
        (
            "if not (is_business(record) and self._drop_oldest_ordinary()):",
            "if True:",
            {"why": "a voicemail's line dropped while ordinary lines are kept"},
        ),
        (
            "if queued is not None and not is_business(queued):",
            "if queued is not None:",
            {"why": "a business event pushes out another business event"},
        ),
        (
            'if is_business(record):\n            self.dropped["business"] += 1',
            "pass",
            {"why": "the health check says no business line was lost"},
        ),
        (
            "return record is None or record.levelno >= logging.ERROR or is_business(record)",
            "return record is None or record.levelno > logging.ERROR or is_business(record)",
        ),
        (
            'return record.name.startswith(BUSINESS) or vars(record).get("business", False)',
            "return record.name.startswith(BUSINESS)",
        ),
        (
            "if self.sleeping is ANY:\n            self.wake()",
            "if False:\n            self.wake()",
            {"why": "a quiet server's line waits until another comes"},
        ),
        (
            "if self.records.empty() or len(self.pending) >= BATCH:",
            "if len(self.pending) >= BATCH:",
        ),
        (
            "for event in waiting:\n            event.set()",
            "pass",
            {"why": "every voicemail callback waits for its line, and answers 5xx"},
        ),
        (
            "if total == self.reported:\n            return",
            "return",
            {"why": "lines lost to a stuck stream are never said"},
        ),
        (
            "return text.translate(BREAKS) if BREAKING.search(text) else text",
            "return text",
        ),
        ("while self.records.records or self.records.busy:", "while self.records.records:"),
        (
            "business.setLevel(logging.INFO)  # facts the business needs, whatever LOG_LEVEL says",
            "pass",
            {"why": "LOG_LEVEL=WARNING drops every voicemail's line"},
        ),
        (
            "business.info(message)\n        written.set()",
            "business.info(message)",
        ),
        ("LINGER = 0.1", "LINGER = 5.0", {"why": "a busy server's lines wait seconds"}),
    ),
]
