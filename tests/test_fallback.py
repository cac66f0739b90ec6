"""/fallback: what Twilio plays when the primary webhook fails, with no table behind it."""

import logging

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
    callback = call.document.find("Record").get("recordingStatusCallback")
    assert callback.endswith("/fallback/recorded#rc=5&rp=5xx,ct,rt")
