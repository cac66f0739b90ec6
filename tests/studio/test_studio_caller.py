"""What the studio needs of the simulated caller: a caller who hangs up, the number's status
callback, the clock Twilio's times come from, and a record of each request and what it made
the caller hear."""

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest

from phonetree_tools.caller import CallFailed, SimulatedCall
from tests.conftest import OPEN
from tests.tree.prompts import HOURS, WELCOME

LATER = datetime(2027, 3, 2, 14, 30, tzinfo=timezone.utc)


@pytest.fixture
def call(app):
    placed = SimulatedCall(app, clock=lambda: LATER)
    placed.start("/voice")
    return placed


def test_each_request_has_its_place_among_every_request_of_the_call(call):
    call.press("1")
    call.record(duration=4)
    seen = sorted(call.requests + call.callbacks, key=lambda webhook: webhook.sequence)
    assert [webhook.sequence for webhook in seen] == [1, 2, 3, 4]


def test_the_recording_callback_comes_after_the_record_action(call):
    call.press("1")
    call.record(duration=4)
    assert call.callbacks[0].sequence > call.requests[-1].sequence


def test_each_request_says_how_long_its_answer_took(call):
    assert call.requests[0].ms > 0


def test_each_thing_heard_names_the_request_whose_answer_it_came_from(call):
    call.press("3")
    assert [(item.text, item.request) for item in call.heard_verbs[-2:-1]] == [(HOURS, 2)]


def test_each_thing_heard_has_the_language_of_its_say(build):
    bilingual = SimulatedCall(build(languages=("en-US", "es-US")))
    bilingual.start("/voice")
    languages = [item.language for item in bilingual.heard_verbs]
    assert languages == ["en-US", "en-US", "es-US"]


def test_heard_verbs_follow_heard_one_for_one(call):
    call.press("2")
    call.hold(position=2)
    assert [item.text for item in call.heard_verbs] == call.heard


def test_a_play_is_heard_with_its_url(call):
    call.press("2")
    call.hold(position=1)
    plays = [item for item in call.heard_verbs if item.verb == "Play"]
    assert plays[0].url.endswith("BusyStrings.mp3")


def test_the_first_thing_heard_is_the_welcome(call):
    assert call.heard_verbs[0].text == WELCOME


def test_the_waiting_verb_is_the_gather_of_the_menu(call):
    assert call.waiting_verb.get("action") == "/state/menu/exit"


def test_the_waiting_verb_is_none_once_the_call_ended(call):
    call.hang_up()
    assert call.waiting_verb is None


def test_hanging_up_at_a_menu_requests_nothing(call):
    sent = len(call.requests)
    call.hang_up()
    assert len(call.requests) == sent


def test_hanging_up_ends_the_call(call):
    call.hang_up()
    assert (call.waiting_for, call.outcome) == (None, ("hangup",))


def test_hanging_up_an_ended_call_is_refused(call):
    call.hang_up()
    with pytest.raises(CallFailed, match="has ended"):
        call.hang_up()


def test_hanging_up_while_recording_posts_the_recording_with_digits_hangup(call):
    call.press("1")
    call.hang_up(duration=7)
    assert call.requests[-1].params["Digits"] == "hangup"


def test_hanging_up_while_recording_keeps_the_recording(call):
    call.press("1")
    call.hang_up(duration=7)
    assert call.requests[-1].params["RecordingDuration"] == "7"


def test_hanging_up_while_recording_runs_none_of_the_answer(call):
    call.press("1")
    call.hang_up(duration=7)
    assert call.last_heard == []


def test_hanging_up_while_recording_sends_the_recording_callback(call):
    call.press("1")
    call.hang_up(duration=7)
    assert call.callbacks[0].params["RecordingStatus"] == "completed"


def test_hanging_up_before_saying_anything_records_nothing(call):
    call.press("1")
    sent = len(call.requests)
    call.hang_up(duration=0)
    assert (len(call.requests), call.callbacks) == (sent, [])


def test_hanging_up_in_the_queue_tells_the_enqueue_action(call):
    call.press("2")
    call.hang_up()
    assert call.requests[-1].params["QueueResult"] == "hangup"


def test_hanging_up_in_the_queue_hears_nothing_more(call):
    call.press("2")
    call.hang_up()
    assert (call.last_heard, call.outcome) == ([], ("hangup",))


def test_hanging_up_at_the_offer_of_the_queue_tells_the_enqueue_action(call):
    call.press("2")
    call.hold(position=1, queue_time=90)
    call.hang_up()
    assert call.requests[-1].params["QueueResult"] == "hangup"


def test_hanging_up_while_a_dial_rings_cancels_it(call):
    call.press("0")
    call.hang_up()
    assert call.requests[-1].params["DialCallStatus"] == "canceled"


def test_hanging_up_while_a_dial_rings_hears_nothing_more(call):
    call.press("0")
    call.hang_up()
    assert call.last_heard == []


def test_the_status_callback_says_the_call_completed(call):
    call.hang_up()
    sent = call.status_callback(duration=42)
    assert (sent.params["CallStatus"], sent.params["CallDuration"]) == ("completed", "42")


def test_the_status_callback_goes_to_the_status_route(call):
    call.hang_up()
    sent = call.status_callback()
    assert (sent.url, sent.status) == ("http://localhost/status", 200)


def test_twilio_times_come_from_the_callers_clock(call):
    call.hang_up()
    sent = call.status_callback()
    assert parsedate_to_datetime(sent.params["Timestamp"]) == LATER


def test_recording_start_time_comes_from_the_callers_clock(call):
    call.press("1")
    call.record(duration=3)
    started = call.callbacks[0].params["RecordingStartTime"]
    assert parsedate_to_datetime(started) == LATER


def test_without_a_clock_twilio_times_are_now(app):
    placed = SimulatedCall(app)
    placed.start("/voice")
    placed.hang_up()
    sent = placed.status_callback()
    assert parsedate_to_datetime(sent.params["Timestamp"]) > OPEN
