"""Draw a state table as Mermaid or Graphviz DOT: states, keys and words on the edges."""

from __future__ import annotations

from collections.abc import Mapping

from phonetree_engine.tree import State


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


def mermaid(table: Mapping[str, State], start: str) -> str:
    lines = ["flowchart TD", f"    _call((call)) --> {start}"]
    for name, row in table.items():
        if terminal(row):
            lines.append(f"    {name}([{name}]):::terminal")
    for source, label, target in edges(table):
        arrow = f"-->|{label}|" if label else "-->"
        lines.append(f"    {source} {arrow} {target}")
    lines.append("    classDef terminal stroke-width:3px")
    return "\n".join(lines)


def dot(table: Mapping[str, State], start: str) -> str:
    lines = ["digraph phonetree {", "    _call [shape=circle, label=call];"]
    lines.append(f"    _call -> {start};")
    for name, row in table.items():
        if terminal(row):
            lines.append(f"    {name} [shape=doublecircle];")
    for source, label, target in edges(table):
        attrs = f' [label="{label}"]' if label else ""
        lines.append(f"    {source} -> {target}{attrs};")
    lines.append("}")
    return "\n".join(lines)
