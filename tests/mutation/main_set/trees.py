"""The shipped tree and the example's: a few mutants each, on their own suites. (The engine's
mutants never run these: the engine's suite must catch them alone.)"""

from __future__ import annotations

from mutant import DENTAL, STATES, group

MUTANTS = [
    *group(
        "states/__init__.py",
        STATES,
        ('give_up="transfer"),', "),", {"why": "a caller who cannot choose is kept at the menu"}),
        ('"leave": "voicemail"', '"leave": "unavailable"'),
        ('when_closed="unavailable",\n        hold="hold",', 'hold="hold",'),
    ),
    *group(
        "states/reception.py",
        STATES,
        ("caller_id=config.caller_id,", "", {"why": "forwarded calls show the carrier's number"}),
        ("timeout=config.dial_timeout,", ""),
        ("if sip:\n        dial.sip(address)", "if False:\n        dial.sip(address)"),
    ),
    *group(
        "states/hold.py",
        STATES,
        (
            'if seconds(call.param("QueueTime")) < config.queue_voicemail_after:',
            'if seconds(call.param("QueueTime")) <= config.queue_voicemail_after:',
        ),
        ("offer.play(config.hold_music_url)", "pass", {"why": "silence after the options"}),
    ),
    *group(
        "states/greeting.py",
        STATES,
        ("if call.is_open:\n        return welcome", "if True:\n        return welcome"),
    ),
    *group(
        "examples/dental/appointment.py",
        DENTAL,
        (
            'return number[2:] if re.fullmatch(r"\\+1\\d{10}", number) else ""',
            'return number[1:] if re.fullmatch(r"\\+1\\d{10}", number) else ""',
            {"why": "the caller's own number offered with its country code: 11 digits, refused"},
        ),
        (
            'return re.fullmatch(r"[2-9]\\d\\d[2-9]\\d{6}", digits) is not None',
            'return re.fullmatch(r"\\d{10}", digits) is not None',
        ),
    ),
    *group(
        "examples/dental/front_desk.py",
        DENTAL,
        ("timeout=config.front_desk_seconds,", ""),
        (
            'return [Say(call.words(WORDS)["connecting"]), ring(call.config, action=call.action)]',
            "return ring(call.config, action=call.action)",
        ),
    ),
]
