"""What a page's session has reached: its calls' log lines, counted as ``report`` counts them.

A session is one browser tab. Each of its calls keeps the log lines of its longest replay (a
step back in the page's history replays a shorter call, which adds nothing), and the edges and
coverage are those of `Traffic` over every call kept. Memory stays bounded: a few sessions, a
few dozen calls each, the lines of one replay per call.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from phonetree_tools.traffic import Traffic

MAX_SESSIONS = 8  # tabs remembered; the least recently used is forgotten first
MAX_CALLS = 40  # calls remembered per tab, the oldest forgotten first


class Session:
    def __init__(self):
        self.calls: OrderedDict[str, tuple[tuple[str, ...], list]] = OrderedDict()

    def keep(self, call_id: str, tokens: tuple[str, ...], entries: list) -> None:
        """Keep a call's lines, unless this replay is an earlier moment of a longer one."""
        kept = self.calls.get(call_id)
        if kept is None or kept[0][: len(tokens)] != tokens:
            self.calls[call_id] = (tokens, entries)
        self.calls.move_to_end(call_id)
        while len(self.calls) > MAX_CALLS:
            self.calls.popitem(last=False)


class Sessions:
    def __init__(self, table: Mapping):
        self.table = table
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.lock = threading.Lock()

    def count(self, session_id: str, call_id: str, tokens, entries) -> Traffic:
        """Keep a call of a session; return the session's traffic, all its calls counted."""
        with self.lock:
            session = self.sessions.pop(session_id, None) or Session()
            self.sessions[session_id] = session
            while len(self.sessions) > MAX_SESSIONS:
                self.sessions.popitem(last=False)
            session.keep(call_id, tuple(tokens), list(entries))
            lines = [entry for _, kept in session.calls.values() for entry in kept]
        lines.sort(key=lambda entry: entry.time)
        return Traffic(self.table).read(lines)


def coverage(traffic: Traffic, table: Mapping) -> dict:
    """Which states and exits of the table the session's calls reached, and which remain."""
    states = [name for name in table if traffic.entered[name]]
    exits = [edge for edge in traffic.edge_list() if edge["in_table"]]
    return {
        "calls": traffic.calls,
        "states": {"reached": len(states), "total": len(table)},
        "exits": {"taken": sum(1 for e in exits if e["count"]), "total": len(exits)},
        "states_left": [name for name in table if not traffic.entered[name]],
        "exits_left": [[e["from"], e["to"]] for e in exits if not e["count"]],
        "edges": [[e["from"], e["to"], e["count"]] for e in exits],
        "entered": {name: traffic.entered[name] for name in table},
    }
