"""Webhooks that are safe in production: signatures, recovery, retry limits, bad input, logs,
and what the URLs we hand the carrier give away."""

import base64
import logging
import threading
import time
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Hangup, Say
from webtest import TestApp

from phonetree_engine import Option, server
from phonetree_engine.call import SEALED, Call, Setup
from phonetree_engine.delivery.post import notify_url
from phonetree_engine.lines import mask_number
from phonetree_engine.seal import NONCE
from phonetree_engine.settings import Config
from phonetree_engine.tree import Choose, Keys, State, TryAgain
from phonetree_engine.web import log_mode
from phonetree_engine.web.forms import MAX_FIELDS, parse_pairs, quote_cached, split_cached
from phonetree_engine.web.logline import WebhookLine
from phonetree_tools.caller import SimulatedCall
from tests.engine.conftest import opened
from tests.engine.heard import (
    APOLOGY,
    ASK,
    DESK,
    HOURS,
    INVALID_ENTRY,
    MENU,
    RECORD,
    TRANSFER,
    WELCOME,
)
from tests.engine.streams import StuckStream, install
from tests.engine.trees import office
from tests.receivers import Hook

TOKEN = "12345678901234567890123456789012"
SHARED = "shared-key-secret"
PARAMS = {"CallSid": "CA0", "From": "+15551234567", "To": "+15557654321", "Digits": "3"}
MULTIPART = b"--x\r\nContent-Disposition: form-data; name=Digits\r\n\r\n3\r\n--x--"
FORM_TYPE = "application/x-www-form-urlencoded"


def signature(url, params, key=TOKEN, algorithm=None):
    return RequestValidator(key).compute_signature(url, params, algorithm)


@pytest.fixture
def guarded(build):
    return TestApp(build(twilio_auth_token=TOKEN, twilio_shared_key=SHARED))


def post(client, path, params, sign_url=None, headers=(), key=TOKEN, status="*"):
    headers = dict(headers)
    if sign_url is not None:
        headers["X-Twilio-Signature"] = signature(sign_url, params, key)
    return client.post(path, params, headers=headers, status=status)


def webhook_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("webhook ")]


def test_signed_request_is_answered(guarded):
    response = post(guarded, "/state/menu/exit", PARAMS, "http://localhost/state/menu/exit")
    assert response.status_int == 200


def test_unsigned_request_is_refused_in_plain_text(guarded):
    response = post(guarded, "/state/menu/exit", PARAMS)
    assert response.status_int == 403
    assert response.content_type == "text/plain"


def test_tampered_body_is_refused(guarded):
    headers = {"X-Twilio-Signature": signature("http://localhost/voice", PARAMS)}
    response = guarded.post("/voice", {**PARAMS, "Digits": "0"}, headers=headers, status="*")
    assert response.status_int == 403


def test_tampered_url_is_refused(guarded):
    response = post(guarded, "/state/menu/exit?tries=0", PARAMS, "http://localhost/state/menu/exit")
    assert response.status_int == 403


def test_request_signed_for_another_host_is_refused(guarded):
    response = post(guarded, "/voice", PARAMS, "https://elsewhere.example.com/voice")
    assert response.status_int == 403


def test_forwarded_scheme_and_host_are_the_url_checked(guarded):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ivr.example.com"}
    response = post(guarded, "/voice", PARAMS, "https://ivr.example.com/voice", headers)
    assert response.status_int == 200


def test_forwarded_port_is_part_of_the_url_checked(guarded):
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "ivr.example.com",
        "X-Forwarded-Port": "8443",
    }
    response = post(guarded, "/voice", PARAMS, "https://ivr.example.com:8443/voice", headers)
    assert response.status_int == 200


def test_a_forwarded_host_that_names_its_port_keeps_it_once(guarded):
    # A proxy sends the port in the host and again on its own: Twilio signed it once.
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "ivr.example.com:8443",
        "X-Forwarded-Port": "8443",
    }
    response = post(guarded, "/voice", PARAMS, "https://ivr.example.com:8443/voice", headers)
    assert response.status_int == 200


def test_configured_public_url_overrides_forwarded_headers(build):
    client = TestApp(build(twilio_auth_token=TOKEN, public_url="https://ivr.example.com"))
    headers = {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "wrong.example.com"}
    response = post(client, "/voice", PARAMS, "https://ivr.example.com/voice", headers)
    assert response.status_int == 200


def test_public_url_with_a_path_prefixes_the_urls_in_twiml(build):
    client = TestApp(build(twilio_auth_token=TOKEN, public_url="https://example.com/ivr"))
    response = post(client, "/voice", PARAMS, "https://example.com/ivr/voice")
    assert response.xml.find("Gather").get("action") == "/ivr/state/menu/exit"


def test_non_ascii_values_validate(guarded):
    params = {**PARAMS, "CallerName": "Zoë O'Brien 山田", "FromCity": "São Paulo"}
    response = post(guarded, "/voice", params, "http://localhost/voice")
    assert response.status_int == 200


def test_signed_get_validates_on_the_url_alone(guarded):
    query = urlencode({**PARAMS, "CallerName": "Zoë"})
    url = f"http://localhost/state/menu/exit?{query}"
    headers = {"X-Twilio-Signature": signature(url, {})}
    response = guarded.get(f"/state/menu/exit?{query}", headers=headers, status="*")
    assert response.xml[0].find("Say").text == HOURS


def test_shared_key_signature_with_sha256_validates(guarded):
    url = "http://localhost/voice"
    headers = {
        "X-Twilio-Signature": signature(url, PARAMS, SHARED, "HMAC_SHA256"),
        "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256",
    }
    response = guarded.post("/voice", PARAMS, headers=headers, status="*")
    assert response.status_int == 200


def test_shared_key_settings_with_an_auth_token_signature_are_refused(guarded):
    headers = {
        "X-Twilio-Signature": signature("http://localhost/voice", PARAMS),
        "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256",
    }
    assert guarded.post("/voice", PARAMS, headers=headers, status="*").status_int == 403


def test_unknown_signature_algorithm_is_refused(guarded):
    headers = {
        "X-Twilio-Signature": signature("http://localhost/voice", PARAMS, SHARED),
        "X-Twilio-Webhooks-Signature-Settings": "key=k,algorithm=HMAC_MD5",
    }
    assert guarded.post("/voice", PARAMS, headers=headers, status="*").status_int == 403


def test_health_check_needs_no_signature(guarded):
    assert guarded.get("/healthz").text == "ok\n"


def test_a_stopping_process_fails_its_health_check(app, monkeypatch):
    # After SIGTERM the router must send new calls to another replica.
    monkeypatch.setattr(server, "stopping", threading.Event())
    server.stopping.set()
    response = TestApp(app).get("/healthz", status="*")
    assert (response.status_int, response.text) == (503, "stopping\n")


def test_the_health_check_says_how_many_log_lines_were_lost(app, monkeypatch, request):
    stream = StuckStream()
    log = install(monkeypatch, request, stream)
    request.addfinalizer(stream.free.set)
    line = logging.LogRecord("phonetree", logging.INFO, "", 0, "webhook call=CA1", None, None)
    log.handler.handle(line)
    deadline = time.monotonic() + 5
    while (log.records.records or not log.records.busy) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the writer is stuck writing the first line
    for _ in range(150):  # the queue holds 100 of them
        log.handler.handle(line)
    assert TestApp(app).get("/healthz").text == "ok\nlog-dropped lines=50 business=0\n"


def test_a_signed_call_walks_the_whole_tree(build, validate):
    call = SimulatedCall(build(twilio_auth_token=TOKEN), auth_token=TOKEN, validate=validate)
    call.start()
    call.press("3")  # the hours
    call.press("2")  # any key but 1: back to the menu
    call.press("0")  # the front desk
    assert call.heard[0] == WELCOME
    assert call.outcome == ("dial", DESK)


# A form that names a field twice ##############################################


class AllValues(dict):
    """Every value of each name, as the twilio validator reads a multi-valued mapping."""

    def getall(self, name):
        return self[name]


@pytest.mark.parametrize(
    "body",
    ["Digits=1&Digits=0", "Digits=0&Digits=1", "Digits=1&CallSid=CA0&Digits=0"],
)
def test_a_signed_form_that_repeats_a_field_is_refused_and_never_routed(guarded, caplog, body):
    caplog.set_level(logging.INFO, logger="phonetree")
    url = "http://localhost/state/menu/exit"
    values = AllValues({})
    for name, value in parse_qsl(body):
        values.setdefault(name, []).append(value)
    signed = signature(url, values)
    # The signature holds whatever the order: it cannot tell which value the app would read.
    assert RequestValidator(TOKEN).validate(url, values, signed)
    headers = {"X-Twilio-Signature": signed}
    response = guarded.post(
        "/state/menu/exit", body, content_type=FORM_TYPE, headers=headers, status="*"
    )
    assert (response.status_int, response.content_type) == (400, "text/plain")
    assert "<Response" not in response.text
    refused = [m for m in caplog.messages if m.startswith("refused path=/state/menu/exit")]
    assert len(refused) == 1
    assert "given twice" in refused[0]
    assert webhook_lines(caplog) == []  # no state was entered or left


def test_a_query_that_repeats_a_name_is_refused(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    response = TestApp(app).post("/state/menu/exit?tries=2&tries=0", PARAMS, status="*")
    assert (response.status_int, response.content_type) == (400, "text/plain")
    assert any(m.startswith("refused path=/state/menu/exit") for m in caplog.messages)
    assert webhook_lines(caplog) == []


# Recovery: a caller never hears "an application error has occurred" ##########


def broken(call):
    """Passes the start-up check of the table, fails on every call."""
    if call.param("CallSid"):
        raise RuntimeError("a bug in a handler")
    return Say("never heard")


def test_unknown_state_apologises_and_goes_on_at_the_menu(app):
    response = TestApp(app).post("/state/renamed_in_a_deploy/exit", PARAMS)
    says = [say.text for say in response.xml.iter("Say")]
    assert says == [APOLOGY, MENU]
    assert response.xml.find("Gather").get("action") == "/state/menu/exit?tries=1"


def test_failing_exit_handler_apologises_and_goes_on_at_the_menu(build, dial, caplog):
    def buggy_hours(call):
        raise RuntimeError("a bug in a handler")

    tree = office.tree(hours=State(office.hours, Choose(buggy_hours, ("menu",))))
    call = dial(build(tree=tree))
    call.press("3")
    call.press("1")
    assert call.last_heard == [APOLOGY, MENU]
    assert "Traceback" in caplog.text
    assert "Traceback" not in call.requests[-1].body


def test_a_live_call_whose_handler_asks_for_a_retry_hears_the_apology(build, dial):
    # A carrier cannot retry a live call: whatever fails, the caller hears something.
    def not_yet(call):
        if call.param("CallSid"):  # (the start-up check renders it without a call)
            raise TryAgain("the message was not delivered")
        return office.hours(call)

    call = dial(build(tree=office.tree(hours=State(not_yet, Keys(office.AGAIN, "menu")))))
    call.press("3")
    assert call.last_heard == [APOLOGY, MENU]


def test_repeated_failures_put_the_caller_through_to_a_person(build, dial):
    targets = tuple(dict.fromkeys(target for _, target in office.TABLE["menu"].edges()))
    call = dial(build(tree=office.tree(menu=State(office.menu, Choose(broken, targets)))))
    for _ in range(Config().max_retries):
        call.press("3")
    assert call.last_heard[0] == "Office trouble: connecting you to the front desk."
    assert call.outcome == ("dial", DESK)


def test_html_error_pages_are_never_served(app):
    response = TestApp(app).get("/no/such/page", status=404)
    assert response.content_type == "text/plain"


@pytest.mark.parametrize("path", ["/state/..", "/state/" + "x" * 5000, "/state/menu/exit/../x"])
def test_path_tricks_get_twiml_not_an_error(app, validate, path):
    response = TestApp(app).post(path, PARAMS)
    validate(response.text)
    assert response.xml[0].text == APOLOGY


# Retry limits ################################################################


@pytest.mark.parametrize("press", ["7", None])
def test_thirty_failed_tries_never_loop(dial, press):
    call = dial()
    for _ in range(30):
        if call.waiting_for != "input":
            break
        call.press(press) if press else call.silence()
    assert call.outcome == ("dial", DESK)


def test_after_max_retries_the_caller_hears_why_before_the_transfer(dial):
    call = dial()
    call.press("7")
    call.press("7")
    call.press("7")
    assert call.last_heard == [TRANSFER]


def test_retry_limit_is_configurable(build, dial):
    call = dial(build(max_retries=1))
    call.silence()
    assert call.outcome == ("dial", DESK)


def test_a_valid_key_resets_the_count(dial):
    call = dial()
    call.press("7")
    call.press("7")
    call.press("9")
    call.press("7")
    assert call.gather.get("action") == "/state/menu/exit?tries=1"


@pytest.mark.parametrize("tries", ["-1", "abc", "99999999999", "2.5", ""])
def test_a_garbled_count_in_the_url_is_harmless(app, validate, tries):
    response = TestApp(app).post(f"/state/menu/exit?tries={tries}", PARAMS)
    validate(response.text)
    assert response.status_int == 200


# Bad input ###################################################################


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"Digits=%zz&&==&x", "application/x-www-form-urlencoded"),
        (b"Digits=\xff\xfe3", "application/x-www-form-urlencoded"),
        (b'{"Digits": "3"}', "application/json"),
        (MULTIPART, "multipart/form-data; boundary=x"),
        (b"Digits=" + b"9" * 60000, "application/x-www-form-urlencoded"),
    ],
)
def test_odd_bodies_get_twiml(app, validate, body, content_type):
    response = TestApp(app).post("/state/menu/exit", body, content_type=content_type)
    validate(response.text)
    assert response.status_int == 200


def test_too_many_fields_are_a_bad_request(app):
    body = "&".join(f"f{n}=1" for n in range(500))
    response = TestApp(app).post("/voice", body, status="*")
    assert response.status_int == 400


def test_a_body_over_the_limit_is_refused(app):
    response = TestApp(app).post("/voice", "x=" + "1" * 70000, status="*")
    assert response.status_int == 413


# Logs ########################################################################


def test_one_structured_line_per_webhook_with_the_number_masked(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    TestApp(app).post("/state/menu/exit", PARAMS)
    lines = webhook_lines(caplog)
    assert len(lines) == 1
    assert (
        "call=CA0 from=+*******4567 path=/state/menu/exit digits=3 entered=hours next=hours ms="
        in lines[0]
    )


@pytest.mark.parametrize(
    ("said", "logged"),
    [
        ("my card is 4111 1111 1111 1111", '"my card is **** **** **** ****"'),
        ("4111-1111-1111-1111 please", '"****-****-****-**** please"'),
        ("account 12345678", '"account ********"'),
        ("my pin is 1 2 3", '"my pin is * * *"'),  # three digits said one by one
        ("41-11-11-11", "**-**-**-**"),  # pairs, as some say a number
    ],
)
def test_a_card_number_said_at_a_menu_is_masked_in_the_webhook_line(app, caplog, said, logged):
    caplog.set_level(logging.INFO, logger="phonetree")
    form = {"CallSid": "CA0", "From": "+15551234567", "SpeechResult": said, "Confidence": "0.9"}
    TestApp(app).post("/state/menu/exit", form)
    [line] = webhook_lines(caplog)
    assert f" speechresult={logged} " in line
    assert not any(run in caplog.text for run in ("4111", "1111", "12345678"))


def test_the_webhook_lines_keep_how_long_a_dial_and_a_queue_took(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    client = TestApp(app)
    client.post(
        "/state/desk/exit", {**PARAMS, "DialCallStatus": "completed", "DialCallDuration": "61"}
    )
    client.post("/state/helpdesk/exit", {**PARAMS, "QueueResult": "bridged", "QueueTime": "95"})
    dialled, queued = webhook_lines(caplog)
    assert " dialcallstatus=completed dialcallduration=61 " in dialled
    assert " queueresult=bridged queuetime=95 " in queued


def test_a_callback_the_carrier_retries_is_logged_with_its_token(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    headers = {"I-Twilio-Idempotency-Token": "7f3a9c"}
    form = {**PARAMS, "RecordingStatus": "absent"}  # nothing to deliver
    TestApp(app).post("/state/voicemail/recorded", form, headers=headers)
    [line] = webhook_lines(caplog)
    assert " retry_token=7f3a9c " in line


def test_a_call_sid_that_would_forge_a_field_is_quoted_in_the_line(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    TestApp(app).post("/state/menu/exit", {**PARAMS, "CallSid": "CA0 next=goodbye"})
    [line] = webhook_lines(caplog)
    assert line.startswith('webhook call="CA0 next=goodbye" from=')


def test_a_webhook_line_written_late_says_how_long_the_answer_took():
    """The writer builds the line when it writes, perhaps 0.1 s later: ``ms`` is the answer's."""
    started = time.perf_counter()
    line = WebhookLine({"PATH_INFO": "/voice"}, {"CallSid": "CA0"}, "menu", ["menu"], started)
    time.sleep(0.2)
    assert float(str(line).rpartition(" ms=")[2]) < 100


def test_a_request_from_anyone_but_twilio_is_logged_as_refused(guarded, caplog):
    post(guarded, "/voice", PARAMS)
    assert "refused path=/voice" in caplog.text


def test_serving_without_a_shared_seal_key_warns_that_replicas_cannot_read_it(monkeypatch, caplog):
    from phonetree_engine.web import serving_app
    from tests.servers import LEFT_OUT

    for variable in LEFT_OUT:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("ALLOW_UNSIGNED", "true")
    with caplog.at_level(logging.WARNING, logger="phonetree"):
        serving_app(office.TREE)
    assert "SECRET_KEY is not set and there is no signing key" in caplog.text
    caplog.clear()
    monkeypatch.setenv("SECRET_KEY", "the same on every replica")
    with caplog.at_level(logging.WARNING, logger="phonetree"):
        serving_app(office.TREE)
    assert "SECRET_KEY is not set" not in caplog.text


def test_building_an_open_app_says_nothing_about_signatures(build, caplog):
    build()  # as call, graph and check do: serving_app() says which mode it serves in
    assert "signature" not in caplog.text


def handler_call(params) -> Call:
    return Call("menu", Setup(config=Config()), params)


def test_keys_with_words_match_speech():
    keys = Keys([Option("1", "a"), Option("2", "b", hear={"en-US": "support"})], otherwise="c")
    assert keys.decide(handler_call({"SpeechResult": "I need Support, please."})) == ("b", False)


@pytest.mark.parametrize(
    ("params", "decided"),
    [
        ({"Digits": "1"}, ("a", False)),
        ({"Digits": "12"}, ("wrong", True)),  # a key the table has, then more: not that key
        ({"Digits": "7"}, ("wrong", True)),
        ({}, ("quiet", True)),
        ({"Digits": " "}, ("quiet", True)),
        ({"SpeechResult": ""}, ("quiet", True)),
    ],
)
def test_keys_tell_silence_from_a_wrong_key(params, decided):
    keys = Keys([Option("1", "a")], otherwise="wrong", silence="quiet")
    assert keys.decide(handler_call(params)) == decided


def test_keys_without_a_silence_state_take_silence_as_a_wrong_key():
    keys = Keys([Option("1", "a")], otherwise="wrong")
    assert keys.decide(handler_call({})) == ("wrong", True)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(alphabet="ab=&%+2Fé;", max_size=60).map(str.encode))
def test_form_parsing_agrees_with_the_standard_library_or_refuses_a_repeat(raw):
    expected = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
    names = [name for name, _ in expected]
    if len(set(names)) < len(names):
        with pytest.raises(Exception) as refused:
            parse_pairs(raw)
        assert refused.value.status_code == 400
    else:
        assert parse_pairs(raw) == expected


def test_huge_values_are_not_remembered(app):
    before = split_cached.cache_info().currsize
    TestApp(app).post("/voice", "CallerName=" + "%41" * 20000)
    assert split_cached.cache_info().currsize == before


def test_long_paths_are_not_remembered(guarded):
    post(guarded, "/voice", PARAMS, sign_url="http://localhost/voice")
    path = "/state/" + "a" * 5000
    before = quote_cached.cache_info()
    post(guarded, path, PARAMS, sign_url=f"http://localhost{path}")  # the signature reads it
    after = quote_cached.cache_info()
    assert after.currsize == before.currsize
    assert after.hits > before.hits  # the short part of the URL was looked up, and found


# Wait music fails safe: it may not Dial, Record or read the menu; the caller leaves the queue


def failing_hold(call):
    """Wait music that passes the start-up check and fails on every call."""
    if call.param("CallSid"):
        raise RuntimeError("a bug in the wait music")
    return Say("never heard")


@pytest.mark.parametrize("retries", [1, 3])
def test_failing_wait_music_takes_the_caller_out_of_the_queue_to_voicemail(build, dial, retries):
    hold = State(failing_hold, Keys(office.HOLD, otherwise="hold"))
    call = dial(build(tree=office.tree(hold=hold), max_retries=retries))
    call.press("2")
    call.hold(position=1)
    assert call.last_heard == [RECORD]
    assert call.waiting_for == "record"


def test_the_recovery_answer_inside_wait_music_is_a_leave(build, validate):
    hold = State(failing_hold, Keys(office.HOLD, otherwise="hold"))
    client = TestApp(build(tree=office.tree(hold=hold)))
    form = {**PARAMS, "QueuePosition": "1", "QueueSid": "QU1", "QueueTime": "3"}
    response = client.post("/state/hold", form)
    validate(response.text)
    assert [verb.tag for verb in response.xml] == ["Leave"]


def test_a_failure_after_the_queue_is_not_answered_with_a_leave(build, validate):
    """QueueResult says the caller is out of the queue: a Leave would hang up on them."""

    def failing_goodbye(call):
        if call.param("CallSid"):
            raise RuntimeError("a bug after the queue")
        return [Say("never heard"), Hangup()]

    client = TestApp(build(tree=office.tree(goodbye=State(failing_goodbye))))
    form = {**PARAMS, "QueueResult": "bridged", "QueuePosition": "1", "QueueTime": "30"}
    response = client.post("/state/helpdesk/exit", form)
    validate(response.text)
    assert [say.text for say in response.xml.iter("Say")] == [APOLOGY, MENU]


@pytest.mark.parametrize("path", ["/state/old_hold", "/state/old_support/wait"])
def test_an_unknown_webhook_of_a_waiting_caller_leaves_the_queue(app, validate, path):
    form = {**PARAMS, "QueuePosition": "1", "QueueSid": "QU1", "QueueTime": "3"}
    response = TestApp(app).post(path, form)
    validate(response.text)
    assert [verb.tag for verb in response.xml] == ["Leave"]


def test_an_unknown_status_callback_gets_an_empty_answer(app, validate):
    form = {**PARAMS, "RecordingStatus": "completed"}
    response = TestApp(app).post("/state/old_voicemail/recorded", form)
    assert len(response.xml) == 0


# The end of a call ###########################################################

ENDED = {**PARAMS, "CallStatus": "completed", "CallDuration": "42"}


@pytest.mark.parametrize("status", ["completed", "busy", "no-answer", "failed", "canceled"])
def test_the_status_callback_logs_the_end_of_the_call(guarded, caplog, status):
    caplog.set_level(logging.INFO, logger="phonetree")
    ended = {**ENDED, "CallStatus": status}
    response = post(guarded, "/status", ended, "http://localhost/status")
    assert (response.status_int, response.xml.tag, len(response.xml)) == (200, "Response", 0)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("call-ended")]
    assert lines == [f"call-ended call=CA0 status={status} duration=42"]


def test_the_status_callback_needs_a_signature(guarded, caplog):
    assert post(guarded, "/status", ENDED).status_int == 403
    assert "call-ended" not in caplog.text


def test_a_status_before_the_end_of_the_call_is_not_logged_as_its_end(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    TestApp(app).post("/status", {**ENDED, "CallStatus": "in-progress"})
    assert "call-ended" not in caplog.text


def test_a_chained_answer_logs_every_state_it_entered(app, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    TestApp(app).post("/state/menu/exit", {**PARAMS, "Digits": "1"})
    assert " entered=orders,voicemail next=voicemail " in caplog.records[-1].getMessage()


# Deployments with one kind of secret #########################################

SHA256_SETTINGS = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"


def shared_key_headers(url, params, key=SHARED):
    return {
        "X-Twilio-Signature": signature(url, params, key, "HMAC_SHA256"),
        "X-Twilio-Webhooks-Signature-Settings": SHA256_SETTINGS,
    }


@pytest.fixture
def shared_only(build):
    return TestApp(build(twilio_shared_key=SHARED))


def test_a_shared_key_only_deployment_refuses_unsigned_requests(shared_only):
    response = post(shared_only, "/voice", PARAMS)
    assert (response.status_int, response.content_type) == (403, "text/plain")


def test_a_shared_key_only_deployment_answers_requests_signed_with_the_key(shared_only):
    headers = shared_key_headers("http://localhost/voice", PARAMS)
    response = shared_only.post("/voice", PARAMS, headers=headers, status="*")
    assert response.xml.find("Gather").get("action") == "/state/menu/exit"


def test_a_shared_key_only_deployment_refuses_a_signature_without_its_settings(shared_only):
    response = post(shared_only, "/voice", PARAMS, "http://localhost/voice", key=SHARED)
    assert response.status_int == 403


def test_a_shared_key_only_deployment_logs_that_it_checks_signatures(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    log_mode(Config(twilio_shared_key=SHARED, public_url="https://ivr.example.com"))
    [line] = caplog.messages
    event, *pairs = line.split(" ")
    fields = dict(pair.split("=", 1) for pair in pairs)
    assert event == "mode"
    assert (fields["signatures"], fields["url"]) == ("TWILIO_SHARED_KEY", "https://ivr.example.com")


def test_a_signature_made_with_the_shared_key_needs_the_settings_header(guarded):
    response = post(guarded, "/voice", PARAMS, "http://localhost/voice", key=SHARED)
    assert response.status_int == 403


def test_an_auth_token_only_deployment_refuses_shared_key_signatures(build):
    client = TestApp(build(twilio_auth_token=TOKEN))
    headers = shared_key_headers("http://localhost/voice", PARAMS)
    assert client.post("/voice", PARAMS, headers=headers, status="*").status_int == 403


def test_a_forwarded_host_urllib_cannot_parse_is_refused(guarded):
    headers = {"X-Twilio-Signature": "0", "X-Forwarded-Host": "["}
    assert guarded.get("/state/wrong", headers=headers, status="*").status_int == 403


# Forms, headers and log lines at their limits ################################


def test_a_webhook_with_all_that_twilio_may_send_is_read(app):
    # A call's webhook holds some 30 fields; with add-ons and SIP headers, many more.
    fields = {**PARAMS, **{f"SipHeader_X-Field-{number}": "1" for number in range(120)}}
    assert TestApp(app).post("/state/menu/exit", fields).status_int == 200


@pytest.mark.parametrize("count, status", [(MAX_FIELDS, 200), (MAX_FIELDS + 1, 400)])
def test_the_field_limit_is_the_last_count_accepted(app, count, status):
    body = "&".join(f"f{n}=1" for n in range(count))
    response = TestApp(app).post("/voice", body, content_type=FORM_TYPE, status="*")
    assert response.status_int == status


@pytest.mark.parametrize("content_type", ["Application/X-WWW-Form-Urlencoded", ""])
def test_a_form_is_read_whatever_the_case_of_its_type_or_without_one(app, content_type):
    client = TestApp(app, lint=False)
    response = client.post("/state/menu/exit", b"Digits=3", content_type=content_type)
    assert response.xml.find("Gather/Say").text == HOURS


def test_the_first_forwarded_scheme_is_the_one_signed(guarded):
    headers = {"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "ivr.example.com"}
    response = post(guarded, "/voice", PARAMS, "https://ivr.example.com/voice", headers)
    assert response.status_int == 200


@pytest.mark.parametrize(
    "number, masked",
    [("+15551234567", "+*******4567"), ("+1234567", "+***4567"), ("123456", "****56"), ("", "-")],
)
def test_a_number_is_masked_to_its_last_digits(number, masked):
    assert mask_number(number) == masked


def test_a_recovered_call_leaves_a_collect_in_progress_behind(app):
    response = TestApp(app).post("/state/nowhere?entry=1234&step=confirm&tries=0")
    assert response.xml.find("Gather").get("action") == "/state/menu/exit?tries=1"


# What the URLs we hand the carrier give away #################################
#
# Every access log on the way (a router, a proxy, the carrier's debugger) keeps URLs whole: the
# caller's number and name, and digits a caller entered, travel sealed, and still reach the
# later steps of the call.

CALLER = "+15551234567"
CALLER_NAME = "Zoë Smith"
ENTERED = "2125550100"
URL_ATTRIBUTES = ("action", "waitUrl", "recordingStatusCallback", "transcribeCallback")


def answered_urls(call) -> list[str]:
    """Every URL in every document the app answered the call with, as the carrier reads it."""
    urls = []
    for webhook in call.requests:
        for element in ElementTree.fromstring(webhook.body).iter():
            urls += [element.get(name) for name in URL_ATTRIBUTES if element.get(name)]
            if element.tag == "Redirect":
                urls.append(element.text or "")
    return urls


def revealed(urls, *secrets) -> list[str]:
    return [url for url in urls for secret in secrets if secret in unquote(url)]


def test_no_url_of_a_voicemail_holds_the_callers_number_or_name(build, validate):
    app = build(transcribe=True)
    call = SimulatedCall(app, from_=CALLER, params={"CallerName": CALLER_NAME}, validate=validate)
    call.start()
    call.press("1")  # orders, by message only
    record = call.document.find("Record")
    urls = answered_urls(call)
    assert record.get("recordingStatusCallback") in urls
    assert revealed(urls, "5551234567", "1234567", "Zoë", "Smith") == []
    # The recording's webhooks still learn who called, and how they came.
    for name in ("recordingStatusCallback", "transcribeCallback"):
        url = record.get(name).partition("#")[0]
        assert opened(app, url) == {"from": CALLER, "name": CALLER_NAME, "via": "orders"}


def queued_for_a_call_back(app, **options):
    """A caller in the help desk queue who asked to be called back at ENTERED, not yet
    confirmed: the call waits at the read-back."""
    call = SimulatedCall(app, from_=CALLER, params={"CallerName": CALLER_NAME}, **options)
    call.start()
    call.press("2")
    call.hold(position=1, queue_time=60)
    call.press("2")  # to be called back
    call.press("2")  # at another number than the caller ID
    call.press(f"{ENTERED}#")
    return call


def test_no_url_of_a_collect_holds_the_digits_entered(build, validate):
    with Hook() as hook:
        app = build(notify_url=notify_url(hook.url))
        call = queued_for_a_call_back(app, validate=validate)
        confirm = call.gather.get("action")
        call.press("1")
    urls = answered_urls(call)
    assert confirm in urls
    assert revealed(urls, ENTERED, "5550100", "5551234567", "1234567") == []
    # The entry reaches the confirmation, and the business gets the number.
    assert opened(app, confirm)["entry"] == ENTERED
    assert [payload["number"] for payload in hook.payloads] == [ENTERED]


# A sealed value that does not open reads as missing ##########################


def changed(token: str, known: str, wanted: str) -> str:
    """One character of the token changed."""
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def cut(token: str, known: str, wanted: str) -> str:
    return token[: len(token) - 5]


def forged(token: str, known: str, wanted: str) -> str:
    """The token's ciphertext changed so that, were nothing checking it, it would open to
    ``wanted`` (as long as ``known``): what someone who knows what they sealed can do to a
    stream cipher."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    start = 1 + NONCE  # after the version and the nonce
    for at, (was, will) in enumerate(zip(known.encode(), wanted.encode(), strict=True)):
        raw[start + at] ^= was ^ will
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def resealed(url: str, token: str) -> str:
    """``url`` with its sealed value replaced by ``token``."""
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    query = "&".join(f"{name}={token if name == SEALED else value}" for name, value in pairs)
    return f"{urlsplit(url).path}?{query}"


def sealed_in(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))[SEALED]


def tampered(kind: str, url: str, other_url: str, known: str, wanted: str) -> str:
    """``url`` with its sealed value changed, cut, forged, or taken from another key's app."""
    if kind == "another key":
        return resealed(url, sealed_in(other_url))
    alter = {"changed": changed, "cut": cut, "forged": forged}[kind]
    return resealed(url, alter(sealed_in(url), known, wanted))


TAMPERINGS = ["changed", "cut", "forged", "another key"]


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_a_collect_whose_sealed_entry_does_not_open_starts_over(build, validate, kind):
    with Hook() as hook:
        app = build(secret_key="one key", notify_url=notify_url(hook.url))
        other = build(secret_key="another key")
        call = queued_for_a_call_back(app, validate=validate)
        elsewhere = queued_for_a_call_back(other)
        action, other_action = call.gather.get("action"), elsewhere.gather.get("action")
        url = tampered(kind, action, other_action, f"entry={ENTERED}", "entry=9995550100")
        assert url != call.gather.get("action")
        call.gather.set("action", url)  # as if the URL had been altered on its way
        call.press("1")  # confirm: but the entry is gone
    assert hook.payloads == []
    assert call.last_heard == [INVALID_ENTRY, ASK]
    assert call.outcome == ("queue", "helpdesk")
    assert SEALED not in call.gather.get("action")
    # Entering the read-back with that URL asks for the number again.
    entering = f"/state/callback_number?step=confirm&{SEALED}={sealed_in(url)}"
    response = TestApp(app).post(entering, {"CallSid": "CA0"})
    assert [say.text for say in response.xml.iter("Say")] == [ASK]


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_a_recording_whose_sealed_caller_does_not_open_is_delivered_without_them(
    build, validate, kind
):
    def voicemail_at(app, **options):
        call = SimulatedCall(app, from_=CALLER, params={"CallerName": CALLER_NAME}, **options)
        call.start()
        call.press("1")
        return call

    with Hook() as hook:
        app = build(secret_key="one key", notify_url=notify_url(hook.url))
        other = build(secret_key="another key")
        call = voicemail_at(app, validate=validate)
        record = call.document.find("Record")
        elsewhere = voicemail_at(other).document.find("Record")
        url, _, retry = record.get("recordingStatusCallback").partition("#")
        other_url = elsewhere.get("recordingStatusCallback").partition("#")[0]
        known = urlencode({"from": CALLER, "name": CALLER_NAME, "via": "orders"})
        wanted = urlencode({"from": "+15559999999", "name": CALLER_NAME, "via": "orders"})
        url = tampered(kind, url, other_url, known, wanted)
        record.set("recordingStatusCallback", f"{url}#{retry}")
        call.record(duration=9)
    assert [seen.status for seen in call.callbacks] == [200]
    [payload] = hook.payloads
    # Who called and how they came travelled sealed together: the message says what it knows.
    assert (payload["from"], payload["caller_name"], payload["via"]) == ("", "", "voicemail")
    assert payload["text"].startswith("New voicemail from a withheld number.")


@pytest.mark.parametrize(
    "token", ["", "%%%", "é", "A" * 3000, "AQ", "sealed", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
)
@pytest.mark.parametrize(
    "path",
    [
        "/state/callback_number?step=confirm",
        "/state/callback_number/exit?step=confirm",
        "/state/voicemail/recorded?via=orders",
        "/state/menu/exit",
    ],
)
def test_a_sealed_value_that_is_not_ours_is_never_a_server_error(app, validate, path, token):
    form = {"CallSid": "CA0", "Digits": "1", "RecordingStatus": "absent"}
    joiner = "&" if "?" in path else "?"
    url = f"{path}{joiner}{SEALED}={quote(token, safe='%')}"
    response = TestApp(app).post(url, form, status="*")
    assert response.status_int == 200
    validate(response.text)


def failing_request(call):
    if call.param("CallSid"):
        raise RuntimeError("a bug in a state played in the queue")
    return [Say("never heard"), Hangup()]


def test_a_failure_in_a_state_the_wait_music_leads_to_leaves_the_queue(build, dial):
    call = dial(build(tree=office.tree(callback_requested=State(failing_request))))
    call.press("2")
    call.hold(position=1, queue_time=60)
    call.press("2")
    call.press("1")  # confirms the number: the state that thanks the caller fails
    assert call.last_heard == ["Leave your message after the tone, then press pound."]
    assert call.waiting_for == "record"
