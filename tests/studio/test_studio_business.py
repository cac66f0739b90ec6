"""What the studio shows of a message, and what it takes from a request, in this process: the
email and the POST as the business would get them, the clock a studio call pretends, the facts
the page's script reads."""

import json
import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from twilio.twiml.voice_response import Gather, Hangup, Say

from phonetree_engine import Keys, Option, State
from phonetree_engine.delivery import Message, Outcome
from phonetree_engine.settings import Config
from phonetree_tools.studio import business, seams, web

WHEN = datetime(2026, 11, 24, 10, 5, tzinfo=ZoneInfo("America/New_York"))
MESSAGE = Message("RE1", "voicemail", "Voicemail from +15551234567", "New voicemail.", WHEN)
MAILED = {"SMTP_URL": "smtp://relay.example.com:25", "NOTIFY_EMAIL": "office@example.com"}
MAILED |= {"MAIL_FROM": "ivr@example.com"}


def config(**environ):
    return Config.from_environ(environ)


def test_the_post_shown_names_the_host_and_never_the_secret_path():
    shown = business.as_post(MESSAGE, config(NOTIFY_URL="https://hooks.slack.com/T1/B2/s3cr3t"))
    assert shown["to"] == "https://hooks.slack.com/..."
    assert "s3cr3t" not in json.dumps(shown)


def test_a_message_only_shown_is_not_said_to_be_delivered():
    shown = business.shown(MESSAGE, config(**MAILED), sent=False)
    assert [channel["sent"] for channel in shown["channels"]] == [None, None]


def test_a_message_sent_says_how_each_configured_channel_took_it():
    outcome = Outcome(failed={"email": "relay.example.com:25: refused"})
    shown = business.shown(MESSAGE, config(**MAILED), sent=True, outcome=outcome)
    assert [channel["sent"] for channel in shown["channels"]] == [
        "not delivered: relay.example.com:25: refused",
        None,  # no NOTIFY_URL: shown, never sent
    ]


def test_a_channel_not_configured_says_what_would_send_it():
    email, post = business.shown(MESSAGE, config())["channels"]
    assert email["setup"] == "set SMTP_URL, NOTIFY_EMAIL and MAIL_FROM to send it"
    assert post["setup"] == "set NOTIFY_URL to POST it"


def test_a_clock_without_an_offset_is_not_a_moment_to_pretend():
    # The app's clock must be aware: a naive time would fail every state that reads it.
    assert seams.moment_of("2026-11-24T10:05") is None
    assert seams.moment_of("2026-11-24T10:05-05:00") == WHEN


def test_what_a_tree_says_cannot_end_the_pages_script():
    def menu(call):
        gather = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
        gather.say("Press 1.")
        return gather

    hostile = "</script><script>alert(1)</script>"
    option = Option("1", "bye", say={"en-US": "One."}, hear={"en-US": hostile})
    table = {
        "menu": State(menu, Keys([option], otherwise="menu", give_up="bye")),
        "bye": State(lambda call: [Say("Bye."), Hangup()]),
    }
    studio = SimpleNamespace(
        table=table,
        start="menu",
        config=Config(),
        delivery=SimpleNamespace(channels=[]),
        signing={"carrier": "twilio"},
    )
    page = web.Studio.render_page(studio)
    facts = re.search(r'id="facts">(.*?)</script>', page, re.DOTALL).group(1)
    assert f"say {hostile}" in json.loads(facts)["exits"][0][2]
