"""Fixtures: the app at a fixed time, a call placed the way Twilio places it, the TwiML schema."""

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import hypothesis
import pytest
import xmlschema

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from phonetree import make_app  # noqa: E402
from phonetree_engine.settings import Config  # noqa: E402
from phonetree_tools.caller import SimulatedCall  # noqa: E402

# Twilio's TwiML schema, loosened for what Twilio added since it was published (tests/twiml/).
SCHEMA = ROOT / "tests" / "twiml" / "twiml.xsd"

# CI draws the same examples on every run and keeps none between runs: a failure there is the
# same failure on the next submission, and `--hypothesis-seed` reproduces one found locally.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis.settings.register_profile("dev", print_blob=True)
hypothesis.settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev")
)

OPEN = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)  # a Tuesday, 10 AM in New York
CLOSED = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)  # a Monday, 10 PM in New York


def load_schema(path: Path) -> xmlschema.XMLSchema:
    """Read a schema; a missing or broken file is an error, never a check that passes."""
    if not path.is_file():
        raise FileNotFoundError(f"no TwiML schema at {path}; run python tests/twiml/loosen.py")
    return xmlschema.XMLSchema(str(path))


@pytest.fixture(scope="session")
def twiml_schema():
    """Twilio's TwiML schema, as loosened by tests/twiml/loosen.py."""
    return load_schema(SCHEMA)


@pytest.fixture(scope="session")
def validate(twiml_schema):
    """Check a TwiML document against the schema, raising on anything Twilio would refuse."""
    return twiml_schema.validate


@pytest.fixture
def build():
    """Build an app at a fixed moment, with settings changed as a test needs."""

    def build_app(at=OPEN, **settings):
        return make_app(Config(**settings), clock=lambda: at)

    return build_app


@pytest.fixture
def app(build):
    return build(OPEN)


@pytest.fixture
def closed_app(build):
    return build(CLOSED)


@pytest.fixture
def dial(app, validate):
    """Place a call to an app (the open one by default), started at /voice."""

    def place(target=None, **options):
        call = SimulatedCall(app if target is None else target, validate=validate, **options)
        call.start("/voice")
        return call

    return place
