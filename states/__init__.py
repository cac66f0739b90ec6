"""The phone tree: one row per state, and what the engine needs of the tree besides.

Each row is ``State(enter, exit, when_closed=None, hold=None, webhooks={})``; see
``phonetree_engine/tree.py``. Add a state by adding a module and a row.
"""

from phonetree_engine import Choose, Keys, Outcome, State, Tree, choose_language, collect
from phonetree_engine.delivery import notify
from states import (
    callback,
    error,
    goodbye,
    greeting,
    hold,
    hours,
    language,
    menu,
    message_saved,
    no_choice,
    reception,
    sales,
    settings,
    support,
    transfer,
    unavailable,
    voicemail,
    words,
)

TABLE = {
    "greeting": State(greeting.enter, "language"),
    # With several LANGUAGES the caller picks one here; with one, the call goes on at once.
    "language": choose_language(then="menu", words=language.WORDS),
    "menu": State(
        menu.enter,
        Keys(menu.OPTIONS, otherwise="error", silence="no_choice", give_up="transfer"),
    ),
    "sales": State(sales.enter, "voicemail"),
    "support": State(
        support.enter,
        Outcome(
            "QueueResult",
            {"bridged": "goodbye", "hangup": "goodbye", "leave": "voicemail"},
            otherwise="unavailable",  # queue-full, error, system-shutdown, ...
        ),
        when_closed="unavailable",
        hold="hold",
    ),
    # While queued: the caller's place, music, and later a message or a call back.
    "hold": State(hold.enter, Keys(hold.OPTIONS, otherwise="hold")),
    "leave_queue": State(hold.leave),
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
    "hours": State(hours.enter, Keys(hours.OPTIONS, otherwise="menu")),
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
        webhooks=notify.webhooks(),  # the recording and its transcript, to the business
    ),
    "message_saved": State(message_saved.enter),
    "goodbye": State(goodbye.enter),
}

TREE = Tree(
    table=TABLE,
    start="greeting",  # where /voice begins
    recovery="menu",  # where a caller goes on after something failed on our side
    words=words.WORDS,  # what the engine says for this tree: an apology, collect prompts, ...
    person=reception.ring,  # how a person is reached when the tree cannot go on
    settings=settings.SETTINGS,  # this business's settings, beside the engine's
)
