"""Collect and confirm: ask for digits, read them back, 1 to confirm, 2 to enter them again.

One state of the table does the whole exchange; which prompt comes next and the digits
awaiting confirmation travel in the URL (``step``, and ``entry`` sealed), so any replica serves
any step. Its prompts come from the tree: a row's own ``ask`` (and any prompt it changes), the
rest from the tree's words (``collect_confirm``, ``collect_offer``, ``collect_invalid``,
``collect_silence``), in the caller's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather

from phonetree_engine.call import Call, Slot
from phonetree_engine.tree import State
from phonetree_engine.words import MissingWords

MAX_DIGITS = 20  # the most a collect may ask for; the entry slot is this big
PROMPTS = ("confirm", "offer", "invalid", "silence")  # each "collect_<name>" in the tree's words
CONFIRM_KEY, AGAIN_KEY = "1", "2"


def collect(**fields) -> State:
    """A row of the table that collects and confirms digits: ``collect(into=..., ...)``."""
    spec = Collect(**fields)
    return State(spec.enter, spec)


def spoken(digits: str) -> str:
    """Digits to be read one by one ("5, 5, 5"), not as one big number."""
    return ", ".join(digits)


@dataclass(frozen=True)
class Collect:
    """Ask for digits, read them back, then go to ``then`` with them in ``call.context[into]``.

    ``words`` maps each language to its prompts: ``ask`` (required) and, to change the tree's
    (``collect_confirm``, ...), ``confirm``, ``offer``, ``invalid`` and ``silence``.
    ``length`` asks for exactly that many digits; without it, up to ``max_length`` ended by #.
    ``valid(digits)`` may refuse an entry (the caller hears ``invalid`` and enters again).
    ``default(call)`` may offer a value first (e.g. the caller ID): if it passes the same
    checks it is read back for confirmation, else the caller goes straight to entering one.
    Invalid entries, silence, other keys and re-entries each count as a try; after
    ``attempts`` (default ``MAX_RETRIES``) the call goes to ``give_up``.
    """

    into: str
    then: str
    give_up: str
    words: Mapping[str, Mapping[str, str]]
    length: int | None = None
    max_length: int = 15
    valid: Callable[[str], bool] | None = None
    default: Callable[[Call], str] | None = None
    attempts: int | None = None

    def limit(self, config) -> int:
        """Failed tries before ``give_up``."""
        return self.attempts or config.max_retries

    @property
    def size(self) -> int:
        return self.length or self.max_length

    def slots(self) -> dict[str, Slot]:
        """The context this exit carries: the confirmed value, sealed and masked."""
        return {self.into: Slot(self.size, personal=True)}

    def edges(self) -> list[tuple[str, str]]:
        return [("confirmed", self.then), ("too many tries", self.give_up)]

    def accepts(self, digits: str) -> bool:
        if not (digits.isascii() and digits.isdigit()):
            return False
        if len(digits) != self.length if self.length else not 0 < len(digits) <= self.max_length:
            return False
        return self.valid is None or bool(self.valid(digits))

    def offered(self, call: Call) -> str | None:
        """The default value, if there is one the caller may confirm."""
        if self.default is None:
            return None
        value = (self.default(call) or "").strip().lstrip("+")
        return value if self.accepts(value) else None

    def prompts(self, call: Call) -> Mapping[str, str]:
        own = call.words(self.words)
        if "ask" not in own:
            raise MissingWords(f"no {call.language} words for ask", self.words)
        shared = call.words(call.setup.words)
        defaults = {
            name: shared[f"collect_{name}"] for name in PROMPTS if f"collect_{name}" in shared
        }
        missing = set(PROMPTS) - set(defaults) - set(own)
        if missing:
            names = ", ".join(f"collect_{name}" for name in sorted(missing))
            raise MissingWords(f"no {call.language} words for {names}", call.setup.words)
        return {**defaults, **own}

    # Entering: one of three prompts ##

    def enter(self, call: Call):
        """Ask for the digits, or read back an entry (or the default) for confirmation."""
        words = self.prompts(call)
        step = call.context.get("step")
        entry = call.context.get("entry")
        if step == "confirm" and entry and self.accepts(entry):
            return self.read_back(call, words["confirm"], entry)
        offered = self.offered(call) if step is None else None
        if offered:
            return self.read_back(call, words["offer"], offered)
        ask = Gather(
            input="dtmf",
            num_digits=self.size,
            finish_on_key="#",
            action=call.action,
            action_on_empty_result=True,
        )
        if step in ("invalid", "silence"):
            ask.say(words[step])
        ask.say(words["ask"])
        return ask

    @staticmethod
    def read_back(call: Call, text: str, digits: str):
        confirm = Gather(
            input="dtmf", num_digits=1, action=call.action, action_on_empty_result=True
        )
        confirm.say(text.format(digits=spoken(digits)))
        return confirm

    # Leaving: confirmed, again, or another try ##

    def decide(self, call: Call) -> tuple[str, bool]:
        step = call.context.get("step")
        entry = call.context.get("entry") if step == "confirm" else None
        if entry is not None and not self.accepts(entry):  # checked again, whatever came
            return self.retry(call, "invalid")
        value = entry or (self.offered(call) if step is None else None)
        digits = call.digits
        if value and digits == CONFIRM_KEY:
            call.keep(self.into, value)
            return self.leave(call, self.then)
        if value and digits == AGAIN_KEY:
            return self.retry(call, "ask")
        if value:  # another key, or silence: read it back again
            return self.retry(call, step, entry)
        if not digits:
            return self.retry(call, "silence")
        if not self.accepts(digits):
            return self.retry(call, "invalid")
        call.keep("entry", digits)
        call.keep("step", "confirm")
        call.keep("tries", call.context.get("tries"))  # a good entry is no new try
        return call.state, False

    def retry(self, call: Call, step: str | None, entry: str | None = None) -> tuple[str, bool]:
        tries = call.tries + 1
        if tries >= self.limit(call.config):
            return self.leave(call, self.give_up)
        call.keep("entry", entry)
        call.keep("step", step)
        call.keep("tries", str(tries))
        return call.state, True

    @staticmethod
    def leave(call: Call, target: str) -> tuple[str, bool]:
        for name in ("entry", "step", "tries"):
            call.keep(name, None)
        return target, False

    def sample_contexts(self) -> list[dict[str, str]]:
        """A context for each prompt, so the start-up check renders every one."""
        entry = "1" * self.size
        return [{}, {"step": "invalid"}, {"step": "silence"}, {"step": "confirm", "entry": entry}]
