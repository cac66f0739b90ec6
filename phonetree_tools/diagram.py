"""Draw a state table as Mermaid or Graphviz DOT: states, keys and words on the edges.

Given ``Notes`` (the traffic report's), the same diagram also carries counts: on the call's
entry, on each state and each edge, and edges taken that the table does not draw (dashed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from phonetree_engine.tree import State


class Notes(NamedTuple):
    """Text to add to the diagram: on the entry, per state, per (source, target) edge."""

    calls: str
    states: Mapping[str, str]
    edges: Mapping[tuple[str, str], str]
    extra_edges: list[tuple[str, str, str]]  # (source, text, target), drawn dashed
    dropoffs: set[str]  # states to mark: calls ended in them before reaching an end


def edges(table: Mapping[str, State]) -> list[tuple[str, str, str]]:
    """(source, label, target), one per pair of states, labels of parallel edges joined."""
    labels: dict[tuple[str, str], list[str]] = {}
    for source, row in table.items():
        for label, target in row.edges():
            said = f"say {label[1:-1]}" if label.startswith('"') else label
            labels.setdefault((source, target), []).append(said)
    return [
        (source, ", ".join(label for label in names if label), target)
        for (source, target), names in labels.items()
    ]


def terminal(row: State) -> bool:
    return row.exit is None


def joined(*texts: str, separator: str = " · ") -> str:
    return separator.join(text for text in texts if text)


def mermaid(table: Mapping[str, State], start: str, notes: Notes | None = None) -> str:
    if notes is None:
        lines = ["flowchart TD", f"    _call((call)) --> {start}"]
    else:
        lines = ["flowchart TD", f'    _call((call)) -->|"{quoted(notes.calls)}"| {start}']
    for name, row in table.items():
        note = notes.states.get(name, "") if notes else ""
        text = f'"{quoted(joined(name, note, separator="<br>"))}"' if notes else name
        if terminal(row):
            lines.append(f"    {name}([{text}]):::terminal")
        elif notes:
            lines.append(f"    {name}[{text}]")
    for source, label, target in edges(table):
        if notes:
            label = f'"{quoted(joined(label, notes.edges.get((source, target), "")))}"'
        arrow = f"-->|{label}|" if label else "-->"
        lines.append(f"    {source} {arrow} {target}")
    for source, text, target in notes.extra_edges if notes else ():
        lines.append(f'    {source} -.->|"{quoted(text)}"| {target}')
    lines.append("    classDef terminal stroke-width:3px")
    if notes and notes.dropoffs:
        lines.append(f"    class {','.join(sorted(notes.dropoffs))} dropoff")
        lines.append("    classDef dropoff stroke:#c0392b,stroke-dasharray:4")
    return "\n".join(lines)


def quoted(text: str) -> str:
    """Text for a Mermaid label in double quotes, which cannot hold a double quote."""
    return text.replace('"', "#quot;")


def dot(table: Mapping[str, State], start: str, notes: Notes | None = None) -> str:
    lines = ["digraph phonetree {", "    _call [shape=circle, label=call];"]
    entry = f' [label="{escaped(notes.calls)}"]' if notes else ""
    lines.append(f"    _call -> {start}{entry};")
    for name, row in table.items():
        attrs = ["shape=doublecircle"] if terminal(row) else []
        if notes:
            attrs.append(
                f'label="{escaped(joined(name, notes.states.get(name, ""), separator=chr(10)))}"'
            )
            if name in notes.dropoffs:
                attrs.append('color="#c0392b"')
        if attrs:
            lines.append(f"    {name} [{', '.join(attrs)}];")
    for source, label, target in edges(table):
        if notes:
            label = joined(label, notes.edges.get((source, target), ""), separator="\n")
        attrs = f' [label="{escaped(label)}"]' if label else ""
        lines.append(f"    {source} -> {target}{attrs};")
    for source, text, target in notes.extra_edges if notes else ():
        lines.append(f'    {source} -> {target} [label="{escaped(text)}", style=dashed];')
    lines.append("}")
    return "\n".join(lines)


def escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
