"""The shipped tree's fixtures: ``phonetree``'s app at a fixed moment, and calls to it.

These are the tests a tree author edits with ``states/``: they say what its callers hear.
"""

import pytest

from phonetree import make_app
from phonetree_engine.settings import Config
from tests.conftest import CLOSED, OPEN
from tests.engine import conftest as engine_fixtures


@pytest.fixture
def build():
    """Build the shipped tree's app at a fixed moment, with settings changed as a test needs."""

    def build_app(at=OPEN, delivery=None, **settings):
        return make_app(Config(**settings), clock=lambda: at, delivery=delivery)

    return build_app


@pytest.fixture
def app(build):
    return build(OPEN)


@pytest.fixture
def closed_app(build):
    return build(CLOSED)


# The same way to place a call as the engine's suite: to this suite's ``app``.
dial = engine_fixtures.dial
