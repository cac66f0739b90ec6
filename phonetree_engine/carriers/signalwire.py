"""SignalWire (cXML, the same verbs as TwiML): ``X-SignalWire-Signature``, base64 HMAC-SHA1 of
the URL and the sorted form, as Twilio's, keyed with the project's Signing Key (Dashboard, API
Credentials). SignalWire documents no retry of a callback answered with an error: the app keeps
a failed message and tries again itself (see ``delivery``).
"""

from __future__ import annotations

from phonetree_engine.carriers import Dialect
from phonetree_engine.carriers.twilio import UUID, SignedAsTwilio
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


class SignalWire(SignedAsTwilio):
    name, title = "signalwire", "SignalWire"
    keys = ("SIGNALWIRE_SIGNING_KEY",)
    header = "X-SignalWire-Signature"
    retries = "nothing documented: the app tries again itself"
    call_id = UUID
    dialect = Dialect(voices=r"man|woman|alice|Polly\.[\w-]+|gcloud\.[\w-]+")


UNSIGNED = SignalWire()


def carrier(config) -> SignalWire | None:
    key = config.signalwire_signing_key
    return SignalWire(key) if key else None
