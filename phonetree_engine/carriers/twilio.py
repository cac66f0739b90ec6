"""Twilio: ``X-Twilio-Signature``, HMAC-SHA1 of the URL and the sorted form, keyed with the
account's auth token; or, under a Webhooks rule, HMAC-SHA256 with a shared key, announced by
``X-Twilio-Webhooks-Signature-Settings``. Verified with the twilio package's validator.

A callback URL ending in ``#rc=5&rp=5xx,ct,rt`` (a connection override) is retried up to five
times on a 5xx, a failed connection or a read timeout, within 15 seconds.
"""

from __future__ import annotations

import hmac
import re

from twilio.request_validator import HMAC_SHA1, RequestValidator, get_signature_algorithm

from phonetree_engine.carriers import Carrier, Dialect, Request
from phonetree_engine.settings import Group, Setting, text

GROUP = Group(
    "Twilio (and Somleng)",
    (
        Setting(
            "TWILIO_AUTH_TOKEN",
            text,
            "",
            "Auth token that checks the X-Twilio-Signature of webhooks (Twilio's or Somleng's)",
            secret=True,
        ),
        Setting(
            "TWILIO_SHARED_KEY",
            text,
            "",
            "Secret for Twilio's HMAC-SHA256 shared-key webhook signatures",
            secret=True,
        ),
    ),
)


class SignedForm(dict):
    """Each name's value, read the way the twilio validator reads a MultiDict."""

    def getall(self, name):
        return self[name]


def check(validator: RequestValidator, request: Request, signature: str, algorithm) -> bool:
    """Twilio's signature over the URL and the form (or the URL alone for a GET)."""
    params = SignedForm()
    if request.method == "POST":
        for name, value in request.form:
            params[name] = [value]
    # The common case first: the exact URL, one HMAC. The validator also tries the URL with
    # and without its default port, as Twilio's own signing is inconsistent there.
    try:
        expected = validator.compute_signature(request.url, params, algorithm)
        return hmac.compare_digest(expected, signature) or validator.validate(
            request.url, params, signature, algorithm=algorithm
        )
    except ValueError:  # an algorithm the twilio package does not know, a host urllib cannot
        return False  # parse (a forwarded host of "[")


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class SignedAsTwilio(Carrier):
    """A carrier that signs as Twilio does, HMAC-SHA1 of the URL and the sorted form, in the
    header ``header``, keyed with one secret (SignalWire's signing key, Somleng's token)."""

    header = "X-Twilio-Signature"

    def __init__(self, key: str | None = None):
        self.validator = RequestValidator(key) if key else None

    def verify(self, request: Request) -> bool:
        signature = request.headers.get(self.header.lower())
        if not signature or not signature.isascii() or self.validator is None:
            return False
        return check(self.validator, request, signature, HMAC_SHA1)


class Twilio(Carrier):
    name, title = "twilio", "Twilio"
    keys = ("TWILIO_AUTH_TOKEN", "TWILIO_SHARED_KEY")
    RETRY_FRAGMENT = "#rc=5&rp=5xx,ct,rt"
    retries_at_url = True
    retries = "up to 5 times in 15 s, on a 5xx (the callback URL's connection override)"
    call_id = re.compile(r"CA[0-9a-f]{32}")
    dialect = Dialect(voices=r"man|woman|alice|Polly\.[\w-]+|Google\.[\w-]+")

    def __init__(self, token: str | None = None, shared_key: str | None = None):
        self.token = RequestValidator(token) if token else None
        self.shared = RequestValidator(shared_key) if shared_key else None

    def verify(self, request: Request) -> bool:
        signature = request.headers.get("x-twilio-signature")
        settings = request.headers.get("x-twilio-webhooks-signature-settings")
        validator = self.shared if settings else self.token
        if not signature or not signature.isascii() or validator is None:
            return False
        algorithm = get_signature_algorithm(settings) if settings else HMAC_SHA1
        return check(validator, request, signature, algorithm)


UNSIGNED = Twilio()


def carrier(config) -> Twilio | None:
    token, shared = config.twilio_auth_token, config.twilio_shared_key
    return Twilio(token, shared) if token or shared else None
