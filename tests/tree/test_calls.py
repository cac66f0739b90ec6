"""Whole calls through the shipped tree, walked the way Twilio walks them."""

import pytest
from webtest import TestApp

from phonetree_tools.caller import SimulatedCall
from states import TABLE
from tests.tree.prompts import (
    HOURS,
    HOURS_AGAIN,
    INVALID,
    NO_CHOICE,
    NO_MESSAGE,
    SALES,
    SUPPORT,
    THANKS,
    TRANSFER,
    VOICEMAIL,
    WELCOME,
)
from tests.tree.prompts import MENU as PROMPT


def test_greeting_and_menu_come_in_one_answer(dial):
    call = dial()
    assert call.heard == [WELCOME, PROMPT]
    assert len(call.requests) == 1


def test_menu_waits_for_one_key_and_hears_silence(dial):
    gather = dial().gather
    assert gather.get("numDigits") == "1"
    assert gather.get("actionOnEmptyResult") == "true"


def test_menu_also_listens_for_the_words_of_its_options(dial):
    gather = dial().gather
    assert gather.get("input") == "dtmf speech"
    assert gather.get("hints") == "sales, support, hours, operator, receptionist"


def test_menu_key_3_reads_the_hours(dial):
    call = dial()
    call.press("3")
    assert call.last_heard == [HOURS, HOURS_AGAIN]


def test_hours_key_1_reads_the_hours_again(dial):
    call = dial()
    call.press("3")
    call.press("1")
    assert call.last_heard == [HOURS, HOURS_AGAIN]


@pytest.mark.parametrize("key", ["2", "5", "9", "0", "*", "#"])
def test_hours_any_other_key_goes_back_to_the_menu(dial, key):
    call = dial()
    call.press("3")
    call.press(key)
    assert call.last_heard == [PROMPT]


def test_hours_silence_goes_back_to_the_menu(dial):
    call = dial()
    call.press("3")
    call.silence()
    assert call.last_heard == [PROMPT]


def test_menu_key_9_repeats_the_menu(dial):
    call = dial()
    call.press("9")
    assert call.last_heard == [PROMPT]


@pytest.mark.parametrize("key", ["4", "5", "6", "7", "8", "*"])
def test_invalid_key_says_so_and_repeats_the_menu_in_one_answer(dial, key):
    call = dial()
    requests_before = len(call.requests)
    call.press(key)
    assert call.last_heard == [INVALID, PROMPT]
    assert len(call.requests) == requests_before + 1


def test_silence_at_the_menu_says_no_choice_was_heard_and_repeats_the_menu(dial):
    call = dial()
    call.silence()
    assert call.last_heard == [NO_CHOICE, PROMPT]


def test_silence_and_wrong_keys_together_count_towards_a_person(dial):
    call = dial()
    call.silence()
    call.press("7")
    call.silence()
    assert call.last_heard == [TRANSFER]


def test_the_finishing_key_alone_at_the_menu_is_heard_as_no_choice(dial):
    call = dial()
    call.press("#")  # Twilio ends the Gather and posts no Digits
    assert call.last_heard == [NO_CHOICE, PROMPT]


# With numDigits="1" Twilio stops listening after the first key and posts only that key.


def test_two_keys_at_the_menu_post_the_first_as_twilio_does(dial):
    call = dial()
    call.press("12")
    assert call.requests[-1].params["Digits"] == "1"
    assert call.last_heard == [SALES, VOICEMAIL]


@pytest.mark.parametrize("digits", ["12", "31", "00", "1#"])
def test_more_digits_than_the_menu_takes_are_an_invalid_choice(app, validate, digits):
    # Twilio never posts this to a one-key menu: a hand-made or replayed request may. Acting on
    # its first key would guess; an invalid choice and the menu again is what a caller can use.
    response = TestApp(app).post("/state/menu/exit", {"CallSid": "CA1", "Digits": digits})
    validate(response.text)
    assert [say.text for say in response.xml.iter("Say")] == [INVALID, PROMPT]


def test_menu_key_1_leads_to_sales_voicemail(dial):
    call = dial()
    call.press("1")
    assert call.last_heard == [SALES, VOICEMAIL]
    assert call.waiting_for == "record"


def test_a_recorded_message_is_thanked_and_the_call_ends(dial):
    call = dial()
    call.press("1")
    call.record(duration=12)
    assert call.last_heard == [THANKS]
    assert call.outcome == ("hangup",)


def test_an_empty_recording_ends_politely(dial):
    call = dial()
    call.press("1")
    call.record(duration=0)  # Twilio requests no action, and plays what follows the Record
    assert call.last_heard == [NO_MESSAGE]
    assert call.outcome == ("hangup",)


def test_a_message_is_recorded_to_the_voicemail_exit(dial):
    call = dial()
    call.press("1")
    assert call.document.find("Record").get("action") == "/state/voicemail/exit"


def test_the_hours_wait_for_one_key(dial):
    call = dial()
    call.press("3")
    assert call.gather.get("numDigits") == "1"


def test_the_hours_pause_before_the_way_back_to_the_menu(dial):
    call = dial()
    call.press("3")
    assert [verb.tag for verb in call.gather] == ["Say", "Pause", "Say"]


def test_menu_key_2_queues_for_support(dial):
    call = dial()
    call.press("2")
    assert call.last_heard == [SUPPORT]
    assert call.outcome == ("queue", "support")


def test_menu_key_0_dials_the_receptionist(dial):
    call = dial()
    call.press("0")
    assert call.outcome == ("dial", "+15555550100")


def test_no_answer_from_the_receptionist_leads_to_voicemail(dial):
    call = dial()
    call.press("0")
    call.dial_result("no-answer")
    assert call.last_heard == ["Sorry, no one can take your call right now.", VOICEMAIL]
    assert call.waiting_for == "record"


def test_a_whole_call_alternates_between_two_app_instances(build, validate):
    served = {"first": 0, "second": 0}

    def counting(app, name):
        def wsgi(environ, start_response):
            served[name] += 1
            return app(environ, start_response)

        return wsgi

    call = SimulatedCall(
        [counting(build(), "first"), counting(build(), "second")], validate=validate
    )
    call.start("/voice")
    for key in ("3", "1", "2", "7", "1"):
        call.press(key)
    call.record()
    assert call.outcome == ("hangup",)
    assert served == {"first": 4, "second": 4}  # seven webhooks and the recording callback


def test_no_answer_sets_a_cookie(dial):
    call = dial()
    call.press("3")
    call.press("5")
    call.press("0")
    call.dial_result("busy")
    call.record()
    assert call.cookies_seen == []


def every_route(app):
    """(method, path) of every route the table generated, with what Twilio would post."""
    for route in app.routes:
        if "<" not in route.rule and route.rule != "/healthz":
            yield route.method, route.rule


def test_every_state_has_its_routes(app):
    rules = {route.rule for route in app.routes}
    for name, row in TABLE.items():
        assert f"/state/{name}" in rules
        assert (f"/state/{name}/exit" in rules) == row.waits


@pytest.mark.parametrize("params", [{}, {"Digits": "1"}, {"Digits": "x"}, {"SpeechResult": "hi"}])
def test_every_route_answers_valid_twiml_without_cookies(app, validate, params):
    client = TestApp(app)
    form = {"CallSid": "CA0", "From": "+15551234567", **params}
    for method, path in every_route(app):
        send = client.get if method == "GET" else client.post
        response = send(path, form)
        assert response.status_int == 200, path
        assert response.content_type == "text/xml", path
        assert "Set-Cookie" not in response.headers, path
        validate(response.text)
