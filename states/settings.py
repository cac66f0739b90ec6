"""This business's settings: read from the environment with the engine's, at start-up.

Each is declared once: its variable, how its text is read, its default and what it means; the
docs' table and app.json are generated from these declarations. A handler reads them as
``call.config.company_name``.
"""

from phonetree_engine.settings import (
    Group,
    Setting,
    integer,
    matching,
    phone_number,
    phone_or_sip,
    text,
    url,
)

HOLD_MUSIC = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"

SETTINGS = Group(
    "This tree's business",
    (
        Setting("COMPANY_NAME", text, "ACME, Inc.", "Company name spoken in the greeting"),
        Setting(
            "RECEPTIONIST_NUMBER",
            phone_or_sip,
            "+15555550100",
            "Where calls for a person go: E.164 or sip: URI",
        ),
        Setting(
            "CALLER_ID",
            phone_number,
            "",
            "E.164 caller ID for forwarded calls (unset: the carrier's default)",
        ),
        Setting(
            "DIAL_TIMEOUT",
            integer(5, 600, " of seconds"),
            "20",
            "Seconds to ring the receptionist, 5 to 600",
        ),
        Setting(
            "SUPPORT_QUEUE",
            matching(r".{1,64}", "a queue name of 1 to 64 characters"),
            "support",
            "Name of the support call queue, 1 to 64 characters",
        ),
        Setting(
            "HOLD_MUSIC_URL", url, HOLD_MUSIC, "http(s) URL of the music played while in the queue"
        ),
        Setting(
            "QUEUE_VOICEMAIL_AFTER",
            integer(0, 3600, " of seconds"),
            "60",
            "Seconds in the queue before voicemail is offered, 0 to 3600",
        ),
    ),
)
