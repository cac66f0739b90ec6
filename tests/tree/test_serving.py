"""The shipped tree served as a platform serves it: the Procfile's own command, unchanged."""

import pytest

from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.servers import running
from tests.tree.prompts import MENU, WELCOME

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-serving-tests"
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"  # the same welcome at any hour the test runs


def test_the_procfiles_command_serves_the_tree_and_answers_a_signed_call(validate):
    with running(1, target=None, TWILIO_AUTH_TOKEN=TOKEN, OPENING_HOURS=ALWAYS_OPEN) as (server,):
        call = SimulatedCall(
            HTTPTransport(server.url), auth_token=TOKEN, public_url=server.url, validate=validate
        )
        call.start("/voice")
    assert call.heard == [WELCOME, MENU]
    assert call.waiting_for == "input"
