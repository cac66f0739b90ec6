"""``python phonetree.py report``: what callers did, read from the app's own log lines.

Reads plain or gzip files (stdin when none), in one pass, and prints a text table, the JSON
summary, or the tree's diagram with the traffic on it (``--format mermaid`` or ``dot``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import datetime, tzinfo

from phonetree_engine.tree import State
from phonetree_tools import diagram
from phonetree_tools.logread import MAX_LINE, merged, open_text
from phonetree_tools.traffic import Traffic

OUTCOME_WORDS = {
    "reached_person": "reached a person",
    "queued_and_bridged": "queued and bridged",
    "left_queue": "left the queue",
    "hung_up_in_queue": "hung up in the queue",
    "left_message": "left a message",
    "requested_callback": "requested a callback",
    "hung_up_at_menu": "hung up at a menu",
    "gave_up_after_retries": "gave up after retries",
}
TIME_WORDS = {"to_person": "to reach a person", "in_queue": "in the queue", "call": "call length"}


def moment(text: str, zone: tzinfo) -> float:
    """An ISO date or time (``2026-11-24``, ``2026-11-24T09:30``); no offset: in ``zone``."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.timestamp()


def run(
    table: Mapping[str, State],
    start: str,
    paths: list[str],
    *,
    business_zone: tzinfo,
    log_zone: tzinfo,
    since=None,
    until=None,
    format="text",
    out=None,
) -> int:
    """Read ``paths`` (``-`` or none: stdin) and print the report of ``table``'s traffic."""
    traffic = Traffic(table, business_zone, since, until)
    with ExitStack() as stack:
        sources = [stack.enter_context(open_text(path)) for path in paths or ["-"]]
        traffic.read(merged(sources, log_zone))
    summary = traffic.summary()
    summary["timezone"] = str(business_zone)
    render = {"text": text, "json": as_json, "mermaid": mermaid, "dot": dot}[format]
    print(render(summary, table, start), file=out or sys.stdout)
    return 0


# Formats ######################################################################


def as_json(summary: dict, table, start) -> str:
    return json.dumps(summary, indent=2)


def notes(summary: dict, table: Mapping[str, State]) -> diagram.Notes:
    """The summary as text on the diagram; drop-offs are states that are not an end."""
    states, dropoffs = {}, set()
    for name, counts in summary["states"].items():
        states[name] = f"{counts['entered']} in"
        if counts["ended_here"]:
            states[name] += f", {counts['ended_here']} ended here"
            if name in table and table[name].exit is not None:
                dropoffs.add(name)
    edges, extra = {}, []
    for edge in summary["edges"]:
        note = f"{edge['count']} ({edge['share']:.0%})" if edge["count"] else "0"
        if edge["in_table"]:
            edges[edge["from"], edge["to"]] = note
        else:
            extra.append((edge["from"], f"recovered {note}", edge["to"]))
    calls = summary["calls"]
    return diagram.Notes(f"{calls} call{'' if calls == 1 else 's'}", states, edges, extra, dropoffs)


def mermaid(summary: dict, table, start) -> str:
    return diagram.mermaid(table, start, notes(summary, table))


def dot(summary: dict, table, start) -> str:
    return diagram.dot(table, start, notes(summary, table))


def text(summary: dict, table, start) -> str:
    # Columns as wide as the longest name, within reason (a name in a log may be long).
    wide = min(max([20, *map(len, summary["states"])]), 40)
    lines = [
        f"calls: {summary['calls']}",
        "",
        f"{'state':<{wide}} {'entered':>8} {'ended here':>11}",
    ]
    for name, counts in summary["states"].items():
        lines.append(f"{name:<{wide}} {counts['entered']:>8} {counts['ended_here']:>11}")
    taken = [
        (f"{edge['from']} -> {edge['to']}" + ("" if edge["in_table"] else " (recovered)"), edge)
        for edge in summary["edges"]
        if edge["count"]
    ]
    wide = min(max([32, *(len(name) for name, _ in taken)]), 64)
    lines += ["", f"{'edge':<{wide}} {'calls':>8} {'share':>6}"]
    for name, edge in taken:
        lines.append(f"{name:<{wide}} {edge['count']:>8} {edge['share']:>6.0%}")
    lines += ["", "where calls ended"]
    for name, count in summary["outcomes"].items():
        lines.append(f"  {OUTCOME_WORDS[name]:<30} {count:>6}")
    for status, count in summary["call_status"].items():
        lines.append(f"  {'call status ' + status:<30} {count:>6}")
    lines += ["", f"{'seconds':<22} {'calls':>6} {'median':>7} {'p90':>7}"]
    for name, figures in summary["times"].items():
        median, p90 = (("-" if v is None else v) for v in (figures["median"], figures["p90"]))
        lines.append(f"  {TIME_WORDS[name]:<20} {figures['count']:>6} {median:>7} {p90:>7}")
    lines += ["", "failures"]
    for name, count in summary["failures"].items():
        lines.append(f"  {name.replace('_', ' '):<30} {count:>6}")
    lines += ["", f"calls per hour ({summary['timezone']})"]
    busiest = max(summary["calls_per_hour"]) or 1
    for hour, count in enumerate(summary["calls_per_hour"]):
        if count:
            lines.append(f"  {hour:02d}:00 {count:>6} {'#' * max(1, round(30 * count / busiest))}")
    read = summary["lines"]
    lines += [
        "",
        f"lines: {read['read']} read, {read['skipped']} skipped, "
        f"{read['outside_window']} outside the window",
    ]
    if read["skipped"]:
        lines.append(
            f"skipped: {read['not_ours']} not ours, {read['incomplete']} incomplete, "
            f"{read['too_long']} too long (over {MAX_LINE:,} characters)"
        )
    if read["dropped_by_the_app"]:
        lines.append(f"the app could not write {read['dropped_by_the_app']} lines: counts are low")
    return "\n".join(lines)
