"""The engine: walks the state table, entering states and taking their exits.

It knows nothing of HTTP: the web side hands it the posted parameters, the call's context
from the URL and the URL prefix, and sends back the TwiML it renders.
"""

from __future__ import annotations

from collections.abc import Mapping

from phonetree_engine.checks import check_table, table_slots
from phonetree_engine.collect import Collect
from phonetree_engine.languages import ChooseLanguage
from phonetree_engine.settings import Config
from phonetree_engine.tree import MAX_CHAIN, Call, Keys, Slot, State, as_verbs

MAX_RENDERED = 4096  # steady answers kept; beyond this they are rendered every time


class Engine:
    """Walks the table: enters states (chaining those that go on at once) and takes exits."""

    def __init__(self, table, start, recovery, config: Config, clock=None, context=None):
        check_table(table, start, recovery, config, context or {})
        self.table: dict[str, State] = dict(table)
        self.slots: dict[str, Slot] = table_slots(self.table, context or {})
        self.start, self.recovery = start, recovery
        self.config, self.clock = config, clock
        # Steady TwiML by (prefix, state, the context values it read); the names each state
        # read, by (prefix, state), tell which keys to look for.
        self._rendered: dict[tuple, str] = {}
        self._reads: dict[tuple, list[tuple[str, ...]]] = {}

    def call(self, state, params, context, prefix, trail=()) -> Call:
        exit_ = self.table[state].exit if state in self.table else None
        return Call(
            state,
            self.config,
            params,
            context,
            self.clock,
            prefix,
            slots=self.slots,
            exit=exit_,
            trail=trail,
        )

    def read_context(self, pairs) -> dict[str, str]:
        """The declared values of a query string; odd ones and other names are left out."""
        context = {}
        for name, text in pairs:
            slot = self.slots.get(name)
            if slot is not None and name not in context:
                value = slot.read(text)
                if value is not None:
                    context[name] = value
        return context

    def enter(self, name, params, context=None, prefix="", trail=()) -> tuple[list[str], list[str]]:
        """Return the TwiML of ``name`` and the states it goes on to at once, and every state
        entered on the way, in order (a closed one included): the last is where the call waits.

        ``trail`` is the state whose exit led here, if any; a handler sees it with the states
        entered before its own (``call.trail``).
        """
        context = context or {}
        parts, entered = [], []
        for _ in range(MAX_CHAIN):
            row = self.table[name]
            entered.append(name)  # (the language choice too: the walk follows the table)
            if isinstance(row.exit, ChooseLanguage) and len(self.config.languages) == 1:
                name = row.exit.then  # nothing to choose: as if the row were not there
                continue
            if row.when_closed and not self.call(name, params, context, prefix).is_open:
                name, trail = row.when_closed, (*trail, name)
                continue  # (a Call of its own: reading the clock must not stop the caching)
            parts.append(self.render(row, self.call(name, params, context, prefix, trail)))
            if not isinstance(row.exit, str):
                return parts, entered
            name, trail = row.exit, (*trail, name)
        raise RuntimeError(f"more than {MAX_CHAIN} states in one answer, ending at {name!r}")

    def render(self, row: State, call: Call) -> str:
        base = (call.prefix, call.state)
        values = call.values
        for names in self._reads.get(base, ()):
            text = self._rendered.get((base, tuple(values.get(name) for name in names)))
            if text is not None:
                return text
        text = self.to_xml(as_verbs(row.enter(call)), row, call)
        if not call.volatile and len(self._rendered) < MAX_RENDERED:
            # It read neither input, clock nor collected values: the same for the same context.
            names = tuple(sorted(call.context.read))
            reads = self._reads.setdefault(base, [])
            if names not in reads:
                reads.append(names)
            self._rendered[(base, tuple(values.get(name) for name in names))] = text
        return text

    def leave(self, name, params, context=None, prefix="") -> tuple[str, dict[str, str]]:
        """Take the exit of ``name`` with what was posted; return the next state and context."""
        exit_ = self.table[name].exit
        call = self.call(name, params, context or {}, prefix)
        target, failed = exit_.decide(call)
        carried = updated(context or {}, call.kept)
        if "tries" in call.kept:  # the exit counts its own tries (Collect)
            return target, carried
        carried.pop("tries", None)
        if failed and isinstance(exit_, Keys) and exit_.give_up:
            if call.tries + 1 >= self.config.max_retries:
                return exit_.give_up, carried
            carried["tries"] = str(call.tries + 1)
        return target, carried

    def callback(self, name, part, params, context=None, prefix="") -> list[str]:
        call = self.call(name, params, context or {}, prefix)
        row = self.table[name]
        return [self.to_xml(as_verbs(row.callbacks[part](call)), row, call)]

    def collects(self, name: str) -> bool:
        """Whether what a caller posts to this state's exit is theirs to keep private."""
        row = self.table.get(name)
        return row is not None and isinstance(row.exit, Collect)

    def to_xml(self, verbs, row: State, call: Call) -> str:
        return "".join(self.dress(verb, row, call).to_xml(xml_declaration=False) for verb in verbs)

    def dress(self, verb, row: State, call: Call):
        """Set the caller's language and its voice on every Say, and speech for a Keys menu."""
        if verb.name == "Say":
            language = verb.attrs.setdefault("language", call.language)
            voice = self.config.voice_for(language)
            if voice and "voice" not in verb.attrs:
                verb.attrs["voice"] = voice
        elif verb.name == "Gather" and self.listens(verb, row, call):
            verb.attrs.setdefault("input", "dtmf speech")
            verb.attrs.setdefault("hints", ", ".join(row.exit.spoken(call)))
            verb.attrs.setdefault("language", call.language)
            verb.attrs.setdefault("speechTimeout", "auto")
        for child in verb.verbs:
            self.dress(child, row, call)
        return verb

    @staticmethod
    def listens(gather, row: State, call: Call) -> bool:
        """A Gather posting to a Keys exit with words also takes speech, hinted with them."""
        words = isinstance(row.exit, Keys) and row.exit.words
        return bool(words) and gather.attrs.get("action") == call.action


def updated(context: Mapping[str, str], kept: Mapping[str, str | None]) -> dict[str, str]:
    """The context with what an exit kept; a kept None forgets the name."""
    merged = {**context, **kept}
    return {name: value for name, value in merged.items() if value is not None}
