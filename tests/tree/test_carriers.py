"""The shipped tree's main calls on every carrier it can run on, each signed its own way."""

import pytest

from phonetree import make_app
from phonetree_tools.caller import SimulatedCall
from phonetree_tools.carriers import telnyx_keys
from tests.conftest import OPEN
from tests.tree.prompts import GOODBYE, HOURS, SALES, SUPPORT, THANKS, VOICEMAIL

SEED, PUBLIC = telnyx_keys()
CARRIERS = {
    "twilio": ({"TWILIO_AUTH_TOKEN": "t0ken"}, {"auth_token": "t0ken"}),
    "signalwire": (
        {"PROVIDER": "signalwire", "SIGNALWIRE_SIGNING_KEY": "PSK_key"},
        {"key": "PSK_key"},
    ),
    "telnyx": (
        {"PROVIDER": "telnyx", "TELNYX_PUBLIC_KEY": PUBLIC, "SECRET_KEY": "s"},
        {"key": SEED},
    ),
    "somleng": ({"PROVIDER": "somleng", "TWILIO_AUTH_TOKEN": "t0ken"}, {"auth_token": "t0ken"}),
}


def call_on(carrier):
    settings, signing = CARRIERS[carrier]
    app = make_app(settings, clock=lambda: OPEN)
    call = SimulatedCall(app, carrier=carrier, **signing)
    call.start("/voice")
    return call


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_the_hours_on_every_carrier(carrier):
    call = call_on(carrier)
    call.press("3")
    assert call.last_heard[0] == HOURS


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_a_message_for_sales_on_every_carrier(carrier):
    call = call_on(carrier)
    call.press("1")
    assert call.last_heard == [SALES, VOICEMAIL]
    call.record(duration=12)
    assert call.last_heard == [THANKS]
    assert [attempt.status for attempt in call.callbacks] == [200]


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_the_support_queue_on_every_carrier(carrier):
    call = call_on(carrier)
    call.press("2")
    assert call.last_heard == [SUPPORT]
    call.queue_result("bridged", queue_time=30)
    assert call.last_heard == [GOODBYE]


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_the_receptionist_on_every_carrier(carrier):
    call = call_on(carrier)
    call.press("0")
    assert call.outcome == ("dial", "+15555550100")
    call.dial_result("completed")
    assert call.last_heard == [GOODBYE]


@pytest.mark.parametrize("carrier", ["signalwire", "telnyx", "somleng"])
def test_a_call_signed_as_twilio_signs_is_refused_by_another_carrier(carrier):
    settings, _ = CARRIERS[carrier]
    app = make_app(settings, clock=lambda: OPEN)
    call = SimulatedCall(app, auth_token="someone-else")
    with pytest.raises(Exception, match="403"):
        call.start("/voice")
