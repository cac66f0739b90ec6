"""The TwiML schema the tests validate against: Twilio's, loosened only for what Twilio added."""

import hashlib

import pytest
from twilio.twiml.voice_response import Dial, Gather, Play, Record, Say, VoiceResponse

from tests.conftest import ROOT, SCHEMA, load_schema
from tests.twiml import loosen

# Twilio's file as published (src/Twilio.Twiml.Tests/TwiML.xsd of twilio-csharp, 2016).
TWILIO_SHA256 = "62da6c2397537c9887b2600d7ccee732d88072d262b7fe66ada2a5af3205b3dd"


def response(*verbs) -> str:
    twiml = VoiceResponse()
    for verb in verbs:
        twiml.append(verb)
    return str(twiml)


def test_twilios_schema_is_kept_as_published():
    digest = hashlib.sha256(loosen.ORIGINAL.read_bytes()).hexdigest()
    assert digest == TWILIO_SHA256


def test_the_schema_the_tests_use_is_what_loosen_py_makes():
    made = loosen.loosened(loosen.ORIGINAL.read_text(encoding="iso-8859-1"))
    assert SCHEMA.read_text(encoding="utf-8") == made, "run python tests/twiml/loosen.py"


def test_the_tests_use_the_schema_in_the_repository():
    assert SCHEMA.is_relative_to(ROOT)
    assert SCHEMA.parent == loosen.LOOSENED.parent


def test_a_missing_schema_fails_instead_of_passing(tmp_path):
    with pytest.raises(FileNotFoundError, match="no TwiML schema"):
        load_schema(tmp_path / "twiml.xsd")


def test_an_attribute_twilio_already_had_is_not_added_again(monkeypatch):
    monkeypatch.setitem(loosen.ADDED_ATTRIBUTES["GatherType"], "timeout", "xs:string")
    with pytest.raises(ValueError, match="'timeout' is in the original schema already"):
        loosen.loosened(loosen.ORIGINAL.read_text(encoding="iso-8859-1"))


@pytest.mark.parametrize(
    "document",
    [
        response(Gather(action="/next", num_digits=1, action_on_empty_result=True)),
        response(Gather(input="dtmf speech", speech_timeout="auto", language="en-US", hints="a,b")),
        response(Say("Hello.", voice="Polly.Joanna-Neural", language="en-US")),
        response(Say("Hello.", voice="man", language="en-gb")),
        response(Play("https://example.com/a.mp3", digits="ww1234#")),
        response(Dial("+15555550100", answer_on_bridge=True, timeout=20, action="/dialed")),
        response(Record(max_length=120, trim="trim-silence", recording_status_callback="/saved")),
    ],
)
def test_the_schema_takes_what_twilio_takes(twiml_schema, document):
    twiml_schema.validate(document)


def nested_gather() -> Gather:
    outer = Gather()
    outer.append(Gather())  # Twilio does not nest Gathers
    return outer


@pytest.mark.parametrize(
    "document",
    [
        response(nested_gather()),
        response(Say("Hello.", colour="blue")),  # no such attribute
        response(Gather(timeout="soon")),  # a number of seconds
        response(Gather(num_digits=0)),
        response(Gather(input="keys")),
        response(Gather(action_on_empty_result="yes")),
        response(Gather(speech_timeout="later")),
        response(Say("Hello.", voice="Robot.Bender")),
        response(Say("Hello.", language="English")),
        response(Play("https://example.com/a.mp3", digits="12a")),
        response(Record(trim="some")),
        "<Response><Say>Hi.</Say><Goodbye/></Response>",  # no such verb
        "<Response><Dial><Say>Hi.</Say></Dial></Response>",  # Dial holds nouns, not verbs
    ],
)
def test_the_schema_refuses_what_twilio_refuses(twiml_schema, document):
    assert not twiml_schema.is_valid(document)
