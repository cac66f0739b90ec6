"""Drive a tree's waiting states with nothing but silence and wrong input: the call must leave
each one within its limit, whatever MAX_RETRIES is. For any tree (the shipped tree's suite uses
it too): the states are found in the table, entered at their own URL, as any replica may be."""

from __future__ import annotations

from dataclasses import replace

from phonetree_engine import Keys
from phonetree_engine.collect import Collect
from phonetree_engine.tree import Tree
from phonetree_engine.web import make_app
from phonetree_tools.caller import CallFailed, SimulatedCall

FAILURES = ("silence", "wrong", "again")  # what a caller may do wrong


def menus(tree: Tree) -> list[str]:
    """The states whose exit counts failed tries towards a give_up: every Keys with one, and
    every collect."""
    return [
        name
        for name, row in tree.table.items()
        if (isinstance(row.exit, Keys) and row.exit.give_up) or isinstance(row.exit, Collect)
    ]


def with_limit(tree: Tree, name: str, limit: int | None) -> Tree:
    """The tree with one state's limit set (None: MAX_RETRIES)."""
    row = tree.table[name]
    field = "tries" if isinstance(row.exit, Keys) else "attempts"
    exit_ = replace(row.exit, **{field: limit})
    enter = exit_.enter if isinstance(exit_, Collect) else row.enter
    return replace(tree, table={**tree.table, name: row._replace(enter=enter, exit=exit_)})


def wrong_key(keys: Keys) -> str:
    taken = {option.key for option in keys.options}
    return next(key for key in "*#7531864209" if key not in taken)


def failed_tries_to_leave(
    tree: Tree, name: str, config, clock, failures, most: int = 120
) -> tuple[int, str | None]:
    """Enter ``name`` and do ``failures`` (cycled) until the call waits elsewhere or ends;
    return the failed tries it took and where the call went (None: it never left)."""
    app = make_app(tree, config, clock=clock)
    row = tree.table[name]
    call = SimulatedCall(app)
    call.start(f"/state/{name}")
    for count in range(1, most + 1):
        failure = failures[(count - 1) % len(failures)]
        try:
            if failure == "silence":
                call.silence()
            elif isinstance(row.exit, Keys):
                call.press(wrong_key(row.exit))
            elif waits_to_confirm(call):  # a read-back: another key, or 2 to enter it again
                call.press("2" if failure == "again" else "7")
            else:
                call.press("*")  # no digits: an entry no collect takes
        except CallFailed:
            # Entered at its own URL, a state that plays while queued may end with <Leave>,
            # which only a queue can play: the call left the state all the same.
            if "<Leave" in call.requests[-1].body:
                return count, "left the queue"
            raise
        where = waiting_in(call)
        if where != name:
            return count, where
    return most, None


def waits_to_confirm(call: SimulatedCall) -> bool:
    gather = call.gather
    return gather is not None and gather.get("numDigits") == "1"


def waiting_in(call: SimulatedCall) -> str | None:
    """The state whose exit the pending verb posts to; None when the call ended."""
    if call.ended or call.waiting_for is None:
        return None
    action = call._pending.get("action") or ""
    path = action.split("?")[0]
    parts = path.split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "state" else None
