"""The studio: its server, its routes and their guards, the replay, the moment's address, the
messages shown, the session's coverage, the test it saves, the diagram's layout."""

from __future__ import annotations

from mutant import STUDIO, group

# Why each equivalent mutant below cannot be told from the code (tests/mutation/README.md).
LOCAL_ONLY = (
    "the studio listens on 127.0.0.1 for one person's browser: the Procfile's options guard a "
    "public server (body size, proxy headers, connection limit), and the app refuses a body "
    "over MAX_BODY itself"
)
NO_MARKUP = (
    "the carrier's line holds the carrier's title and name and its keys' variable names, all "
    "from the registry: nothing an HTML page reads as markup"
)
CAPPED = (
    "each value it caps is parsed (a moment, a clock, an outcome: a longer one is no better) "
    "or names a session or a call, a key among at most 8 sessions of 40 calls"
)
SET_EACH_TIME = (
    "every request through the wrapper sets the moment (None without the header) before the "
    "app reads it, so what one request leaves behind is never read"
)
ORDER_OF_CALLS = (
    "each call's lines keep their order; the counts of edges, states, calls and ends do not "
    "depend on the order of whole calls, and reading closes every call at the end"
)
BODY_LIMIT = (
    "the studio's server runs with the Procfile's options, whose max_request_body_size "
    "(MAX_BODY, the same 64 KB) has waitress refuse a bigger body before the studio reads it"
)
DEAD_REPLACE = (
    "dead code: repr() escapes a ' only in a string that holds a \" too, which this branch "
    "never takes"
)

MUTANTS = [
    *group(
        "phonetree_tools/studio/server.py",
        STUDIO,
        (
            'HOST = "127.0.0.1"  # this machine only',
            'HOST = "0.0.0.0"  # this machine only',
            {"why": "anyone on the network places calls and sends messages from the studio"},
        ),
        ('if path == "/" or path.startswith("/studio/"):', 'if path.startswith("/studio/"):'),
        (
            "tree = pretend_clock(app, terminal.mounted(app, prefix) if prefix else app)",
            "tree = pretend_clock(app, app)",
            {"why": "a tree behind a PUBLIC_URL path cannot be called from the studio"},
        ),
        (
            'settings = {**(options or {}), "threads": THREADS}',
            'settings = {"threads": THREADS}',
            {"equivalent": LOCAL_ONLY},
        ),
        (
            'settings.pop("delivery_threads", None)',
            "pass",
            {"why": "waitress refuses the Procfile server's own option: the studio never starts"},
        ),
    ),
    *group(
        "phonetree_tools/studio/web.py",
        STUDIO,
        (
            'if environ.get("HTTP_HOST") not in self.hosts or (',
            "if False and (",
            {"why": "another site's page (DNS rebinding) steps calls and sends messages"},
        ),
        (
            'if environ.get("CONTENT_TYPE", "").split(";")[0].strip() != "application/json":',
            "if False:",
            {"why": "a form posted from another site steps a call without a preflight"},
        ),
        ("if length < 0 or length > MAX_BODY:", "if length < 0:", {"equivalent": BODY_LIMIT}),
        ("if not self.steps.acquire(blocking=False):", "if not self.steps.acquire():"),
        ("if name not in FILES:\n            raise", "if False:\n            raise"),
        ('data = json.dumps(facts).replace("</", "<\\\\/")', "data = json.dumps(facts)"),
        (
            '"<!--carrier-->": html.escape(carrier_line(self.config, self.signing)),',
            '"<!--carrier-->": carrier_line(self.config, self.signing),',
            {"equivalent": NO_MARKUP},
        ),
        (
            'return value[:200] if isinstance(value, str) else ""',
            'return value if isinstance(value, str) else ""',
            {"equivalent": CAPPED},
        ),
        ('"ended_in": played.last_state if call.ended else None,', '"ended_in": played.state,'),
        (
            '"timeout": int(gather.get("timeout") or 5),',
            '"timeout": int(gather.get("timeout") or 0),',
        ),
        (
            'bottle.response.set_header("Content-Disposition", f\'attachment; filename=',
            "pass",
        ),
    ),
    *group(
        "phonetree_tools/studio/replay.py",
        STUDIO,
        (
            "return Outcome(failed=dict.fromkeys(real.names, NOT_A_STUDIO_CALL))",
            "return real.deliver(message)",
            {"why": "a call from elsewhere makes the studio send real messages"},
        ),
        (
            "sent = walk.live and walk.deliver and bool(real.channels)",
            "sent = walk.deliver and bool(real.channels)",
            {"why": "every step replays the call: the same voicemail sent again at each"},
        ),
        (
            "if action is None or automatic > MAX_AUTOMATIC:",
            "if action is None:",
            {"why": "a tree that dials for ever holds the studio's server for ever"},
        ),
        ("played.walk.live = index >= known", "played.walk.live = True"),
        ("if posted != action.value:  # the Gather stopped listening", "if False:"),
        ("if call.ended:\n                self.hung_up(call, played)", "pass"),
        (
            'held = max((action.numbers[2] for action in played.actions if action.kind == "hold")',
            'held = max((0 for action in played.actions if action.kind == "hold")',
        ),
    ),
    *group(
        "phonetree_tools/studio/moment.py",
        STUDIO,
        ("if len(tokens) > MAX_ACTIONS:", "if len(tokens) > 10 * MAX_ACTIONS:"),
        ('if len(value) > MAX_SAID or (kind == "say" and not value.strip()):', "if False:"),
        (
            "if token and set(token) <= KEYS and len(token) <= 40:",
            "if token and set(token) <= KEYS:",
        ),
        ('if kind == "dial" and value in DIAL_RESULTS:', 'if kind == "dial":'),
        ("1 <= position <= 999", "0 <= position <= 999"),
        (
            "return max(1, round(len(words.split()) / WORDS_PER_SECOND)) if words.strip() else 0",
            "return round(len(words.split()) / WORDS_PER_SECOND)",
            {"why": "a one-word message is taken for an empty recording"},
        ),
        ('if self.queue == "hangup":\n            return Action("hangup")', "pass"),
        ("return moment if moment.tzinfo else moment.replace(tzinfo=zone)", "return moment"),
    ),
    *group(
        "phonetree_tools/studio/business.py",
        STUDIO,
        (
            '"to": redacted(NOTIFY_URL, f"{endpoint.scheme}://{endpoint.netloc}/") if endpoint',
            '"to": f"{endpoint.scheme}://{endpoint.netloc}{endpoint.path}" if endpoint',
        ),
        ('if sent and channel["configured"]:', 'if channel["configured"]:'),
        (
            "recipients = config.notify_email if configured else (UNSET_TO,)",
            "recipients = (UNSET_TO,)",
        ),
        (
            '"setup": None if configured else "set SMTP_URL, NOTIFY_EMAIL and MAIL_FROM to send',
            '"setup": None if True else "set SMTP_URL, NOTIFY_EMAIL and MAIL_FROM to send',
        ),
    ),
    *group(
        "phonetree_tools/studio/seams.py",
        STUDIO,
        (
            "return moment if moment is not None and moment.tzinfo is not None else None",
            "return moment",
        ),
        ("if level > logging.INFO or quiet:", "if level > logging.INFO:"),
        (
            "return record.levelno >= level or logs.is_business(record)",
            "return record.levelno >= level",
        ),
        ("_MOMENT.reset(token)", "pass", {"equivalent": SET_EACH_TIME}),
        ("setup.delivery = CapturedDelivery(setup.delivery, hand)", "pass"),
    ),
    *group(
        "phonetree_tools/studio/sessions.py",
        STUDIO,
        ("if kept is None or kept[0][: len(tokens)] != tokens:", "if True:"),
        ("MAX_CALLS = 40", "MAX_CALLS = 4000", {"why": "a tab left open holds every call"}),
        ("lines.sort(key=lambda entry: entry.time)", "pass", {"equivalent": ORDER_OF_CALLS}),
        (
            '"exits_left": [[e["from"], e["to"]] for e in exits if not e["count"]],',
            '"exits_left": [],',
        ),
    ),
    *group(
        "phonetree_tools/studio/testfile.py",
        STUDIO,
        ("if setting.secret or setting.name in LEFT_OUT:", "if setting.name in LEFT_OUT:"),
        ('ALWAYS = ("OPENING_HOURS", "TIMEZONE", "LANGUAGES")', 'ALWAYS = ("OPENING_HOURS",)'),
        (
            "found[setting.name] = value or defaults.get(setting.name) or setting.default",
            "found[setting.name] = value or setting.default",
            {"why": "a saved test of the dental practice calls it in English at New York's hours"},
        ),
        (
            'named = f", carrier={literal(carrier)}" if carrier != DEFAULT_CARRIER else ""',
            'named = ""',
        ),
        ('lines += ["    with pytest.raises(CallFailed):", f"        call.{raising}"]', "pass"),
        ('parts = [part for part in parts if part] or [""]', "parts = [text]"),
        (
            "text = '\"' + text[1:-1].replace(\"\\\\'\", \"'\") + '\"'",
            "text = '\"' + text[1:-1] + '\"'",
            {"equivalent": DEAD_REPLACE},
        ),
    ),
    *group(
        "phonetree_tools/studio/layout.py",
        STUDIO,
        ('return [(ENTRY, "", start), *diagram.edges(table)]', "return diagram.edges(table)"),
        (
            "Node(name, x[name], y[name], width[name], name in table and table[name].exit is None)",
            "Node(name, x[name], y[name], width[name], False)",
        ),
        ('f"<title>{escape(title)}</title>"', 'f"<title>{title}</title>"'),
        ('kept = [item for item in items if not item.startswith("say ")]', "kept = items"),
    ),
]
