"""The phone tree: one row per state. Add a state by adding a module and a row.

Each row is ``State(enter, exit, when_closed=None, callbacks={})``; see ``tree.py``.
"""

from phonetree_engine import Choose, Keys, Outcome, State, choose_language
from phonetree_engine.collect import collect
from states import (
    callback,
    error,
    goodbye,
    greeting,
    hours,
    language,
    menu,
    message_saved,
    no_choice,
    reception,
    sales,
    support,
    transfer,
    unavailable,
    voicemail,
)

START = "greeting"  # where /voice begins
RECOVERY = "menu"  # where a caller goes on after something failed on our side
CONTEXT = {}  # names this tree's handlers carry in its URLs, each a Slot (see tree.py)

TABLE = {
    "greeting": State(greeting.enter, "language"),
    # With several LANGUAGES the caller picks one here; with one, the call goes on at once.
    "language": choose_language(then="menu", words=language.WORDS),
    "menu": State(
        menu.enter,
        Keys(
            keys={
                "1": "sales",
                "2": "support",
                "3": "hours",
                "9": "menu",
                "0": "reception",
            },
            announce=menu.OPTIONS,  # what the menu says each key does
            words=menu.SPOKEN,  # what a caller may say instead
            otherwise="error",
            silence="no_choice",
            give_up="transfer",
        ),
    ),
    "sales": State(sales.enter, "voicemail"),
    "support": State(
        support.enter,
        Outcome(
            "QueueResult",
            # No QueueResult: the wait music sent the caller here to ask for a callback.
            {
                "bridged": "goodbye",
                "hangup": "goodbye",
                "leave": "voicemail",
                "": "callback_number",
            },
            otherwise="unavailable",  # queue-full, error, system-shutdown, ...
        ),
        when_closed="unavailable",
        callbacks={"wait": support.wait},
    ),
    # Call me back instead of holding, while still in the queue (see callback.py).
    "callback_number": collect(
        into=callback.INTO,
        then="callback_requested",
        give_up="callback_declined",
        words=callback.ASK,
        max_length=15,
        valid=callback.valid,
        default=callback.caller_id,
    ),
    "callback_requested": State(callback.requested),
    "callback_declined": State(callback.declined),
    "hours": State(hours.enter, Keys(keys={"1": "hours"}, otherwise="menu")),
    "reception": State(
        reception.enter,
        Outcome(
            "DialCallStatus",
            {"completed": "goodbye", "answered": "goodbye"},
            otherwise="unavailable",  # busy, no-answer, failed, canceled
        ),
        when_closed="unavailable",
    ),
    "error": State(error.enter, "menu"),
    "no_choice": State(no_choice.enter, "menu"),
    "transfer": State(transfer.enter, "reception"),
    "unavailable": State(unavailable.enter, "voicemail"),
    "voicemail": State(
        voicemail.enter,
        Choose(voicemail.saved, ("message_saved", "goodbye")),
        callbacks={"recorded": voicemail.recorded, "transcribed": voicemail.transcribed},
    ),
    "message_saved": State(message_saved.enter),
    "goodbye": State(goodbye.enter),
}
