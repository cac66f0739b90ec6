"""Call me back instead of holding, and the estimated wait: what callers hear in the shipped
tree's support queue, whose wait music is the ``hold`` state."""

from urllib.parse import urlsplit

import pytest

from phonetree import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN
from tests.receivers import Hook, Mailbox
from tests.tree.prompts import (
    CALLBACK_ASK,
    CALLBACK_DECLINED,
    CALLBACK_INVALID,
    CALLBACK_OFFER,
    OFFER,
    VOICEMAIL,
)

CALLER = "+15551234567"
READ_BACK = "1, 5, 5, 5, 1, 2, 3, 4, 5, 6, 7"
OFFERED = f"We will call you back at {READ_BACK}. Press 1 to confirm, or 2 to enter another number."


def tree(**environ):
    """The shipped tree at an open hour, its settings given as variables."""
    return make_app(environ, clock=lambda: OPEN)


def queued(app, from_=CALLER, validate=None, **hold):
    """A caller in the support queue long enough to hear the offers."""
    call = SimulatedCall(app, from_=from_, params={"CallerName": "Zoë Smith"}, validate=validate)
    call.start("/voice")
    call.press("2")
    call.hold(**{"position": 2, "queue_time": 90, **hold})
    return call


@pytest.fixture
def hook():
    with Hook() as receiver:
        yield receiver


# The wait music: the hold state ##############################################


def test_the_support_queue_plays_the_hold_state_as_its_wait_music(dial):
    call = dial()
    call.press("2")
    assert call.document.find("Enqueue").get("waitUrl") == "/state/hold"


def test_pressing_1_in_the_queue_leaves_it_and_the_queue_goes_on_to_voicemail(validate):
    call = queued(tree(), validate=validate)
    call.press("1")
    left, after = call.requests[-2:]
    assert (urlsplit(left.url).path, urlsplit(after.url).path) == (
        "/state/hold/exit",
        "/state/support/exit",
    )
    assert after.params["QueueResult"] == "leave"
    assert call.last_heard == [VOICEMAIL]
    assert call.waiting_for == "record"


# The estimated wait ##########################################################


@pytest.mark.parametrize(
    ("average", "heard"),
    [
        (20, "The estimated wait is less than a minute."),
        (60, "The estimated wait is about 1 minute."),
        (170, "The estimated wait is about 3 minutes."),
        (1800, "The estimated wait is about 30 minutes."),
    ],
)
def test_a_queued_caller_hears_the_estimated_wait(average, heard):
    call = queued(tree(), avg_queue_time=average)
    assert call.last_heard[:2] == ["You are caller number 2.", heard]


@pytest.mark.parametrize("average", [0, None])
def test_no_estimate_without_an_average_from_twilio(average):
    call = queued(tree(), avg_queue_time=average if average is not None else "")
    assert not any("estimated wait" in heard for heard in call.last_heard)


# The offer ###################################################################


def test_when_voicemail_is_offered_a_callback_is_offered_too():
    call = queued(tree())
    assert call.last_heard[1:3] == [OFFER, CALLBACK_OFFER]


def test_no_callback_is_offered_before_voicemail_is():
    call = queued(tree(), queue_time=10)
    assert CALLBACK_OFFER not in call.last_heard


def test_pressing_2_reads_the_caller_id_back_digit_by_digit():
    call = queued(tree())
    call.press("2")
    assert call.last_heard == [OFFERED]
    assert call.outcome == ("queue", "support")  # still queued while confirming


# Confirmed or changed, then delivered ########################################


def test_a_confirmed_caller_id_reaches_the_business_and_the_caller_is_thanked(hook, validate):
    call = queued(tree(NOTIFY_URL=hook.url), validate=validate)
    call.press("2")
    call.press("1")
    [payload] = hook.payloads
    assert (payload["type"], payload["number"]) == ("callback-request", CALLER)
    assert payload["id"] == call.params["CallSid"]
    assert call.last_heard == [
        f"Thank you. We will call you back at {READ_BACK} as soon as we can. Goodbye."
    ]
    assert call.outcome == ("hangup",)


def test_the_callback_request_is_emailed_with_the_number_to_call():
    with Mailbox() as mailbox:
        call = queued(tree(**mailbox.settings))
        call.press("2")
        call.press("1")
    [mail] = mailbox.messages
    assert mail["Subject"] == f"Call back {CALLER}"
    assert f"Caller: {CALLER} (Zoë Smith)" in mail.get_content()
    assert mail["Message-ID"] == f"<callback-request.{call.params['CallSid']}@example.com>"


def test_another_number_is_entered_read_back_and_delivered(hook, validate):
    call = queued(tree(NOTIFY_URL=hook.url), validate=validate)
    call.press("2")
    call.press("2")  # enter another number
    assert call.last_heard == [CALLBACK_ASK]
    call.press("2125550100#")
    assert call.last_heard == [
        "You entered 2, 1, 2, 5, 5, 5, 0, 1, 0, 0. Press 1 to confirm, or 2 to enter it again."
    ]
    call.press("1")
    assert hook.payloads[0]["number"] == "2125550100"
    assert hook.payloads[0]["from"] == CALLER


@pytest.mark.parametrize("withheld", ["anonymous", "+266696687", "+7378742833", "Restricted", ""])
def test_a_withheld_caller_id_goes_straight_to_entering_a_number(hook, withheld):
    call = queued(tree(NOTIFY_URL=hook.url), from_=withheld)
    call.press("2")
    assert call.last_heard == [CALLBACK_ASK]
    call.press("2125550100#")
    call.press("1")
    assert hook.payloads[0]["number"] == "2125550100"


def test_a_too_short_number_is_refused_and_asked_again():
    call = queued(tree(), from_="anonymous")
    call.press("2")
    call.press("123#")
    assert call.last_heard == [CALLBACK_INVALID, CALLBACK_ASK]


def test_too_many_tries_lead_to_voicemail():
    call = queued(tree(), from_="anonymous")
    call.press("2")
    call.silence()
    call.silence()
    assert call.last_heard == ["Sorry, I did not hear any digits.", CALLBACK_ASK]
    call.silence()
    assert call.last_heard == [CALLBACK_DECLINED, VOICEMAIL]
    assert call.waiting_for == "record"


def test_a_request_the_business_did_not_get_leads_to_voicemail():
    mailbox = Mailbox()  # down
    call = queued(tree(**mailbox.settings))
    call.press("2")
    call.press("1")
    assert call.last_heard == [CALLBACK_DECLINED, VOICEMAIL]
    assert call.waiting_for == "record"


def test_the_callback_request_is_a_business_event_with_the_number_masked(caplog):
    caplog.set_level("INFO", logger="phonetree")
    call = queued(tree())
    call.press("2")
    call.press("1")
    line = next(r.getMessage() for r in caplog.records if "callback-request" in r.getMessage())
    assert line.startswith(f"callback-request call={call.params['CallSid']} number=+*******4567")
    assert CALLER not in caplog.text
