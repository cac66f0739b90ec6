"""How the tools play the configured carrier against an app: ``call`` and the studio alike.

The simulated caller knows each carrier's protocol (``carriers.py``); this says, for an app and
its settings, which carrier to play and with which key.
"""

from __future__ import annotations

import base64

from phonetree_tools.carriers import telnyx_keys


def signing(app, config) -> dict:
    """How the simulated carrier signs: with the configured key, as the carrier would.

    Telnyx signs with a private key no one but Telnyx has: the app is handed, for this call,
    the public key of a pair made here, so the call is signed and checked the Telnyx way.
    """
    carrier = config.provider
    if carrier == "telnyx":
        hooks = app.config["phonetree.webhooks"]
        if hooks.carrier is None:
            return {"carrier": carrier}
        from phonetree_engine.carriers.telnyx import Telnyx

        seed, public = telnyx_keys()
        hooks.carrier = Telnyx(base64.b64decode(public))
        return {"carrier": carrier, "key": seed}
    if carrier == "signalwire":
        key = config.signalwire_signing_key
        return {"carrier": carrier, "key": key} if key else {"carrier": carrier}
    if config.twilio_auth_token:
        return {"carrier": carrier, "auth_token": config.twilio_auth_token}
    if config.twilio_shared_key:
        return {"carrier": carrier, "shared_key": config.twilio_shared_key}
    return {"carrier": carrier}
