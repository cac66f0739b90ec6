"""SignalWire (cXML, the same verbs as TwiML): ``X-SignalWire-Signature``, base64 HMAC-SHA1 of
the URL and the sorted form, as Twilio's, keyed with the project's Signing Key (Dashboard, API
Credentials). SignalWire documents no retry of a callback answered with an error: the app keeps
a failed message and tries again itself (see ``delivery``).
"""

from __future__ import annotations

import re

from twilio.request_validator import HMAC_SHA1, RequestValidator

from phonetree_engine.carriers import Carrier, Dialect, Request
from phonetree_engine.carriers.twilio import check
from phonetree_engine.settings import Group, Setting, text

GROUP = Group(
    "SignalWire",
    (
        Setting(
            "SIGNALWIRE_SIGNING_KEY",
            text,
            "",
            "The project's Signing Key, which checks the X-SignalWire-Signature of webhooks",
            secret=True,
        ),
    ),
)


class SignalWire(Carrier):
    name, title = "signalwire", "SignalWire"
    keys = ("SIGNALWIRE_SIGNING_KEY",)
    retries = "nothing documented: the app tries again itself"
    call_id = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    dialect = Dialect(voices=r"man|woman|alice|Polly\.[\w-]+|gcloud\.[\w-]+")

    def __init__(self, key: str | None = None):
        self.validator = RequestValidator(key) if key else None

    def verify(self, request: Request) -> bool:
        signature = request.headers.get("x-signalwire-signature")
        if not signature or not signature.isascii() or self.validator is None:
            return False
        return check(self.validator, request, signature, HMAC_SHA1)

    def sign(self, url, params, body):
        return {"X-SignalWire-Signature": self.validator.compute_signature(url, params)}


UNSIGNED = SignalWire()


def carrier(config) -> SignalWire | None:
    key = config.signalwire_signing_key
    return SignalWire(key) if key else None
