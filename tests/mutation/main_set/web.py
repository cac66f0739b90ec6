"""The web side: routes and start-up, webhooks and recovery, forms and URLs, log lines, the
fallback route."""

from __future__ import annotations

from mutant import WEB, engine, group

FORMS = engine("webhooks", "fuzz", "carriers", "engine")
LINES = engine("webhooks", "collect", "callback", "fallback")
FALLBACK = engine("fallback", "carriers", "webhooks")

MUTANTS = [
    *group(
        "phonetree_engine/web/__init__.py",
        WEB,
        (
            'bottle.response.content_type = "text/plain; charset=utf-8"\n    return error.body',
            "return error.body",
            {"why": "a stranger's odd request gets bottle's HTML page"},
        ),
        (
            'bottle.response.status = 503\n        return "stopping\\n"',
            'return "stopping\\n"',
            {"why": "the router keeps sending calls to a replica that is stopping"},
        ),
        (
            'return "ok\\n" + (report if dropped["lines"] else "")',
            'return "ok\\n"',
            {"why": "lines lost to a stuck stderr are said nowhere"},
        ),
        (
            'raise ConfigError(f"Config(): no setting',
            'print(f"Config(): no setting',
            {"why": "a misspelt setting in a test or tree is silently unused"},
        ),
        (
            'app.route(path, methods, hooks.route(step, callback=path == "/fallback/recorded"))',
            "app.route(path, methods, hooks.route(step))",
            {"why": "a fallback voicemail not delivered is answered 200: never retried"},
        ),
        (
            "queued = name in engine.held",
            "queued = False",
            {"why": "a failure in the hold music plays the menu inside the queue"},
        ),
        ("private = engine.collects(name)", "private = False"),
        (
            "route = hooks.route(hooks.answering(name, part), callback=True)",
            "route = hooks.route(hooks.answering(name, part))",
            {"why": "a voicemail not delivered is answered with TwiML: never retried"},
        ),
        (
            'app.route("/state/<name>", methods, hooks.route(hooks.unknown))',
            "pass",
            {"why": "a call in a state a deploy renamed gets a 404: an application error"},
        ),
        (
            "if not config.validates_signatures and not (local or config.allow_unsigned):",
            "if not config.validates_signatures and not config.allow_unsigned:",
            {"why": "python phonetree.py on this machine refuses to start without a token"},
        ),
        (
            "if not config.validates_signatures and not (local or config.allow_unsigned):",
            "if False:",
            {"why": "the Procfile's server serves anyone without a token"},
        ),
        (
            'for line in f"{error}".splitlines()))',
            'for line in [f"{error}"]))',
            {"why": "every problem but the first loses what it stops: a grep misses it"},
        ),
        ("if not engine.seal_shared and not local:", "if False:"),
    ),
    *group(
        "phonetree_engine/web/webhooks.py",
        WEB,
        (
            "self.carrier = engine.setup.carrier if config.validates_signatures else None",
            "self.carrier = None",
            {"why": "signatures never checked: anyone drives the tree"},
        ),
        (
            "params = dict(reversed(query + form))",
            "params = dict(query + form)",
            {
                "equivalent": "the query holds the engine's own names (tries, lang, sealed, from, "
                "via, ...), the carrier's form its CamelCase ones: no name is in both"
            },
        ),
        (
            'prefix = self.prefix if self.prefix is not None else environ.get("SCRIPT_NAME", "")',
            'prefix = environ.get("SCRIPT_NAME", "")',
        ),
        (
            "if not callback:  # a live call must hear something: never a 5xx",
            "if False:",
            {"why": "a live call hears an application error"},
        ),
        (
            '503, f"Service Unavailable: {error}; send it again."',
            '400, f"Service Unavailable: {error}; send it again."',
            {"why": "a voicemail not delivered is never retried: 4xx are not"},
        ),
        (
            'bottle.response.content_type = "text/xml; charset=utf-8"',
            'bottle.response.content_type = "text/html; charset=utf-8"',
        ),
        (
            "if tries < self.config.max_retries:",
            "if True:",
            {"why": "a state that always fails keeps the caller hearing apologies forever"},
        ),
        (
            'context = {k: v for k, v in context.items() if k not in ("entry", "step")}',
            "context = dict(context)",
        ),
        (
            "language = language if language in self.apology else self.config.language",
            "language = self.config.language",
            {"why": "a Spanish caller hears the apology in English"},
        ),
        (
            "return [self.apology[language], *parts], entered[-1], entered",
            "return parts, entered[-1], entered",
        ),
        ("if status in FINAL_STATUSES:", "if status:", {"why": "a ringing call logged as ended"}),
        (
            'duration=params.get("CallDuration", "-")[:10],',
            'duration="-",',
            {"why": "the report loses every call's length"},
        ),
        (
            'callback = part is not None and part.split("/")[0] != "exit"',
            "callback = part is not None",
            {"why": "a call at a renamed state's exit hears nothing and is hung up on"},
        ),
        (
            "url=public_url(environ, self.config.public_url),",
            "url=public_url(environ, None),",
            {"why": "behind a proxy, PUBLIC_URL set: every signature fails"},
        ),
        (
            'verbs = [Say(words["connecting"]), person, Say(words["not_connected"]), Hangup()]',
            'verbs = [Say(words["connecting"]), Say(words["not_connected"]), Hangup()]',
            {"why": "the last resort rings nobody"},
        ),
    ),
    *group(
        "phonetree_engine/web/forms.py",
        FORMS,
        ("if length >= MAX_BODY:", "if length > MAX_BODY:"),
        (
            'content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()',
            'content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip()',
        ),
        ("if len(fields) > MAX_FIELDS:", "if len(fields) >= MAX_FIELDS:"),
        (
            "if len(dict(pairs)) < len(pairs):",
            "if False:",
            {"why": "a captured signed request reshaped by repeating a field"},
        ),
        (
            'if "%" not in text and "+" not in text:',
            'if "%" not in text:',
            {"why": "a caller's name keeps its + for spaces"},
        ),
        ('return f"{url}?{query}" if query else url', "return url"),
        (
            'scheme = first(environ.get("HTTP_X_FORWARDED_PROTO")) or environ["wsgi.url_scheme"]',
            'scheme = environ["wsgi.url_scheme"]',
            {"why": "behind an https proxy every signature fails"},
        ),
        (
            'return header.split(",")[0].strip() if header else ""',
            'return header.split(",")[-1].strip() if header else ""',
        ),
        ("and not HAS_PORT.search(host) and port", "and port"),
        (
            'url = base + wsgi_quote(environ.get("bottle.raw_path", environ.get("PATH_INFO", "")))',
            'url = base + wsgi_quote(environ.get("PATH_INFO", ""))',
        ),
        (
            'host = environ.get("HTTP_HOST") or f"',
            'host = f"',
        ),
    ),
    *group(
        "phonetree_engine/web/logline.py",
        LINES,
        ('    "QueueTime",\n', "", {"why": "the report loses the time callers wait"}),
        ('    "DialCallDuration",\n', ""),
        (
            'if self.private and key == "digits":',
            "if False:",
            {"why": "the number a caller entered at a collect is logged whole"},
        ),
        ('elif key == "speechresult":', "elif False:"),
        (
            'parts.append("retry_token=" + log_value(self.token[:80]))',
            "pass",
            {"why": "a retried callback cannot be told from a new one in the log"},
        ),
        (
            'parts.append("entered=" + log_value(",".join(self.entered)))',
            "pass",
            {"why": "the report cannot count the states a chained answer passed"},
        ),
        (
            '"from=" + log_value(mask_number(get("From", ""))),',
            '"from=" + log_value(get("From", "-")),',
        ),
        ('"call=" + log_value(get("CallSid", "-")[:80]),', '"call=" + get("CallSid", "-")[:80],'),
    ),
    *group(
        "phonetree_engine/web/fallback.py",
        FALLBACK,
        (
            'if "RecordingSid" in params and "RecordingStatus" in params:',
            "if False:",
            {"why": "a recording sent on to the failover URL is taken for a new call"},
        ),
        (
            'if params.get("DialCallStatus") in ANSWERED:',
            'if params.get("DialCallStatus") == "completed":',
            {"why": "after talking to a person the caller is asked for a message"},
        ),
        (
            '/fallback/recorded", {}, private, self.engine.setup.seal)',
            '/fallback/recorded", private, {}, None)',
            {"why": "the caller's number in clear in the callback URL"},
        ),
        ("max_length=self.engine.config.voicemail_max_length,", ""),
        (
            "recording_status_callback=callback + self.engine.setup.retry_fragment,",
            "recording_status_callback=callback,",
        ),
        ('verbs += [*self.said("fallback_nothing"), Hangup()]', "verbs += [Hangup()]"),
        (
            "return [Say(words[name], language=language) for language, words in self.words"
            ".items()]",
            "return [Say(self.words[self.engine.config.language][name])]",
            {"why": "a caller who chose Spanish hears the fallback in English alone"},
        ),
        (
            '"fallback_thanks" if params.get("RecordingUrl") else "fallback_nothing"',
            '"fallback_thanks"',
        ),
        (
            'call = Call("", self.engine.setup, {"via": "fallback", **params}, context, prefix)',
            'call = Call("", self.engine.setup, params, context, prefix)',
            {"why": "the business cannot tell a fallback voicemail"},
        ),
        ('action=f"{prefix}/fallback/dialed"', 'action="/fallback/dialed"'),
    ),
]
