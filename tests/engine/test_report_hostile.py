"""`report` on what an attacker can put in a log: words made to be slow to read, lines too long
to hold, gzip that unpacks a thousandfold. Each runs on real files and real gzip streams; none
is a timing test: each bound is far above what the report takes and far below what the bugs it
guards against took (over an hour for the quadratic reader, 2 GB for a 1 GB line). The app's
lines are the office's (``trees/office.py``), as ``test_report`` places them."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from phonetree_tools.logread import MAX_LINE, parse
from tests.conftest import ROOT
from tests.engine import test_report
from tests.engine.test_report import EXPECTED, UTC, counts, phonetree, summarize_files

# The app's own lines of three calls, as test_report places them (its fixtures, shared).
log_lines, calls = test_report.log_lines, test_report.calls

OUR_PREFIX = "2026-11-24 15:00:01,113 INFO phonetree webhook "
# Words that made the reader try again from each of their letters, and a few more shapes.
HOSTILE_WORDS = ["a", "a.", 'a="x"y ', 'a="', '"', "\\", 'a=b"', "a ", "=", "phonetree."]


# Time ########################################################################


@pytest.mark.parametrize("word", HOSTILE_WORDS)
def test_a_line_of_a_million_characters_is_read_in_a_blink(word):
    """A million characters after our prefix, in any of these shapes: a few hundredths of a
    second each, where the reader quadratic in the line's length took over an hour."""
    line = OUR_PREFIX + word * (1_000_000 // len(word))
    began = time.process_time()
    entry = parse(line, UTC)
    assert time.process_time() - began < 5
    assert entry.event == "webhook"


def test_a_word_that_looks_like_a_field_inside_quotes_is_not_one():
    line = OUR_PREFIX + 'detail="x call=CA2 ms=1" call=CA1 note="cut call=CA3 ms=2'
    assert parse(line, UTC).fields == {"detail": "x call=CA2 ms=1", "call": "CA1"}


def test_the_command_reads_long_hostile_lines_between_real_ones(calls, tmp_path):
    """Forty lines just under the cap, of one long word each: under a second in all, where the
    quadratic reader took twenty seconds a line."""
    hostile = OUR_PREFIX + "a" * (MAX_LINE - len(OUR_PREFIX)) + "\n"
    path = tmp_path / "web.log"
    path.write_text("".join(calls[:4]) + hostile * 40 + "".join(calls[4:]))
    result = phonetree("report", "--format", "json", str(path))  # stopped after 60 s
    summary = json.loads(result.stdout)
    assert counts(summary) == EXPECTED
    assert summary["lines"]["incomplete"] == 40  # ours, but no call, path or ms
    assert summary["lines"]["too_long"] == 0


# Length ######################################################################


def padded(line: str, length: int) -> str:
    """One of our lines made ``length`` characters long by a field the report does not read."""
    head, tail = line.rstrip("\n").split(" ms=")
    note = " note=" + "n" * (length - len(head) - len(tail) - len(" note= ms="))
    return f"{head}{note} ms={tail}\n"


@pytest.mark.parametrize("packing", ["plain", "gzip"])
def test_a_line_over_the_cap_is_skipped_and_counted(calls, tmp_path, packing):
    starts = [index for index, line in enumerate(calls) if " path=/voice " in line]
    lines = list(calls)
    lines[starts[0]] = padded(lines[starts[0]], MAX_LINE)  # the longest line read
    lines[starts[1]] = padded(lines[starts[1]], MAX_LINE + 1)
    lines.insert(0, "x" * (10 * MAX_LINE) + "\r\n")
    text = "".join(lines).encode()
    path = tmp_path / "web.log"
    path.write_bytes(gzip.compress(text) if packing == "gzip" else text)
    summary = summarize_files([path])
    assert summary["calls"] == 2
    assert summary["lines"]["too_long"] == 2
    assert summary["lines"]["read"] == len(lines)


def test_a_last_line_over_the_cap_without_a_line_end_is_counted(calls):
    text = "".join(calls) + OUR_PREFIX + "a" * MAX_LINE
    result = phonetree("report", "--format", "json", stdin=text.encode())
    summary = json.loads(result.stdout)
    assert counts(summary) == EXPECTED
    assert summary["lines"]["too_long"] == 1


# Memory ######################################################################

# Runs the command (a module, as ``python -m``) and prints its peak resident memory (VmHWM, in
# kB) at exit: read inside the process, as the rusage of a child would carry over the peak of
# the process that forked it.
PEAK = """
import runpy, sys
try:
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
finally:
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    print(int(status.split()[0]), file=sys.stderr)
"""


def gzip_of_a_long_line(path: Path, megabytes: int, then: str) -> None:
    """gzip of one line of ``megabytes`` MB, then ``then``; packed a megabyte at a time, so the
    line is never held here either."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: the gzip format; 1: the fastest
    block = b"x" * 2**20
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(packer.compress(block))
        out.write(packer.compress(b"\n" + then.encode()))
        out.write(packer.flush())


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_gzip_of_a_256_mb_line_is_read_in_bounded_memory(calls, tmp_path):
    """256 MB in 1 MB of gzip: the report holds at most a capped line of it (the whole line
    held as text took twice its size)."""
    path = tmp_path / "web.log.gz"
    gzip_of_a_long_line(path, 256, "".join(calls))
    assert path.stat().st_size < 2e6
    result = subprocess.run(
        [sys.executable, "-c", PEAK, "tests.engine.office_cli", "report", "--format", "json", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "TIMEZONE": "America/New_York"},
    )
    summary = json.loads(result.stdout)
    assert counts(summary) == EXPECTED
    assert summary["lines"]["too_long"] == 1
    peak_megabytes = int(result.stderr.split()[-1]) / 1024
    assert peak_megabytes < 200
