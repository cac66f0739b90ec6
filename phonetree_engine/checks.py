"""The checks that judge a table at start-up: every problem, one line each, naming the state.

A wrong table must stop the app before it answers a call, never surface on a live one.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from twilio.twiml import TwiML

from phonetree_engine.collect import MAX_DIGITS, Collect
from phonetree_engine.languages import ChooseLanguage
from phonetree_engine.tree import (
    CONTEXT_BUDGET,
    ENDING_VERBS,
    ENGINE_SLOTS,
    STATE_NAME,
    WAITING_VERBS,
    Call,
    Choose,
    Keys,
    MissingWords,
    Outcome,
    Slot,
    State,
    TableError,
    as_verbs,
    find_words,
)

EXITS = (str, Keys, Outcome, Choose, Collect, ChooseLanguage)


def check_table(
    table: Mapping[str, State],
    start: str,
    recovery: str,
    config: Any,
    context: Mapping[str, Slot] | None = None,
) -> None:
    """Raise TableError listing every problem with the table, or return quietly."""
    problems = _check_context(table, context or {})
    slots = table_slots(table, context or {}) if not problems else dict(ENGINE_SLOTS)
    for name, row in table.items():
        problems += _check_row(name, row, table, config, slots)
    for role, name in (("start", start), ("recovery", recovery)):
        if name not in table:
            problems.append(f"the {role} state {name!r} is not in the table")
    if not problems:
        problems += _check_reachable(table, start) + _check_chains(table)
    if problems:
        raise TableError(problems)


def table_slots(table: Mapping[str, State], context: Mapping[str, Slot]) -> dict[str, Slot]:
    """Every name a call of this table may carry: the engine's, the Collects', the tree's."""
    slots = dict(ENGINE_SLOTS)
    for row in table.values():
        if isinstance(row, State) and isinstance(row.exit, Collect):
            slots.update(row.exit.slots())
    slots.update(context)
    return slots


def _check_context(table: Mapping[str, State], context: Mapping[str, Slot]) -> list[str]:
    """Declared names are usable in a URL, given once, and fit the budget together."""
    problems, owners = [], {name: "the engine" for name in ENGINE_SLOTS}
    declared = [(name, slot, "the tree's context") for name, slot in context.items()]
    for state, row in table.items():
        if isinstance(row, State) and isinstance(row.exit, Collect):
            if not 0 < row.exit.size <= MAX_DIGITS:
                problems.append(f"state {state!r}: a Collect takes 1 to {MAX_DIGITS} digits")
            declared += [
                (name, slot, f"state {state!r}") for name, slot in row.exit.slots().items()
            ]
    for name, slot, owner in declared:
        if not isinstance(name, str) or not STATE_NAME.match(name):
            problems.append(f"{owner}: context name {name!r} is not lower-case letters, digits, _")
        elif not isinstance(slot, Slot) or slot.size < 1 or not slot.chars:
            problems.append(f"{owner}: context {name!r} must be a Slot(size, chars)")
        elif set(slot.chars) & set("&=#%+ ?/"):
            problems.append(f"{owner}: context {name!r} may not hold URL characters like & or =")
        elif name in owners:
            problems.append(f"{owner}: context name {name!r} is already used by {owners[name]}")
        else:
            owners[name] = owner
    if not problems:
        slots = table_slots(table, context)
        size = sum(len(name) + 2 + slot.size for name, slot in slots.items())
        if size > CONTEXT_BUDGET:
            names = ", ".join(f"{name} ({slot.size})" for name, slot in slots.items())
            problems.append(
                f"the context needs up to {size} characters of URL, over the budget of "
                f"{CONTEXT_BUDGET}: {names}"
            )
    return problems


def _check_row(name: str, row: Any, table: Mapping[str, State], config: Any, slots) -> list[str]:
    if not isinstance(row, State):
        return [f"state {name!r}: the row must be a State(...), not {type(row).__name__}"]
    problems = []
    if not isinstance(name, str) or not STATE_NAME.match(name):
        problems.append(f"state {name!r}: names are lower-case letters, digits and _ (max 40)")
    exit_ = row.exit
    if not (exit_ is None or isinstance(exit_, EXITS)):
        problems.append(
            f"state {name!r}: exit must be None, a state name, Keys, Outcome, Choose or Collect, "
            f"not {type(exit_).__name__}"
        )
        return problems
    for label, target in row.edges():
        if target not in table:
            via = f" on {label}" if label else ""
            problems.append(f"state {name!r}: leads{via} to {target!r}, which is not a state")
    if isinstance(exit_, Choose):
        problems += _check_handler(name, "exit handler", exit_.handler)
    if isinstance(exit_, Keys):
        problems += _check_keys(name, exit_, config)
        if problems:
            return problems
    for part, handler in row.callbacks.items():
        if part == "exit" or not STATE_NAME.match(part):
            problems.append(f"state {name!r}: callback name {part!r} is not a usable URL part")
        problems += _check_handler(name, f"callback {part!r}", handler)
    handler_problems = _check_handler(name, "enter handler", row.enter)
    return problems + (handler_problems or _check_rendering(name, row, config, slots))


def _check_keys(name: str, keys: Keys, config: Any) -> list[str]:
    """Spoken words and announcements are given per language, and every key is announced."""
    problems = []
    for field in ("words", "announce"):
        given = getattr(keys, field)
        if not all(isinstance(words, Mapping) for words in given.values()):
            problems.append(
                f"state {name!r}: Keys {field} must map each language to its words, "
                f'e.g. {{"en-US": {{...}}}}'
            )
    if problems:
        return problems
    for language in config.languages if keys.words else ():
        try:
            find_words(keys.words, language)
        except MissingWords as error:
            problems.append(f"state {name!r}: {error} a caller may say")
    for language in config.languages if keys.announce else ():
        try:
            announced = find_words(keys.announce, language)
        except MissingWords as error:
            problems.append(f"state {name!r}: {error} in its announcements")
            continue
        for key in keys.keys:
            if key not in announced:
                problems.append(f"state {name!r}: key {key!r} has no announcement in {language}")
        for key in announced:
            if key not in keys.keys:
                problems.append(f"state {name!r}: announces key {key!r}, which it does not take")
    return problems


def _check_handler(name: str, what: str, handler: Any) -> list[str]:
    if not callable(handler):
        return [f"state {name!r}: the {what} is not callable"]
    try:
        inspect.signature(handler).bind(None)
    except TypeError:
        return [f"state {name!r}: the {what} must take exactly one argument, the call"]
    except ValueError:  # no signature to inspect (some builtins): trust it
        pass
    return []


def _check_rendering(name: str, row: State, config: Any, slots) -> list[str]:
    """Enter the state, open and closed, and check the TwiML keeps the call going."""
    contexts = row.exit.sample_contexts() if isinstance(row.exit, Collect) else [{}]
    for is_open in (True, False):
        for context in contexts:
            said = {}  # language -> what its Says say
            for language in config.languages:
                verbs = _render(name, row, config, slots, {**context, "lang": language}, is_open)
                if isinstance(verbs, str):
                    return [verbs]
                said[language] = _said(verbs)
            problem = _check_translated(name, said, config.languages)
            if problem:
                return [problem]
    return []


def _render(name, row, config, slots, context, is_open) -> list | str:
    """The verbs a state answers with, or what is wrong with them."""
    call = Call(name, config, context=context, is_open=is_open, slots=slots, exit=row.exit)
    try:
        verbs = as_verbs(row.enter(call))
    except MissingWords as error:
        return f"state {name!r}: {error}"
    except Exception as error:
        return f"state {name!r}: the enter handler failed: {error!r}"
    if not all(isinstance(verb, TwiML) for verb in verbs):
        return f"state {name!r}: the enter handler must return TwiML verbs (or a list)"
    return _check_way_out(name, row, verbs, call.action) or verbs


def _said(verbs) -> list[str]:
    texts = []
    for verb in verbs:
        if verb.name == "Say" and "language" not in verb.attrs:
            texts.append(verb.value or "")
        texts += _said(verb.verbs)
    return texts


def _check_translated(name: str, said: Mapping[str, list[str]], languages) -> str | None:
    """A sentence said the same in two languages was written without its words (WORDS)."""
    first = set(said[languages[0]])
    for language in languages[1:]:
        same = sorted(first & set(said[language]))
        if same:
            return (
                f"state {name!r}: says {same[0]!r} in {language} as in {languages[0]}; "
                f"give it words in each language and say them with call.words(WORDS)"
            )
    return None


def _check_way_out(name: str, row: State, verbs: list, action: str) -> str | None:
    names = [verb.name for verb in verbs]
    if row.exit is None and (not names or names[-1] not in ENDING_VERBS):
        return f"state {name!r}: a terminal state must end the call with Hangup"
    if not row.waits:
        return None
    waiting = [verb for verb in verbs if verb.name in WAITING_VERBS]
    if not any(verb.attrs.get("action") == action for verb in waiting):
        return (
            f"state {name!r}: its exit waits, but no Gather, Dial, Record or Enqueue "
            "posts to call.action"
        )
    last = verbs[-1]
    if last.name == "Gather" and not last.attrs.get("actionOnEmptyResult"):
        return f"state {name!r}: a Gather without actionOnEmptyResult hangs up on silence"
    return None


def _check_reachable(table: Mapping[str, State], start: str) -> list[str]:
    seen, todo = {start}, [start]
    while todo:
        for _, target in table[todo.pop()].edges():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    unreachable = [name for name in table if name not in seen]
    return [f"state {name!r}: cannot be reached from {start!r}" for name in unreachable]


def _check_chains(table: Mapping[str, State]) -> list[str]:
    """States entered at once (string exits, when_closed) must not form a cycle."""

    def at_once(name):
        row = table[name]
        goes_on = row.exit if isinstance(row.exit, str) else None
        if isinstance(row.exit, ChooseLanguage):  # with one language it goes on at once
            goes_on = row.exit.then
        return [t for t in (row.when_closed, goes_on) if t]

    problems, done = [], set()
    for first in table:
        path: list[str] = []
        stack = [(first, iter(at_once(first)))]
        path.append(first)
        while stack:
            name, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                path.pop()
                done.add(name)
            elif target in path:
                cycle = " -> ".join([*path[path.index(target) :], target])
                problems.append(f"state {target!r}: goes on at once in a cycle: {cycle}")
                return problems
            elif target not in done:
                stack.append((target, iter(at_once(target))))
                path.append(target)
    return problems
