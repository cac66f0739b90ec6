"""The tools: the simulated caller and what it knows of the carriers, the commands, the terminal
call, the diagram, the platform's files."""

from __future__ import annotations

from mutant import CALLER, COMMANDS, DIAGRAM, PLAYING, engine, group

MUTANTS = [
    *group(
        "phonetree_tools/caller.py",
        CALLER,
        (
            "digits = digits[: digits.index(finish)]",
            "pass",
            {"why": "a test passes that a phone would fail: the # sent as a digit"},
        ),
        ('digits = digits[: int(gather.get("numDigits"))]', "pass"),
        ('if not digits or "dtmf" not in gather.get("input", "dtmf").split():', "if not digits:"),
        ('if "speech" not in gather.get("input", "dtmf").split():', "if False:"),
        (
            'if language and language.lower() != gather.get("language", "en-US").lower():',
            "if False:",
            {"why": "a Spanish caller understood by an English recognizer, in tests only"},
        ),
        ('if gather.get("actionOnEmptyResult", "").lower() == "true":', "if True:"),
        (
            '"CallStatus": "in-progress" if self.requests else "ringing"',
            '"CallStatus": "in-progress"',
        ),
        ("if status != 200:", "if status >= 500:"),
        (
            'if content_type.split(";")[0].strip().lower() not in XML_CONTENT_TYPES:',
            'if content_type.split(";")[0].strip() not in XML_CONTENT_TYPES:',
        ),
        ('if root.tag != "Response":', "if False:"),
        ("if self._queue and verb.tag not in WAIT_MUSIC_VERBS:", "if False:"),
        (
            "if self._since_input > self.max_webhooks:",
            "if self._since_input > 10 * self.max_webhooks:",
        ),
        ('text = " ".join("".join(verb.itertext()).split())', 'text = "".join(verb.itertext())'),
        ('"RecordingDuration": str(duration),', '"RecordingDuration": "5",'),
        ("if not duration:", "if duration < 0:", {"why": "an empty recording posted as a message"}),
        ("self._doc_url, self._verbs = enqueue_url, verbs_after", "self._verbs = []"),
        ('PATH_INFO=unquote_to_bytes(url.path).decode("latin-1"),', "PATH_INFO=url.path,"),
        ('retries = min(max(_number(overrides.get("rc"), 1), 0), 5)', "retries = 5"),
        ('policy = set(overrides.get("rp", "ct").split(","))', 'policy = {"all"}'),
        (
            'headers = {"I-Twilio-Idempotency-Token": token} if attempt else {}',
            "headers = {}",
        ),
        (
            'if failure and self.carrier == "telnyx":',
            "if False:",
            {"why": "tests of Telnyx never see its failover URL's second try"},
        ),
        ('"QueuePosition": str(position),', '"QueuePosition": "1",'),
        ('url = url.partition("#")[0]  # connection overrides: never sent, never signed', "pass"),
    ),
    *group(
        "phonetree_tools/carriers.py",
        CALLER,
        ('return "CA" + secrets.token_hex(16)', 'return "CA" + secrets.token_hex(8)'),
        ("stamp = str(int(self.clock()))", "stamp = str(int(self.clock()) - 600)"),
        (
            'signature = self.private.sign(stamp.encode() + b"|" + body)',
            "signature = self.private.sign(body)",
        ),
        (
            'return {"X-SignalWire-Signature": signature}',
            'return {"X-Twilio-Signature": signature}',
        ),
        (
            'algorithm = "HMAC_SHA256" if self.shared_key else None',
            "algorithm = None",
        ),
        (
            'headers["X-Twilio-Webhooks-Signature-Settings"] = SHARED_KEY_SETTINGS',
            "pass",
        ),
    ),
    *group(
        "phonetree_tools/cli.py",
        (*COMMANDS, *engine("report")),
        (
            "if not every_language_written(engine):\n            return 1",
            "if False:\n            return 1",
            {"why": "check says ok of a language the tree has words in but lacks a sentence of"},
        ),
        ('port = getattr(args, "port", None) or read_port(problems)', "port = read_port(problems)"),
        ('command = args.command or "serve"', 'command = args.command or "check"'),
        (
            "app = serving_app(local=host in LOOPBACK)",
            "app = serving_app(local=True)",
            {"why": "serve --host 0.0.0.0 runs unsigned"},
        ),
        (
            "return server.serve(app, host=host, port=port, **options)",
            "return server.serve(app, host=host, port=port)",
        ),
        (
            "read_port(problems)  # PORT too: check says what serving would refuse",
            "pass",
        ),
        (
            "if not (engine.config.validates_signatures or engine.config.allow_unsigned):",
            "if False:",
            {"why": "check passes a deploy the Procfile's server will refuse"},
        ),
        ("if said and isinstance(stop.code, str):", "if False:"),
        (
            'render = diagram.mermaid if args.format == "mermaid" else diagram.dot',
            "render = diagram.mermaid",
        ),
        (
            'stream = open(path, "a", encoding="utf-8")',
            'stream = open(path, "w", encoding="utf-8")',
            {"why": "call --log wipes yesterday's log before report reads it"},
        ),
        ("return reader_gone()", "raise"),
        ("log_zone = ZoneInfo(args.log_timezone)", 'log_zone = ZoneInfo("UTC")'),
    ),
    *group(
        "phonetree_tools/terminal.py",
        COMMANDS,
        ('if text in ("", "_"):', 'if text == "_":'),
        ('if text.lower() == "q":', 'if text == "q":'),
        ("if set(text) <= KEYS:", "if text.isdigit():", {"why": "* and # typed as words to say"}),
        ("echo = not stdin.isatty()", "echo = False"),
        ("if len(set(offered)) > 1 and language in offered:", "if language in offered:"),
        ("key = str(offered.index(language) + 1)", "key = str(offered.index(language))"),
        ("prefix = urlsplit(public_url).path  # PUBLIC_URL has no final slash", 'prefix = ""'),
        ("if automatic > MAX_AUTOMATIC:", "if automatic > 10 * MAX_AUTOMATIC:"),
        ("call.record(duration=RECORDING_SECONDS)", "call.record(duration=0)"),
        (
            "if moment >= now and config.is_open(moment) == want_open:",
            "if config.is_open(moment) == want_open:",
        ),
        (
            'if "LOG_LEVEL" not in os.environ and on_terminal(log_stream):',
            "if on_terminal(log_stream):",
        ),
        (
            "engine.clock = saved_clock",
            "pass",
            {"why": "--clock closed sticks to the app after the call"},
        ),
    ),
    *group(
        "phonetree_tools/playing.py",
        PLAYING,
        (
            'if config.twilio_auth_token:\n        return {"carrier": carrier, "auth_token"',
            'if False:\n        return {"carrier": carrier, "auth_token"',
            {"why": "call refused by its own app when TWILIO_AUTH_TOKEN is set"},
        ),
        (
            'return {"carrier": carrier, "shared_key": config.twilio_shared_key}',
            'return {"carrier": carrier}',
        ),
        (
            'return {"carrier": carrier, "key": key} if key else {"carrier": carrier}',
            'return {"carrier": carrier}',
        ),
        ("hooks.carrier = Telnyx(base64.b64decode(public))", "pass"),
    ),
    *group(
        "phonetree_tools/diagram.py",
        DIAGRAM,
        ('said = f"say {label[1:-1]}" if label.startswith(\'"\') else label', "said = label"),
        ('lines.append(f"    {name}([{text}]):::terminal")', 'lines.append(f"    {name}[{text}]")'),
        ('return text.replace(\'"\', "#quot;")', "return text"),
        (
            'return text.replace("\\\\", "\\\\\\\\").replace(\'"\', \'\\\\"\')'
            '.replace("\\n", "\\\\n")',
            "return text.replace('\"', '\\\\\"')",
        ),
        ('attrs = ["shape=doublecircle"] if terminal(row) else []', "attrs = []"),
        ("lines.append(f\"    class {','.join(sorted(notes.dropoffs))} dropoff\")", "pass"),
        (
            "lines.append(f'    {source} -> {target} [label=\"{escaped(text)}\", style=dashed];')",
            "lines.append(f'    {source} -> {target} [label=\"{escaped(text)}\"];')",
        ),
    ),
    *group(
        "phonetree_tools/platform.py",
        ("tests/project/test_platform.py", "tests/project/test_docs.py"),
        ('REQUIRED = ("TWILIO_AUTH_TOKEN",)', "REQUIRED = ()"),
        ('SET_BY_THE_PLATFORM = ("PORT",)', "SET_BY_THE_PLATFORM = ()"),
        ("default = defaults.get(setting.name) or setting.default", "default = setting.default"),
        ('"description": setting.help.replace("`", ""),', '"description": setting.help,'),
        (
            'return TABLE.sub(lambda _: settings_table(groups(tree)) + "\\n", text, count=1)',
            "return text",
        ),
    ),
]
