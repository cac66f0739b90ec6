"""Fixtures: the app at a fixed time, a call placed the way Twilio places it, the TwiML schema."""

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from phonetree import make_app  # noqa: E402
from phonetree_engine.settings import Config  # noqa: E402
from phonetree_tools.caller import SimulatedCall  # noqa: E402

# Twilio's schema lives beside the repository in the project's shared folder; a lone clone
# of the repository has no copy, and then answers are checked without it.
SCHEMA = Path(os.environ.get("TWIML_XSD") or ROOT.parent / "shared" / "twiml" / "twiml-patched.xsd")

# CI draws the same examples on every run and keeps none between runs: a failure there is the
# same failure on the next submission, and `--hypothesis-seed` reproduces one found locally.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev")
)

OPEN = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)  # a Tuesday, 10 AM in New York
CLOSED = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)  # a Monday, 10 PM in New York


@pytest.fixture(scope="session")
def twiml_schema():
    """Twilio's TwiML schema, or None when the shared folder is not beside the repository."""
    if not SCHEMA.exists():
        return None
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


@pytest.fixture(scope="session")
def validate(twiml_schema):
    """Check a TwiML document against the schema (when there is one)."""

    def check(xml_text):
        if twiml_schema is not None:
            twiml_schema.validate(xml_text)

    return check


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
