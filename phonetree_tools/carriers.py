"""What each carrier sends, for the simulated caller: its call ids, its signatures, its retries.

The simulated caller speaks the carriers' protocol, not the engine's, so it knows them on its
own: ``twilio`` and ``somleng`` sign with ``X-Twilio-Signature`` (HMAC-SHA1 of the URL and the
sorted form), ``signalwire`` the same as ``X-SignalWire-Signature``, ``telnyx`` with Ed25519
over ``"{timestamp}|{body}"`` (``telnyx-signature-ed25519``, ``telnyx-timestamp``; its key is
the private key's 32-byte seed, in base64; ``telnyx_keys()`` makes a pair for tests).
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid

from twilio.request_validator import RequestValidator

NAMES = ("twilio", "signalwire", "telnyx", "somleng")
SHARED_KEY_SETTINGS = "key=webhooks_sharedkey_test,algorithm=HMAC_SHA256"


def call_id(carrier: str) -> str:
    """A call id of the carrier's shape."""
    if carrier == "twilio":
        return "CA" + secrets.token_hex(16)
    if carrier == "telnyx":
        return "v2:" + base64.urlsafe_b64encode(secrets.token_bytes(40)).decode().rstrip("=")
    return str(uuid.uuid4())


def account_id(carrier: str) -> str:
    return "AC" + secrets.token_hex(16) if carrier == "twilio" else str(uuid.uuid4())


def recording_id(carrier: str) -> str:
    return "RE" + secrets.token_hex(16) if carrier == "twilio" else str(uuid.uuid4())


class Signer:
    """Signs requests as a carrier does; ``headers(url, params, body)``."""

    def __init__(self, carrier: str, key, shared_key: bool = False, clock=time.time):
        if carrier not in NAMES:
            raise ValueError(f"carrier {carrier!r}: expected one of {', '.join(NAMES)}")
        self.carrier, self.shared_key, self.clock = carrier, shared_key, clock
        if carrier == "telnyx":
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            seed = base64.b64decode(key) if isinstance(key, str) else key
            self.private = Ed25519PrivateKey.from_private_bytes(seed)
        else:
            self.validator = RequestValidator(key)

    def headers(self, url: str, params: dict, body: bytes) -> dict[str, str]:
        if self.carrier == "telnyx":
            stamp = str(int(self.clock()))
            signature = self.private.sign(stamp.encode() + b"|" + body)
            return {
                "telnyx-timestamp": stamp,
                "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
            }
        algorithm = "HMAC_SHA256" if self.shared_key else None
        signature = self.validator.compute_signature(url, params, algorithm)
        if self.carrier == "signalwire":
            return {"X-SignalWire-Signature": signature}
        headers = {"X-Twilio-Signature": signature}
        if self.shared_key:
            headers["X-Twilio-Webhooks-Signature-Settings"] = SHARED_KEY_SETTINGS
        return headers


def telnyx_keys() -> tuple[str, str]:
    """A new Ed25519 pair as (private seed, public key), both base64: what a test signs with and
    what ``TELNYX_PUBLIC_KEY`` holds."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    seed = private.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    return base64.b64encode(seed).decode(), base64.b64encode(public).decode()
