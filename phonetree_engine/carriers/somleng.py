"""Somleng (open source, Twilio-compatible): ``X-Twilio-Signature``, HMAC-SHA1 of the URL and
the sorted form, keyed with the Somleng account's auth token (``TWILIO_AUTH_TOKEN``).

Somleng signs the URL as it was given, fragment and all, and does not retry a callback answered
with an error: so callback URLs carry no connection override (it would break their signature),
and the app keeps a failed message and tries again itself (see ``delivery``).
"""

from __future__ import annotations

import re

from twilio.request_validator import HMAC_SHA1, RequestValidator

from phonetree_engine.carriers import Carrier, Request
from phonetree_engine.carriers.twilio import GROUP, check

__all__ = ["GROUP", "Somleng", "carrier"]


class Somleng(Carrier):
    name, title = "somleng", "Somleng"
    keys = ("TWILIO_AUTH_TOKEN",)
    retries = "nothing: the app tries again itself"
    call_id = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

    def __init__(self, token: str | None = None):
        self.validator = RequestValidator(token) if token else None

    def verify(self, request: Request) -> bool:
        signature = request.headers.get("x-twilio-signature")
        if not signature or not signature.isascii() or self.validator is None:
            return False
        return check(self.validator, request, signature, HMAC_SHA1)

    def sign(self, url, params, body):
        return {"X-Twilio-Signature": self.validator.compute_signature(url, params)}


UNSIGNED = Somleng()


def carrier(config) -> Somleng | None:
    token = config.twilio_auth_token
    return Somleng(token) if token else None
