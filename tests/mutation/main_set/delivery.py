"""Delivery: the deadline, the memory of what was taken, retries later, email, the POST, what
the messages say, and what the callbacks answer."""

from __future__ import annotations

from mutant import DELIVERY, group

MUTANTS = [
    *group(
        "phonetree_engine/delivery/__init__.py",
        DELIVERY,
        (
            "DEADLINE = 12.0",
            "DEADLINE = 20.0",
            {"why": "a slow server holds the callback past Twilio's 15 s: it never learns"},
        ),
        (
            "for handle in handles:\n            _shut(handle)",
            "pass",
            {"why": "a server trickling a byte at a time keeps its thread and socket"},
        ),
        (
            'return f"{self.id}.{self.kind}"',
            "return self.id",
            {"why": "a voicemail's transcript taken for the voicemail: never sent"},
        ),
        (
            'if key.startswith("."):  # a message with no id of its own: never taken for another',
            "if False:",
            {"equivalent": "add() never remembers a key without an id: has() cannot find one"},
        ),
        (
            "while len(self.taken) > self.size:\n                self.taken.popitem(last=False)",
            "pass",
            {"why": "the memory of deliveries grows without end"},
        ),
        (
            "while self.taken and next(iter(self.taken.values())) < now - self.seconds:",
            "while False:",
        ),
        (
            "if self.memory.has(message.key, channel.name):",
            "if False:",
            {"why": "a retry sends the email again that was already taken"},
        ),
        (
            "run.join(max(0.0, until - time.monotonic()))",
            "run.join()",
            {"why": "a silent server holds the callback for ever"},
        ),
        (
            "if run.error is None and run.done:",
            "if run.error is None:",
            {"why": "a channel still sending at the deadline counted as delivered"},
        ),
        ("outcome.refused += run.refused", "pass", {"why": "a refused recipient never reported"}),
        ("self.memory.add(self.message.key, self.channel.name)", "pass"),
        (
            "until = min(deadline, time.monotonic() + wait) if wait is not None else deadline",
            "until = deadline",
            {"why": "a caller asking to be called back waits on a hung mail server for 12 s"},
        ),
        (
            "timer.start()",
            "pass",
            {"why": "a server trickling a byte at a time holds its channel's thread for ever"},
        ),
        (
            "return not self.failed",
            "return bool(self.taken)",
            {"why": "the email that failed is never retried while the POST took it"},
        ),
        ("if len(self.waiting) >= self.LIMIT:", "if len(self.waiting) > self.LIMIT:"),
        (
            "final = outcome.complete or tries >= len(self.schedule)",
            "final = outcome.complete or tries >= 1",
            {"why": "SignalWire's failed voicemail tried again once only"},
        ),
        (
            "self.waiting.append((self.clock() + self.schedule[tries], tries + 1, message))",
            "self.waiting.append((self.clock() + self.schedule[0], tries + 1, message))",
        ),
    ),
    *group(
        "phonetree_engine/delivery/email.py",
        DELIVERY,
        ('_SMTP_PORTS = {"smtp": 587, "smtps": 465}', '_SMTP_PORTS = {"smtp": 25, "smtps": 465}'),
        (
            "return not self.tls and (self.user is not None or self.port == 587)",
            "return not self.tls and self.user is not None",
            {"why": "a submission port without a login sends in clear"},
        ),
        (
            'userinfo, at, address = rest.rpartition("@")',
            'address, at, userinfo = rest.partition("@")',
        ),
        ("user=unquote(user) if at else None,", "user=user if at else None,"),
        (
            'found = [item.strip() for item in re.split(r"[,;]", value) if item.strip()]',
            'found = [item.strip() for item in value.split(",") if item.strip()]',
        ),
        ("if not given or not missing:\n        return []", "return []"),
        (
            'mail["Subject"] = header(message.subject)',
            'mail["Subject"] = message.subject',
        ),
        (
            'return f"{name[:1]}***@{domain}" if name else "***"',
            "return address",
            {"why": "a recipient's address in the log"},
        ),
        (
            'r"[^A-Za-z0-9!#$%&\'*+/?^_`{|}~.-]", lambda c: f"={ord(c.group()):02X}", message.id',
            'r"[^A-Za-z0-9!#$%&\'*+/?^_`{|}~.:-]", lambda c: f"={ord(c.group()):02X}", message.id',
            {"why": "a Telnyx recording's Message-ID is malformed: receivers drop or split it"},
        ),
        ('mail["In-Reply-To"] = parent', "pass", {"why": "the transcript is not threaded"}),
        (
            'mail["Auto-Submitted"] = "auto-generated"  # so that no auto-reply answers it',
            "pass",
        ),
        ('mail["Date"] = format_datetime(message.when)', "pass"),
        (
            "todo = [r for r in self.recipients if not self.accepted.has(message.key, r)]",
            "todo = list(self.recipients)",
            {"why": "a retry for one refused recipient emails all the others again"},
        ),
        (
            "later = {r: reply for r, reply in refused.items() if not 500 <= reply[0] < 600}",
            "later = {}",
            {"why": "a recipient refused for now is never tried again"},
        ),
        (
            "if len(refused) == len(self.recipients):  # nobody has it, then or before",
            "if False:",
            {"why": "a message every recipient refused is answered as delivered"},
        ),
        (
            "smtp.starttls(context=context)",
            "smtp.starttls()",
            {"why": "STARTTLS trusts any certificate: the password to whoever answers"},
        ),
    ),
    *group(
        "phonetree_engine/delivery/post.py",
        DELIVERY,
        (
            'return {"text": message.text, "id": message.id, "type": message.kind, '
            "**message.fields}",
            'return {"id": message.id, "type": message.kind, **message.fields}',
            {"why": "Slack and Teams show an empty message"},
        ),
        ('"Idempotency-Key": message.key,', ""),
        (
            '"Content-Type": "application/json; charset=utf-8",',
            '"Content-Type": "text/plain; charset=utf-8",',
        ),
        (
            "pair = f\"{self.endpoint.user}:{self.endpoint.password or ''}\".encode()",
            'pair = f"{self.endpoint.user}".encode()',
        ),
        (
            "if not 200 <= status < 300:  # a redirect is not delivery either",
            "if status >= 400:",
            {"why": "a redirect taken for delivery: the message is lost"},
        ),
        (
            'if scheme == "http" and not is_loopback(host):',
            "if False:",
            {"why": "voicemails posted in clear across the internet"},
        ),
        ('if "@" in path or "#" in rest:', 'if "#" in rest:'),
        ("unquote(password) if at and colon else None,", "password if at and colon else None,"),
        (
            'host = f"[{self.host}]" if ":" in self.host else self.host',
            "host = self.host",
        ),
        ("conn._create_connection = exchange.connect  # so that the deadline can end it", "pass"),
    ),
    *group(
        "phonetree_engine/delivery/messages.py",
        DELIVERY,
        ("{moment.hour % 12 or 12}", "{moment.hour % 12}", {"why": "12:05 PM written 0:05 PM"}),
        ("'AM' if moment.hour < 12 else 'PM'", "'AM' if moment.hour <= 12 else 'PM'"),
        ('return " ".join(_BREAKS.sub(" ", text).split())', "return text"),
        (
            'return f"{who} ({one_line(name)})" if name.strip() else who',
            'return f"{who} ({one_line(name)})"',
        ),
        ('follows="voicemail",', "", {"why": "the transcript is not threaded"}),
        (
            'said = f\'"{text}"\' if text else "(The carrier could not transcribe this message.)"',
            "said = f'\"{text}\"'",
        ),
        (
            "return f\"Duration: {one_line(sent) or 'unknown'} (as the carrier sent it)\"",
            'return f"Duration: {duration} seconds"',
        ),
        (
            'return [f"When: {spoken_time(when)} (the carrier sent {one_line(sent)!r})"]',
            'return [f"When: {spoken_time(when)}"]',
        ),
        ('f"Please call back {one_line(number)}.",', 'f"Please call back {one_line(caller_id)}.",'),
        ("*detail_lines(details),\n        duration_line", "duration_line"),
    ),
    *group(
        "phonetree_engine/delivery/notify.py",
        DELIVERY,
        (
            'logs.business_event(event_line("delivery-failed", **fields))',
            "pass",
            {"why": "an operator never learns a voicemail was not delivered"},
        ),
        (
            'logs.business_event(event_line("delivery-refused", **fields, reason=refused.reason))',
            "pass",
            {"why": "a recipient refused for good is said nowhere"},
        ),
        (
            "return outcome, written.wait(logs.BUSINESS_WAIT) if not call.delivery.channels "
            "else True",
            "return outcome, True",
            {"why": "with no channel and the log stuck, the voicemail is answered 200 and lost"},
        ),
        ("if call.delivery.channels and not outcome.complete:", "if False:"),
        (
            "if not call.setup.carrier.retries_at_url and later(call.delivery).add(message):",
            "if later(call.delivery).add(message):",
            {"why": "Twilio's retries replaced by this process's: lost if it restarts"},
        ),
        (
            'logs.business_event(event_line("delivered-later", id=message.id, kind=message.kind))',
            "pass",
        ),
        ("max_length=call.config.voicemail_max_length,", ""),
        ('finish_on_key="#",\n        play_beep=True,', "play_beep=True,"),
        ('once = {"from": call.param("From")[:20],', 'once = {"from": "",'),
        ('if status != "completed":', 'if status == "absent":'),
        ('"from": mask_number(get("from", "")),', '"from": get("from", "-"),'),
        (
            "duration=seconds(sent_duration) if sent_duration.isdigit() else None,",
            "duration=seconds(sent_duration),",
        ),
        ("return moment.astimezone(timezone)", "return moment"),
        ('text=text if status == "completed" else None,', "text=text,"),
        ("text=mask_digits(text[:2000]),", "text=text[:2000],"),
        (
            "return bool(outcome.taken) or (not call.delivery.channels and written)",
            "return bool(outcome.taken)",
            {"why": "without a channel the log took it, yet the caller hears it failed"},
        ),
        (
            'return ",".join(f"{label}:{mask_number(value)}" for label, value in details.items())',
            'return ",".join(f"{label}:{value}" for label, value in details.items())',
        ),
        ("LIVE_WAIT = 1.5", "LIVE_WAIT = 15.0", {"why": "a hung mail server holds every caller"}),
        (
            "if not outcome.complete:  # tried again in the background",
            "if False:  # tried again in the background",
            {"why": "a call-back request no channel took in time is never tried again"},
        ),
    ),
]
