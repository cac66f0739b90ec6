"""The engine: walks the state table, entering states and taking their exits.

It knows nothing of HTTP: ``phonetree.py`` hands it the posted parameters, the count of
failed tries from the URL and the URL prefix, and sends back the TwiML it renders.
"""

from __future__ import annotations

from phonetree_engine.checks import check_table
from phonetree_engine.settings import Config
from phonetree_engine.tree import MAX_CHAIN, Call, Keys, State, as_verbs


class Engine:
    """Walks the table: enters states (chaining those that go on at once) and takes exits."""

    def __init__(self, table, start, recovery, config: Config, clock=None):
        check_table(table, start, recovery, config)
        self.table: dict[str, State] = dict(table)
        self.start, self.recovery = start, recovery
        self.config, self.clock = config, clock
        self._rendered: dict[tuple, str] = {}  # (prefix, state, tries) -> TwiML of a steady state

    def call(self, state, params, tries, prefix, trail=()) -> Call:
        return Call(state, self.config, params, tries, self.clock, prefix, trail=trail)

    def enter(self, name, params, tries=0, prefix="", trail=()) -> tuple[list[str], str]:
        """Return the TwiML of ``name`` and the states it goes on to at once, and the last.

        ``trail`` is the state whose exit led here, if any; each state entered joins it.
        """
        parts = []
        for _ in range(MAX_CHAIN):
            row = self.table[name]
            if row.when_closed and not self.call(name, params, tries, prefix).is_open:
                name, trail = row.when_closed, (*trail, name)
                continue  # (a Call of its own: reading the clock must not stop the caching)
            parts.append(self.render(row, self.call(name, params, tries, prefix, trail)))
            if not isinstance(row.exit, str):
                return parts, name
            name, trail = row.exit, (*trail, name)
        raise RuntimeError(f"more than {MAX_CHAIN} states in one answer, ending at {name!r}")

    def render(self, row: State, call: Call) -> str:
        key = (call.prefix, call.state, call.tries)
        text = self._rendered.get(key)
        if text is None:
            text = self.to_xml(as_verbs(row.enter(call)), row, call)
            if not call.volatile:  # it read neither input nor clock: the same every time
                self._rendered[key] = text
        return text

    def leave(self, name, params, tries=0, prefix="") -> tuple[str, int]:
        """Take the exit of ``name`` with what was posted; return the next state and tries."""
        exit_ = self.table[name].exit
        target, failed = exit_.decide(self.call(name, params, tries, prefix))
        if not (failed and isinstance(exit_, Keys) and exit_.give_up):
            return target, 0
        if tries + 1 >= self.config.max_retries:
            return exit_.give_up, 0
        return target, tries + 1

    def callback(self, name, part, params, prefix="") -> list[str]:
        call = self.call(name, params, 0, prefix)
        row = self.table[name]
        return [self.to_xml(as_verbs(row.callbacks[part](call)), row, call)]

    def to_xml(self, verbs, row: State, call: Call) -> str:
        return "".join(self.dress(verb, row, call).to_xml(xml_declaration=False) for verb in verbs)

    def dress(self, verb, row: State, call: Call):
        """Set voice and language once for every Say, and speech input for a Keys menu."""
        config = self.config
        if verb.name == "Say":
            if config.voice and "voice" not in verb.attrs:
                verb.attrs["voice"] = config.voice
            verb.attrs.setdefault("language", config.language)
        elif verb.name == "Gather" and self.listens(verb, row, call):
            verb.attrs.setdefault("input", "dtmf speech")
            verb.attrs.setdefault("hints", ", ".join(row.exit.words))
            verb.attrs.setdefault("language", config.language)
            verb.attrs.setdefault("speechTimeout", "auto")
        for child in verb.verbs:
            self.dress(child, row, call)
        return verb

    @staticmethod
    def listens(gather, row: State, call: Call) -> bool:
        """A Gather posting to a Keys exit with words also takes speech, hinted with them."""
        words = isinstance(row.exit, Keys) and row.exit.words
        return bool(words) and gather.attrs.get("action") == call.action
