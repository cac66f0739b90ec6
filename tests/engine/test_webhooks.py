"""Webhooks that are safe in production: signatures, recovery, retry limits, bad input, logs."""

import logging
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from webtest import TestApp

import states
from phonetree import log_mode
from phonetree_engine.settings import Config
from phonetree_engine.tree import Keys, State
from phonetree_engine.web import MAX_FIELDS, WebhookLine, mask_number, parse_pairs
from phonetree_tools.caller import SimulatedCall
from tests.prompts import MENU, SORRY

TOKEN = "12345678901234567890123456789012"
SHARED = "shared-key-secret"
PARAMS = {"CallSid": "CA0", "From": "+15551234567", "To": "+15557654321", "Digits": "3"}
MULTIPART = b"--x\r\nContent-Disposition: form-data; name=Digits\r\n\r\n3\r\n--x--"


def signature(url, params, key=TOKEN, algorithm=None):
    return RequestValidator(key).compute_signature(url, params, algorithm)


@pytest.fixture
def guarded(build):
    return TestApp(build(auth_token=TOKEN, shared_key=SHARED))


def post(client, path, params, sign_url=None, headers=(), key=TOKEN, status="*"):
    headers = dict(headers)
    if sign_url is not None:
        headers["X-Twilio-Signature"] = signature(sign_url, params, key)
    return client.post(path, params, headers=headers, status=status)


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


def test_configured_public_url_overrides_forwarded_headers(build):
    client = TestApp(build(auth_token=TOKEN, public_url="https://ivr.example.com"))
    headers = {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "wrong.example.com"}
    response = post(client, "/voice", PARAMS, "https://ivr.example.com/voice", headers)
    assert response.status_int == 200


def test_public_url_with_a_path_prefixes_the_urls_in_twiml(build):
    client = TestApp(build(auth_token=TOKEN, public_url="https://example.com/ivr"))
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
    assert response.xml[0].find("Say").text.startswith("We are open")


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


def test_a_signed_call_walks_the_whole_tree(build, validate):
    call = SimulatedCall(build(auth_token=TOKEN), auth_token=TOKEN, validate=validate)
    call.start()
    call.press("3")
    call.press("2")
    call.press("0")
    assert call.outcome == ("dial", "+15555550100")


# Recovery: a caller never hears "an application error has occurred" ##########


def broken(call):
    raise RuntimeError("a bug in a handler")


def table_with(**rows):
    return {**states.TABLE, **rows}


def test_unknown_state_apologises_and_goes_on_at_the_menu(app):
    response = TestApp(app).post("/state/renamed_in_a_deploy/exit", PARAMS)
    says = [say.text for say in response.xml.iter("Say")]
    assert says[0] == SORRY
    assert response.xml.find("Gather").get("action") == "/state/menu/exit?tries=1"


def test_failing_exit_handler_apologises_and_goes_on_at_the_menu(build, validate, caplog):
    def buggy_menu(call):
        raise RuntimeError("a bug in a handler")

    from phonetree import make_app
    from phonetree_engine.settings import Config
    from phonetree_engine.tree import Choose

    table = table_with(hours=State(states.hours.enter, Choose(buggy_menu, ("menu",))))
    call = SimulatedCall(make_app(Config(), table=table), validate=validate)
    call.start()
    call.press("3")
    call.press("1")
    assert call.last_heard[:2] == [SORRY, MENU]
    assert "Traceback" in caplog.text
    assert "Traceback" not in call.requests[-1].body


def test_repeated_failures_put_the_caller_through_to_a_person(validate):
    from phonetree import make_app
    from phonetree_engine.settings import Config
    from phonetree_engine.tree import Choose

    targets = tuple(target for _, target in states.TABLE["menu"].edges())
    table = table_with(menu=State(states.menu.enter, Choose(broken, targets)))
    call = SimulatedCall(make_app(Config(), table=table), validate=validate)
    call.start()
    for _ in range(Config().max_retries):
        call.press("3")
    assert call.outcome == ("dial", "+15555550100")


def test_html_error_pages_are_never_served(app):
    response = TestApp(app).get("/no/such/page", status=404)
    assert response.content_type == "text/plain"


@pytest.mark.parametrize("path", ["/state/..", "/state/" + "x" * 5000, "/state/menu/exit/../x"])
def test_path_tricks_get_twiml_not_an_error(app, validate, path):
    response = TestApp(app).post(path, PARAMS)
    validate(response.text)
    assert response.xml[0].text == SORRY


# Retry limits ################################################################


@pytest.mark.parametrize("press", ["7", None])
def test_thirty_failed_tries_never_loop(dial, press):
    call = dial()
    for _ in range(30):
        if call.waiting_for != "input":
            break
        call.press(press) if press else call.silence()
    assert call.outcome == ("dial", "+15555550100")


def test_after_max_retries_the_caller_hears_why_before_the_transfer(dial):
    call = dial()
    call.press("7")
    call.press("7")
    call.press("7")
    assert call.last_heard[0].startswith("Sorry, I still did not get that.")


def test_retry_limit_is_configurable(build, validate):
    call = SimulatedCall(build(max_retries=1), validate=validate)
    call.start()
    call.silence()
    assert call.outcome == ("dial", "+15555550100")


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
        (b"Digits=%zz&&==&Digits", "application/x-www-form-urlencoded"),
        (b"Digits=\xff\xfe3", "application/x-www-form-urlencoded"),
        (b'{"Digits": "3"}', "application/json"),
        (MULTIPART, "multipart/form-data; boundary=x"),
        (b"Digits=" + b"9" * 60000, "application/x-www-form-urlencoded"),
        (b"Digits=3&Digits=1", "application/x-www-form-urlencoded"),
    ],
)
def test_odd_bodies_get_twiml(app, validate, body, content_type):
    response = TestApp(app).post("/state/menu/exit", body, content_type=content_type)
    validate(response.text)
    assert response.status_int == 200


def test_repeated_parameters_take_the_first(app):
    response = TestApp(app).post("/state/menu/exit", "Digits=3&Digits=1")
    assert response.xml.find("Gather").get("action") == "/state/hours/exit"


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
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("webhook ")]
    assert len(lines) == 1
    assert (
        "call=CA0 from=+*******4567 path=/state/menu/exit digits=3 entered=hours next=hours ms="
        in lines[0]
    )


def test_a_webhook_line_written_late_says_how_long_the_answer_took():
    """The writer builds the line when it writes, perhaps 0.1 s later: ``ms`` is the answer's."""
    started = time.perf_counter()
    line = WebhookLine({"PATH_INFO": "/voice"}, {"CallSid": "CA0"}, "menu", ["menu"], started)
    time.sleep(0.2)
    assert float(str(line).rpartition(" ms=")[2]) < 100


def test_a_request_from_anyone_but_twilio_is_logged_as_refused(guarded, caplog):
    post(guarded, "/voice", PARAMS)
    assert "refused path=/voice" in caplog.text


def test_building_an_open_app_says_nothing_about_signatures(build, caplog):
    build()  # as call, graph and check do: serving_app() says which mode it serves in
    assert "signature" not in caplog.text


def test_keys_table_with_words_matches_speech():
    keys = Keys(keys={"1": "a"}, words={"en-US": {"support": "b"}}, otherwise="c")
    from phonetree_engine.settings import Config
    from phonetree_engine.tree import Call as HandlerCall

    call = HandlerCall("menu", Config(), {"SpeechResult": "I need Support, please."})
    assert keys.decide(call) == ("b", False)


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
    from phonetree_engine.settings import Config
    from phonetree_engine.tree import Call as HandlerCall

    keys = Keys(keys={"1": "a"}, otherwise="wrong", silence="quiet")
    assert keys.decide(HandlerCall("menu", Config(), params)) == decided


def test_keys_without_a_silence_state_take_silence_as_a_wrong_key():
    from phonetree_engine.settings import Config
    from phonetree_engine.tree import Call as HandlerCall

    keys = Keys(keys={"1": "a"}, otherwise="wrong")
    assert keys.decide(HandlerCall("menu", Config(), {})) == ("wrong", True)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(alphabet="ab=&%+2Fé;", max_size=60).map(str.encode))
def test_form_parsing_agrees_with_the_standard_library(raw):
    expected = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
    assert parse_pairs(raw) == expected


def test_huge_values_are_not_remembered(app):
    from phonetree_engine.web import split_cached

    before = split_cached.cache_info().currsize
    TestApp(app).post("/voice", "CallerName=" + "%41" * 20000)
    assert split_cached.cache_info().currsize == before


def test_long_paths_are_not_remembered(guarded):
    from phonetree_engine.web import quote_cached

    post(guarded, "/voice", PARAMS, sign_url="http://localhost/voice")
    path = "/state/" + "a" * 5000
    before = quote_cached.cache_info()
    post(guarded, path, PARAMS, sign_url=f"http://localhost{path}")  # the signature reads it
    after = quote_cached.cache_info()
    assert after.currsize == before.currsize
    assert after.hits > before.hits  # the short part of the URL was looked up, and found


# Callbacks fail safe: a queue's wait music may not Dial, Record or Gather the menu ##


def failing_wait(call):
    raise RuntimeError("a bug in the wait music")


def test_a_failing_wait_callback_takes_the_caller_out_of_the_queue_to_voicemail(validate):
    from phonetree import make_app
    from phonetree_engine.settings import Config
    from tests.conftest import OPEN
    from tests.prompts import VOICEMAIL

    support = states.TABLE["support"]
    table = table_with(support=support._replace(callbacks={"wait": failing_wait}))
    for retries in (1, 3):
        app = make_app(Config(max_retries=retries), table=table, clock=lambda: OPEN)
        call = SimulatedCall(app, validate=validate)
        call.start()
        call.press("2")
        call.hold(position=1)
        assert call.last_heard == [VOICEMAIL]


def test_an_unknown_callback_of_a_waiting_caller_leaves_the_queue(app, validate):
    form = {**PARAMS, "QueuePosition": "1", "QueueSid": "QU1", "QueueTime": "3"}
    response = TestApp(app).post("/state/old_support/wait", form)
    validate(response.text)
    assert [verb.tag for verb in response.xml] == ["Leave"]


def test_an_unknown_status_callback_gets_an_empty_answer(app, validate):
    form = {**PARAMS, "RecordingStatus": "completed"}
    response = TestApp(app).post("/state/old_voicemail/recorded", form)
    assert len(response.xml) == 0


# The end of a call ###########################################################

ENDED = {**PARAMS, "CallStatus": "completed", "CallDuration": "42"}


def test_the_status_callback_logs_the_end_of_the_call(guarded, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    response = post(guarded, "/status", ENDED, "http://localhost/status")
    assert (response.status_int, response.xml.tag, len(response.xml)) == (200, "Response", 0)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("call-ended")]
    assert lines == ["call-ended call=CA0 status=completed duration=42"]


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
    assert " entered=sales,voicemail next=voicemail " in caplog.records[-1].getMessage()


# Deployments with one kind of secret #########################################

SHA256_SETTINGS = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"


def shared_key_headers(url, params, key=SHARED):
    return {
        "X-Twilio-Signature": signature(url, params, key, "HMAC_SHA256"),
        "X-Twilio-Webhooks-Signature-Settings": SHA256_SETTINGS,
    }


@pytest.fixture
def shared_only(build):
    return TestApp(build(shared_key=SHARED))


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
    log_mode(Config(shared_key=SHARED, public_url="https://ivr.example.com"))
    assert caplog.messages == ["mode signatures=TWILIO_SHARED_KEY url=https://ivr.example.com"]


def test_a_signature_made_with_the_shared_key_needs_the_settings_header(guarded):
    response = post(guarded, "/voice", PARAMS, "http://localhost/voice", key=SHARED)
    assert response.status_int == 403


def test_an_auth_token_only_deployment_refuses_shared_key_signatures(build):
    client = TestApp(build(auth_token=TOKEN))
    headers = shared_key_headers("http://localhost/voice", PARAMS)
    assert client.post("/voice", PARAMS, headers=headers, status="*").status_int == 403


def test_a_forwarded_host_urllib_cannot_parse_is_refused(guarded):
    headers = {"X-Twilio-Signature": "0", "X-Forwarded-Host": "["}
    assert guarded.get("/state/error", headers=headers, status="*").status_int == 403


# Forms, headers and log lines at their limits ################################

FORM_TYPE = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("count, status", [(MAX_FIELDS, 200), (MAX_FIELDS + 1, 400)])
def test_the_field_limit_is_the_last_count_accepted(app, count, status):
    body = "&".join(f"f{n}=1" for n in range(count))
    response = TestApp(app).post("/voice", body, content_type=FORM_TYPE, status="*")
    assert response.status_int == status


@pytest.mark.parametrize("content_type", ["Application/X-WWW-Form-Urlencoded", ""])
def test_a_form_is_read_whatever_the_case_of_its_type_or_without_one(app, content_type):
    client = TestApp(app, lint=False)
    response = client.post("/state/menu/exit", b"Digits=3", content_type=content_type)
    assert response.xml.find("Gather/Say").text.startswith("We are open")


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
