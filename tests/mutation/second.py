"""A second set of mutants, made by hand apart from the main set, on the same modules.

It exists to check the main set's score: tests written to kill the main set's mutants should
catch these about as well, or the score says more about the list than about the tests.
"""

from __future__ import annotations

from mutants import CALLER, CLI, ENGINE, SETTINGS, STATES, WEB, group

MUTANTS = [
    *group(
        "phonetree_engine/engine.py",
        ENGINE,
        ('if voice and "voice" not in verb.attrs:', "if voice:"),
        (
            'elif verb.name == "Gather" and self.listens(verb, row, call):',
            'elif verb.name == "Gather":',
        ),
        (
            "return {name: value for name, value in merged.items() if value is not None}",
            "return merged",
            {
                "equivalent": "a kept None reads as absent (Context.get) and is left out of every "
                "URL (carried): it is forgotten either way"
            },
        ),
        ("and len(self._rendered) < MAX_RENDERED:", "and len(self._rendered) < 0:"),
        (
            "if not isinstance(row.exit, str):\n                return parts, entered",
            "if row.exit is None:\n                return parts, entered",
        ),
    ),
    *group(
        "phonetree_engine/tree.py",
        ENGINE,
        ('edges.append(("other key", self.otherwise))', "pass"),
        (
            'return [*self.results.items(), (f"other {self.param}", self.otherwise)]',
            "return [*self.results.items()]",
        ),
        (
            "return self.exit is not None and not isinstance(self.exit, str)",
            "return isinstance(self.exit, (Keys, Outcome, Choose))",
        ),
        ("return self._params.get(name, default)", 'return self._params.get(name, "")'),
        ("self.read.add(name)", "pass"),
        ("for name in self.slots:", 'for name in ("tries",):'),
        ("json.dumps(text, ensure_ascii=False)", "json.dumps(text)"),
        ("""or '"' in text or "=" in text:""", """or '"' in text:"""),
    ),
    *group(
        "phonetree_engine/checks.py",
        ("tests/test_table.py", "tests/test_engine.py", "tests/test_context.py"),
        ("seen, todo = {start}, [start]", "seen, todo = set(), [start]"),
        (
            "if not all(isinstance(verb, TwiML) for verb in verbs):",
            "if not verbs or not all(isinstance(verb, TwiML) for verb in verbs):",
        ),
        (
            "if not problems:\n        problems += _check_reachable",
            "if True:\n        problems += _check_reachable",
        ),
    ),
    *group(
        "phonetree_engine/web.py",
        WEB,
        (
            "self.prefix = urlsplit(config.public_url).path if config.public_url else None",
            'self.prefix = urlsplit(config.public_url).path if config.public_url else ""',
        ),
        ('raise bottle.HTTPError(403, "Forbidden', 'raise bottle.HTTPError(401, "Forbidden'),
        (
            'raw.decode("utf-8", "replace").split("&") if field]',
            'raw.decode("utf-8", "replace").split("&")]',
        ),
        (
            'fields = [field for field in raw.decode("utf-8", "replace")',
            'fields = [field for field in raw.decode("latin-1")',
        ),
        ('return f"{url}?{query}" if query else url', "return url"),
    ),
    *group(
        "phonetree.py",
        WEB + CLI,
        ('    "trusted_proxy": "*",\n', ""),
        ('methods = ["GET", "POST"]', 'methods = ["POST"]'),
        ("app.default_error_handler = plain_error", "pass"),
        ('return "ok\\n"', 'return "ok"'),
    ),
    *group(
        "phonetree_engine/tree.py",
        WEB,
        ('head = "+" if number.startswith("+") else ""', 'head = ""'),
    ),
    *group(
        "states/reception.py",
        STATES,
        (
            'ring(config), Say(words["failed"]), Hangup()]',
            'ring(config), Say(words["failed"])]',
            {"equivalent": "Twilio hangs up when no verb is left: a last Hangup changes nothing"},
        ),
    ),
    *group(
        "states/menu.py",
        STATES,
        ("menu = Gather(num_digits=1,", "menu = Gather(num_digits=2,"),
    ),
    *group(
        "states/hours.py",
        STATES,
        ("hours = Gather(num_digits=1, action", "hours = Gather(action"),
    ),
    *group(
        "states/support.py",
        STATES,
        ("Enqueue(call.config.support_queue,", 'Enqueue("support",'),
        ("return [*verbs, Play(config.hold_music_url)]", "return [Play(config.hold_music_url)]"),
    ),
    *group(
        "states/reception.py",
        STATES,
        ("None if sip else address,", "address,"),
    ),
    *group(
        "states/voicemail.py",
        STATES,
        ("play_beep=True,", "play_beep=False,"),
    ),
    *group(
        "phonetree_engine/notify.py",
        (*STATES, "tests/test_fallback.py"),
        ('status = get("RecordingStatus", "-")[:20]', 'status = "completed"'),
    ),
    *group(
        "states/__init__.py",
        STATES,
        ('"9": "menu"', '"9": "greeting"'),
        ('otherwise="unavailable",  # busy, no-answer', 'otherwise="goodbye",  # busy, no-answer'),
    ),
    *group(
        "phonetree_engine/settings.py",
        SETTINGS,
        ('_CLOCK = r"(?:[01]?\\d|2[0-3]):[0-5]\\d"', '_CLOCK = r"(?:[01]?\\d|2[0-4]):[0-5]\\d"'),
        ('_E164 = r"\\+[1-9]\\d{7,14}"', '_E164 = r"\\+[1-9]\\d{7,15}"'),
        ('_matching(r".{1,64}", "a queue', '_matching(r".{1,65}", "a queue'),
        ('re.fullmatch(r"[+-]?\\d{1,9}", value)', 're.fullmatch(r"\\d{1,9}", value)'),
        ("return _BOOLEANS[value.lower()]", "return _BOOLEANS[value]"),
        ("if raw:  # blank counts as unset", "if True:  # blank counts as unset"),
        (
            "if moment.tzinfo is None:\n            raise ValueError",
            "if False:\n            raise ValueError",
        ),
        ('re.split(r"[,\\s]+", value)', 'value.split(",")'),
        ("self.week[moment.weekday()]", "self.week[moment.isoweekday() % 7]"),
        (
            'if moment in (_END_OF_DAY, time(0)):\n        return "midnight"',
            'if moment == _END_OF_DAY:\n        return "midnight"',
        ),
    ),
    *group(
        "phonetree_tools/cli.py",
        CLI,
        ('default="now",', 'default="open",'),
    ),
    *group(
        "phonetree_tools/caller.py",
        CALLER,
        ('finish = gather.get("finishOnKey", "#")', 'finish = gather.get("finishOnKey", "")'),
        (
            'extra = {"SpeechResult": speech, "Confidence": str(confidence)}',
            'extra = {"SpeechResult": speech}',
        ),
        (
            'self._load(urljoin(self._doc_url, (verb.text or "").strip()), verb.get("method"))',
            'self._load((verb.text or "").strip(), verb.get("method"))',
        ),
        ('if not enqueue.get("waitUrl"):', "if True:"),
        ('extra["QueueSid"] = self._queue_sid', "pass"),
        (
            'never signed\n        method = (method or "POST").upper()',
            'never signed\n        method = (method or "GET").upper()',
        ),
        (
            "covers the URL\n            requested = url"
            ' + ("&" if urlsplit(url).query else "?") + urlencode(params)\n'
            '            signed, body = {}, b""',
            "covers the URL\n            requested = url"
            ' + ("&" if urlsplit(url).query else "?") + urlencode(params)\n'
            '            signed, body = params, b""',
        ),
        ("CONTENT_LENGTH=str(len(body)),", 'CONTENT_LENGTH="0",'),
        (
            "if self.validate is not None:\n            self.validate(text)",
            "if False:\n            self.validate(text)",
        ),
    ),
]
