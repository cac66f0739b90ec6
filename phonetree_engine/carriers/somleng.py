"""Somleng (open source, Twilio-compatible): ``X-Twilio-Signature``, HMAC-SHA1 of the URL and
the sorted form, keyed with the Somleng account's auth token (``TWILIO_AUTH_TOKEN``).

Somleng signs the URL as it was given, fragment and all, and does not retry a callback answered
with an error: so callback URLs carry no connection override (it would break their signature),
and the app keeps a failed message and tries again itself (see ``delivery``).
"""

from __future__ import annotations

from phonetree_engine.carriers.twilio import GROUP, UUID, SignedAsTwilio

__all__ = ["GROUP", "Somleng", "carrier"]


class Somleng(SignedAsTwilio):
    name, title = "somleng", "Somleng"
    keys = ("TWILIO_AUTH_TOKEN",)
    retries = "nothing: the app tries again itself"
    call_id = UUID


UNSIGNED = Somleng()


def carrier(config) -> Somleng | None:
    token = config.twilio_auth_token
    return Somleng(token) if token else None
