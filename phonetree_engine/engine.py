"""The engine: walks the state table, entering states and taking their exits.

It knows nothing of HTTP: the web side hands it the posted parameters, the call's context
from the URL and the URL prefix, and sends back the TwiML it renders.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from twilio.twiml.voice_response import Redirect

from phonetree_engine import carriers
from phonetree_engine.call import Call, Setup
from phonetree_engine.checks import check_tree, held_states, table_slots
from phonetree_engine.collect import Collect
from phonetree_engine.delivery import Delivery
from phonetree_engine.languages import ChooseLanguage
from phonetree_engine.seal import Seal
from phonetree_engine.settings import Config
from phonetree_engine.tree import MAX_CHAIN, Keys, State, Tree

MAX_RENDERED = 4096  # steady answers kept; beyond this they are rendered every time


class Engine:
    """Walks the table: enters states (chaining those that go on at once) and takes exits."""

    def __init__(self, tree: Tree, config: Config, clock=None, delivery: Delivery | None = None):
        check_tree(tree, config)
        self.tree = tree
        self.table: dict[str, State] = dict(tree.table)
        self.start, self.recovery = tree.start, tree.recovery
        self.config = config
        # Without SECRET_KEY or a signing key, a key of this process alone: sealed values then
        # open on this replica only (start-up says so).
        self.seal_shared = config.seal_key is not None
        self.setup = Setup(
            config=config,
            clock=clock,
            slots=table_slots(self.table, tree.context),
            seal=Seal(config.seal_key or secrets.token_bytes(32)),
            delivery=delivery if delivery is not None else Delivery.from_config(config),
            words=tree.words,
            carrier=carriers.carrier(config) or carriers.unsigned(config),
        )
        self.dialect = self.setup.carrier.dialect
        self.slots = self.setup.slots
        self.held = held_states(self.table)  # states that play while a caller is queued
        # Steady TwiML by (prefix, state, the context values it read); the names each state
        # read, by (prefix, state), tell which keys to look for.
        self._rendered: dict[tuple, str] = {}
        self._reads: dict[tuple, list[tuple[str, ...]]] = {}

    @property
    def clock(self):
        return self.setup.clock

    @clock.setter
    def clock(self, clock) -> None:
        self.setup.clock = clock

    def call(self, state, params, context, prefix, trail=()) -> Call:
        row = self.table.get(state)
        return Call(
            state,
            self.setup,
            params,
            context,
            prefix,
            exit=row.exit if row else None,
            hold=row.hold if row else None,
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
            if call.tries + 1 >= exit_.limit(self.config):
                return exit_.give_up, carried
            carried["tries"] = str(call.tries + 1)
        return target, carried

    def answer(self, name, part, params, context=None, prefix="") -> list[str]:
        """Answer one of a state's other webhooks (``State.webhooks``)."""
        call = self.call(name, params, context or {}, prefix)
        row = self.table[name]
        return [self.to_xml(as_verbs(row.webhooks[part](call)), row, call)]

    def collects(self, name: str) -> bool:
        """Whether what a caller posts to this state's exit is theirs to keep private."""
        row = self.table.get(name)
        return row is not None and isinstance(row.exit, Collect)

    def to_xml(self, verbs, row: State, call: Call) -> str:
        verbs = [self.dress(verb, row, call) for verb in verbs]
        return "".join(verb.to_xml(xml_declaration=False) for verb in self.spoken(verbs))

    def dress(self, verb, row: State, call: Call):
        """Set the caller's language and its voice on every Say, and speech for a Keys menu;
        then say it in the carrier's dialect."""
        if verb.name == "Say":
            language = verb.attrs.setdefault("language", call.language)
            voice = self.config.voice_for(language) or self.dialect.voice(language)
            if voice and "voice" not in verb.attrs:
                verb.attrs["voice"] = voice
        elif verb.name == "Gather" and self.listens(verb, row, call):
            verb.attrs.setdefault("input", "dtmf speech")
            verb.attrs.setdefault("hints", ", ".join(row.exit.hints(call.language)))
            verb.attrs.setdefault("language", call.language)
            verb.attrs.setdefault("speechTimeout", "auto")
        for name in list(verb.attrs):
            key = f"{verb.name}.{name}"
            if f"{key}={verb.attrs[name]}" in self.dialect.drops:
                del verb.attrs[name]
            elif key in self.dialect.renamed:
                verb.attrs[self.dialect.renamed[key]] = verb.attrs.pop(name)
        for child in verb.verbs:
            self.dress(child, row, call)
        return verb

    def spoken(self, verbs: list) -> list:
        """The verbs as the carrier plays them: where a Gather cannot post on silence
        (``actionOnEmptyResult``), a Redirect to its action follows it, which silence reaches."""
        if self.dialect.empty_result:
            return verbs
        said = []
        for verb in verbs:
            said.append(verb)
            empty = verb.attrs.pop("actionOnEmptyResult", None) if verb.name == "Gather" else None
            if str(empty).lower() == "true" and verb.attrs.get("action"):
                said.append(Redirect(verb.attrs["action"]))
        return said

    @staticmethod
    def listens(gather, row: State, call: Call) -> bool:
        """A Gather posting to a Keys exit that hears words also takes speech, hinted with them."""
        hears = isinstance(row.exit, Keys) and row.exit.listens
        return hears and gather.attrs.get("action") == call.action


def updated(context: Mapping[str, str], kept: Mapping[str, str | None]) -> dict[str, str]:
    """The context with what an exit kept; a kept None forgets the name."""
    merged = {**context, **kept}
    return {name: value for name, value in merged.items() if value is not None}


def as_verbs(verbs) -> list:
    if verbs is None:
        return []
    return list(verbs) if isinstance(verbs, (list, tuple)) else [verbs]
