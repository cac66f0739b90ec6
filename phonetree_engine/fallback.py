"""The number's "primary handler fails" webhook: TwiML that needs neither the table nor a state.

Twilio requests the fallback URL when the primary webhook fails: a 5xx, a timeout, a replica
that vanished. What it hears there must not depend on what just failed, so these answers are
built from the settings alone::

    /fallback               an apology, then the receptionist
    /fallback/dialed        nobody answered: a voicemail
    /fallback/saved         the voicemail ended: thanks and goodbye
    /fallback/recorded      the recording's status: a business event in the log, and the
                            voicemail delivered as any other (email, webhook); Twilio
                            retries on a 5xx when the log or a channel did not take it

The recording's callback carries few of the call's parameters, so its URL carries the caller.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from twilio.twiml.voice_response import Hangup, Record, Say

from phonetree_engine import notify
from phonetree_engine.tree import RETRY_FRAGMENT

APOLOGY = "Sorry, we are having trouble with our phone system. Let me put you through to a person."
LEAVE_MESSAGE = (
    "Nobody could take your call. Please leave a message after the beep, "
    "and press the pound key when you are done."
)
THANKS = "Thank you for your message. We will call you back. Goodbye."
NO_MESSAGE = "We did not get a message. Please call again later. Goodbye."
ANSWERED = ("completed", "answered")


class Fallback:
    """The steps of the fallback routes, for `Webhooks.route`; ``ring`` dials the receptionist."""

    def __init__(self, config, ring, xml):
        self.config, self.ring, self.xml = config, ring, xml

    def routes(self) -> dict:
        return {
            "/fallback": self.answer,
            "/fallback/dialed": self.dialed,
            "/fallback/saved": self.saved,
            "/fallback/recorded": self.recorded,
        }

    def answer(self, params, context, prefix):
        dial = self.ring(action=f"{prefix}/fallback/dialed")
        return [self.xml(Say(APOLOGY), dial)], "fallback", ()

    def dialed(self, params, context, prefix):
        if params.get("DialCallStatus") in ANSWERED:
            return [self.xml(Hangup())], "fallback-answered", ()
        caller = {"from": params.get("From", "")[:20], "name": params.get("CallerName", "")[:40]}
        query = urlencode({name: value for name, value in caller.items() if value})
        record = Record(
            action=f"{prefix}/fallback/saved",
            max_length=self.config.voicemail_max_length,
            finish_on_key="#",
            play_beep=True,
            recording_status_callback=f"{prefix}/fallback/recorded"
            + (f"?{query}" if query else "")
            + RETRY_FRAGMENT,
        )
        # Twilio skips Record's action when the recording is empty, and goes on here.
        verbs = [Say(LEAVE_MESSAGE), record, Say(NO_MESSAGE), Hangup()]
        return [self.xml(*verbs)], "fallback-voicemail", ()

    def saved(self, params, context, prefix):
        said = THANKS if params.get("RecordingUrl") else NO_MESSAGE
        return [self.xml(Say(said), Hangup())], "fallback-saved", ()

    def recorded(self, params, context, prefix):
        fields = {**params, "via": "fallback"}
        timezone = self.config.timezone
        notify.voicemail_recorded(fields.get, self.config, lambda: datetime.now(timezone))
        return [], "-", ()
