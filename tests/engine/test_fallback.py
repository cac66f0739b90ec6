"""/fallback: what the carrier plays when the primary webhook fails, with no table behind it.

Its words are the tree's (the office's ENGINE_WORDS), in the first of LANGUAGES, and its person
is the tree's (the office's front desk).
"""

import logging
from dataclasses import replace
from urllib.parse import unquote, urlsplit

import pytest
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Hangup
from webtest import TestApp

from phonetree_engine.settings import Config
from phonetree_engine.tree import State
from phonetree_engine.web import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN
from tests.engine.conftest import opened
from tests.engine.heard import (
    DESK,
    FALLBACK_APOLOGY,
    FALLBACK_NOTHING,
    FALLBACK_RECORD,
    FALLBACK_THANKS,
)
from tests.engine.trees import office
from tests.receivers import Hook, Mailbox

TOKEN = "auth-token-for-fallback-tests"


def broken(call):
    """Passes the start-up check of the table, fails on every call."""
    if call.param("CallSid"):
        raise RuntimeError("the tree is broken")
    return [Hangup()]


# The office's words, person and settings, and a table whose every state fails.
BROKEN = replace(office.TREE, table={"start": State(broken)}, start="start", recovery="start")


def broken_tree(**environ):
    """The failing table, with settings as variables: the fallback needs nothing else."""
    return make_app(BROKEN, {"TWILIO_AUTH_TOKEN": TOKEN, **environ}, clock=lambda: OPEN)


@pytest.fixture
def app():
    return broken_tree()


def fallback_call(app, validate):
    call = SimulatedCall(app, auth_token=TOKEN, validate=validate)
    call.start("/fallback")
    return call


def test_the_fallback_apologises_and_rings_the_trees_person(app, validate):
    call = fallback_call(app, validate)
    assert call.heard == [FALLBACK_APOLOGY]
    assert call.outcome == ("dial", DESK)
    assert call.document.find("Dial").get("timeout") == "15"  # the office's DESK_SECONDS


def test_the_fallback_rings_the_person_as_configured(validate):
    app = broken_tree(DESK_NUMBER="sip:desk@pbx.example.com", DESK_SECONDS="40")
    dial = fallback_call(app, validate).document.find("Dial")
    assert (dial.find("Sip").text, dial.get("timeout")) == ("sip:desk@pbx.example.com", "40")


def test_the_fallback_answers_though_every_state_fails(app, validate):
    call = SimulatedCall(app, auth_token=TOKEN, validate=validate)
    call.start("/voice")  # the table fails: the last resort, as ever
    assert call.outcome == ("dial", DESK)
    assert fallback_call(app, validate).document.find("Say").text == FALLBACK_APOLOGY


@pytest.mark.parametrize("status", ["completed", "answered"])
def test_an_answered_fallback_dial_hangs_up_after_the_call(app, validate, status):
    call = fallback_call(app, validate)
    call.dial_result(status)
    assert call.heard == [FALLBACK_APOLOGY]
    assert call.outcome == ("hangup",)


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_an_unanswered_fallback_dial_takes_a_message(app, validate, status):
    call = fallback_call(app, validate)
    call.dial_result(status)
    call.record()
    assert call.heard == [FALLBACK_APOLOGY, FALLBACK_RECORD, FALLBACK_THANKS]


def test_the_fallback_message_is_as_long_as_voicemail_max_length_allows(validate):
    call = fallback_call(broken_tree(VOICEMAIL_MAX_LENGTH="45"), validate)
    call.dial_result("no-answer")
    record = call.document.find("Record")
    assert (record.get("maxLength"), record.get("finishOnKey")) == ("45", "#")


def test_a_caller_who_leaves_no_fallback_message_hears_why_the_call_ends(app, validate):
    call = fallback_call(app, validate)
    call.dial_result("busy")
    call.record(duration=0)  # an empty recording: the carrier goes on after the Record
    assert call.heard == [FALLBACK_APOLOGY, FALLBACK_RECORD, FALLBACK_NOTHING]
    assert call.outcome == ("hangup",)


def signed(path, params):
    url = f"http://localhost{path}"
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)}


def test_an_empty_fallback_recording_ends_politely(app):
    answer = TestApp(app).post(
        "/fallback/saved", {"CallSid": "CA1"}, headers=signed("/fallback/saved", {"CallSid": "CA1"})
    )
    assert answer.xml.find("Say").text == FALLBACK_NOTHING


def test_behind_a_path_the_fallback_dial_comes_back_below_it():
    app = broken_tree(PUBLIC_URL="https://example.com/ivr")
    params = {"CallSid": "CA1", "From": "+15551234567"}
    url = "https://example.com/ivr/fallback"
    headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)}
    answer = TestApp(app).post("/fallback", params, headers=headers)
    assert answer.xml.find("Dial").get("action") == "/ivr/fallback/dialed"


def test_a_recording_sent_on_to_the_fallback_url_is_delivered_not_dialled():
    # Telnyx sends a recording's callback it could not deliver to the failover URL.
    params = {
        "CallSid": "CA1",
        "RecordingSid": "RE1",
        "RecordingStatus": "completed",
        "RecordingUrl": "https://api.example.com/RE1",
        "RecordingDuration": "9",
    }
    with Hook() as hook:
        app = broken_tree(NOTIFY_URL=hook.url)
        answer = TestApp(app).post("/fallback", params, headers=signed("/fallback", params))
    assert (answer.status_int, len(answer.xml)) == (200, 0)
    [payload] = hook.payloads
    assert (payload["type"], payload["id"], payload["via"]) == ("voicemail", "RE1", "fallback")


# Its words: the tree's, in the first of LANGUAGES ############################


@pytest.mark.parametrize(
    ("languages", "apology", "record"),
    [
        (
            "es-US,en-US",
            "Oficina respaldo: el sistema falla, le atiende una persona.",
            "Oficina respaldo: deje un mensaje después del tono.",
        ),
        (
            "fr-CA,es-US",
            "Bureau secours : le système est en panne, une personne répond.",
            "Bureau secours : laissez un message après le bip.",
        ),
    ],
)
def test_the_fallback_speaks_every_language_the_first_first_in_the_trees_words(
    validate, languages, apology, record
):
    call = fallback_call(broken_tree(LANGUAGES=languages), validate)
    tags = languages.split(",")
    first, second = tags[0], tags[1]
    assert call.heard[0] == apology
    assert len(call.heard) == 2 and call.heard[1] != apology
    said = [say.get("language") for say in call.document.iter("Say")]
    assert said == [first, second]
    call.dial_result("no-answer")
    assert call.last_heard[0] == record
    record_said = [s.get("language") for s in call.document.iter("Say")]
    assert record_said == [first, second, first, second]  # the prompt, then "no message"


def test_the_fallback_says_what_another_tree_gives_it(validate):
    words = {"en-US": {**office.ENGINE_WORDS["en-US"], "fallback_apology": "Another tree."}}
    app = make_app(replace(BROKEN, words=words), Config(twilio_auth_token=TOKEN))
    assert fallback_call(app, validate).heard == ["Another tree."]


# The recording ##################################################################


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


def test_the_fallback_recording_callback_asks_the_carrier_to_retry_a_5xx(app, validate):
    call = fallback_call(app, validate)
    call.dial_result("no-answer")
    callback = urlsplit(call.document.find("Record").get("recordingStatusCallback"))
    assert (callback.path, callback.fragment) == ("/fallback/recorded", "rc=5&rp=5xx,ct,rt")


# A fallback voicemail reaches the business as any other ######################

CALLER = "+15551234567"


def fallback_voicemail(app, validate=None):
    """Call the fallback, nobody answers, leave a 17 s message; return the call."""
    call = SimulatedCall(
        app, auth_token=TOKEN, from_=CALLER, params={"CallerName": "Zoë Smith"}, validate=validate
    )
    call.start("/fallback")
    call.dial_result("no-answer")
    call.record(duration=17)
    return call


def test_the_fallback_recording_callback_carries_the_caller_sealed(app, validate):
    call = SimulatedCall(app, auth_token=TOKEN, from_=CALLER, params={"CallerName": "Zoë Smith"})
    call.start("/fallback")
    call.dial_result("no-answer")
    url = call.document.find("Record").get("recordingStatusCallback").partition("#")[0]
    assert all(secret not in unquote(url) for secret in ("5551234567", "Zoë", "Smith"))
    assert opened(app, url) == {"from": CALLER, "name": "Zoë Smith"}


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
    assert (payload["type"], payload["via"], payload["from"]) == ("voicemail", "fallback", CALLER)
    assert payload["id"] == call.callbacks[0].params["RecordingSid"]


def test_with_the_mail_server_down_the_fallback_asks_the_carrier_to_retry():
    mailbox = Mailbox()  # not started: nothing listens on its port
    call = fallback_voicemail(broken_tree(**mailbox.settings))
    assert {seen.status for seen in call.callbacks} == {503}
    assert len(call.callbacks) == 6  # the first try and the carrier's 5 retries


def test_a_withheld_caller_still_gets_the_fallback_voicemail_delivered():
    with Hook() as hook:
        call = SimulatedCall(broken_tree(NOTIFY_URL=hook.url), auth_token=TOKEN, from_="")
        call.start("/fallback")
        call.dial_result("no-answer")
        call.record(duration=5)
    assert hook.payloads[0]["text"].startswith("New voicemail from a withheld number.")
