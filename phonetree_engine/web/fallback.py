"""The number's "primary handler fails" webhook: TwiML that needs neither the table nor a state.

The carrier requests the fallback URL when the primary webhook fails: a 5xx, a timeout, a
replica that vanished. What it hears there must not depend on what just failed, so these
answers are built from the settings and the tree's words alone; as the caller's choice of
language is not known here, each sentence is said in every language of the tree, the first
first, each in its own voice::

    /fallback               an apology, then a person (the tree's ``person``)
    /fallback/dialed        nobody answered: a voicemail
    /fallback/saved         the voicemail ended: thanks and goodbye
    /fallback/recorded      the recording's status: a business event in the log, and the
                            voicemail delivered as any other (email, POST); the carrier
                            retries on a 5xx when a channel did not take it

The recording's callback carries few of the call's parameters, so its URL carries the caller,
sealed.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Hangup, Record, Say

from phonetree_engine.call import Call, with_query
from phonetree_engine.delivery import notify
from phonetree_engine.words import words_in

ANSWERED = ("completed", "answered")


class Fallback:
    """The steps of the fallback routes, for ``WebhookHandler.route``."""

    def __init__(self, engine, xml):
        self.engine, self.xml = engine, xml
        config = engine.config
        self.words = {
            language: words_in(engine.tree.words, language, config.languages)
            for language in config.languages
        }

    def said(self, name: str) -> list:
        """The sentence ``name`` in every language of the tree, each in its own."""
        return [Say(words[name], language=language) for language, words in self.words.items()]

    def routes(self) -> dict:
        return {
            "/fallback": self.answer,
            "/fallback/dialed": self.dialed,
            "/fallback/saved": self.saved,
            "/fallback/recorded": self.recorded,
        }

    def answer(self, params, context, prefix):
        if "RecordingSid" in params and "RecordingStatus" in params:
            # A carrier that sends a failed callback on to the fallback URL (Telnyx sends it to
            # the application's failover URL): delivered like any other.
            return self.recorded(params, context, prefix)
        dial = self.engine.tree.person(self.engine.config, action=f"{prefix}/fallback/dialed")
        return [self.xml(*self.said("fallback_apology"), dial)], "fallback", ()

    def dialed(self, params, context, prefix):
        if params.get("DialCallStatus") in ANSWERED:
            return [self.xml(Hangup())], "fallback-answered", ()
        caller = {"from": params.get("From", "")[:20], "name": params.get("CallerName", "")[:40]}
        private = {name: value for name, value in caller.items() if value}
        callback = with_query(f"{prefix}/fallback/recorded", {}, private, self.engine.setup.seal)
        record = Record(
            action=f"{prefix}/fallback/saved",
            max_length=self.engine.config.voicemail_max_length,
            finish_on_key="#",
            play_beep=True,
            recording_status_callback=callback + self.engine.setup.retry_fragment,
        )
        # The carrier skips Record's action when the recording is empty, and goes on here.
        verbs = [*self.said("fallback_record"), record]
        verbs += [*self.said("fallback_nothing"), Hangup()]
        return [self.xml(*verbs)], "fallback-voicemail", ()

    def saved(self, params, context, prefix):
        said = self.said("fallback_thanks" if params.get("RecordingUrl") else "fallback_nothing")
        return [self.xml(*said, Hangup())], "fallback-saved", ()

    def recorded(self, params, context, prefix):
        call = Call("", self.engine.setup, {"via": "fallback", **params}, context, prefix)
        notify.voicemail(call)
        return [], "-", ()
