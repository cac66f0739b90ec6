"""A dental practice in Montréal, in Canadian French and English: a whole tree built from the
engine alone (``phonetree_engine``), one row per state.

Each row is ``State(enter, exit, when_closed=None, hold=None, webhooks={})``; see
``phonetree_engine/tree.py``. Run it with ``python -m examples.dental`` (``--help``), serve it
as ``examples.dental:app``.

Keys, after the language (1 French, 2 English): 1 the hours, 4 an appointment (a number to call
back, then a message), 9 the menu again, 0 the front desk (voicemail when nobody answers).
"""

from examples.dental import (
    appointment,
    engine_words,
    front_desk,
    goodbye,
    greeting,
    hours,
    language,
    menu,
    settings,
    voicemail,
)
from phonetree_engine import Choose, Keys, Outcome, State, Tree, choose_language, collect, web
from phonetree_engine.delivery import notify

TABLE = {
    # Before anything else: everything after is said in the caller's language.
    "language": choose_language(then="greeting", words=language.WORDS),
    "greeting": State(greeting.enter, "menu"),
    "menu": State(
        menu.enter,
        Keys(menu.OPTIONS, otherwise="invalid", silence="no_choice", give_up="transfer"),
    ),
    "invalid": State(menu.invalid, "menu"),
    "no_choice": State(menu.no_choice, "menu"),
    "transfer": State(menu.transfer, "front_desk"),
    "hours": State(hours.enter, Keys(hours.OPTIONS, otherwise="menu")),
    "appointment": collect(
        into=appointment.INTO,
        then="appointment_message",
        give_up="transfer",
        words=appointment.ASK,
        length=10,
        valid=appointment.valid,
        default=appointment.caller_number,
    ),
    "appointment_message": State(appointment.message, "voicemail"),
    "front_desk": State(
        front_desk.enter,
        Outcome(
            "DialCallStatus",
            {"completed": "goodbye", "answered": "goodbye"},
            otherwise="unavailable",  # busy, no-answer, failed, canceled
        ),
        when_closed="unavailable",
    ),
    "unavailable": State(front_desk.unavailable, "voicemail"),
    "voicemail": State(
        voicemail.enter,
        Choose(voicemail.saved, ("message_saved", "goodbye")),
        # The recording and its transcript, to the practice, with the confirmed number.
        webhooks=notify.webhooks(details=voicemail.DETAILS),
    ),
    "message_saved": State(voicemail.thanks),
    "goodbye": State(goodbye.enter),
}

TREE = Tree(
    table=TABLE,
    start="language",  # where /voice begins
    recovery="menu",  # where a caller goes on after something failed on our side
    words=engine_words.WORDS,  # what the engine says for the practice
    person=front_desk.ring,  # how a person is reached when the tree cannot go on
    settings=settings.SETTINGS,  # the practice's settings, beside the engine's
    defaults=settings.DEFAULTS,  # French first, Montréal's time zone, the clinic's hours
)


def __getattr__(name):
    """``examples.dental:app``, as the Procfile's server serves it: built on first use."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()["app"] = app = web.serving_app(TREE)
    return app
