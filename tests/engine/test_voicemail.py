"""The office's voicemail: its Record, and what its recording and transcription callbacks write
to the log (numbers masked) and deliver (in full), whatever the carrier sends."""

import logging

import pytest
from webtest import TestApp

from phonetree_engine.call import SEALED
from phonetree_engine.delivery.post import notify_url
from phonetree_tools.caller import SimulatedCall
from tests.receivers import Hook

CALLER = "+15551234567"
RECORDING = {
    "CallSid": "CA1",
    "RecordingSid": "RE1",
    "RecordingStatus": "completed",
    "RecordingUrl": "https://api.twilio.com/RE1",
    "RecordingDuration": "17",
}


@pytest.fixture
def hook():
    with Hook() as receiver:
        yield receiver


def at_voicemail(app):
    call = SimulatedCall(app, from_=CALLER)
    call.start("/voice")
    call.press("1")  # orders: a message only
    return call


def lines(caplog, event):
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(event + " ")]


def test_the_record_is_as_long_as_voicemail_max_length_and_ends_on_pound(build):
    record = at_voicemail(build(voicemail_max_length=300)).document.find("Record")
    # Without finishOnKey any key would end the message, however early.
    assert (record.get("maxLength"), record.get("finishOnKey")) == ("300", "#")


def test_the_recording_line_masks_the_caller_s_number(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    at_voicemail(app).record(duration=17)
    [line] = lines(caplog, "recording")
    assert " from=+*******4567" in line
    assert CALLER not in caplog.text


@pytest.mark.parametrize("status", ["failed", "absent"])
def test_a_recording_that_failed_or_holds_nothing_is_logged_not_delivered(
    build, hook, caplog, status
):
    caplog.set_level(logging.INFO, logger="phonetree")
    form = {**RECORDING, "RecordingStatus": status}
    TestApp(build(notify_url=notify_url(hook.url))).post("/state/voicemail/recorded", form)
    assert hook.payloads == []
    [line] = lines(caplog, "recording")
    assert f" status={status} " in line


def test_a_duration_that_is_no_number_reaches_the_business_as_sent(build, hook):
    form = {**RECORDING, "RecordingDuration": "17.5"}
    TestApp(build(notify_url=notify_url(hook.url))).post("/state/voicemail/recorded", form)
    [payload] = hook.payloads
    assert (payload["duration"], payload["sent_duration"]) == (None, "17.5")


def test_what_the_call_collected_goes_in_full_to_the_business_and_masked_to_the_log(
    build, hook, caplog
):
    caplog.set_level(logging.INFO, logger="phonetree")
    app = build(notify_url=notify_url(hook.url))
    sealed = app.config["phonetree.engine"].setup.seal.seal("callback=2125550100")
    TestApp(app).post(f"/state/voicemail/recorded?{SEALED}={sealed}", RECORDING)
    [payload] = hook.payloads
    assert payload["details"] == {"Call back on": "2125550100"}
    [line] = lines(caplog, "recording")
    assert ' details="Call back on:******0100"' in line
    assert "2125550100" not in caplog.text


def test_a_failed_transcription_says_so_whatever_text_came_with_it(build, hook):
    form = {
        **RECORDING,
        "TranscriptionStatus": "failed",
        "TranscriptionText": "(blank)",
    }
    TestApp(build(notify_url=notify_url(hook.url))).post("/state/voicemail/transcribed", form)
    [payload] = hook.payloads
    assert (payload["type"], payload["transcribed"], payload["transcript"]) == (
        "transcript",
        False,
        "",
    )


def test_the_transcription_line_masks_a_number_said_in_the_message(build, hook, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    form = {
        **RECORDING,
        "TranscriptionStatus": "completed",
        "TranscriptionText": "Call me back at 555 123 4567 please.",
    }
    TestApp(build(notify_url=notify_url(hook.url))).post("/state/voicemail/transcribed", form)
    [line] = lines(caplog, "transcription")
    assert ' text="Call me back at *** *** **** please."' in line
    assert hook.payloads[0]["transcript"] == "Call me back at 555 123 4567 please."


def test_a_start_time_of_no_known_zone_is_passed_on_as_sent(build, hook):
    # RFC 2822's -0000: the time is UTC but the zone unknown; no clock can say which hour.
    form = {**RECORDING, "RecordingStartTime": "Tue, 24 Nov 2026 15:00:00 -0000"}
    TestApp(build(notify_url=notify_url(hook.url))).post("/state/voicemail/recorded", form)
    assert hook.payloads[0]["sent_time"] == "Tue, 24 Nov 2026 15:00:00 -0000"
