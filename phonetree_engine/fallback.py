"""The number's "primary handler fails" webhook: TwiML that needs neither the table nor a state.

Twilio requests the fallback URL when the primary webhook fails: a 5xx, a timeout, a replica
that vanished. What it hears there must not depend on what just failed, so these answers are
built from the settings alone::

    /fallback               an apology, then the receptionist
    /fallback/dialed        nobody answered: a voicemail
    /fallback/saved         the voicemail ended: thanks and goodbye
    /fallback/recorded      the recording's status: a business event in the log (Twilio
                            retries on a 5xx if the log could not take it)
"""

from __future__ import annotations

from twilio.twiml.voice_response import Hangup, Record, Say

from phonetree_engine import notify
from phonetree_engine.tree import RETRY_FRAGMENT, event_line

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
        record = Record(
            action=f"{prefix}/fallback/saved",
            max_length=self.config.voicemail_max_length,
            finish_on_key="#",
            play_beep=True,
            recording_status_callback=f"{prefix}/fallback/recorded{RETRY_FRAGMENT}",
        )
        # Twilio skips Record's action when the recording is empty, and goes on here.
        verbs = [Say(LEAVE_MESSAGE), record, Say(NO_MESSAGE), Hangup()]
        return [self.xml(*verbs)], "fallback-voicemail", ()

    def saved(self, params, context, prefix):
        said = THANKS if params.get("RecordingUrl") else NO_MESSAGE
        return [self.xml(Say(said), Hangup())], "fallback-saved", ()

    def recorded(self, params, context, prefix):
        notify.record(
            event_line(
                "recording",
                call=params.get("CallSid", "-")[:40],
                status=params.get("RecordingStatus", "-")[:20],
                url=params.get("RecordingUrl", "-")[:300],
                duration=params.get("RecordingDuration", "-")[:10],
                recording=params.get("RecordingSid", "-")[:40],
                via="fallback",
            )
        )
        return [], "-", ()
