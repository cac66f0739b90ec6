"""A second set of mutants, made by hand apart from the main set, spread over the same modules.

It exists to check the main set's score: tests written to kill the main set's mutants should
catch these about as well, or the score says more about the list than about the tests. They
were written another way: no line the main set mutates is mutated here, and each is an
operator's slip (a comparison turned, a boundary moved, a constant changed, a call dropped, a
branch's value swapped) rather than a chosen harm. Each module's tests are the main set's.
(The server's SETTLE_SECONDS, a race no test can place a request in, is left out.)
"""

from __future__ import annotations

from mutant import (
    CALLER,
    CARRIERS,
    CHECKS,
    COMMANDS,
    DELIVERY,
    DENTAL,
    DIAGRAM,
    LOGS,
    PLAYING,
    REPORT,
    SERVER,
    SETTINGS,
    STATES,
    STUDIO,
    WALK,
    WEB,
    engine,
    group,
)

# Why each equivalent mutant below cannot be told from the code (tests/mutation/README.md).
TWICE = (
    "a name comes twice only in a URL the engine did not write: a query repeating a name is "
    "refused (400), and a sealed part never holds a name the URL also carries in clear"
)
COLLECT_COUNTS = (
    "the engine reads a collect's own count of tries (the collect keeps 'tries'), never the "
    "flag its retry returns"
)
ONE_KEY = (
    "the choice's Gather takes one key (numDigits=1): the carrier posts one digit, which is "
    "in a key's text only when it is that key"
)
KEYS_ONLY = "the engine counts failed tries at a Keys menu only, never at the language choice"
FAILS_LATER = (
    "a token over 2,048 characters, or not ASCII, fails further on all the same (base64 "
    "refuses what is not ASCII, the tag anything changed): the check only spares the work"
)
PYTHON_311 = (
    "Python 3.11 and later read +0500 as +05:00 themselves; the conversion is for 3.10, which "
    "this machine does not run"
)
CLAMPED = (
    "a negative count of actions already shown makes every action new, as 0 does: the page "
    "sends 0 or more, and either way the same messages go out"
)
ENDED_OUTCOME = (
    "a call that ended has an outcome of its end (hangup, error, ...), never 'queue': the "
    "outcome alone tells"
)
NOT_OURS = (
    "a line that is not ours has no fields, so no call's walk is found for it: nothing is kept"
)

MUTANTS = [
    # The walk ####################################################################
    *group(
        "phonetree_engine/tree.py",
        WALK,
        ("MAX_CHAIN = 16", "MAX_CHAIN = 3"),
        ("MAX_TRIES = 99", "MAX_TRIES = 9"),
        ("return any(option.hear for option in self.options)", "return False"),
    ),
    *group(
        "phonetree_engine/call.py",
        WALK,
        ("CONTEXT_BUDGET = 512", "CONTEXT_BUDGET = 128"),
        ('"entry": Slot(20, personal=True),', '"entry": Slot(10, personal=True),'),
        ("if not once:\n            self._query = linked[len(url) :]", "pass"),
    ),
    *group(
        "phonetree_engine/engine.py",
        WALK,
        ("self.seal_shared = config.seal_key is not None", "self.seal_shared = True"),
        (
            "if slot is not None and name not in context:",
            "if slot is not None:",
            {"equivalent": TWICE},
        ),
        (
            'if str(empty).lower() == "true" and verb.attrs.get("action"):',
            'if str(empty) == "true" and verb.attrs.get("action"):',
        ),
    ),
    *group(
        "phonetree_engine/collect.py",
        engine("collect", "callback", "context", "never_stuck", "table"),
        ("max_length: int = 15", "max_length: int = 10"),
        (
            "if len(digits) != self.length if self.length else not 0 < len(digits)",
            "if len(digits) > self.length if self.length else not 0 < len(digits)",
        ),
        ("return call.state, True", "return call.state, False", {"equivalent": COLLECT_COUNTS}),
    ),
    *group(
        "phonetree_engine/languages.py",
        engine("languages", "engine", "table"),
        (
            "chosen = next((language for key, language, _ in options if key == call.digits), None)",
            "chosen = next((language for key, language, _ in options if key in call.digits), None)",
            {"equivalent": ONE_KEY},
        ),
        ("return self.then, False", "return self.then, True", {"equivalent": KEYS_ONLY}),
    ),
    *group(
        "phonetree_engine/words.py",
        engine("languages", "table", "engine"),
        (
            'found = next((v for k, v in words.items() if k.split("-")[0] == primary), None)',
            "found = next(iter(words.values()), None)",
        ),
        ("if keys and path:", "if keys:"),
    ),
    *group(
        "phonetree_engine/checks.py",
        CHECKS,
        ('KEY_CHARS = set("0123456789*#")', 'KEY_CHARS = set("0123456789")'),
        ("if not 0 < row.exit.size <= MAX_DIGITS:", "if not 0 < row.exit.size < MAX_DIGITS:"),
        (
            "while target and target not in seen and isinstance(table[target].exit, str):",
            "while False:",
        ),
    ),
    # What the engine knows ######################################################
    *group(
        "phonetree_engine/hours.py",
        engine("hours", "settings", "cli"),
        ('_CLOCK = r"(?:[01]?\\d|2[0-3]):[0-5]\\d"', '_CLOCK = r"(?:[01]?\\d|2[0-4]):[0-5]\\d"'),
        (
            "return sum(len(run) for run in self.runs) == 7",
            "return sum(len(run) for run in self.runs) >= 6",
        ),
    ),
    *group(
        "phonetree_engine/lines.py",
        engine("logs", "webhooks", "callback", "fallback", "delivery"),
        (
            'return head + "*" * (len(number) - len(head) - len(tail)) + tail',
            'return head + "*" * (len(number) - len(tail)) + tail',
        ),
        ("and len(text) < 7 else 0", "and len(text) < 3 else 0"),
    ),
    *group(
        "phonetree_engine/seal.py",
        engine("seal", "context", "collect", "fuzz", "webhooks", "fallback", "callback"),
        (
            "if not token or len(token) > MAX_TOKEN or not token.isascii():",
            "if not token:",
            {"equivalent": FAILS_LATER},
        ),
        ("TAG = 16", "TAG = 4"),
    ),
    *group(
        "phonetree_engine/settings.py",
        SETTINGS,
        ('E164 = r"\\+[1-9]\\d{7,14}"', 'E164 = r"\\+\\d{7,14}"'),
        (
            '_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True}',
            '_BOOLEANS = {"true": True, "1": True}',
        ),
        ("if bad or not tags:", "if bad:"),
        ("return self.voices.get(language, self.voice)", "return self.voice"),
    ),
    *group(
        "phonetree_engine/logs.py",
        LOGS,
        ("BUSINESS_WAIT = 2.0", "BUSINESS_WAIT = 0.0"),
        (
            "if record.args or record.exc_info or record.exc_text or record.stack_info:",
            "if record.args:",
        ),
        (
            "if root.handlers or logger.handlers:\n        return",
            "if logger.handlers:\n        return",
        ),
    ),
    *group(
        "phonetree_engine/server.py",
        SERVER,
        ("if now < self.next_at:", "if now > self.next_at:"),
    ),
    # The web side ###############################################################
    *group(
        "phonetree_engine/web/__init__.py",
        WEB,
        ('app.route("/healthz", "GET", healthy)', 'app.route("/healthz", "POST", healthy)'),
        ('app.route("/status", methods, hooks.route(hooks.ended, callback=True))', "pass"),
    ),
    *group(
        "phonetree_engine/web/webhooks.py",
        WEB,
        (
            'FINAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")',
            'FINAL_STATUSES = ("completed",)',
        ),
        (
            'waiting = "QueuePosition" in params and "QueueResult" not in params',
            'waiting = "QueueResult" not in params',
        ),
        ("if error.status_code == 400:", "if error.status_code == 403:"),
    ),
    *group(
        "phonetree_engine/web/forms.py",
        engine("webhooks", "fuzz", "carriers", "engine"),
        ("MAX_FIELDS = 200", "MAX_FIELDS = 20"),
        (
            'return unquote_plus(text, errors="replace")',
            'return unquote_plus(text.replace("+", "%2B"), errors="replace")',
        ),
    ),
    *group(
        "phonetree_engine/web/logline.py",
        engine("webhooks", "collect", "callback", "fallback"),
        ("value = value[:40]", "value = value[:4]"),
        ('parts.append(f"ms={self.ms:.2f}")', 'parts.insert(1, f"ms={self.ms:.2f}")'),
    ),
    *group(
        "phonetree_engine/web/fallback.py",
        engine("fallback", "carriers", "webhooks"),
        (
            'caller = {"from": params.get("From", "")[:20],',
            'caller = {"from": params.get("To", "")[:20],',
        ),
        ('finish_on_key="#",', 'finish_on_key="*",'),
    ),
    # Delivery ##################################################################
    *group(
        "phonetree_engine/delivery/__init__.py",
        DELIVERY,
        ("REMEMBER_SECONDS = 3600.0", "REMEMBER_SECONDS = 0.0"),
        ("SCHEDULE = (30.0, 60.0, 120.0, 300.0, 600.0, 1200.0)", "SCHEDULE = (30.0,)"),
    ),
    *group(
        "phonetree_engine/delivery/email.py",
        DELIVERY,
        (
            "if server.user:\n                smtp.sock.settimeout",
            "if False:\n                smtp.sock.settimeout",
        ),
        ('mail["To"] = ", ".join(self.recipients)', 'mail["To"] = self.recipients[0]'),
        ("if port and not 0 < int(port) < 65536:", "if port and not 0 < int(port) < 655360:"),
    ),
    *group(
        "phonetree_engine/delivery/post.py",
        DELIVERY,
        ('"User-Agent": USER_AGENT,', ""),
        ("if at and not user:", "if False:"),
    ),
    *group(
        "phonetree_engine/delivery/messages.py",
        DELIVERY,
        ('who = one_line(number) or "a withheld number"', "who = one_line(number)"),
        ('"transcribed": bool(text),', '"transcribed": True,'),
    ),
    *group(
        "phonetree_engine/delivery/notify.py",
        DELIVERY,
        ("if moment is None or moment.tzinfo is None:", "if moment is None:"),
        ("if value:\n            values[label] = value", "values[label] = value"),
        ('"call": call.param("CallSid", "-")[:80] or "-",', '"call": "-",'),
    ),
    # The carriers ##############################################################
    *group(
        "phonetree_engine/carriers/__init__.py",
        CARRIERS,
        ("return CARRIERS[config.provider].UNSIGNED", 'return CARRIERS["twilio"].UNSIGNED'),
    ),
    *group(
        "phonetree_engine/carriers/twilio.py",
        CARRIERS,
        ("return False  # parse (a forwarded host of", "return True  # parse (a forwarded host of"),
    ),
    *group(
        "phonetree_engine/carriers/signalwire.py",
        CARRIERS,
        ('keys = ("SIGNALWIRE_SIGNING_KEY",)', "keys = ()"),
    ),
    *group(
        "phonetree_engine/carriers/somleng.py",
        CARRIERS,
        ('name, title = "somleng", "Somleng"', 'name, title = "twilio", "Somleng"'),
    ),
    *group(
        "phonetree_engine/carriers/telnyx.py",
        CARRIERS,
        (
            "raw = base64.b64decode(value.strip(), validate=True)",
            "raw = base64.b64decode(value.strip())",
        ),
    ),
    # The tools #################################################################
    *group(
        "phonetree_tools/caller.py",
        CALLER,
        (
            'failure = f"{status // 100}xx" if status >= 400 else None',
            'failure = f"{status // 100}xx" if status >= 500 else None',
        ),
        ('budget = min(_number(overrides.get("tt"), 15000), 15000) / 1000', "budget = 15.0"),
        ('self._hear_text("[hold music]", "Enqueue")', "pass"),
    ),
    *group(
        "phonetree_tools/carriers.py",
        CALLER,
        (
            'return "RE" + secrets.token_hex(16) if carrier == "twilio" else str(uuid.uuid4())',
            'return "RE" + secrets.token_hex(16)',
        ),
        ("if carrier not in NAMES:", "if False:"),
    ),
    *group(
        "phonetree_tools/cli.py",
        COMMANDS,
        ('LOOPBACK = ("127.0.0.1", "::1", "localhost")', 'LOOPBACK = ("127.0.0.1",)'),
        (
            'default="no-answer",\n        help="how a Dial ends',
            'default="completed",\n        help="how a Dial ends',
        ),
    ),
    *group(
        "phonetree_tools/terminal.py",
        COMMANDS,
        ("RECORDING_SECONDS = 10", "RECORDING_SECONDS = 0"),
        ('if text.replace(" ", "").isalpha():', "if text.isalpha():"),
    ),
    *group(
        "phonetree_tools/playing.py",
        PLAYING,
        ('if hooks.carrier is None:\n            return {"carrier": carrier}', "pass"),
    ),
    *group(
        "phonetree_tools/diagram.py",
        DIAGRAM,
        (
            'lines.append(f"    {source} {arrow} {target}")',
            'lines.append(f"    {target} {arrow} {source}")',
        ),
        ('arrow = f"-->|{label}|" if label else "-->"', 'arrow = f"-->|{label}|"'),
    ),
    *group(
        "phonetree_tools/platform.py",
        ("tests/project/test_platform.py", "tests/project/test_docs.py"),
        ('"formation": {"web": {"quantity": 1}},', ""),
    ),
    *group(
        "phonetree_tools/logread.py",
        REPORT,
        (
            'return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"',
            "return offset",
            {"equivalent": PYTHON_311},
        ),
        ("if len(sources) == 1:\n        yield from", "if True:\n        yield from"),
    ),
    *group(
        "phonetree_tools/traffic.py",
        REPORT,
        ("GRACE = 60", "GRACE = 0"),
        ("return max(held)[1] if held else None", "return min(held)[1] if held else None"),
        (
            'FAILURES = ("handler-failed", "recovery-failed", "unknown-state", "refused")',
            'FAILURES = ("handler-failed",)',
        ),
    ),
    *group(
        "phonetree_tools/report.py",
        REPORT,
        (
            "return diagram.Notes(f\"{calls} call{'' if calls == 1 else 's'}\"",
            'return diagram.Notes(f"{calls} calls"',
        ),
        (
            'if count:\n            lines.append(f"  {hour:02d}:00',
            'if True:\n            lines.append(f"  {hour:02d}:00',
        ),
    ),
    # The studio ################################################################
    *group(
        "phonetree_tools/studio/server.py",
        STUDIO,
        ("THREADS = 6", "THREADS = 1"),
    ),
    *group(
        "phonetree_tools/studio/web.py",
        STUDIO,
        ("STEPS_AT_ONCE = 2", "STEPS_AT_ONCE = 0"),
        (
            "return value if isinstance(value, int) and value >= 0 else 0",
            "return value if isinstance(value, int) else 0",
            {"equivalent": CLAMPED},
        ),
    ),
    *group(
        "phonetree_tools/studio/replay.py",
        STUDIO,
        ('"kind": "carrier" if action.by_carrier else "caller",', '"kind": "caller",'),
        (
            'return not call.ended and bool(call.outcome) and call.outcome[0] == "queue"',
            'return bool(call.outcome) and call.outcome[0] == "queue"',
            {"equivalent": ENDED_OUTCOME},
        ),
    ),
    *group(
        "phonetree_tools/studio/moment.py",
        STUDIO,
        ("MAX_SAID = 500", "MAX_SAID = 50"),
        (
            'if token == "_":\n            return Action("silence")',
            'if token == "-":\n            return Action("silence")',
        ),
    ),
    *group(
        "phonetree_tools/studio/business.py",
        STUDIO,
        ('"not delivered: " + failed[channel["name"]]', '"delivered"'),
    ),
    *group(
        "phonetree_tools/studio/seams.py",
        STUDIO,
        (
            "if entry.event is not None:\n                self.take(entry)",
            "self.take(entry)",
            {"equivalent": NOT_OURS},
        ),
    ),
    *group(
        "phonetree_tools/studio/sessions.py",
        STUDIO,
        ("MAX_SESSIONS = 8", "MAX_SESSIONS = 0"),
    ),
    *group(
        "phonetree_tools/studio/testfile.py",
        STUDIO,
        ('return f"test_studio_call_{verb}_{where}"', 'return f"studio_call_{verb}_{where}"'),
        (
            'return f"({items},)" if values and len(values) == 1 else f"({items})"',
            'return f"({items})"',
        ),
    ),
    *group(
        "phonetree_tools/studio/layout.py",
        STUDIO,
        ('return max(64.0, len("call" if name == ENTRY else name) * CHAR + 24)', "return 64.0"),
    ),
    # The trees #################################################################
    *group(
        "states/greeting.py",
        STATES,
        ('return [welcome, Say(words["closed"])]', "return welcome"),
    ),
    *group(
        "states/hold.py",
        STATES,
        ("if position.isascii() and position.isdigit():", "if position:"),
    ),
    *group(
        "examples/dental/front_desk.py",
        DENTAL,
        ("if sip:\n        dial.sip(address)", "if False:\n        dial.sip(address)"),
    ),
]
