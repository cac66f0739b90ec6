"""Read phonetree's log lines back: from files (plain or gzip) or stdin, in time order.

A line is ours when it holds ``<time> <LEVEL> phonetree[.part] <event> key=value ...`` where
our lines start: at the start of the line, or right after the prefix a platform or process
manager prints before each line of the app (`PREFIXES`). Text that looks like ours anywhere
else in a line (a router's line quoting a header a client sent) is not ours. Anything else (a
traceback, another program's line, a line cut off) is an ``Entry`` with no event, for the
report to count and skip; so is a line longer than ``MAX_LINE`` characters, which is read past
in pieces and never held whole (a gzip file of 1 MB can unpack to a single 1 GB line).

Every pattern here is matched from a fixed place and takes time in proportion to the line.
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

MAX_LINE = 65_536  # characters; the app's own lines are well under 1,000
TIME = r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:[.,](\d{1,6}))?(Z|[+-]\d\d:?\d\d)?"
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)"  # RFC 3339
COLOUR = r"(?:\x1b\[[\d;]*m)*"  # a terminal's colour codes, when the output was a terminal
# What a platform or process manager writes before each line of the app, by who writes it.
# Each names the app's process with a name of letters, digits, ``.``, ``_``, ``-`` only, so no
# free text (nothing a client can send) stands between the start of a line and our time.
PREFIXES = {
    "heroku logs": STAMP + r" app\[[\w.-]+\]: ",  # not heroku[router]: the router's lines
    "honcho, foreman, heroku local": COLOUR + r"\d\d:\d\d:\d\d [\w.-]+ *\| " + COLOUR,
    "docker compose logs": COLOUR + r"[\w.-]+ *\| " + COLOUR + rf"(?:{STAMP} )?",
    "docker logs -t, kubectl logs --timestamps": STAMP + " ",
    "syslog, journalctl": rf"(?:[A-Z][a-z][a-z] [ \d]\d \d\d:\d\d:\d\d|{STAMP}) [\w.-]+ "
    r"[\w.-]+(?:\[\d+\])?: ",
}
# No prefix is tried first (``??``): most logs have none, and then the prefixes cost nothing.
ANY_PREFIX = "(?:" + "|".join(PREFIXES.values()) + ")??"
OUR_LINE = re.compile(
    ANY_PREFIX + TIME + r"\s+[A-Z]+\s+phonetree(?:\.[\w.]+)?\s+([a-z][a-z0-9_-]*)(?=\s|\Z)(.*)"
)
# One match per word, left to right, so that no word is tried again from each of its letters
# (that was quadratic): a field, or else a word that is not one. With quotes in the line, a
# quoted run is one word up to its closing quote (or the line's end, when cut off), so that
# nothing inside quotes is ever read as a field.
PLAIN_FIELD = re.compile(r"([A-Za-z_][\w.-]*)=(\S*)|\S+")
QUOTED = r'"(?:[^"\\]|\\.)*'
FIELD = re.compile(
    rf'([A-Za-z_][\w.-]*)=({QUOTED}"|[^\s"]*)(?=\s|\Z)|{QUOTED}(?:"|\\?\Z)|[^\s"]+', re.DOTALL
)
GZIP_MAGIC = b"\x1f\x8b"


class Entry(NamedTuple):
    """One line: when (epoch seconds, or None), its event (None: not ours), its fields."""

    time: float | None
    event: str | None
    fields: dict
    too_long: bool = False  # over MAX_LINE characters: not read


NOT_OURS = Entry(None, None, {})
TOO_LONG = Entry(None, None, {}, too_long=True)


def parse(line: str, log_zone: tzinfo) -> Entry:
    """Read one line; a time without an offset is in ``log_zone``."""
    match = OUR_LINE.match(line)
    if match is None:
        return NOT_OURS
    day, clock, fraction, offset, event, rest = match.groups()
    moment = epoch(day, clock, offset, log_zone)
    if moment is None:
        return NOT_OURS
    if fraction:
        moment += int(fraction) / 10 ** len(fraction)
    if '"' not in rest:
        fields = dict(PLAIN_FIELD.findall(rest))
    else:
        fields = dict(FIELD.findall(rest))
        for name, value in list(fields.items()):
            if value.startswith('"'):
                try:
                    fields[name] = json.loads(value)
                except ValueError:
                    del fields[name]
    if "" in fields:  # the words that are not fields
        del fields[""]
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
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="replace", newline=None)


def entries(source: Iterable[str], log_zone: tzinfo) -> Iterator[Entry]:
    """Parse each line of ``source`` (a text file, or lines); a gzip file cut short (a log
    rotated while written) ends the source there, with a word on stderr, rather than losing
    what was read.

    A file is read ``MAX_LINE`` characters at a time at most: a longer line is read past in
    pieces and given as ``TOO_LONG``, never held whole.
    """
    readline = getattr(source, "readline", None)
    pieces = source if readline is None else iter(functools.partial(readline, MAX_LINE + 1), "")
    try:
        for piece in pieces:
            line = piece.rstrip("\r\n")
            if len(line) <= MAX_LINE:
                yield parse(line, log_zone)
                continue
            while readline is not None and not piece.endswith("\n"):  # the rest of it
                piece = next(pieces, "\n")
            yield TOO_LONG
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        name = getattr(source, "name", "input")
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
