"""The practice's fixtures: its app at a fixed moment in Montréal, and calls to it.

``build(at=OPEN, **variables)`` takes settings as the environment gives them, as text
(``build(CLOSED, NOTIFY_URL=...)``); anything unset is the tree's default, never this machine's
environment.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from examples.dental import TREE
from phonetree_engine.web import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import twiml_schema, validate  # noqa: F401 (the shared schema fixtures)

MONTREAL = ZoneInfo("America/Toronto")
OPEN = datetime(2026, 11, 24, 10, 0, tzinfo=MONTREAL)  # a Tuesday, 10 AM: open
CLOSED = datetime(2026, 11, 24, 20, 0, tzinfo=MONTREAL)  # the same Tuesday, 8 PM: closed
KEY = {"fr-CA": "1", "en-US": "2"}  # the language choice


@pytest.fixture(scope="session")
def build():
    """Build the practice's app at a moment, with settings as the environment would give them."""

    def build_app(at=OPEN, **variables):
        return make_app(TREE, variables, clock=lambda: at)

    return build_app


@pytest.fixture
def dial(build, validate):  # noqa: F811 (the fixture imported above)
    """Place a call (to the open practice by default) and choose ``language`` (None: do not)."""

    def place(app=None, language="fr-CA", **options):
        call = SimulatedCall(app or build(), validate=validate, **options)
        call.start("/voice")
        if language:
            call.press(KEY[language])
        return call

    return place
