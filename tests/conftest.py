"""Fixtures every suite shares: the TwiML schema, the hypothesis profile, two moments.

The engine's suite (``tests/engine``) builds its own trees; the shipped tree's suite
(``tests/tree``) builds ``phonetree``'s. Neither fixture file imports the other's tree.
"""

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import hypothesis
import pytest
import xmlschema

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

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
