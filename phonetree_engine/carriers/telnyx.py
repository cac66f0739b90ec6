"""Telnyx (TeXML, "created to allow the easy migration from Twilio"): every webhook is signed
with Ed25519, ``telnyx-signature-ed25519`` (base64 of the signature) over
``"{telnyx-timestamp}|{raw body}"``, verified with the account's public key (Mission Control,
Keys & Credentials; base64). A timestamp more than ``TOLERANCE`` seconds away is refused: a
captured request cannot be replayed later. Verification needs the ``cryptography`` package
(``pip install 'phonetree[telnyx]'``), and only when Telnyx is the carrier.

The dialect: no ``<Pay>``, ``<Client>``, ``<Room>``, ``<VirtualAgent>``; a Gather has no
``actionOnEmptyResult`` (silence falls through, so the engine follows such a Gather with a
Redirect to its action); ``speechTimeout`` is a number of seconds (``auto`` is left out); Record
transcribes with ``transcription`` and ``transcriptionCallback``; the default voice speaks
English only, so a Say in another language gets ``alice``, which speaks its ``language``.
A callback answered with anything but 200 is sent again, once, to the TeXML application's
failover URL: the app also keeps a failed message and tries again itself (see ``delivery``).
"""

from __future__ import annotations

import base64
import binascii
import re
import time

from phonetree_engine.carriers import Carrier, Dialect, Request
from phonetree_engine.settings import Group, Setting

TOLERANCE = 300  # seconds a signed request stays good
KEY_BYTES = 32


def public_key(value: str) -> bytes:
    """The reader of TELNYX_PUBLIC_KEY: base64 of a 32-byte Ed25519 public key."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("expected the base64 public key from Keys & Credentials") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"expected a {KEY_BYTES}-byte Ed25519 key in base64, not {len(raw)} bytes")
    return raw


GROUP = Group(
    "Telnyx",
    (
        Setting(
            "TELNYX_PUBLIC_KEY",
            public_key,
            "",
            "The account's public key (base64), which checks the Ed25519 signature of webhooks",
        ),
    ),
)


def alice(language: str) -> str | None:
    return None if language.lower().startswith("en-us") else "alice"


DIALECT = Dialect(
    lacks=frozenset({"Pay", "Client", "Room", "VirtualAgent"}),
    renamed={
        "Record.transcribe": "transcription",
        "Record.transcribeCallback": "transcriptionCallback",
    },
    empty_result=False,
    voice=alice,
    voices=r"man|woman|alice|(AWS\.)?Polly\.[\w-]+|(Azure|ElevenLabs|Telnyx|Resemble|Minimax|Rime|"
    r"Inworld)\.[\w.-]+",
    drops=frozenset({"Gather.speechTimeout=auto"}),
)


class Telnyx(Carrier):
    name, title = "telnyx", "Telnyx"
    keys = ("TELNYX_PUBLIC_KEY",)
    retries = "once, at the TeXML application's failover URL; the app tries again itself"
    call_id = re.compile(r"v\d:[A-Za-z0-9_-]{10,120}")
    dialect = DIALECT

    def __init__(self, key: bytes | None = None, clock=time.time):
        self.key, self.clock = None, clock
        if key is not None:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            self.key = Ed25519PublicKey.from_public_bytes(key)

    def verify(self, request: Request) -> bool:
        from cryptography.exceptions import InvalidSignature

        signature = request.headers.get("telnyx-signature-ed25519", "")
        stamp = request.headers.get("telnyx-timestamp", "")
        if self.key is None or not signature.isascii() or not re.fullmatch(r"\d{1,12}", stamp):
            return False
        if abs(self.clock() - int(stamp)) > TOLERANCE:
            return False  # a replay, or a clock far off
        try:
            raw = base64.b64decode(signature, validate=True)
            self.key.verify(raw, stamp.encode() + b"|" + request.body)
        except (binascii.Error, ValueError, InvalidSignature):
            return False
        return True


UNSIGNED = Telnyx()


def carrier(config) -> Telnyx | None:
    return Telnyx(config.telnyx_public_key) if config.telnyx_public_key else None


def needs() -> str | None:
    """What Telnyx needs installed, if it is missing."""
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return "PROVIDER=telnyx needs the cryptography package: pip install 'phonetree[telnyx]'"
    return None
