"""The engine's fixtures: the office (``trees/office.py``) at a fixed moment, and calls to it.

Nothing here imports ``states``: the engine's suite passes with the shipped tree deleted.
"""

import pytest

from phonetree_engine.call import SEALED
from phonetree_engine.settings import Config
from phonetree_engine.web import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import CLOSED, OPEN
from tests.engine.trees import office


@pytest.fixture
def build():
    """Build the office's app (or another tree's) at a fixed moment, with settings as a test
    needs: ``build(at=CLOSED, languages=("en-US", "es-US"), tree=office.tree(...))``."""

    def build_app(at=OPEN, tree=None, delivery=None, **settings):
        return make_app(
            tree or office.TREE, Config(**settings), clock=lambda: at, delivery=delivery
        )

    return build_app


@pytest.fixture
def app(build):
    return build(OPEN)


@pytest.fixture
def closed_app(build):
    return build(CLOSED)


@pytest.fixture
def dial(app, validate):
    """Place a call to an app (the open office by default), started at /voice."""

    def place(target=None, **options):
        call = SimulatedCall(app if target is None else target, validate=validate, **options)
        call.start("/voice")
        return call

    return place


def opened(app, url: str) -> dict[str, str]:
    """The context a URL of ``app`` carries, its sealed part opened with the app's key."""
    from urllib.parse import parse_qsl, urlsplit

    from phonetree_engine.call import unsealed

    seal = app.config["phonetree.engine"].setup.seal
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return dict(unsealed(pairs, seal))


__all__ = ["CLOSED", "OPEN", "SEALED", "opened"]
