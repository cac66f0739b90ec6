"""The main set of mutants: each a change a careless edit could make, and a user would suffer.

``Mutant(path, old, new)`` replaces the one occurrence of ``old`` in ``path`` with ``new``.
``equivalent`` says why no test can tell the mutant from the code (it is then left out of the
score); ``why`` says what a user would suffer, where the change does not say it by itself.
The tests run for each mutant are the files that exercise its module, fastest first.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGINE = (
    "tests/test_engine.py",
    "tests/test_table.py",
    "tests/test_context.py",
    "tests/test_collect.py",
    "tests/test_logs.py",
    "tests/test_calls.py",
    "tests/test_business.py",
    "tests/test_webhooks.py",
)
WEB = (
    "tests/test_webhooks.py",
    "tests/test_engine.py",
    "tests/test_calls.py",
    "tests/test_business.py",
    "tests/test_fuzz.py",
    "tests/test_server.py",
)
STATES = (
    "tests/test_calls.py",
    "tests/test_business.py",
    "tests/test_webhooks.py",
    "tests/test_delivery.py",
)
SETTINGS = ("tests/test_settings.py", "tests/test_business.py", "tests/test_calls.py")
CALLER = ("tests/test_caller.py", "tests/test_calls.py")
CLI = ("tests/test_cli.py",)
SERVER = ("tests/test_server.py",)


@dataclass(frozen=True)
class Mutant:
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str = ""
    equivalent: str = ""


def group(path: str, tests: tuple[str, ...], *changes) -> list[Mutant]:
    """Mutants of one file: (old, new) or (old, new, {"why": ..., "equivalent": ...})."""
    return [
        Mutant(path, old, new, tests, **(extra[0] if extra else {})) for old, new, *extra in changes
    ]


MUTANTS = [
    *group(
        "phonetree_engine/engine.py",
        ENGINE,
        (
            "if row.when_closed and not self.call(name, params, context, prefix).is_open:",
            "if row.when_closed and self.call(name, params, context, prefix).is_open:",
        ),
        (
            "parts.append(self.render(row, self.call(name, params, context, prefix, trail)))",
            "parts = [self.render(row, self.call(name, params, context, prefix, trail))]",
        ),
        (
            "if not call.volatile and len(self._rendered) < MAX_RENDERED:",
            "if len(self._rendered) < MAX_RENDERED:",
            {"why": "clock- or input-dependent TwiML cached"},
        ),
        ("names = tuple(sorted(call.context.read))", "names = ()"),
        (
            "if call.tries + 1 >= self.config.max_retries:",
            "if call.tries >= self.config.max_retries:",
        ),
        ('carried["tries"] = str(call.tries + 1)', 'carried["tries"] = str(call.tries)'),
        ('carried.pop("tries", None)', "pass"),
        ("if slot is not None and name not in context:", "if slot is not None:"),
        ('if "tries" in call.kept:', "if False:"),
        ('verb.attrs.setdefault("speechTimeout", "auto")', "pass"),
        ('verb.attrs.setdefault("hints", ", ".join(row.exit.spoken(call)))', "pass"),
        (
            'verb.attrs.setdefault("input", "dtmf speech")',
            'verb.attrs.setdefault("input", "speech")',
        ),
        (
            'call.language)\n            verb.attrs.setdefault("speechTimeout"',
            'None)\n            verb.attrs.setdefault("speechTimeout"',
            {"why": "speech heard in the wrong language"},
        ),
        (
            'language = verb.attrs.setdefault("language", call.language)',
            'language = verb.attrs.get("language") or call.language',
            {"why": "prompts read in Twilio's default language"},
        ),
        ("for child in verb.verbs:\n            self.dress(child, row, call)", "pass"),
        (
            'return bool(words) and gather.attrs.get("action") == call.action',
            "return bool(words)",
            {"why": "a Gather of a state's callback also listens for the menu's words"},
        ),
        ('verb.attrs["voice"] = voice', "pass"),
        (
            "return [self.to_xml(as_verbs(row.callbacks[part](call)), row, call)]",
            "return [self.to_xml(as_verbs(row.callbacks[part](call)), State(as_verbs), call)]",
            {"why": "callbacks' TwiML dressed without the row: same voice and language"},
        ),
    ),
    *group(
        "phonetree_engine/tree.py",
        ENGINE,
        (
            "return (state, False) if state else (self.otherwise, True)",
            "return (state, False) if state else (self.otherwise, False)",
        ),
        ("return self.silence or self.otherwise, True", "return self.otherwise, True"),
        ('re.findall(r"\\w+", call.speech.lower())', 're.findall(r"\\w+", call.speech)'),
        ("return words[word], False", "return words[word], True"),
        ('edges.append(("silence", self.silence or self.otherwise))', "pass"),
        ("if state not in self.targets:", "if False:"),
        ('return url + "?" + "&".join(', 'return url or "?" + "&".join('),
        ("if 0 < len(text) <= self.size and", "if 0 < len(text) and"),
        ("if value is not None and slot.collected:", "if False:"),
        ("if value is not None and slot.read(value) is None:", "if False:"),
        (
            "self.volatile = True\n        return self._params.get(name, default)",
            "return self._params.get(name, default)",
        ),
        (
            "self.volatile = True\n        if self._now is None:",
            "if self._now is None:",
        ),
        (
            "self.volatile = True\n        return self._is_open",
            "return self._is_open",
            {
                "equivalent": "is_open reads call.now, which marks the answer volatile, unless it "
                "was given is_open; only the start-up check gives it, and the check caches nothing"
            },
        ),
        (
            'return state_url(self.prefix, self.state, "exit", self.carried())',
            'return state_url(self.prefix, self.state, "exit")',
        ),
        (
            "url = state_url(self.prefix, self.state, part, self.carried())",
            'url = state_url("", self.state, part, self.carried())',
        ),
        (
            "url = state_url(self.prefix, self.state, part, self.carried())",
            "url = state_url(self.prefix, self.state, part)",
        ),
        ("if not text or not text.isprintable()", "if not text.isprintable()"),
        ("isinstance(verbs, (list, tuple))", "isinstance(verbs, list)"),
        (
            'STATE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}\\Z")',
            'STATE_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}\\Z")',
        ),
        (
            'return self.param("Digits").strip()',
            'return self.param("Digits")',
        ),
        ("if self.give_up:\n            edges.append", "if False:\n            edges.append"),
    ),
    *group(
        "phonetree_engine/checks.py",
        ("tests/test_table.py", "tests/test_engine.py"),
        (
            "problems += _check_reachable(table, start) + _check_chains(table)",
            "problems += _check_reachable(table, start)",
        ),
        (
            "problems += _check_reachable(table, start) + _check_chains(table)",
            "problems += _check_chains(table)",
        ),
        ("inspect.signature(handler).bind(None)", "inspect.signature(handler)"),
        ("for is_open in (True, False):", "for is_open in (True,):"),
        ("(not names or names[-1] not in ENDING_VERBS)", "(names[-1] not in ENDING_VERBS)"),
        ('if last.name == "Gather" and not last.attrs.get("actionOnEmptyResult"):', "if False:"),
        ('if not any(verb.attrs.get("action") == action for verb in waiting):', "if not waiting:"),
        ('if part == "exit" or not STATE_NAME.match(part):', "if not STATE_NAME.match(part):"),
        ('problems += _check_handler(name, "exit handler", exit_.handler)', "pass"),
        (
            "return problems + (handler_problems or _check_rendering(name, row, config, slots))",
            "return problems + handler_problems",
        ),
        ("if target not in table:\n            via", "if False:\n            via"),
        ("elif target in path:", "elif False:"),
    ),
    *group(
        "phonetree_engine/web.py",
        WEB,
        (
            "if self.config.validates_signatures and not self.signed(environ, form):",
            "if self.config.auth_token and not self.signed(environ, form):",
            {"why": "a shared-key-only deployment serves unsigned requests"},
        ),
        ("validator = self.shared if settings else self.token", "validator = self.token"),
        (
            "validator = self.shared if settings else self.token",
            "validator = self.shared or self.token",
        ),
        ("params = dict(reversed(query + form))", "params = dict(query + form)"),
        (
            'prefix = self.prefix if self.prefix is not None else environ.get("SCRIPT_NAME", "")',
            'prefix = environ.get("SCRIPT_NAME", "")',
        ),
        ('return ([self.leave_queue], "left-queue", ()) if waiting else', "return"),
        ('waiting = "QueuePosition" in params and "QueueResult" not in params', "waiting = True"),
        ("if tries < self.config.max_retries:", "if True:"),
        ('context = {k: v for k, v in context.items() if k not in ("entry", "step")}', "pass"),
        (
            "return [self.apology[language], *parts], entered[-1]",
            "return parts, entered[-1]",
        ),
        (
            "if not signature or not signature.isascii() or validator is None:",
            "if not signature or validator is None:",
        ),
        (
            "algorithm = get_signature_algorithm(settings) if settings else HMAC_SHA1",
            "algorithm = HMAC_SHA1",
        ),
        (
            "return hmac.compare_digest(expected, signature) or validator.validate(",
            "return hmac.compare_digest(expected, signature) and validator.validate(",
        ),
        ("if length >= MAX_BODY:", "if length > MAX_BODY:"),
        (
            'FORM_TYPES = ("application/x-www-form-urlencoded", "")',
            'FORM_TYPES = ("application/x-www-form-urlencoded",)',
        ),
        (
            'environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()',
            'environ.get("CONTENT_TYPE", "").split(";")[0].strip()',
        ),
        ("if len(fields) > MAX_FIELDS:", "if len(fields) >= MAX_FIELDS:"),
        (
            "split_cached(field) if len(field) <= 80 else split_field(field)",
            "split_cached(field)",
        ),
        (
            'scheme = first(environ.get("HTTP_X_FORWARDED_PROTO")) or environ["wsgi.url_scheme"]',
            'scheme = environ["wsgi.url_scheme"]',
        ),
        ('host = first(environ.get("HTTP_X_FORWARDED_HOST"))', 'host = ""'),
        (
            'return header.split(",")[0].strip() if header else ""',
            'return header.split(",")[-1].strip() if header else ""',
        ),
        ('"from=" + shown(mask_number(get("From", ""))),', '"from=" + shown(get("From", "-")),'),
        (
            'url = base + wsgi_quote(environ.get("bottle.raw_path", environ.get("PATH_INFO", "")))',
            'url = base + wsgi_quote(environ.get("PATH_INFO", ""))',
        ),
        ("if configured:\n        base = configured", "if False:\n        base = configured"),
        (
            'bottle.response.content_type = "text/xml; charset=utf-8"',
            'bottle.response.content_type = "text/html; charset=utf-8"',
        ),
        (
            'callback = part is not None and part.split("/")[0] != "exit"',
            "callback = part is not None",
        ),
        (
            "if host and port and not HAS_PORT.search(host) and port != DEFAULT_PORTS.get(scheme):",
            "if host and port and not HAS_PORT.search(host):",
            {
                "equivalent": "host:443 for https is signed both ways: the validator retries "
                "the URL with and without the default port, as Twilio's own signing varies"
            },
        ),
    ),
    *group(
        "phonetree.py",
        WEB + CLI,
        ('    "max_request_body_size": MAX_BODY,\n', ""),
        (
            '"trusted_proxy_headers": "x-forwarded-proto x-forwarded-host x-forwarded-port",',
            '"trusted_proxy_headers": "x-forwarded-proto",',
        ),
        ('app.route("/state/<name>/<part:path>", methods, hooks.route(hooks.unknown))', "pass"),
        ('app.route("/state/<name>", methods, hooks.route(hooks.unknown))', "pass"),
        (
            "route = hooks.route(hooks.calling_back(name, part), callback=True)",
            "route = hooks.route(hooks.calling_back(name, part))",
        ),
        (
            'bottle.response.content_type = "text/plain; charset=utf-8"\n    return error.body',
            "return error.body",
        ),
        ("if not config.validates_signatures:", "if not config.auth_token:"),
        (
            'app.route("/healthz", "GET", healthy)',
            'app.route("/healthz", "GET", hooks.route(hooks.start))',
        ),
    ),
    *group(
        "phonetree_engine/tree.py",
        STATES,
        (
            "return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 0",
            "return int(text) if text.isdigit() and len(text) < 7 else 0",
        ),
    ),
    *group(
        "phonetree_engine/web.py",
        (*WEB, "tests/test_collect.py"),  # where digits are collected, and masked
        ('if self.private and key == "digits":', 'if key == "digits":'),
        ('if self.private and key == "digits":', "if False:"),
    ),
    *group(
        "phonetree_engine/notify.py",
        (*STATES, "tests/test_fallback.py"),  # every recording's callback comes here
        ('url=get("RecordingUrl", "-")[:300],', 'url="-",'),
    ),
    *group(
        "states/support.py",
        STATES,
        (
            "if call.digits == LEAVE_KEY:",
            "if call.digits:",
            {"why": "any key takes a caller out of the queue"},
        ),
        (
            'if seconds(call.param("QueueTime")) < config.queue_voicemail_after:',
            'if seconds(call.param("QueueTime")) <= config.queue_voicemail_after:',
        ),
        ("if position.isascii() and position.isdigit():", "if position:"),
        ('wait_url=call.url("wait")', 'wait_url=call.url("waiting")'),
        ("offer.play(config.hold_music_url)", "pass"),
        (
            'offer = Gather(num_digits=1, action=call.url("wait"))',
            "offer = Gather(num_digits=1)",
            {
                "equivalent": "a Gather without action posts to the current document's URL, which "
                "is the waitUrl itself: Twilio makes the same request either way"
            },
        ),
    ),
    *group(
        "states/voicemail.py",
        STATES,
        (
            'transcribe=True, transcribeCallback=call.url("transcribed", retry=True, **context)',
            "",
            {"why": "transcripts silently lost"},
        ),
        (
            '        Say(words["nothing"]),\n',
            "",
            {"why": "an empty recording hangs up in silence"},
        ),
        (
            'return "message_saved" if call.param("RecordingUrl") else "goodbye"',
            'return "message_saved"',
        ),
        (
            "text=text[:2000],",
            "text=text[:20],",
        ),
        ("max_length=config.voicemail_max_length,", ""),
        ('finish_on_key="#",', 'finish_on_key="*",'),
        ('recording_status_callback=call.url("recorded", retry=True, **context),', ""),
        ("if config.transcribe:", "if True:"),
    ),
    *group(
        "states/reception.py",
        STATES,
        ("if sip:\n        dial.sip(address)", "if False:\n        dial.sip(address)"),
        ("caller_id=config.caller_id,", ""),
        ("timeout=config.dial_timeout,", ""),
        ('return [Say(words["trouble"]), ring(config),', 'return [Say(words["trouble"]),'),
    ),
    *group(
        "phonetree_engine/tree.py",
        WEB,
        ("tail = number[-4:] if len(number) > 6 else number[-2:]", "tail = number[-4:]"),
    ),
    *group(
        "states/menu.py",
        STATES,
        ('"operator": "reception",', ""),
    ),
    *group(
        "states/greeting.py",
        STATES,
        ("if call.is_open:\n        return welcome", "if True:\n        return welcome"),
        ('company=call.config.company_name.rstrip(".")', "company=call.config.company_name"),
    ),
    *group(
        "states/hours.py",
        STATES,
        ("hours.pause()", "pass", {"why": "the hours and the next prompt run into one sentence"}),
        ("action_on_empty_result=True", "action_on_empty_result=False"),
    ),
    *group(
        "states/goodbye.py",
        STATES,
        ('company = call.config.company_name.rstrip(".")', "company = call.config.company_name"),
    ),
    *group(
        "states/__init__.py",
        STATES,
        ('give_up="transfer",', ""),
        ('"leave": "voicemail"', '"leave": "unavailable"'),
        ('                "hangup": "goodbye",\n', ""),
        (
            'callbacks={"recorded": voicemail.recorded, "transcribed": voicemail.transcribed},',
            'callbacks={"recorded": voicemail.recorded},',
        ),
        ('"error": State(error.enter, "menu"),', '"error": State(error.enter, "greeting"),'),
    ),
    *group(
        "phonetree_engine/collect.py",
        ENGINE,
        ("if value and digits == CONFIRM_KEY:", "if value:"),
        ("if value and digits == AGAIN_KEY:", "if False:"),
        ('return self.retry(call, "invalid")', 'return self.retry(call, "silence")'),
        ('call.keep("tries", call.context.get("tries"))', "pass"),
        ("if tries >= (self.attempts or", "if tries > (self.attempts or"),
        ("return self.valid is None or bool(self.valid(digits))", "return True"),
        ('return ", ".join(digits)', "return digits"),
        ('.strip().lstrip("+")', ".strip()"),
        ('if step in ("invalid", "silence"):', "if False:"),
    ),
    *group(
        "phonetree_engine/settings.py",
        SETTINGS,
        (
            "return bool(self.auth_token or self.shared_key)",
            "return bool(self.auth_token)",
            {"why": "a shared-key-only deployment serves unsigned requests"},
        ),
        (
            "start <= now and (now < end or end == _END_OF_DAY)",
            "start < now and (now < end or end == _END_OF_DAY)",
        ),
        (
            "start <= now and (now < end or end == _END_OF_DAY)",
            "start <= now and (now <= end or end == _END_OF_DAY)",
        ),
        ("return moment.date() not in self.closed_dates and", "return"),
        (
            "if moment.tzinfo is not None:\n            moment = moment.astimezone(self.timezone)",
            "pass",
        ),
        (
            'values.get("voicemail_max_length", 120) > 120',
            'values.get("voicemail_max_length", 120) >= 120',
        ),
        ('raw = (environ.get(name) or "").strip()', 'raw = environ.get(name) or ""'),
        (
            "if number is None or not low <= number <= high:",
            "if number is None or not low < number <= high:",
        ),
        ("{'AM' if moment.hour < 12 else 'PM'}", "{'AM' if moment.hour <= 12 else 'PM'}"),
        ("range((end - start) % 7 + 1)", "range(end - start + 1)"),
        ("if runs and runs[-1][-1] == (day - 1) % 7:", "if runs and runs[-1][-1] == day - 1:"),
        (
            "return _integer(1, 65535)(raw) if raw else 8000",
            "return _integer(1, 65535)(raw) if raw else 8080",
        ),
        ('return raw.upper() or "INFO"', 'return raw or "INFO"'),
        ('return value.rstrip("/")', "return value"),
        (
            'if not re.fullmatch(r"\\d{4}-\\d\\d-\\d\\d", item):\n                raise ValueError',
            "if False:\n                raise ValueError",
        ),
        (
            "if start < end:\n                raise ValueError",
            "if start <= end:\n                raise ValueError",
        ),
        ("if end <= start:", "if end < start:"),
        ("if len(run) > 2 else plural", "if len(run) > 1 else plural"),
        ('if len(days) == 7:\n        return "every day"', 'if False:\n        return "every day"'),
        (
            'return "noon"\n    minutes = f":{moment.minute:02d}" if moment.minute else ""',
            'return "noon"\n    minutes = f":{moment.minute:02d}"',
        ),
    ),
    *group(
        "phonetree_tools/cli.py",
        CLI,
        (
            'port = getattr(args, "port", None) or settings.port()',
            "port = settings.port()",
            {"why": "serve --port ignored"},
        ),
        (
            "server.serve(app, host=host, port=port, **options)",
            "server.serve(app, host=host, port=port)",
        ),
        ('command = args.command or "serve"', 'command = args.command or "check"'),
    ),
    *group(
        "phonetree_tools/caller.py",
        CALLER,
        ("digits = digits[: digits.index(finish)]", "pass"),
        ('digits = digits[: int(gather.get("numDigits"))]', "pass"),
        ('if not digits or "dtmf" not in gather.get("input", "dtmf").split():', "if not digits:"),
        ('if "speech" not in gather.get("input", "dtmf").split():', "if False:"),
        ('if gather.get("actionOnEmptyResult", "").lower() == "true":', "if True:"),
        (
            '"CallStatus": "in-progress" if self.requests else "ringing"',
            '"CallStatus": "in-progress"',
        ),
        ('algorithm = "HMAC_SHA256" if self._shared_key else None', "algorithm = None"),
        (
            'if content_type.split(";")[0].strip().lower() not in XML_CONTENT_TYPES:',
            'if content_type.split(";")[0].strip() not in XML_CONTENT_TYPES:',
        ),
        ('if root.tag != "Response":', "if False:"),
        ("if self._queue and verb.tag not in WAIT_MUSIC_VERBS:", "if False:"),
        (
            'self._load(urljoin(self._doc_url, (verb.text or "").strip()), verb.get("method"))',
            'self._load(urljoin(self._doc_url, (verb.text or "").strip()))',
        ),
        (
            "if self._since_input > self.max_webhooks:",
            "if self._since_input > 10 * self.max_webhooks:",
        ),
        (
            'text = " ".join("".join(verb.itertext()).split())',
            'text = "".join(verb.itertext())',
        ),
        ('"RecordingDuration": str(duration),', '"RecordingDuration": "5",'),
        ("self._doc_url, self._verbs = enqueue_url, verbs_after", "self._verbs = []"),
        ('PATH_INFO=unquote_to_bytes(url.path).decode("latin-1"),', "PATH_INFO=url.path,"),
        (
            'covers the URL\n            requested = url + ("&" if urlsplit(url).query else "?")',
            'covers the URL\n            requested = url + ("?")',
        ),
        (
            'if urlsplit(url).netloc != public.netloc:\n            raise self._fail("11200"',
            'if False:\n            raise self._fail("11200"',
        ),
        (
            'self._hear_text(f"[play digits {verb.get(\'digits\')}]", "Play")',
            'self._hear_text(f"[play {verb.get(\'digits\')}]", "Play")',
        ),
        ("if status != 200:", "if status >= 500:"),
        (
            'headers = {"Host": urlsplit(self.public_url).netloc,',
            'headers = {"Host": "localhost",',
        ),
        ('"QueuePosition": str(position),', '"QueuePosition": "1",'),
    ),
]
