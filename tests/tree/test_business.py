"""What a business needs: hours that route, voicemail, a queue that talks, dial fallback, speech."""

import logging
import os
import subprocess
import sys
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from webtest import TestApp

from phonetree import make_app
from phonetree_engine.hours import Hours
from phonetree_engine.settings import Config
from phonetree_tools.caller import SimulatedCall
from tests.conftest import CLOSED, OPEN, ROOT
from tests.receivers import Hook
from tests.tree.prompts import CLOSED_NOTICE, GOODBYE, UNAVAILABLE, VOICEMAIL

# Business hours ##############################################################


def test_the_greeting_says_when_the_office_is_closed(dial, closed_app):
    assert CLOSED_NOTICE in dial(closed_app).heard


def test_the_greeting_says_nothing_of_hours_when_open(dial):
    assert CLOSED_NOTICE not in dial().heard


@pytest.mark.parametrize("key", ["0", "2"])
def test_after_hours_reception_and_support_take_a_message(dial, closed_app, key):
    call = dial(closed_app)
    call.press(key)
    assert call.last_heard == [UNAVAILABLE, VOICEMAIL]
    assert call.waiting_for == "record"


def test_during_hours_reception_rings(dial):
    call = dial()
    call.press("0")
    assert call.outcome == ("dial", "+15555550100")


def test_during_hours_support_queues(dial):
    call = dial()
    call.press("2")
    assert call.outcome == ("queue", "support")


def test_a_closed_date_closes_the_office(build, dial):
    app = build(OPEN, closed_dates=frozenset({datetime(2026, 11, 24).date()}))
    assert CLOSED_NOTICE in dial(app).heard


def test_the_hours_state_reads_the_configured_hours(build, dial):
    app = build(OPEN, opening_hours=Hours.parse("Mon-Thu 08:30-17:00; Fri 08:30-12:00"))
    call = dial(app)
    call.press("3")
    assert call.last_heard[0] == (
        "We are open Mondays through Thursdays from 8:30 AM to 5 PM "
        "and Fridays from 8:30 AM to noon."
    )


def test_the_time_zone_decides_open_or_closed(build, dial):
    nine_utc = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)  # 9 AM in London, 4 AM in NY
    assert CLOSED_NOTICE in dial(build(nine_utc)).heard
    from zoneinfo import ZoneInfo

    london = build(nine_utc, timezone=ZoneInfo("Europe/London"))
    assert CLOSED_NOTICE not in dial(london).heard


# Voicemail ###################################################################


def test_voicemail_beeps_limits_length_and_finishes_on_pound(dial):
    call = dial()
    call.press("1")
    record = call.document.find("Record")
    assert (record.get("playBeep"), record.get("maxLength"), record.get("finishOnKey")) == (
        "true",
        "120",
        "#",
    )


def test_voicemail_reports_the_recording_to_its_own_callback(dial):
    call = dial()
    call.press("1")
    url = urlsplit(call.document.find("Record").get("recordingStatusCallback"))
    assert url.path == "/state/voicemail/recorded"


def test_the_recording_callback_asks_twilio_to_retry_on_failure(dial):
    call = dial()
    call.press("1")
    url = urlsplit(call.document.find("Record").get("recordingStatusCallback"))
    assert parse_qs(url.fragment) == {"rc": ["5"], "rp": ["5xx,ct,rt"]}


def test_the_voicemail_reaches_the_business_with_the_caller_and_how_they_came(validate):
    with Hook() as hook:
        app = make_app({"NOTIFY_URL": hook.url}, clock=lambda: OPEN)
        call = SimulatedCall(
            app, from_="+15551234567", params={"CallerName": "Zoë Smith"}, validate=validate
        )
        call.start()
        call.press("1")
        url = call.document.find("Record").get("recordingStatusCallback")
        call.record(duration=12)
    [payload] = hook.payloads
    assert (payload["from"], payload["caller_name"], payload["via"]) == (
        "+15551234567",
        "Zoë Smith",
        "sales",
    )
    # The callback's URL carried them sealed: no access log on the way keeps them.
    assert "5551234567" not in url
    assert "Zoë" not in unquote(url)


def test_transcription_is_off_unless_configured(dial, build):
    call = dial()
    call.press("1")
    assert call.document.find("Record").get("transcribe") is None
    call = dial(build(transcribe=True))
    call.press("1")
    assert call.document.find("Record").get("transcribe") == "true"


def test_transcripts_are_posted_to_a_callback_that_logs_them(dial, build, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    app = build(transcribe=True)
    call = dial(app)
    call.press("1")
    callback = urlsplit(call.document.find("Record").get("transcribeCallback"))
    assert callback.path == "/state/voicemail/transcribed"
    form = {"CallSid": "CA7", "TranscriptionText": "Please call back", "TranscriptionStatus": "ok"}
    TestApp(app).post(f"{callback.path}?{callback.query}", form)
    assert 'transcription call=CA7 status=ok text="Please call back"' in caplog.text


def test_a_recording_without_a_url_is_not_thanked_as_a_message(app):
    response = TestApp(app).post("/state/voicemail/exit", {"CallSid": "CA9", "Digits": "#"})
    assert [say.text for say in response.xml.iter("Say")] == [GOODBYE]


def test_a_long_transcript_is_logged_whole(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    text = "Please call me back about the order I placed last week. " * 20  # over 1,000 characters
    form = {"CallSid": "CA8", "TranscriptionText": text.strip(), "TranscriptionStatus": "ok"}
    TestApp(app).post("/state/voicemail/transcribed", form)
    assert f'text="{text.strip()}"' in caplog.text


def test_a_recording_callback_without_a_call_sid_is_logged_with_a_dash(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    TestApp(app).post("/state/voicemail/recorded", {"RecordingStatus": "absent"})
    assert "recording call=- status=absent" in caplog.text


def test_the_support_queue_is_the_configured_one(dial, build):
    call = dial(build(support_queue="billing"))
    call.press("2")
    assert call.outcome == ("queue", "billing")


def test_a_finished_recording_is_logged(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    form = {
        "CallSid": "CA9",
        "RecordingUrl": "https://api.twilio.com/rec/RE1",
        "RecordingDuration": "17",
        "RecordingStatus": "completed",
    }
    response = TestApp(app).post("/state/voicemail/recorded", form)
    assert response.xml.tag == "Response"
    assert (
        "recording call=CA9 status=completed url=https://api.twilio.com/rec/RE1 duration=17"
        in caplog.text
    )


def test_a_transcription_is_logged(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    form = {"CallSid": "CA9", "TranscriptionText": "Call me back", "TranscriptionStatus": "ok"}
    TestApp(app).post("/state/voicemail/transcribed", form)
    assert 'transcription call=CA9 status=ok text="Call me back"' in caplog.text


# The support queue ###########################################################


def test_a_queued_caller_hears_their_position(dial):
    call = dial()
    call.press("2")
    call.hold(position=2)
    assert call.last_heard[0] == "You are caller number 2."


def test_hold_music_is_the_configured_one(dial, build):
    call = dial(build(hold_music_url="https://music.example.com/hold.mp3"))
    call.press("2")
    call.hold(position=1)
    assert call.last_heard[-1] == "[play https://music.example.com/hold.mp3]"


def test_voicemail_is_offered_only_after_the_configured_wait(dial):
    call = dial()
    call.press("2")
    call.hold(position=3, queue_time=10)
    assert call.waiting_for != "input"
    call.hold(position=3, queue_time=60)
    assert call.last_heard[1] == "To leave a message instead, press 1 at any time."


def test_leaving_the_queue_by_key_press_leads_to_voicemail(dial):
    call = dial()
    call.press("2")
    call.hold(position=1, queue_time=90)
    call.press("1")
    assert call.last_heard == [VOICEMAIL]
    assert call.waiting_for == "record"


def test_the_offer_of_voicemail_plays_the_hold_music_while_it_waits(dial, build):
    call = dial(build(hold_music_url="https://music.example.com/hold.mp3"))
    call.press("2")
    call.hold(position=3, queue_time=60)
    assert call.last_heard == [
        "You are caller number 3.",
        "To leave a message instead, press 1 at any time.",
        "To hang up and be called back, press 2.",
        "[play https://music.example.com/hold.mp3]",
    ]


@pytest.mark.parametrize("position, queue_time", [("abc", "²"), ("²", "-5"), ("", "")])
def test_odd_queue_parameters_keep_the_caller_waiting_with_music(app, position, queue_time):
    form = {"QueuePosition": position, "QueueTime": queue_time, "CallSid": "CA1"}
    response = TestApp(app).post("/state/hold", form)
    assert [verb.tag for verb in response.xml] == ["Play"]


@pytest.mark.parametrize("key", ["3", "0", "9", "*", "#"])
def test_only_the_announced_keys_take_a_caller_out_of_the_queue(dial, key):
    call = dial()
    call.press("2")
    call.hold(position=1, queue_time=90)
    call.press(key)
    assert call.waiting_for == "queue"
    assert call.outcome == ("queue", "support")


def test_a_caller_who_presses_another_key_goes_on_hearing_hold_music(dial, build):
    call = dial(build(hold_music_url="https://music.example.com/hold.mp3"))
    call.press("2")
    call.hold(position=1, queue_time=90)
    call.press("5")
    assert call.last_heard == ["[play https://music.example.com/hold.mp3]"]


@pytest.mark.parametrize(
    ("result", "heard"),
    [
        ("bridged", [GOODBYE]),
        ("hangup", [GOODBYE]),
        ("leave", [VOICEMAIL]),
        ("queue-full", [UNAVAILABLE, VOICEMAIL]),
        ("error", [UNAVAILABLE, VOICEMAIL]),
        ("system-shutdown", [UNAVAILABLE, VOICEMAIL]),
        ("redirected", [UNAVAILABLE, VOICEMAIL]),
    ],
)
def test_every_queue_result_leads_somewhere(dial, result, heard):
    call = dial()
    call.press("2")
    call.queue_result(result)
    assert call.last_heard == heard


# The receptionist ############################################################


@pytest.mark.parametrize(
    ("status", "heard"),
    [
        ("completed", [GOODBYE]),
        ("answered", [GOODBYE]),
        ("busy", [UNAVAILABLE, VOICEMAIL]),
        ("no-answer", [UNAVAILABLE, VOICEMAIL]),
        ("failed", [UNAVAILABLE, VOICEMAIL]),
        ("canceled", [UNAVAILABLE, VOICEMAIL]),
    ],
)
def test_every_dial_status_leads_somewhere(dial, status, heard):
    call = dial()
    call.press("0")
    call.dial_result(status)
    assert call.last_heard == heard


def test_dial_uses_the_configured_number_caller_id_and_timeout(dial, build):
    app = build(receptionist_number="+15551110000", caller_id="+15552220000", dial_timeout=15)
    call = dial(app)
    call.press("0")
    dialled = call.document.find("Dial")
    assert (dialled.text, dialled.get("callerId"), dialled.get("timeout")) == (
        "+15551110000",
        "+15552220000",
        "15",
    )


def test_a_sip_receptionist_is_dialled_with_the_sip_noun(dial, build):
    call = dial(build(receptionist_number="sip:desk@pbx.example.com"))
    call.press("0")
    sip = call.document.find("Dial/Sip")
    assert sip.text == "sip:desk@pbx.example.com"


def test_the_last_resort_rings_the_receptionist_as_configured(build):
    app = build(receptionist_number="sip:desk@pbx.example.com", caller_id="+15552220000")
    hooks = app.config["phonetree.webhooks"]
    assert '<Dial callerId="+15552220000" timeout="20"><Sip>' in hooks.last_resort["en-US"]


# Speech ######################################################################


@pytest.mark.parametrize(
    ("words", "outcome"),
    [
        ("Support.", ("queue", "support")),
        ("I'd like to talk to the operator please", ("dial", "+15555550100")),
        ("receptionist", ("dial", "+15555550100")),
        ("Sales", ("record",)),
    ],
)
def test_spoken_choices_go_where_keys_go(dial, words, outcome):
    call = dial()
    call.say(words)
    assert call.outcome == outcome


def test_saying_hours_reads_the_hours(dial):
    call = dial()
    call.say("hours")
    assert call.last_heard[0].startswith("We are open")


def test_unknown_words_count_as_an_invalid_choice(dial):
    call = dial()
    call.say("pizza")
    assert call.last_heard[0] == "The option that you selected is invalid."


# Configuration and voice ######################################################


def test_voice_and_language_are_set_on_every_say(dial, build):
    call = dial(build(voice="Polly.Joanna", languages=("en-GB",)))
    says = list(call.document.iter("Say"))
    assert {(say.get("voice"), say.get("language")) for say in says} == {("Polly.Joanna", "en-GB")}


def test_the_company_name_is_configured(dial, build):
    assert dial(build(company_name="Bob's Bikes")).heard[0] == "Welcome to Bob's Bikes."


def start_with(environ):
    env = {key: value for key, value in os.environ.items() if key != "TWILIO_AUTH_TOKEN"}
    return subprocess.run(
        [sys.executable, "-c", "import phonetree; phonetree.app"],
        cwd=ROOT,
        env={**env, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OPENING_HOURS", "Mon-Fry 9-18"),
        ("TIMEZONE", "Mars/Olympus"),
        ("MAX_RETRIES", "lots"),
        ("DIAL_TIMEOUT", "0"),
        ("PUBLIC_URL", "ftp://x"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_message_naming_it(name, value):
    started = start_with({name: value})
    assert started.returncode != 0
    assert name in started.stderr
    assert "Traceback" not in started.stderr


@pytest.mark.parametrize(
    ("environ", "name"),
    [({"LOG_LEVEL": "verbose"}, "LOG_LEVEL"), ({"PORT": "http"}, "PORT")],
)
def test_a_bad_server_setting_stops_the_command_with_a_message(environ, name):
    env = {key: value for key, value in os.environ.items() if key != "TWILIO_AUTH_TOKEN"}
    started = subprocess.run(
        [sys.executable, "phonetree.py", "serve"],
        cwd=ROOT,
        env={**env, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert f"{name}=" in started.stderr
    assert "Traceback" not in started.stderr


def test_importing_the_module_builds_nothing_until_the_app_is_asked_for():
    imported = subprocess.run(
        [sys.executable, "-c", "import phonetree"],
        cwd=ROOT,
        env={**os.environ, "DIAL_TIMEOUT": "soon"},
        capture_output=True,
        timeout=60,
    )
    assert imported.returncode == 0


def test_the_open_moment_of_the_tests_is_open_and_the_closed_one_closed():
    assert (Config().is_open(OPEN), Config().is_open(CLOSED)) == (True, False)


def test_a_call_at_an_injected_time_needs_no_clock(build, validate):
    call = SimulatedCall(
        build(datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)), validate=validate
    )
    call.start()
    assert CLOSED_NOTICE in call.heard  # a Saturday
