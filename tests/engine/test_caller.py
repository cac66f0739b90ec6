"""Tests for caller.py, the simulated Twilio caller, against small hand-written WSGI apps."""

import re
import socket
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from twilio.request_validator import RequestValidator, get_signature_algorithm
from webtest import TestApp

from phonetree_tools.caller import CallFailed, HTTPTransport, SimulatedCall, WSGITransport
from phonetree_tools.carriers import telnyx_keys

TOKEN = "auth-token-for-tests"


@dataclass
class Seen:
    """One request as the test app received it."""

    method: str
    path: str
    query: dict
    form: dict
    headers: dict
    signature_ok: bool | None


class TwimlApp:
    """A WSGI app answering each path with canned TwiML; it records every request it served.

    A page is a TwiML string, or (status, content_type, body), or a function of the Seen
    request returning either. With a token it checks X-Twilio-Signature the way an app behind
    a TLS terminator must: on the public URL rebuilt from Host and X-Forwarded-Proto.
    """

    def __init__(self, pages, token=None):
        self.pages, self.token, self.seen = pages, token, []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8")
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        form = dict(parse_qsl(body, keep_blank_values=True))
        headers = {
            k[5:].replace("_", "-").title(): v for k, v in environ.items() if k[:5] == "HTTP_"
        }
        seen = Seen(environ["REQUEST_METHOD"], environ["PATH_INFO"], query, form, headers, None)
        if self.token:
            seen.signature_ok = self.signature_ok(environ, headers, form)
        self.seen.append(seen)
        page = self.pages.get(seen.path, (404, "text/html", "<h1>Not Found</h1>"))
        if callable(page):
            page = page(seen)
        status, content_type, text = page if isinstance(page, tuple) else (200, "text/xml", page)
        extra = [("Set-Cookie", "session=abc; Path=/")] if "cookie" in seen.path else []
        start_response(f"{status} X", [("Content-Type", content_type), *extra])
        return [text.encode("utf-8")]

    def signature_ok(self, environ, headers, form):
        scheme = headers.get("X-Forwarded-Proto", environ["wsgi.url_scheme"])
        url = f"{scheme}://{headers['Host']}{environ['PATH_INFO']}"
        if environ.get("QUERY_STRING"):
            url += "?" + environ["QUERY_STRING"]
        algorithm = get_signature_algorithm(headers.get("X-Twilio-Webhooks-Signature-Settings"))
        signature = headers.get("X-Twilio-Signature", "")
        return RequestValidator(self.token).validate(url, form, signature, algorithm=algorithm)


def started(pages, path="/voice", **kwargs):
    """Start a call to a fresh TwimlApp; return both."""
    app = TwimlApp(pages)
    call = SimulatedCall(app, **kwargs)
    call.start(path)
    return call, app


MENU = '<Response><Gather action="/choice" numDigits="1"><Say>Press 1.</Say></Gather></Response>'


# Starting a call ##########################################################################


def test_first_webhook_says_the_call_is_ringing():
    _call, app = started({"/voice": "<Response/>"})
    assert app.seen[0].form["CallStatus"] == "ringing"


def test_first_webhook_carries_twilios_always_present_parameters():
    _call, app = started({"/voice": "<Response/>"}, from_="+15551234567", to="+15557654321")
    form = app.seen[0].form
    assert re.fullmatch("CA[0-9a-f]{32}", form["CallSid"])
    assert re.fullmatch("AC[0-9a-f]{32}", form["AccountSid"])
    assert (form["From"], form["Caller"]) == ("+15551234567", "+15551234567")
    assert (form["To"], form["Called"]) == ("+15557654321", "+15557654321")
    assert form["Direction"] == "inbound"
    assert form["ApiVersion"] == "2010-04-01"


def test_extra_params_are_sent_with_every_webhook():
    call, app = started({"/voice": MENU, "/choice": "<Response/>"}, params={"CallerName": "Zoë"})
    call.press("1")
    assert [seen.form["CallerName"] for seen in app.seen] == ["Zoë", "Zoë"]


def test_later_webhooks_say_the_call_is_in_progress_with_the_same_sid():
    call, app = started({"/voice": MENU, "/choice": "<Response/>"})
    call.press("1")
    assert app.seen[1].form["CallStatus"] == "in-progress"
    assert app.seen[1].form["CallSid"] == app.seen[0].form["CallSid"]


def test_each_call_has_its_own_call_sid():
    first, _ = started({"/voice": "<Response/>"})
    second, _ = started({"/voice": "<Response/>"})
    assert first.params["CallSid"] != second.params["CallSid"]


def test_starting_twice_raises():
    call, _ = started({"/voice": MENU})
    with pytest.raises(CallFailed, match="already started"):
        call.start("/voice")


def test_call_accepts_a_webtest_testapp():
    app = TwimlApp({"/voice": "<Response><Say>Hi.</Say></Response>"})
    call = SimulatedCall(TestApp(app))
    call.start()
    assert call.heard == ["Hi."]


# Hearing ##################################################################################


def test_say_text_is_heard_with_whitespace_collapsed():
    call, _ = started({"/voice": "<Response><Say>\n  Hello,\n  caller.  </Say></Response>"})
    assert call.heard == ["Hello, caller."]


def test_play_is_heard_as_a_marker_and_pause_is_silent():
    twiml = (
        '<Response><Play>/hold.mp3</Play><Pause length="2"/>'
        '<Play digits="1w2"/><Say>Done.</Say></Response>'
    )
    call, _ = started({"/voice": twiml})
    assert call.heard == ["[play /hold.mp3]", "[play digits 1w2]", "Done."]


def test_verbs_nested_in_gather_are_heard_before_it_waits():
    call, _ = started({"/voice": MENU})
    assert call.heard == ["Press 1."]
    assert call.waiting_for == "input"


def test_gather_exposes_the_pending_element():
    call, _ = started({"/voice": MENU})
    assert call.gather.get("numDigits") == "1"


def test_document_is_the_parsed_last_answer():
    call, _ = started({"/voice": MENU})
    assert call.document.find("Gather").get("action") == "/choice"


def test_last_heard_holds_only_what_followed_the_last_input():
    pages = {"/voice": MENU, "/choice": "<Response><Say>You chose.</Say></Response>"}
    call, _ = started(pages)
    call.press("1")
    assert call.last_heard == ["You chose."]
    assert call.heard == ["Press 1.", "You chose."]


def test_end_of_document_hangs_up():
    call, _ = started({"/voice": "<Response><Say>Bye.</Say></Response>"})
    assert call.ended
    assert call.outcome == ("hangup",)
    assert call.waiting_for is None


def test_verbs_after_hangup_are_not_played():
    call, _ = started({"/voice": "<Response><Hangup/><Say>Never.</Say></Response>"})
    assert call.heard == []
    assert call.outcome == ("hangup",)


def test_reject_ends_the_call_with_its_reason():
    call, _ = started({"/voice": '<Response><Reject reason="busy"/></Response>'})
    assert call.outcome == ("reject", "busy")


# Gather ###################################################################################


def test_press_posts_digits_to_the_gather_action():
    call, app = started({"/voice": MENU, "/choice": "<Response/>"})
    call.press("1")
    assert (app.seen[1].method, app.seen[1].path) == ("POST", "/choice")
    assert app.seen[1].form["Digits"] == "1"


def test_press_without_action_posts_to_the_current_document():
    call, app = started({"/menu": "<Response><Gather/></Response>"}, path="/menu")
    call.press("42")
    assert app.seen[1].path == "/menu"
    assert app.seen[1].form["Digits"] == "42"


@pytest.mark.parametrize(
    ("gather", "keys", "digits"),
    [
        ('numDigits="1"', "12", "1"),
        ("", "12#3", "12"),
        ('finishOnKey="*"', "12*", "12"),
        ('finishOnKey=""', "12#", "12#"),
    ],
)
def test_press_sends_what_twilio_would_collect(gather, keys, digits):
    twiml = f'<Response><Gather action="/a" {gather}/></Response>'
    call, app = started({"/voice": twiml, "/a": "<Response/>"})
    call.press(keys)
    assert app.seen[1].form["Digits"] == digits


def test_press_rejects_keys_a_phone_does_not_have():
    call, _ = started({"/voice": MENU})
    with pytest.raises(CallFailed, match="0-9"):
        call.press("1a")


def test_say_posts_speech_result_and_confidence():
    twiml = '<Response><Gather input="dtmf speech" action="/heard"/></Response>'
    call, app = started({"/voice": twiml, "/heard": "<Response/>"})
    call.say("support", confidence=0.8)
    assert app.seen[1].form["SpeechResult"] == "support"
    assert app.seen[1].form["Confidence"] == "0.8"
    assert "Digits" not in app.seen[1].form


def test_speech_to_a_dtmf_only_gather_times_out():
    twiml = '<Response><Gather action="/heard"/><Say>No input.</Say></Response>'
    call, app = started({"/voice": twiml})
    call.say("support")
    assert len(app.seen) == 1
    assert call.last_heard == ["No input."]


def test_keys_to_a_speech_only_gather_time_out():
    twiml = '<Response><Gather input="speech" action="/heard"/><Say>No input.</Say></Response>'
    call, app = started({"/voice": twiml})
    call.press("1")
    assert len(app.seen) == 1
    assert call.last_heard == ["No input."]


def test_silence_without_action_on_empty_result_plays_the_next_verbs():
    twiml = '<Response><Gather action="/a"/><Say>We did not hear you.</Say><Gather/></Response>'
    call, app = started({"/voice": twiml})
    call.silence()
    assert len(app.seen) == 1
    assert call.last_heard == ["We did not hear you."]
    assert call.waiting_for == "input"


def test_silence_with_nothing_after_the_gather_hangs_up():
    call, app = started({"/voice": MENU})
    call.silence()
    assert len(app.seen) == 1
    assert call.outcome == ("hangup",)


def test_silence_with_action_on_empty_result_posts_without_digits():
    twiml = '<Response><Gather action="/a" actionOnEmptyResult="true"/></Response>'
    call, app = started({"/voice": twiml, "/a": "<Response/>"})
    call.silence()
    assert app.seen[1].path == "/a"
    assert "Digits" not in app.seen[1].form


def test_gather_with_get_method_puts_parameters_in_the_query():
    twiml = '<Response><Gather action="/a?step=2" method="GET"/></Response>'
    call, app = started({"/voice": twiml, "/a": "<Response/>"})
    call.press("7")
    assert app.seen[1].method == "GET"
    assert app.seen[1].query["step"] == "2"
    assert app.seen[1].query["Digits"] == "7"
    assert app.seen[1].form == {}


# Redirect and URLs ########################################################################


def test_redirect_is_followed_at_once_with_its_method():
    pages = {
        "/voice": '<Response><Redirect method="GET">/next</Redirect><Say>Skipped.</Say></Response>',
        "/next": "<Response><Say>Next.</Say></Response>",
    }
    call, app = started(pages)
    assert (app.seen[1].method, app.seen[1].path) == ("GET", "/next")
    assert call.heard == ["Next."]


def test_relative_urls_resolve_against_the_document_that_holds_them():
    pages = {
        "/voice": "<Response><Redirect>menu/main</Redirect></Response>",
        "/menu/main": '<Response><Gather action="choice"/></Response>',
        "/menu/choice": "<Response><Redirect>../done</Redirect></Response>",
        "/done": "<Response/>",
    }
    call, app = started(pages)
    call.press("1")
    assert [seen.path for seen in app.seen] == ["/voice", "/menu/main", "/menu/choice", "/done"]


def test_absolute_url_on_the_public_host_is_requested_by_path():
    pages = {
        "/voice": "<Response><Redirect>https://ivr.example.com/next</Redirect></Response>",
        "/next": "<Response/>",
    }
    _call, app = started(pages, public_url="https://ivr.example.com")
    assert app.seen[1].path == "/next"


def test_url_on_another_host_fails_the_call():
    twiml = "<Response><Redirect>http://10.0.0.5:8080/next</Redirect></Response>"
    with pytest.raises(CallFailed, match=r"10\.0\.0\.5"):
        started({"/voice": twiml}, public_url="https://ivr.example.com")


# Dial #####################################################################################


def test_dial_waits_and_names_the_number():
    call, _ = started({"/voice": '<Response><Dial action="/after">+15550001111</Dial></Response>'})
    assert call.waiting_for == "dial"
    assert call.outcome == ("dial", "+15550001111")


def test_dial_names_a_nested_noun():
    twiml = "<Response><Dial><Number>+15550002222</Number></Dial></Response>"
    call, _ = started({"/voice": twiml})
    assert call.outcome == ("dial", "+15550002222")


def test_dial_result_posts_status_and_duration_to_the_action():
    twiml = '<Response><Dial action="/after">+15550001111</Dial></Response>'
    call, app = started({"/voice": twiml, "/after": "<Response/>"})
    call.dial_result("no-answer", duration=0)
    form = app.seen[1].form
    assert app.seen[1].path == "/after"
    assert form["DialCallStatus"] == "no-answer"
    assert form["DialCallDuration"] == "0"
    assert re.fullmatch("CA[0-9a-f]{32}", form["DialCallSid"])


def test_dial_without_action_goes_on_with_the_next_verbs():
    twiml = "<Response><Dial>+15550001111</Dial><Say>Goodbye.</Say></Response>"
    call, app = started({"/voice": twiml})
    call.dial_result("completed", duration=30)
    assert len(app.seen) == 1
    assert call.last_heard == ["Goodbye."]
    assert call.outcome == ("hangup",)


# Record ###################################################################################


def test_record_posts_the_recording_to_the_action():
    twiml = '<Response><Record action="/saved"/></Response>'
    call, app = started({"/voice": twiml, "/saved": "<Response/>"})
    call.record(duration=12, digits="#")
    form = app.seen[1].form
    assert app.seen[1].path == "/saved"
    assert form["RecordingDuration"] == "12"
    assert form["Digits"] == "#"
    assert re.fullmatch("RE[0-9a-f]{32}", form["RecordingSid"])
    assert form["RecordingUrl"].endswith("/Recordings/" + form["RecordingSid"])


def test_record_without_action_requests_the_current_document_again():
    twiml = "<Response><Say>Leave a message.</Say><Record/></Response>"
    call, app = started({"/voicemail": twiml}, path="/voicemail")
    call.record(duration=3)
    assert [seen.path for seen in app.seen] == ["/voicemail", "/voicemail"]
    assert "RecordingUrl" in app.seen[1].form
    assert call.waiting_for == "record"


# Callbacks after a recording #############################################################


def recording_app(callback, *, transcribe="", answers=None):
    """A Record whose callback answers with each of ``answers`` in turn (then 200)."""
    answers = list(answers or [])
    record = f'<Record action="/saved" recordingStatusCallback="{callback}"{transcribe}/>'

    def answer(seen):
        return answers.pop(0) if answers else (200, "text/plain", "")

    pages = {"/voice": f"<Response>{record}</Response>", "/saved": "<Response/>"}
    return pages | {"/recorded": answer, "/transcribed": answer}


FAILED = (503, "text/plain", "not delivered")


def test_record_sends_the_recording_status_callback_with_twilios_parameters():
    call, app = started(recording_app("/recorded"))
    call.record(duration=12)
    form = app.seen[2].form
    assert app.seen[2].path == "/recorded"
    assert {name: form[name] for name in ("RecordingStatus", "RecordingDuration")} == {
        "RecordingStatus": "completed",
        "RecordingDuration": "12",
    }
    assert form["RecordingSid"] == app.seen[1].form["RecordingSid"]
    assert form["CallSid"] == call.params["CallSid"]
    assert {"RecordingStartTime", "RecordingChannels", "RecordingSource"} <= set(form)


def test_the_recording_callback_comes_after_the_action():
    call, app = started(recording_app("/recorded"))
    call.record()
    assert [seen.path for seen in app.seen] == ["/voice", "/saved", "/recorded"]


def test_a_callback_query_is_sent_and_its_fragment_is_not():
    call, app = started(recording_app("/recorded?from=%2B1555#rc=2&amp;rp=5xx"))
    call.record()
    assert app.seen[2].query == {"from": "+1555"}
    assert "#" not in call.callbacks[0].url


def test_a_signed_callback_is_signed_without_its_fragment():
    app = TwimlApp(recording_app("/recorded?a=1#rc=1&amp;rp=5xx"), token=TOKEN)
    call = SimulatedCall(app, auth_token=TOKEN)
    call.start("/voice")
    call.record()
    assert app.seen[2].signature_ok is True


def test_telnyx_sends_a_failed_callback_once_more_to_its_failover_url():
    pages = recording_app("/recorded", answers=[FAILED])
    pages["/failover"] = lambda seen: (200, "text/xml", "<Response/>")
    call, app = started(
        pages, carrier="telnyx", key=telnyx_keys()[0], failover_url="http://localhost/failover"
    )
    call.record()
    assert [seen.path for seen in app.seen[2:]] == ["/recorded", "/failover"]
    assert [seen.status for seen in call.callbacks] == [503, 200]


def test_a_fragment_in_a_verb_s_url_is_never_sent():
    pages = {
        "/voice": "<Response><Redirect>/next#rc=5&amp;rp=5xx</Redirect></Response>",
        "/next": "<Response><Hangup/></Response>",
    }
    call, app = started(pages)
    assert [seen.path for seen in app.seen] == ["/voice", "/next"]
    assert call.requests[-1].url == "http://localhost/next"


def test_by_default_a_failed_callback_is_not_retried():
    call, _app = started(recording_app("/recorded", answers=[FAILED]))
    call.record()
    assert [seen.status for seen in call.callbacks] == [503]


@pytest.mark.parametrize(
    ("fragment", "statuses"),
    [
        ("#rc=5&amp;rp=5xx", [503, 503, 200]),
        ("#rc=5&amp;rp=all", [503, 503, 200]),
        ("#rc=1&amp;rp=5xx", [503, 503]),
        ("#rc=5&amp;rp=4xx", [503]),
        ("#rc=5&amp;rp=ct,rt", [503]),
        ("#rc=0&amp;rp=5xx", [503]),
        ("#rc=5&amp;rp=5xx&amp;tt=0", [503]),  # no time left for a retry
    ],
)
def test_a_failed_callback_is_retried_as_its_fragment_says(fragment, statuses):
    call, _app = started(recording_app(f"/recorded{fragment}", answers=[FAILED, FAILED]))
    call.record()
    assert [seen.status for seen in call.callbacks] == statuses


def test_a_callback_answered_4xx_is_retried_when_its_fragment_says_4xx():
    missing = (404, "text/plain", "no such callback")
    call, _app = started(recording_app("/recorded#rc=5&amp;rp=4xx", answers=[missing, missing]))
    call.record()
    assert [seen.status for seen in call.callbacks] == [404, 404, 200]


def test_retries_carry_one_idempotency_token_and_the_first_attempt_none():
    call, app = started(recording_app("/recorded#rc=5&amp;rp=5xx", answers=[FAILED, FAILED]))
    call.record()
    tokens = [seen.headers.get("I-Twilio-Idempotency-Token") for seen in app.seen[2:]]
    assert tokens[0] is None
    assert tokens[1] == tokens[2]
    assert re.fullmatch("[0-9a-f]{32}", tokens[1])


def test_a_refused_connection_is_retried_under_the_default_policy():
    class Flaky:
        """A transport whose first callback finds the server gone."""

        def __init__(self, app):
            self.inner, self.refused = WSGITransport(app), 0

        def request(self, method, path, body, headers):
            if path.startswith("/recorded") and not self.refused:
                self.refused += 1
                raise ConnectionRefusedError("refused")
            return self.inner.request(method, path, body, headers)

    app = TwimlApp(recording_app("/recorded"))
    call = SimulatedCall(Flaky(app))
    call.start("/voice")
    call.record()
    assert [seen.status for seen in call.callbacks] == [0, 200]


def test_a_failed_callback_does_not_end_the_call():
    twiml = '<Response><Record action="/saved" recordingStatusCallback="/recorded"/></Response>'
    pages = {"/voice": twiml, "/saved": "<Response><Say>Thanks.</Say></Response>"}
    call, _app = started(pages)  # /recorded answers 404
    call.record()
    assert (call.outcome, call.last_heard) == (("hangup",), ["Thanks."])


def test_a_transcript_is_sent_when_asked_and_transcription_is_on():
    transcribe = ' transcribe="true" transcribeCallback="/transcribed"'
    call, app = started(recording_app("/recorded", transcribe=transcribe))
    call.record(transcript="Please call me back")
    form = app.seen[3].form
    assert app.seen[3].path == "/transcribed"
    assert (form["TranscriptionText"], form["TranscriptionStatus"]) == (
        "Please call me back",
        "completed",
    )
    assert form["RecordingSid"] == app.seen[2].form["RecordingSid"]
    assert (form["From"], form["To"]) == (call.params["From"], call.params["To"])


def test_no_transcript_is_sent_when_transcription_is_off():
    call, app = started(recording_app("/recorded"))
    call.record(transcript="Please call me back")
    assert [seen.path for seen in app.seen] == ["/voice", "/saved", "/recorded"]


def test_an_empty_recording_requests_no_action_and_goes_on_with_the_next_verbs():
    twiml = '<Response><Record action="/saved"/><Say>No message.</Say><Hangup/></Response>'
    call, app = started({"/voice": twiml, "/saved": "<Response/>"})
    call.record(duration=0)
    assert len(app.seen) == 1
    assert call.last_heard == ["No message."]
    assert call.outcome == ("hangup",)


# Enqueue ##################################################################################

QUEUE = '<Response><Enqueue action="/left" waitUrl="/wait">support</Enqueue></Response>'
WAIT = (
    "<Response><Say>You are in line.</Say>"
    '<Gather action="/wait-choice" numDigits="1"><Say>Press 1 to leave.</Say></Gather>'
    "</Response>"
)


def test_enqueue_waits_in_the_named_queue():
    call, _ = started({"/voice": QUEUE})
    assert call.waiting_for == "queue"
    assert call.outcome == ("queue", "support")


def test_hold_fetches_the_wait_url_with_queue_parameters():
    call, app = started({"/voice": QUEUE, "/wait": WAIT})
    call.hold(position=2, queue_time=30)
    form = app.seen[1].form
    assert app.seen[1].path == "/wait"
    assert form["QueuePosition"] == "2"
    assert form["QueueTime"] == "30"
    assert re.fullmatch("QU[0-9a-f]{32}", form["QueueSid"])
    assert {"AvgQueueTime", "CurrentQueueSize"} <= form.keys()


def test_hold_uses_the_wait_url_method():
    twiml = '<Response><Enqueue waitUrl="/wait" waitUrlMethod="GET">support</Enqueue></Response>'
    call, app = started({"/voice": twiml, "/wait": "<Response/>"})
    call.hold(position=3)
    assert app.seen[1].method == "GET"
    assert app.seen[1].query["QueuePosition"] == "3"


def test_wait_music_is_heard_and_its_gather_waits_while_still_queued():
    call, _ = started({"/voice": QUEUE, "/wait": WAIT})
    call.hold()
    assert call.last_heard == ["You are in line.", "Press 1 to leave."]
    assert call.waiting_for == "input"
    assert call.outcome == ("queue", "support")


def test_leave_in_wait_music_posts_the_enqueue_action_with_leave():
    pages = {
        "/voice": QUEUE,
        "/wait": WAIT,
        "/wait-choice": "<Response><Leave/></Response>",
        "/left": "<Response><Say>Leave a message.</Say><Record/></Response>",
    }
    call, app = started(pages)
    call.hold(queue_time=40)
    call.press("1")
    assert [seen.path for seen in app.seen] == ["/voice", "/wait", "/wait-choice", "/left"]
    assert app.seen[3].form["QueueResult"] == "leave"
    assert app.seen[3].form["QueueTime"] == "40"
    assert call.waiting_for == "record"


def test_wait_music_running_out_keeps_the_caller_holding():
    call, _ = started({"/voice": QUEUE, "/wait": "<Response><Play>/music.mp3</Play></Response>"})
    call.hold()
    call.hold()
    assert call.heard == ["[play /music.mp3]", "[play /music.mp3]"]
    assert call.waiting_for == "queue"


def test_redirect_in_wait_music_stays_in_the_queue():
    pages = {
        "/voice": QUEUE,
        "/wait": "<Response><Redirect>/wait2</Redirect></Response>",
        "/wait2": "<Response><Say>Still there?</Say></Response>",
    }
    call, _ = started(pages)
    call.hold()
    assert call.last_heard == ["Still there?"]
    assert call.waiting_for == "queue"


def test_hangup_in_wait_music_ends_the_call():
    call, _ = started({"/voice": QUEUE, "/wait": "<Response><Hangup/></Response>"})
    call.hold()
    assert call.ended
    assert call.outcome == ("hangup",)


def test_dial_in_wait_music_is_an_application_error():
    call, _ = started({"/voice": QUEUE, "/wait": "<Response><Dial>+15550001111</Dial></Response>"})
    with pytest.raises(CallFailed, match="waitUrl"):
        call.hold()


def test_queue_result_posts_the_result_and_queue_time():
    call, app = started({"/voice": QUEUE, "/left": "<Response/>"})
    call.queue_result("bridged", queue_time=65)
    assert app.seen[1].path == "/left"
    assert app.seen[1].form["QueueResult"] == "bridged"
    assert app.seen[1].form["QueueTime"] == "65"


def test_queue_result_names_the_queue_the_caller_waited_in():
    call, app = started({"/voice": QUEUE, "/wait": WAIT, "/left": "<Response/>"})
    call.hold()
    call.queue_result("bridged")
    assert app.seen[2].form["QueueSid"] == app.seen[1].form["QueueSid"]


def test_queue_result_is_possible_while_a_wait_gather_runs():
    call, app = started({"/voice": QUEUE, "/wait": WAIT, "/left": "<Response/>"})
    call.hold()
    call.queue_result("bridged")
    assert app.seen[2].path == "/left"


def test_enqueue_without_action_goes_on_with_the_next_verbs():
    twiml = "<Response><Enqueue>support</Enqueue><Say>Thanks for waiting.</Say></Response>"
    call, _ = started({"/voice": twiml})
    call.hold()
    call.queue_result("bridged")
    assert call.heard == ["[hold music]", "Thanks for waiting."]
    assert call.outcome == ("hangup",)


# Wrong caller actions #####################################################################


@pytest.mark.parametrize(
    ("action", "args"),
    [("press", ("1",)), ("say", ("yes",)), ("silence", ()), ("record", ()), ("hold", ())],
)
def test_an_action_the_call_is_not_waiting_for_raises(action, args):
    call, _ = started({"/voice": "<Response><Dial>+15550001111</Dial></Response>"})
    with pytest.raises(CallFailed, match="waits for 'dial'"):
        getattr(call, action)(*args)


def test_dial_result_while_a_gather_waits_raises():
    call, _ = started({"/voice": MENU})
    with pytest.raises(CallFailed, match="waiting for 'dial'"):
        call.dial_result("completed")


def test_queue_result_outside_a_queue_raises():
    call, _ = started({"/voice": MENU})
    with pytest.raises(CallFailed, match="queue"):
        call.queue_result("bridged")


def test_an_action_after_the_call_ended_raises():
    call, _ = started({"/voice": "<Response/>"})
    with pytest.raises(CallFailed, match="has ended"):
        call.press("1")


# Twilio's acceptance rules ################################################################


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ((500, "text/xml", "<Response/>"), "11200"),
        ((404, "text/xml", "<Response/>"), "11200"),
        ((200, "text/html", "<Response/>"), "12300"),
        ((200, "text/xml", "Internal error, sorry"), "12100"),
        ((200, "text/xml", "<html><body>Oops</body></html>"), "12100"),
        ((200, "text/xml", "<Say>No Response root.</Say>"), "12100"),
    ],
)
def test_an_answer_twilio_refuses_fails_the_call(answer, code):
    call = SimulatedCall(TwimlApp({"/voice": answer}))
    with pytest.raises(CallFailed, match="an application error has occurred"):
        call.start()
    assert call.ended
    assert call.outcome == ("error", code)
    assert call.heard == ["an application error has occurred"]


def test_failure_message_shows_status_content_type_and_body():
    call = SimulatedCall(TwimlApp({"/voice": (500, "text/html", "<h1>Traceback</h1>" + "x" * 500)}))
    with pytest.raises(CallFailed) as failure:
        call.start()
    message = str(failure.value)
    assert "500" in message
    assert "text/html" in message
    assert "<h1>Traceback</h1>" in message
    assert "x" * 300 not in message


@pytest.mark.parametrize(
    "content_type", ["application/xml", "text/xml; charset=utf-8", "Text/XML", "APPLICATION/XML"]
)
def test_xml_content_types_are_accepted(content_type):
    call, _ = started({"/voice": (200, content_type, "<Response><Say>Hi.</Say></Response>")})
    assert call.heard == ["Hi."]


def test_unknown_verb_fails_the_call():
    with pytest.raises(CallFailed, match="Sya"):
        started({"/voice": "<Response><Sya>Typo.</Sya></Response>"})


def test_redirect_loop_is_stopped():
    call = SimulatedCall(TwimlApp({"/voice": "<Response><Redirect/></Response>"}), max_webhooks=10)
    with pytest.raises(CallFailed, match=r"^loop"):
        call.start()
    assert len(call.requests) == 10


def test_requests_record_what_was_sent_and_answered():
    call, _ = started({"/voice": MENU})
    webhook = call.requests[0]
    assert (webhook.method, webhook.url, webhook.status) == ("POST", "http://localhost/voice", 200)
    assert webhook.content_type == "text/xml"
    assert webhook.params["CallStatus"] == "ringing"
    assert ET.fromstring(webhook.body).find("Gather") is not None


def test_set_cookie_in_an_answer_is_recorded():
    call, _ = started({"/cookie": "<Response/>"}, path="/cookie")
    assert call.cookies_seen == ["session=abc; Path=/"]


def test_cookies_are_not_sent_back():
    twiml = '<Response><Gather action="/cookie"/></Response>'
    call, app = started({"/cookie": twiml}, path="/cookie")
    call.press("1")
    assert "Cookie" not in app.seen[1].headers


def test_validate_is_called_with_every_answer():
    answers = []
    call, _ = started({"/voice": MENU, "/choice": "<Response/>"}, validate=answers.append)
    call.press("1")
    assert answers == [MENU, "<Response/>"]


def test_validate_raising_stops_the_call():
    def refuse(xml_text):
        raise ValueError("not valid TwiML")

    with pytest.raises(ValueError, match="not valid TwiML"):
        started({"/voice": MENU}, validate=refuse)


# Signatures ###############################################################################

ZOE = {"CallerName": "Zoë O'Brien 山田", "FromCity": "São Paulo & Co"}


def signed_call(pages, **kwargs):
    app = TwimlApp(pages, token=kwargs.get("auth_token") or kwargs.get("shared_key"))
    call = SimulatedCall(app, params=ZOE, **kwargs)
    call.start()
    return call, app


def test_post_webhooks_carry_a_valid_signature():
    call, app = signed_call({"/voice": MENU, "/choice": "<Response/>"}, auth_token=TOKEN)
    call.press("1")
    assert [seen.signature_ok for seen in app.seen] == [True, True]


def test_non_ascii_parameters_arrive_intact():
    _call, app = signed_call({"/voice": MENU}, auth_token=TOKEN)
    assert app.seen[0].form["CallerName"] == "Zoë O'Brien 山田"
    assert app.seen[0].form["FromCity"] == "São Paulo & Co"


def test_get_webhooks_sign_the_url_with_its_query():
    twiml = '<Response><Gather action="/a?x=1" method="GET"/></Response>'
    call, app = signed_call({"/voice": twiml, "/a": "<Response/>"}, auth_token=TOKEN)
    call.press("5")
    assert app.seen[1].method == "GET"
    assert app.seen[1].signature_ok is True


def test_shared_key_signs_with_hmac_sha256():
    _call, app = signed_call({"/voice": MENU}, shared_key="shared-secret")
    headers = app.seen[0].headers
    assert headers["X-Twilio-Webhooks-Signature-Settings"].endswith("algorithm=HMAC_SHA256")
    assert app.seen[0].signature_ok is True


def test_signature_made_with_another_token_does_not_verify():
    app = TwimlApp({"/voice": MENU}, token=TOKEN)
    SimulatedCall(app, auth_token="some-other-token").start()
    assert app.seen[0].signature_ok is False


def test_signature_covers_the_public_url():
    app = TwimlApp({"/voice": MENU}, token=TOKEN)
    call = SimulatedCall(app, auth_token=TOKEN, public_url="https://ivr.example.com")
    call.start()
    assert app.seen[0].headers["Host"] == "ivr.example.com"
    assert app.seen[0].signature_ok is False  # the app cannot know the scheme was https


def test_forwarded_proto_header_lets_the_app_rebuild_the_public_url():
    app = TwimlApp({"/voice": MENU}, token=TOKEN)
    headers = {"X-Forwarded-Proto": "https"}
    SimulatedCall(
        app, auth_token=TOKEN, public_url="https://ivr.example.com", headers=headers
    ).start()
    assert app.seen[0].signature_ok is True


def test_unsigned_calls_send_no_signature():
    _call, app = started({"/voice": MENU})
    assert "X-Twilio-Signature" not in app.seen[0].headers


def test_auth_token_and_shared_key_together_are_refused():
    with pytest.raises(ValueError, match="not both"):
        SimulatedCall(TwimlApp({}), auth_token="a", shared_key="b")


# Several app instances ####################################################################


def test_webhooks_rotate_round_robin_between_instances():
    pages = {"/voice": MENU, "/choice": MENU}
    first, second = TwimlApp(pages), TwimlApp(pages)
    call = SimulatedCall([first, WSGITransport(second)])
    call.start()
    call.press("1")
    call.press("1")
    assert [seen.form["CallStatus"] for seen in first.seen] == ["ringing", "in-progress"]
    assert [seen.path for seen in second.seen] == ["/choice"]


# Over real HTTP ###########################################################################


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served():
    """Serve a TwimlApp over HTTP on a free local port; yield (app, base_url)."""
    app = TwimlApp({"/voice": MENU, "/choice": "<Response><Say>Done.</Say></Response>"}, TOKEN)
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_http_transport_walks_a_real_server(served):
    app, base_url = served
    call = SimulatedCall(HTTPTransport(base_url), auth_token=TOKEN, params=ZOE)
    call.start()
    call.press("1")
    assert call.heard == ["Press 1.", "Done."]
    assert [seen.signature_ok for seen in app.seen] == [True, True]
    assert app.seen[0].form["CallerName"] == "Zoë O'Brien 山田"


def test_http_transport_without_a_server_fails_the_call():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    call = SimulatedCall(HTTPTransport(f"http://127.0.0.1:{port}", timeout=2))
    with pytest.raises(CallFailed, match="no answer"):
        call.start()
    assert call.outcome == ("error", "11205")


def test_a_path_is_handed_to_the_app_decoded_as_a_server_would():
    twiml = "<Response><Redirect>/state/caf%C3%A9%20bar</Redirect></Response>"
    call, app = started({"/voice": twiml, "/state/caf\xc3\xa9 bar": "<Response/>"})
    assert [seen.path for seen in app.seen] == ["/voice", "/state/caf\xc3\xa9 bar"]
    assert call.outcome == ("hangup",)


def test_a_url_on_another_host_fails_the_call_as_twilio_would():
    twiml = "<Response><Redirect>https://elsewhere.example.com/next</Redirect></Response>"
    with pytest.raises(CallFailed, match="is not on http://localhost"):
        started({"/voice": twiml})


SPANISH = (
    '<Response><Gather input="speech" language="es-US" actionOnEmptyResult="true" '
    'action="/heard"/></Response>'
)


def test_a_caller_may_say_words_in_any_language():
    call, app = started({"/voice": SPANISH, "/heard": "<Response/>"})
    call.say("soporte, por favor", language="es-US")
    assert app.seen[1].form["SpeechResult"] == "soporte, por favor"


def test_a_caller_speaking_another_language_than_the_gather_is_not_understood():
    call, app = started({"/voice": SPANISH, "/heard": "<Response/>"})
    call.say("support", language="en-US")
    assert "SpeechResult" not in app.seen[1].form


def test_a_gather_without_a_language_listens_for_english():
    twiml = '<Response><Gather input="speech" action="/heard"/></Response>'
    call, app = started({"/voice": twiml, "/heard": "<Response/>"})
    call.say("soporte", language="es-US")
    assert len(app.seen) == 1  # not understood: a timeout, and no action on empty result
