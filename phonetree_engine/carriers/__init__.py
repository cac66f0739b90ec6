"""The carriers that speak TwiML: how each signs its webhooks, retries its callbacks, and what of
the markup it lacks. A registry, one entry and one module each (``PROVIDER`` picks one)::

    twilio      X-Twilio-Signature, HMAC-SHA1 with the auth token (or a shared key, HMAC-SHA256)
    signalwire  X-SignalWire-Signature, the same HMAC-SHA1, with the project's signing key
    telnyx      telnyx-signature-ed25519 over "{telnyx-timestamp}|{body}", the account's public key
    somleng     X-Twilio-Signature, HMAC-SHA1 with the Somleng account's auth token

A module declares its settings (``GROUP``) and makes a ``Carrier`` from a config
(``carrier(config)``). A carrier verifies a request (``verify``), signs one as it would (for the
simulated caller: ``sign``), says how its callbacks are retried (``RETRY_FRAGMENT``, ``retries``),
and what its dialect lacks or reads otherwise (``Dialect``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from phonetree_engine.settings import Group

DEFAULT = "twilio"  # the carrier when PROVIDER is unset


@dataclass(frozen=True)
class Dialect:
    """What a carrier's markup lacks, and how the engine adapts the rest.

    ``lacks`` names verbs, nouns and ``Verb.attribute``s the carrier does not have (the check
    names any a state uses); ``renamed`` maps ``Verb.attribute`` to the carrier's own name;
    ``empty_result`` says whether a Gather takes ``actionOnEmptyResult`` (without it, the engine
    follows such a Gather with a Redirect to its action, which is what silence then posts);
    ``voice`` picks a voice for a language when the settings name none (None: the carrier's own
    default speaks the Say's language); ``voices`` is the pattern a voice name must match.
    """

    lacks: frozenset[str] = frozenset()
    renamed: Mapping[str, str] = field(default_factory=dict)
    empty_result: bool = True
    voice: Callable[[str], str | None] = lambda language: None
    voices: str = r".+"
    drops: frozenset[str] = frozenset()  # attribute values the carrier cannot read: left out


@dataclass(frozen=True)
class Request:
    """What a signature may cover: the URL the carrier called, the form, the raw body, headers."""

    url: str
    form: list[tuple[str, str]]
    body: bytes
    headers: Mapping[str, str]  # read by lower-case name: .get("x-twilio-signature")
    method: str = "POST"


class Carrier:
    """One carrier: verifies and signs webhooks, and speaks its dialect."""

    name = ""
    title = ""
    keys: tuple[str, ...] = ()  # the settings that hold its signing keys, for messages
    RETRY_FRAGMENT = ""  # appended to a callback URL to have it retried on a 5xx, if it can be
    retries_at_url = False  # whether a callback answered 5xx is sent again to the same URL
    retries = ""  # what the carrier retries of a failed callback, in a few words
    call_id = re.compile(r"[^\s]{1,80}")
    dialect = Dialect()

    def verify(self, request: Request) -> bool:  # pragma: no cover - each carrier's own
        raise NotImplementedError


def _registry() -> dict:
    from phonetree_engine.carriers import signalwire, somleng, telnyx, twilio

    return {"twilio": twilio, "signalwire": signalwire, "telnyx": telnyx, "somleng": somleng}


CARRIERS: Mapping[str, object] = _registry()


def carrier_groups() -> list[Group]:
    """Each carrier's settings, for the engine's list of settings."""
    groups: list[Group] = []
    for module in CARRIERS.values():
        if module.GROUP not in groups:
            groups.append(module.GROUP)
    return groups


def carrier(config) -> Carrier | None:
    """The configured carrier with its keys; None when its keys are not set (unsigned)."""
    return CARRIERS[config.provider].carrier(config)


def unsigned(config) -> Carrier:
    """The configured carrier without keys: its dialect and retries, no verification."""
    return CARRIERS[config.provider].UNSIGNED
