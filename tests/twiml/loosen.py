"""Derive twiml.xsd, the schema the tests validate TwiML against, from Twilio's of 2016.

twilio-csharp-TwiML.xsd is Twilio's own schema, unchanged (see README.md beside it). Twilio has
since added attributes (Gather's speech input and ``actionOnEmptyResult``, Dial's and Record's
recording callbacks, ...) and voices and languages (``Polly.Joanna``, ``en-US``). This adds
exactly those, typed as Twilio documents them, and changes nothing else: what may nest where,
which verb takes which attribute, and which values are numbers stay Twilio's rules.

Run ``python tests/twiml/loosen.py`` after changing it; a test fails while twiml.xsd is stale.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORIGINAL = HERE / "twilio-csharp-TwiML.xsd"
LOOSENED = HERE / "twiml.xsd"

XS = "http://www.w3.org/2001/XMLSchema"
ET.register_namespace("xs", XS)

# Attributes Twilio added since 2016, by the schema type of their verb or noun.
ADDED_ATTRIBUTES: dict[str, dict[str, str]] = {
    "PlayType": {"digits": "DigitsType"},
    "GatherType": {
        "actionOnEmptyResult": "BooleanType",
        "input": "InputType",
        "language": "LanguageType",
        "hints": "xs:string",
        "speechTimeout": "SpeechTimeoutType",
        "speechModel": "xs:string",
        "enhanced": "BooleanType",
        "partialResultCallback": "xs:string",
        "partialResultCallbackMethod": "MethodType",
        "profanityFilter": "BooleanType",
        "bargeIn": "BooleanType",
        "debug": "BooleanType",
    },
    "DialType": {
        "answerOnBridge": "BooleanType",
        "ringTone": "xs:string",
        "recordingStatusCallback": "xs:string",
        "recordingStatusCallbackMethod": "MethodType",
        "recordingStatusCallbackEvent": "xs:string",
        "trim": "TrimType",
        "referUrl": "xs:string",
        "referMethod": "MethodType",
        "sequential": "BooleanType",
    },
    "NumberType": {
        "statusCallback": "xs:string",
        "statusCallbackMethod": "MethodType",
        "statusCallbackEvent": "xs:string",
        "byoc": "xs:string",
        "machineDetection": "xs:string",
    },
    "RecordType": {
        "recordingStatusCallback": "xs:string",
        "recordingStatusCallbackMethod": "MethodType",
        "recordingStatusCallbackEvent": "xs:string",
        "trim": "TrimType",
    },
}

# Value types the added attributes need: name -> (regular expressions, any of which a value
# matches in full). Where the 2016 schema listed values (VoiceType: man, woman), the list is
# replaced by patterns that keep those values and take the ones added since.
VALUE_PATTERNS: dict[str, tuple[str, ...]] = {
    "VoiceType": ("man", "woman", "alice", r"(Polly|Google)\.[A-Za-z0-9-]+"),
    # en, en-gb, en-US, es-MX, cmn-CN, arb: a language, then maybe a region.
    "LanguageType": (r"[a-z]{2,3}(-[A-Za-z]{2})?",),
    "DigitsType": (r"[0-9wW*#]+",),
    "InputType": ("dtmf", "speech", "dtmf speech", "speech dtmf"),
    "SpeechTimeoutType": ("auto", r"[0-9]+"),
    "TrimType": ("trim-silence", "do-not-trim"),
}


def _tag(name: str) -> str:
    return f"{{{XS}}}{name}"


def _named(schema: ET.Element, kind: str, name: str) -> ET.Element:
    found = schema.find(f"{_tag(kind)}[@name='{name}']")
    if found is None:
        raise LookupError(f"the original schema has no {kind} {name!r}")
    return found


def _attribute_holder(complex_type: ET.Element) -> ET.Element:
    """Where a type's attributes go: the type itself, or the extension it is made of."""
    extension = complex_type.find(f"./*/{_tag('extension')}")
    return complex_type if extension is None else extension


def _add_attribute(holder: ET.Element, name: str, type_name: str) -> None:
    if holder.find(f"{_tag('attribute')}[@name='{name}']") is not None:
        raise ValueError(f"{name!r} is in the original schema already; nothing to add")
    ET.SubElement(holder, _tag("attribute"), name=name, type=type_name)


def _patterns(schema: ET.Element, name: str, patterns: tuple[str, ...]) -> None:
    """Make simple type `name` a string matching any of `patterns` (replacing a list of values)."""
    simple = schema.find(f"{_tag('simpleType')}[@name='{name}']")
    if simple is None:
        simple = ET.SubElement(schema, _tag("simpleType"), name=name)
    for child in list(simple):
        simple.remove(child)
    restriction = ET.SubElement(simple, _tag("restriction"), base="xs:string")
    for pattern in patterns:
        ET.SubElement(restriction, _tag("pattern"), value=pattern)


def loosened(original: str) -> str:
    """The original schema's text with the attributes and values Twilio added since."""
    schema = ET.fromstring(original, ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    for type_name, attributes in ADDED_ATTRIBUTES.items():
        holder = _attribute_holder(_named(schema, "complexType", type_name))
        for name, value_type in attributes.items():
            _add_attribute(holder, name, value_type)
    for name, patterns in VALUE_PATTERNS.items():
        _patterns(schema, name, patterns)
    ET.indent(schema, space="  ")  # the original mixes tabs and spaces
    header = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<!-- Generated by loosen.py from twilio-csharp-TwiML.xsd; edit loosen.py, not this. -->\n"
    )
    return header + ET.tostring(schema, encoding="unicode") + "\n"


def main() -> int:
    LOOSENED.write_text(loosened(ORIGINAL.read_text(encoding="iso-8859-1")), encoding="utf-8")
    print(f"wrote {LOOSENED.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
