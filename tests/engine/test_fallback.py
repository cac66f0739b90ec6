"""/fallback: what Twilio plays when the primary webhook fails, with no table behind it."""

import logging
from urllib.parse import urlsplit

import pytest
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Hangup
from webtest import TestApp

from phonetree import make_app
from phonetree_engine.fallback import APOLOGY, LEAVE_MESSAGE, NO_MESSAGE, THANKS
from phonetree_engine.settings import Config
from phonetree_engine.tree import State
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN
from tests.receivers import Hook, Mailbox

TOKEN = "auth-token-for-fallback-tests"


def broken(call):
    """Passes the start-up check of the table, fails on every call."""
    if call.param("CallSid"):
        raise RuntimeError("the tree is broken")
    return [Hangup()]


@pytest.fixture
def app():
    """An app whose whole table fails: the fallback must not need it."""
    table = {"start": State(broken)}
    return make_app(Config(auth_token=TOKEN), table, "start", "start", clock=lambda: OPEN)


def fallback_call(app, validate):
    call = SimulatedCall(app, auth_token=TOKEN, validate=validate)
    call.start("/fallback")
    return call


def test_the_fallback_apologises_and_rings_the_receptionist(app, validate):
    call = fallback_call(app, validate)
    assert call.heard == [APOLOGY]
    assert call.document.find("Dial").text == Config().receptionist_number


def test_the_fallback_answers_though_every_state_fails(app, validate):
    call = SimulatedCall(app, auth_token=TOKEN, validate=validate)
    call.start("/voice")  # the table fails: the last resort, as ever
    assert fallback_call(app, validate).document.find("Say").text == APOLOGY


def test_an_answered_fallback_dial_hangs_up_after_the_call(app, validate):
    call = fallback_call(app, validate)
    call.dial_result("completed")
    assert call.heard == [APOLOGY]
    assert call.outcome == ("hangup",)


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_an_unanswered_fallback_dial_takes_a_message(app, validate, status):
    call = fallback_call(app, validate)
    call.dial_result(status)
    call.record()
    assert call.heard == [APOLOGY, LEAVE_MESSAGE, THANKS]


def test_an_empty_fallback_recording_ends_politely(app):
    answer = TestApp(app).post(
        "/fallback/saved", {"CallSid": "CA1"}, headers=signed("/fallback/saved", {"CallSid": "CA1"})
    )
    assert answer.xml.find("Say").text == NO_MESSAGE


def signed(path, params):
    url = f"http://localhost{path}"
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)}


def test_a_fallback_recording_is_a_business_event_in_the_log(app, validate, caplog):
    caplog.set_level(logging.INFO)
    call = fallback_call(app, validate)
    call.dial_result("no-answer")
    call.record()
    recorded = [r for r in caplog.records if r.getMessage().startswith("recording ")]
    assert recorded and "via=fallback" in recorded[0].getMessage()
    assert recorded[0].name == "phonetree.business"


def test_an_unsigned_fallback_request_is_refused(app):
    assert TestApp(app).post("/fallback", {"CallSid": "CA1"}, status="*").status_int == 403


def test_the_fallback_recording_callback_asks_twilio_to_retry_a_5xx(app, validate):
    call = fallback_call(app, validate)
    call.dial_result("no-answer")
    callback = urlsplit(call.document.find("Record").get("recordingStatusCallback"))
    assert (callback.path, callback.fragment) == ("/fallback/recorded", "rc=5&rp=5xx,ct,rt")


# A fallback voicemail reaches the business as any other ######################

CALLER = "+15551234567"


def broken_tree(**environ):
    """The failing table, with delivery settings: the fallback delivers from settings alone."""
    config = Config.from_environ({"TWILIO_AUTH_TOKEN": TOKEN, **environ})
    return make_app(config, {"start": State(broken)}, "start", "start", clock=lambda: OPEN)


def fallback_voicemail(app, validate=None):
    """Call the fallback, nobody answers, leave a 17 s message; return the call."""
    call = SimulatedCall(
        app, auth_token=TOKEN, from_=CALLER, params={"CallerName": "Zoë Smith"}, validate=validate
    )
    call.start("/fallback")
    call.dial_result("no-answer")
    call.record(duration=17)
    return call


def test_a_fallback_voicemail_is_emailed_to_the_business(validate):
    with Mailbox() as mailbox:
        call = fallback_voicemail(broken_tree(**mailbox.settings), validate)
    [mail] = mailbox.messages
    body = mail.get_content()
    assert mail["Subject"] == f"Voicemail from {CALLER} (Zoë Smith), fallback"
    assert "Via: fallback" in body
    assert "Duration: 17 seconds" in body
    assert f"Recording: {call.callbacks[0].params['RecordingUrl']}" in body
    assert [seen.status for seen in call.callbacks] == [200]


def test_a_fallback_voicemail_is_posted_to_the_webhook():
    with Hook() as hook:
        call = fallback_voicemail(broken_tree(NOTIFY_URL=hook.url))
    [payload] = hook.payloads
    assert (payload["type"], payload["path"], payload["from"]) == ("voicemail", "fallback", CALLER)
    assert payload["id"] == call.callbacks[0].params["RecordingSid"]


def test_with_the_mail_server_down_the_fallback_asks_twilio_to_retry():
    mailbox = Mailbox()  # not started: nothing listens on its port
    call = fallback_voicemail(broken_tree(**mailbox.settings))
    assert {seen.status for seen in call.callbacks} == {503}
    assert len(call.callbacks) == 6  # the first try and Twilio's 5 retries


def test_a_withheld_caller_still_gets_the_fallback_voicemail_delivered():
    with Hook() as hook:
        call = SimulatedCall(broken_tree(NOTIFY_URL=hook.url), auth_token=TOKEN, from_="")
        call.start("/fallback")
        call.dial_result("no-answer")
        call.record(duration=5)
    assert hook.payloads[0]["text"].startswith("New voicemail from a withheld number.")
