"""The checks that judge a table at start-up: every problem, one line each, naming the state.

A wrong table must stop the app before it answers a call, never surface on a live one.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from twilio.twiml import TwiML

from phonetree_engine.tree import (
    ENDING_VERBS,
    STATE_NAME,
    WAITING_VERBS,
    Call,
    Choose,
    Keys,
    Outcome,
    State,
    TableError,
    as_verbs,
)


def check_table(table: Mapping[str, State], start: str, recovery: str, config: Any) -> None:
    """Raise TableError listing every problem with the table, or return quietly."""
    problems = []
    for name, row in table.items():
        problems += _check_row(name, row, table, config)
    for role, name in (("start", start), ("recovery", recovery)):
        if name not in table:
            problems.append(f"the {role} state {name!r} is not in the table")
    if not problems:
        problems += _check_reachable(table, start) + _check_chains(table)
    if problems:
        raise TableError(problems)


def _check_row(name: str, row: Any, table: Mapping[str, State], config: Any) -> list[str]:
    if not isinstance(row, State):
        return [f"state {name!r}: the row must be a State(...), not {type(row).__name__}"]
    problems = []
    if not isinstance(name, str) or not STATE_NAME.match(name):
        problems.append(f"state {name!r}: names are lower-case letters, digits and _ (max 40)")
    exit_ = row.exit
    if not (exit_ is None or isinstance(exit_, (str, Keys, Outcome, Choose))):
        problems.append(
            f"state {name!r}: exit must be None, a state name, Keys, Outcome or Choose, "
            f"not {type(exit_).__name__}"
        )
        return problems
    for label, target in row.edges():
        if target not in table:
            via = f" on {label}" if label else ""
            problems.append(f"state {name!r}: leads{via} to {target!r}, which is not a state")
    if isinstance(exit_, Choose):
        problems += _check_handler(name, "exit handler", exit_.handler)
    for part, handler in row.callbacks.items():
        if part == "exit" or not STATE_NAME.match(part):
            problems.append(f"state {name!r}: callback name {part!r} is not a usable URL part")
        problems += _check_handler(name, f"callback {part!r}", handler)
    handler_problems = _check_handler(name, "enter handler", row.enter)
    return problems + (handler_problems or _check_rendering(name, row, config))


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


def _check_rendering(name: str, row: State, config: Any) -> list[str]:
    """Enter the state, open and closed, and check the TwiML keeps the call going."""
    for is_open in (True, False):
        call = Call(name, config, is_open=is_open)
        try:
            verbs = as_verbs(row.enter(call))
        except Exception as error:
            return [f"state {name!r}: the enter handler failed: {error!r}"]
        if not all(isinstance(verb, TwiML) for verb in verbs):
            return [f"state {name!r}: the enter handler must return TwiML verbs (or a list)"]
        problem = _check_way_out(name, row, verbs, call.action)
        if problem:
            return [problem]
    return []


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
        return [t for t in (row.when_closed, row.exit if isinstance(row.exit, str) else None) if t]

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
