"""Call me back instead of holding, on the office: a queue's wait music is a state of the table
(``hold``), whose options lead to a collect that plays in the queue; the confirmed number goes
to the business on every channel, and the caller hears whether anyone has it."""

import logging
import time

import pytest

from phonetree_engine import collect
from phonetree_engine.delivery import Delivery, Later, notify
from phonetree_engine.delivery.notify import LIVE_WAIT
from phonetree_engine.settings import Config
from phonetree_engine.web import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN
from tests.engine.heard import (
    ASK,
    CALLBACK_OFFER,
    DECLINED,
    INVALID_ENTRY,
    MUSIC,
    NO_DIGITS,
    RECORD,
    VOICEMAIL_OFFER,
)
from tests.engine.odd_receivers import Silent
from tests.engine.trees import office
from tests.receivers import Hook, Mailbox

CALLER = "+15551234567"
OFFERED = "Office: we have 1, 5, 5, 5, 1, 2, 3, 4, 5, 6, 7. 1 to confirm, 2 for another."
THANKS = "We will call 1, 5, 5, 5, 1, 2, 3, 4, 5, 6, 7 back. Goodbye."


def office_app(tree=office.TREE, **environ):
    """The office at an open hour, its settings given as variables (SMTP_URL, NOTIFY_URL...)."""
    return make_app(tree, environ, clock=lambda: OPEN)


def queued(app, from_=CALLER, validate=None, **hold):
    """A caller in the help desk queue long enough to hear the offers."""
    call = SimulatedCall(app, from_=from_, params={"CallerName": "Zoë Smith"}, validate=validate)
    call.start("/voice")
    call.press("2")
    call.hold(**{"position": 2, "queue_time": 90, **hold})
    return call


@pytest.fixture
def hook():
    with Hook() as receiver:
        yield receiver


# The wait music: a state of the table ##########################################


def test_the_queue_plays_its_hold_state_as_wait_music(validate):
    call = SimulatedCall(office_app(), validate=validate)
    call.start()
    call.press("2")
    assert call.document.find("Enqueue").get("waitUrl") == "/state/hold"


def test_the_hold_state_hears_the_callers_place_and_the_average_wait(validate):
    call = queued(office_app(), avg_queue_time=170, validate=validate)
    assert call.last_heard[:2] == ["You are number 2 in line.", "Expect about 3 minutes."]


@pytest.mark.parametrize("average", [0, ""])
def test_no_estimate_without_an_average_from_the_carrier(average):
    call = queued(office_app(), avg_queue_time=average)
    assert not any(heard.startswith("Expect") for heard in call.last_heard)


def test_the_hold_states_options_are_read_once_it_offers_them(validate):
    call = queued(office_app(), validate=validate)
    assert call.last_heard == ["You are number 2 in line.", VOICEMAIL_OFFER, CALLBACK_OFFER, MUSIC]
    assert call.gather.get("action") == "/state/hold/exit"


def test_no_option_is_offered_before_the_hold_state_says_so():
    call = queued(office_app(), queue_time=10)
    assert call.last_heard == ["You are number 2 in line.", MUSIC]
    assert call.waiting_for == "queue"


def test_any_other_key_in_the_queue_plays_the_wait_music_again():
    call = queued(office_app())
    call.press("5")
    assert call.last_heard == [MUSIC]
    assert call.outcome == ("queue", "helpdesk")


# Confirmed or changed, then delivered ########################################


def test_pressing_2_reads_the_caller_id_back_digit_by_digit():
    call = queued(office_app())
    call.press("2")
    assert call.last_heard == [OFFERED]
    assert call.outcome == ("queue", "helpdesk")  # still queued while confirming


def test_a_confirmed_caller_id_reaches_the_business_and_the_caller_is_thanked(hook, validate):
    call = queued(office_app(NOTIFY_URL=hook.url), validate=validate)
    call.press("2")
    call.press("1")
    [payload] = hook.payloads
    assert (payload["type"], payload["number"], payload["from"]) == (
        "callback-request",
        "15551234567",
        CALLER,
    )
    assert payload["via"] == "help desk queue"
    assert payload["id"] == call.params["CallSid"]
    assert call.last_heard == [THANKS]
    assert call.outcome == ("hangup",)


def test_a_hung_mail_server_keeps_a_caller_asking_for_a_call_back_a_moment_only():
    # The delivery's deadline is far longer than a live call's wait: the caller hears the
    # truth after the wait, while the mail server is still being waited on.
    with Silent() as server:
        environ = {"SMTP_URL": server.smtp_url, "NOTIFY_EMAIL": "office@example.com"}
        environ["MAIL_FROM"] = "phonetree@example.com"
        delivery = Delivery.from_config(Config.from_environ(environ), deadline=8)
        app = make_app(office.TREE, environ, clock=lambda: OPEN, delivery=delivery)
        call = queued(app)
        call.press("2")
        started = time.monotonic()
        call.press("1")
        took = time.monotonic() - started
    assert call.last_heard[0] == DECLINED
    assert LIVE_WAIT <= took < 3.0  # docs/messages.md: the caller waits 1.5 seconds at most


def test_a_call_back_request_no_channel_took_reaches_the_business_on_a_later_try():
    with Hook(status=503) as hook:
        environ = {"NOTIFY_URL": hook.url}
        delivery = Delivery.from_config(Config.from_environ(environ))
        delivery.later = Later(delivery, notify.tried_again, schedule=(0.3, 0.3, 0.3))
        call = queued(make_app(office.TREE, environ, clock=lambda: OPEN, delivery=delivery))
        call.press("2")
        call.press("1")
        assert call.last_heard[0] == DECLINED  # the truth: nobody has it yet
        hook.status = 200
        [payload] = hook.wait_for(1)
    assert (payload["type"], payload["number"]) == ("callback-request", "15551234567")


def test_the_callback_request_is_emailed_with_the_number_to_call():
    with Mailbox() as mailbox:
        call = queued(office_app(**mailbox.settings))
        call.press("2")
        call.press("1")
    [mail] = mailbox.messages
    assert mail["Subject"] == "Call back 15551234567"
    assert f"Caller: {CALLER} (Zoë Smith)" in mail.get_content()
    assert mail["Message-ID"] == f"<callback-request.{call.params['CallSid']}@example.com>"


def test_another_number_is_entered_read_back_and_delivered(hook, validate):
    call = queued(office_app(NOTIFY_URL=hook.url), validate=validate)
    call.press("2")
    call.press("2")  # enter another number
    assert call.last_heard == [ASK]
    call.press("2125550100#")
    assert call.last_heard == [
        "Office: you typed 2, 1, 2, 5, 5, 5, 0, 1, 0, 0. 1 to confirm, 2 to retype."
    ]
    call.press("1")
    assert hook.payloads[0]["number"] == "2125550100"
    assert hook.payloads[0]["from"] == CALLER
    assert call.last_heard == ["We will call 2, 1, 2, 5, 5, 5, 0, 1, 0, 0 back. Goodbye."]


@pytest.mark.parametrize("withheld", ["anonymous", "Restricted", ""])
def test_without_a_caller_id_the_caller_goes_straight_to_entering_a_number(hook, withheld):
    call = queued(office_app(NOTIFY_URL=hook.url), from_=withheld)
    call.press("2")
    assert call.last_heard == [ASK]
    call.press("2125550100#")
    call.press("1")
    assert hook.payloads[0]["number"] == "2125550100"
    assert hook.payloads[0]["from"] == ""


def test_a_too_short_number_is_refused_and_asked_again():
    call = queued(office_app(), from_="anonymous")
    call.press("2")
    call.press("123#")
    assert call.last_heard == [INVALID_ENTRY, ASK]


def test_too_many_tries_leave_the_queue_for_voicemail():
    call = queued(office_app(), from_="anonymous")
    call.press("2")
    call.silence()
    call.silence()
    assert call.last_heard == [NO_DIGITS, ASK]
    call.silence()  # MAX_RETRIES, 3 by default
    assert call.last_heard == [DECLINED, RECORD]
    assert call.waiting_for == "record"


def test_a_collects_own_limit_of_attempts_is_kept_beyond_max_retries():
    row = office.TABLE["callback_number"].exit
    more = collect(
        into=row.into,
        then=row.then,
        give_up=row.give_up,
        words=row.words,
        max_length=row.max_length,
        valid=row.valid,
        default=row.default,
        attempts=5,
    )
    call = queued(office_app(office.tree(callback_number=more), MAX_RETRIES="2"), from_="")
    call.press("2")
    for _ in range(4):
        call.silence()
        assert call.last_heard == [NO_DIGITS, ASK]
    call.silence()
    assert call.last_heard == [DECLINED, RECORD]


# Whether anyone has it ########################################################


def test_a_request_the_business_did_not_get_leads_to_voicemail():
    mailbox = Mailbox()  # down
    call = queued(office_app(**mailbox.settings))
    call.press("2")
    call.press("1")
    assert call.last_heard == [DECLINED, RECORD]
    assert call.waiting_for == "record"


def test_a_request_one_channel_took_is_thanked_though_another_failed(hook):
    mailbox = Mailbox()  # down
    call = queued(office_app(NOTIFY_URL=hook.url, **mailbox.settings))
    call.press("2")
    call.press("1")
    assert [payload["number"] for payload in hook.payloads] == ["15551234567"]
    assert call.last_heard == [THANKS]


def test_without_a_channel_a_request_the_log_took_is_thanked(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    call = queued(office_app())
    call.press("2")
    call.press("1")
    assert call.last_heard == [THANKS]
    assert any(m.startswith("callback-request ") for m in caplog.messages)


def test_the_callback_request_is_a_business_event_with_the_numbers_masked(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    call = queued(office_app())
    call.press("2")
    call.press("1")
    [line] = [m for m in caplog.messages if m.startswith("callback-request ")]
    assert (
        line
        == f"callback-request call={call.params['CallSid']} number=*******4567 from=+*******4567"
    )
    assert "5551234567" not in caplog.text


# Any replica serves any step ##################################################

TOKEN = "auth-token-for-callback-tests"


def confirm_another_number(replicas, **options):
    """Ask to be called back at 212 555 0100, webhooks going to each replica in turn: the
    number is read back by one and confirmed on the other."""
    call = SimulatedCall(replicas, from_=CALLER, **options)
    call.start()
    call.press("2")
    call.hold(position=1, queue_time=60)
    call.press("2")
    call.press("2")
    call.press("2125550100#")
    call.press("1")
    return call


@pytest.mark.parametrize(
    ("shared", "signed"),
    [({"SECRET_KEY": "the same on every replica"}, {}), ({"TWILIO_AUTH_TOKEN": TOKEN}, TOKEN)],
)
def test_a_number_read_back_by_one_replica_is_confirmed_on_another(hook, shared, signed):
    replicas = [office_app(NOTIFY_URL=hook.url, **shared) for _ in range(2)]
    call = confirm_another_number(replicas, auth_token=signed or None)
    assert [payload["number"] for payload in hook.payloads] == ["2125550100"]
    assert call.outcome == ("hangup",)


def test_without_a_key_they_share_replicas_cannot_read_each_others_entries(hook):
    replicas = [office_app(NOTIFY_URL=hook.url) for _ in range(2)]
    call = confirm_another_number(replicas)
    assert hook.payloads == []
    assert call.last_heard == [INVALID_ENTRY, ASK]  # asked again, never an error
