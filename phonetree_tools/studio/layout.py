"""The tree's diagram as inline SVG, laid out here in Python: no graphviz, no script.

The edges are those ``graph`` draws (``diagram.edges``), plus the call's entry. The layout is a
small Sugiyama: edges that close a cycle (back to the menu) are turned round, states get layers
by the longest path from the call's entry, an edge crossing several layers gets a point in each,
the states of a layer are ordered by the mean place of their neighbours (crossings counted, the
best order kept), and x follows the neighbours too, with the gaps kept (``spread``).

Each state is ``<g data-state="NAME">``, each edge ``<g data-from="A" data-to="B">`` with an
empty ``<tspan class="count">`` for the page to fill; the call's entry is ``data-from="_call"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from itertools import pairwise
from typing import NamedTuple

from phonetree_tools import diagram

ENTRY = "_call"
FONT = 13  # px, state names
CHAR = 7.8  # px per character of a state name, roughly, in a sans-serif face
LABEL_CHAR = 6.6  # px per character of an edge label (12 px)
NODE_HEIGHT = 30
LAYER_GAP = 84
NODE_GAP = 26  # px between neighbours in a layer
POINT_GAP = 18  # px beside an edge's point in a layer
LOOP = 48  # px right of a state that loops back to itself
LABEL_HEIGHT = 14
MARGIN = 24
SWEEPS = 12


class Node(NamedTuple):
    name: str
    x: float
    y: float
    width: float
    terminal: bool


class Edge(NamedTuple):
    source: str
    target: str
    label: str  # as ``graph`` writes it
    points: list[tuple[float, float]]  # from the source to the target


class Layout(NamedTuple):
    width: float
    height: float
    nodes: list[Node]
    edges: list[Edge]


def tree_edges(table: Mapping, start: str) -> list[tuple[str, str, str]]:
    return [(ENTRY, "", start), *diagram.edges(table)]


def lay_out(table: Mapping, start: str) -> Layout:
    """Place every state of ``table`` and route every edge."""
    edges = tree_edges(table, start)
    names = [ENTRY, *table]
    turned = cycle_closers(names, edges)
    dag = [(b, a) if (a, b) in turned else (a, b) for a, _, b in edges if a != b]
    layer = layers(names, dag)
    # Each edge crossing layers gets a point (a nameless node) in every layer between.
    chains: dict[tuple[str, str], list[str]] = {}
    below: dict[str, list[str]] = {name: [] for name in names}
    for top, bottom in dict.fromkeys(dag):
        chain = [top]
        for depth in range(layer[top] + 1, layer[bottom]):
            point = f"{top}>{bottom}#{depth}"
            layer[point] = depth
            below[point] = []
            chain.append(point)
        chain.append(bottom)
        for upper, lower in pairwise(chain):
            below[upper].append(lower)
        chains[top, bottom] = chain
    rows = ordered(names, layer, below)
    width = {name: node_width(name) if name in table or name == ENTRY else 0.0 for name in layer}
    loops = {source for source, _, target in edges if source == target}
    x = place(rows, below, width, loops)
    left = min(x[name] - width[name] / 2 for name in x)
    x = {name: value - left + MARGIN for name, value in x.items()}
    y = {name: MARGIN + NODE_HEIGHT / 2 + layer[name] * LAYER_GAP for name in layer}
    nodes = [
        Node(name, x[name], y[name], width[name], name in table and table[name].exit is None)
        for name in names
    ]
    routed = []
    for source, label, target in edges:
        if source == target:
            routed.append(Edge(source, target, label, []))
            continue
        key = (target, source) if (source, target) in turned else (source, target)
        chain = chains[key] if key[0] == source else chains[key][::-1]
        routed.append(Edge(source, target, label, route(chain, x, y, width, source != key[0])))
    right = max(node.x + node.width / 2 for node in nodes) + MARGIN + 60  # room for loops
    bottom = max(y.values()) + NODE_HEIGHT / 2 + MARGIN
    return Layout(right, bottom, nodes, routed)


def node_width(name: str) -> float:
    return max(64.0, len("call" if name == ENTRY else name) * CHAR + 24)


def cycle_closers(names: list[str], edges) -> set[tuple[str, str]]:
    """Edges that lead back to a state still being explored, depth first from the entry."""
    out: dict[str, list[str]] = {name: [] for name in names}
    for source, _, target in edges:
        if source != target:
            out[source].append(target)
    seen, active, closers = set(), set(), set()

    def visit(name):
        seen.add(name)
        active.add(name)
        for target in out[name]:
            if target in active:
                closers.add((name, target))
            elif target not in seen:
                visit(target)
        active.discard(name)

    for name in names:  # the entry first; then any state the entry does not reach
        if name not in seen:
            visit(name)
    return closers


def layers(names: list[str], dag: list[tuple[str, str]]) -> dict[str, int]:
    """The longest path from a source to each state, in edges."""
    above: dict[str, list[str]] = {name: [] for name in names}
    for top, bottom in dag:
        above[bottom].append(top)
    layer: dict[str, int] = {}

    def depth(name):
        if name not in layer:
            layer[name] = 0  # (the DAG has no cycle; this only guards the recursion)
            layer[name] = max((depth(top) + 1 for top in above[name]), default=0)
        return layer[name]

    for name in names:
        depth(name)
    return layer


def ordered(names: list[str], layer: dict[str, int], below) -> list[list[str]]:
    """The nodes of each layer, left to right, ordered to limit crossings."""
    above: dict[str, list[str]] = {name: [] for name in layer}
    for upper, lowers in below.items():
        for lower in lowers:
            above[lower].append(upper)
    rows: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for name in dict.fromkeys([*names, *layer]):  # the table's order first
        rows[layer[name]].append(name)
    best, fewest = [row[:] for row in rows], crossings(rows, below)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        for index in indices:
            fixed = rows[index - 1] if downward else rows[index + 1]
            place_of = {name: place for place, name in enumerate(fixed)}
            links = above if downward else below

            def centre(name, links=links, place_of=place_of, row=rows[index]):
                near = [place_of[other] for other in links[name] if other in place_of]
                return sum(near) / len(near) if near else row.index(name)

            rows[index] = sorted(rows[index], key=centre)
        count = crossings(rows, below)
        if count < fewest:
            best, fewest = [row[:] for row in rows], count
    return best


def crossings(rows: list[list[str]], below) -> int:
    count = 0
    for upper, lower in pairwise(rows):
        place_of = {name: place for place, name in enumerate(lower)}
        links = [
            (top, place_of[bottom])
            for top, name in enumerate(upper)
            for bottom in below[name]
            if bottom in place_of
        ]
        count += sum(
            1 for i, (a, b) in enumerate(links) for c, d in links[i + 1 :] if (a - c) * (b - d) < 0
        )
    return count


def place(rows: list[list[str]], below, width: dict[str, float], loops=()) -> dict[str, float]:
    """x of each node's centre: near the mean of its neighbours, in order, gaps kept (wider
    right of a state that loops back to itself)."""
    neighbours: dict[str, list[tuple[str, float]]] = {name: [] for row in rows for name in row}
    for upper, lowers in below.items():
        for lower in lowers:
            # Points pull hardest on points, so an edge crossing layers runs straight.
            weight = 8.0 if not width[upper] and not width[lower] else 1.0
            neighbours[upper].append((lower, weight))
            neighbours[lower].append((upper, weight))
    x: dict[str, float] = {}
    for row in rows:
        at = 0.0
        for name in row:
            x[name] = at + width[name] / 2
            at += width[name] + gap(name, width) + LOOP * (name in loops)
    centre = max(x.values()) / 2
    for row in rows:  # each layer centred to start with
        shift = centre - (x[row[0]] + x[row[-1]]) / 2
        for name in row:
            x[name] += shift
    for _ in range(SWEEPS):
        for row in rows:
            wanted = []
            for name in row:
                near = neighbours[name]
                total = sum(weight for _, weight in near)
                wanted.append(
                    sum(x[other] * weight for other, weight in near) / total if total else x[name]
                )
            gaps = [
                (width[a] + width[b]) / 2 + max(gap(a, width), gap(b, width)) + LOOP * (a in loops)
                for a, b in pairwise(row)
            ]
            for name, value in zip(row, spread(wanted, gaps), strict=True):
                x[name] = value
    return x


def gap(name: str, width: dict[str, float]) -> float:
    return NODE_GAP if width[name] else POINT_GAP


def spread(wanted: list[float], gaps: list[float]) -> list[float]:
    """The positions nearest ``wanted`` (least squares) with at least ``gaps`` between them.

    With ``offset[i]`` the sum of the gaps before i, positions minus offsets must not
    decrease: the isotonic regression of ``wanted - offset``, by pooling adjacent violators.
    """
    offsets = [0.0]
    for step in gaps:
        offsets.append(offsets[-1] + step)
    pools: list[list[float]] = []  # [mean, count]
    for value, offset in zip(wanted, offsets, strict=True):
        pools.append([value - offset, 1])
        while len(pools) > 1 and pools[-2][0] > pools[-1][0]:
            mean, count = pools.pop()
            pools[-1] = [
                (pools[-1][0] * pools[-1][1] + mean * count) / (pools[-1][1] + count),
                pools[-1][1] + count,
            ]
    levels = [mean for mean, count in pools for _ in range(int(count))]
    return [level + offset for level, offset in zip(levels, offsets, strict=True)]


def route(chain: list[str], x, y, width, upward: bool) -> list[tuple[float, float]]:
    """From the source's edge through each point to the target's; an edge going up leaves
    and arrives off-centre, so that it does not run over the edges going down."""
    points = [(x[name], y[name]) for name in chain]
    half = NODE_HEIGHT / 2
    (x0, y0), (x1, y1) = points[0], points[-1]
    if upward:
        x0 += width[chain[0]] / 4
        x1 += width[chain[-1]] / 4
    points[0] = (x0, y0 + (-half if upward else half))
    points[-1] = (x1, y1 + (half if upward else -half))
    return points


# SVG ##########################################################################


def svg(table: Mapping, start: str) -> str:
    """The diagram as an ``<svg>`` element, to put in a page as it is."""
    layout = lay_out(table, start)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tree" '
        f'viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" '
        f'width="{layout.width:.0f}" height="{layout.height:.0f}" '
        f'style="max-width: {layout.width:.0f}px" '
        'role="group" aria-labelledby="tree-heading">',
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>',
    ]
    nodes = {node.name: node for node in layout.nodes}
    taken = [
        (node.x - node.width / 2, node.y - NODE_HEIGHT / 2, node.width, NODE_HEIGHT)
        for node in layout.nodes
    ]
    for edge in layout.edges:
        parts.append(edge_svg(edge, nodes[edge.source], taken))
    for node in layout.nodes:
        parts.append(node_svg(node))
    parts.append("</svg>")
    return "\n".join(parts)


def edge_svg(edge: Edge, source: Node, taken: list) -> str:
    """An edge, its label where it overlaps no state nor label placed before (``taken``)."""
    shown = short_label(edge.label)
    if edge.points:
        path = smooth(edge.points)
        lx, ly = label_place(edge.points, label_width(shown), taken)
        anchor = "middle"
    else:  # a state back to itself: a loop on its right
        right, y = source.x + source.width / 2, source.y
        path = (
            f"M{right:.1f},{y - 6:.1f} C{right + 36:.1f},{y - 24:.1f} "
            f"{right + 36:.1f},{y + 24:.1f} {right + 2:.1f},{y + 7:.1f}"
        )
        lx, ly, anchor = right + 30, y + 4, "start"
        taken.append((lx, ly - LABEL_HEIGHT + 3, label_width(shown), LABEL_HEIGHT))
    title = f"{edge.source} → {edge.target}" + (f": {edge.label}" if edge.label else "")
    return (
        f'<g class="edge" data-from="{edge.source}" data-to="{edge.target}">'
        f"<title>{escape(title)}</title>"
        f'<path d="{path}" marker-end="url(#arrow)"/>'
        f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">'
        f'<tspan class="label">{escape(shown)}</tspan><tspan class="count"></tspan></text></g>'
    )


def short_label(label: str) -> str:
    """The keys and outcomes of a label, without the words a caller may say (its title has
    them all)."""
    items = [item for item in label.split(", ") if item]
    kept = [item for item in items if not item.startswith("say ")]
    if kept:
        return ", ".join(kept)
    return items[0] if items else ""


def label_width(text: str) -> float:
    return (len(text) + 3) * LABEL_CHAR  # and room for the count the page adds


def label_place(points, width: float, taken: list) -> tuple[float, float]:
    """Where on the edge its label overlaps least of what is taken: down a menu's fan near
    the states it leads to, on an edge going back up near the state it leaves."""
    upward = points[-1][1] < points[0][1]
    first = (0.3, 0.5, 0.15) if upward else (0.68, 0.5, 0.85, 0.35)
    steps = (*first, *(t / 10 for t in range(1, 10)))
    candidates = [along(points[0], points[1], t) for t in steps]
    for a, b in pairwise(points[1:]):
        candidates += [along(a, b, t / 10) for t in range(1, 10)]
    best, least = candidates[0], float("inf")
    for x, y in candidates:
        box = (x - width / 2, y - LABEL_HEIGHT + 3, width, LABEL_HEIGHT)
        covered = sum(overlap(box, other) for other in taken)
        if covered < least:
            best, least = (x, y), covered
            if not covered:
                break
    x, y = best
    taken.append((x - width / 2, y - LABEL_HEIGHT + 3, width, LABEL_HEIGHT))
    return x, y


def overlap(a, b) -> float:
    """The area two boxes (x, y, width, height) share."""
    wide = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    high = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return wide * high if wide > 0 and high > 0 else 0.0


def along(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    """The point at ``t`` (0 to 1) on the curve ``smooth`` draws from a to b."""
    (ax, ay), (bx, by) = a, b
    ease = 3 * t * t - 2 * t**3  # x follows the vertical tangents' curve; y goes evenly
    return ax + (bx - ax) * ease, ay + (by - ay) * t + 4


def smooth(points: list[tuple[float, float]]) -> str:
    """A path through the points, leaving and entering each vertically."""
    (x, y), rest = points[0], points[1:]
    path = [f"M{x:.1f},{y:.1f}"]
    for nx, ny in rest:
        bend = (ny - y) / 2
        path.append(f"C{x:.1f},{y + bend:.1f} {nx:.1f},{ny - bend:.1f} {nx:.1f},{ny:.1f}")
        x, y = nx, ny
    return " ".join(path)


def node_svg(node: Node) -> str:
    if node.name == ENTRY:
        return (
            f'<g class="entry" data-entry="call"><circle cx="{node.x:.1f}" cy="{node.y:.1f}" '
            f'r="{NODE_HEIGHT / 2:.0f}"/><text x="{node.x:.1f}" y="{node.y + 4.5:.1f}" '
            f'text-anchor="middle">call</text></g>'
        )
    kind = "state terminal" if node.terminal else "state"
    left, top = node.x - node.width / 2, node.y - NODE_HEIGHT / 2
    return (
        f'<g class="{kind}" data-state="{node.name}"><title>{node.name}</title>'
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{node.width:.1f}" height="{NODE_HEIGHT}" '
        f'rx="{NODE_HEIGHT / 2 if node.terminal else 6:.0f}"/>'
        f'<text x="{node.x:.1f}" y="{node.y + FONT / 3:.1f}" text-anchor="middle">'
        f"{escape(node.name)}</text></g>"
    )
