"""Read phonetree's log lines back: from files (plain or gzip) or stdin, in time order.

A line is ours when it holds ``<time> <LEVEL> phonetree[.part] <event> key=value ...``;
whatever a platform prints before it (``heroku logs``' timestamp and ``app[web.1]:``, honcho's
``web.1 |``) is passed over. Anything else (a traceback, another program's line, a line cut
off) is an ``Entry`` with no event, for the report to count and skip.
"""

from __future__ import annotations

import functools
import gzip
import heapq
import io
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo
from typing import NamedTuple

TIME = r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:[.,](\d{1,6}))?(Z|[+-]\d\d:?\d\d)?"
OUR_LINE = re.compile(
    TIME + r"\s+[A-Z]+\s+phonetree(?:\.[\w.]+)?\s+([a-z][a-z0-9_-]*)(?=\s|\Z)(.*)"
)
FIELD = re.compile(r'([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|[^ "]*)(?=\s|\Z)')
GZIP_MAGIC = b"\x1f\x8b"


class Entry(NamedTuple):
    """One line: when (epoch seconds, or None), its event (None: not ours), its fields."""

    time: float | None
    event: str | None
    fields: dict


def parse(line: str, log_zone: tzinfo) -> Entry:
    """Read one line; a time without an offset is in ``log_zone``."""
    match = OUR_LINE.search(line)
    if match is None:
        return Entry(None, None, {})
    day, clock, fraction, offset, event, rest = match.groups()
    moment = epoch(day, clock, offset, log_zone)
    if moment is None:
        return Entry(None, None, {})
    if fraction:
        moment += int(fraction) / 10 ** len(fraction)
    fields = dict(FIELD.findall(rest))
    if '"' in rest:
        for name, value in list(fields.items()):
            if value.startswith('"'):
                try:
                    fields[name] = json.loads(value)
                except ValueError:
                    del fields[name]
    return Entry(moment, event, fields)


@functools.lru_cache(maxsize=4096)
def epoch(day: str, clock: str, offset: str | None, log_zone: tzinfo) -> float | None:
    """The second a log line names; lines of one second share the work."""
    try:
        moment = datetime.fromisoformat(f"{day}T{clock}{normal_offset(offset)}")
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=log_zone)
    return moment.timestamp()


def normal_offset(offset: str | None) -> str:
    if not offset:
        return ""
    if offset == "Z":
        return "+00:00"
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


# Sources ######################################################################


def open_text(path: str) -> io.TextIOBase:
    """A file (``-`` for stdin) as text, unpacked when it is gzip, whatever its name."""
    raw = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        buffered = gzip.GzipFile(fileobj=buffered)
    return io.TextIOWrapper(buffered, encoding="utf-8", errors="replace", newline=None)


def entries(lines: Iterable[str], log_zone: tzinfo) -> Iterator[Entry]:
    """Parse each line; a gzip file cut short (a log rotated while written) ends the source
    there, with a word on stderr, rather than losing what was read."""
    try:
        for line in lines:
            yield parse(line.rstrip("\r\n"), log_zone)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        name = getattr(lines, "name", "input")
        print(f"phonetree: report: {name}: cut off ({error}); read up to there", file=sys.stderr)


def merged(sources: list[Iterable[str]], log_zone: tzinfo) -> Iterator[Entry]:
    """Every source's entries in one time order, as each replica writes its own in order.

    A line with no time keeps the place of the line before it in its source.
    """
    if len(sources) == 1:
        yield from entries(sources[0], log_zone)
        return
    streams = [timed(entries(source, log_zone)) for source in sources]
    for _, entry in heapq.merge(*streams, key=lambda pair: pair[0]):
        yield entry


def timed(stream: Iterator[Entry]) -> Iterator[tuple[float, Entry]]:
    last = float("-inf")
    for entry in stream:
        if entry.time is not None:
            last = entry.time
        yield last, entry
