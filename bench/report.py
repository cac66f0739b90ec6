"""Measure `python phonetree.py report` on a million log lines: time, and memory that stays flat.

    python bench/report.py                  # 1,000,000 lines (about a minute); --lines N
    python bench/report.py --open-calls 500 # how many calls are in progress at once
    python bench/report.py --hostile        # lines made to be slow or big (about 10 s)

The lines are the app's own: a set of calls is placed in this process with the simulated
caller and its log lines captured, then replayed with fresh CallSids and advancing times,
``--open-calls`` calls interleaved at any moment, as a busy number's log reads. The report is
run as a user runs it, on a file of a tenth of the lines and then on all of them: the same
peak memory for both is what "bounded by the open calls, not by the file" means. Baselines,
measured in the same run: for time, Python reading the same file line by line and doing
nothing with it; for memory, ``python phonetree.py check`` (the app loaded, nothing read).
Not part of the test suite.

``--hostile`` times the report on what an attacker can put in a log instead: one line of
10,000, 20,000, 40,000 and 10 million letters after our prefix (time that grows fourfold when
the line doubles is quadratic), and 1 MB of gzip that unpacks to one line of 1 GB (the peak
memory). ``--timeout`` stops a run that takes longer (default 120 s).
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webtest import TestApp  # noqa: E402

from phonetree import make_app  # noqa: E402
from phonetree_engine.logs import Formatter  # noqa: E402
from phonetree_engine.settings import Config  # noqa: E402
from phonetree_tools.caller import SimulatedCall  # noqa: E402

OPEN = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)  # a Tuesday, 10 AM in New York
# Scripts of calls: keys pressed (``_``: silence), then how the call ends.
SCRIPTS = [
    ("3", None),
    ("31", None),
    ("1", "record"),
    ("2", "bridged"),
    ("2", "leave"),
    ("0", "answered"),
    ("0", "no-answer"),
    ("___", "no-answer"),
    ("", None),
    ("9", None),
]


def templates() -> list[list[str]]:
    """The log lines of each scripted call, with its status callback at the end."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Formatter())
    logger = logging.getLogger("phonetree")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    app = make_app(Config(), clock=lambda: OPEN)
    calls = []
    for keys, end in SCRIPTS:
        stream.seek(0)
        stream.truncate()
        call = SimulatedCall(app)
        call.start("/voice")
        for key in keys:
            call.silence() if key == "_" else call.press(key)
        if end == "record":
            call.record(duration=12)
        elif end in ("bridged", "leave"):
            call.hold(queue_time=75)
            call.press("1") if end == "leave" else call.queue_result("bridged", queue_time=80)
        elif end is not None:
            call.dial_result(end, duration=30)
        status = {**call.params, "CallStatus": "completed", "CallDuration": "95"}
        TestApp(app).post("/status", status)  # the number's status callback
        sid = call.params["CallSid"]
        lines = [line[23:] for line in stream.getvalue().splitlines() if sid in line]
        calls.append([line.replace(sid, "{sid}") for line in lines])
    logger.removeHandler(handler)
    return calls


def write_log(path: Path, count: int, open_calls: int, calls: list[list[str]]) -> None:
    """``count`` lines of calls interleaved ``open_calls`` at a time, 20 ms apart."""
    rng = random.Random(12)
    moment = OPEN.timestamp()
    active = [[rng.choice(calls), 0, f"CA{n:032x}"] for n in range(open_calls)]
    started = open_calls
    seconds, stamp = None, ""
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            slot = rng.randrange(open_calls)
            lines, index, sid = active[slot]
            second = int(moment)
            if second != seconds:
                seconds = second
                stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))
            out.write(
                f"{stamp},{int(moment * 1000) % 1000:03d}{lines[index].replace('{sid}', sid)}\n"
            )
            moment += 0.02
            if index + 1 < len(lines):
                active[slot][1] = index + 1
            else:
                active[slot] = [rng.choice(calls), 0, f"CA{started:032x}"]
                started += 1


# Runs in the measured process: peak memory is read from the process itself (VmHWM starts
# again at exec; the rusage of a child would carry this parent's peak over from the fork).
LAUNCH = """
import resource, runpy, sys
try:
    if sys.argv[1] == "--read":
        for line in open(sys.argv[2], encoding="utf-8"):
            pass
    else:
        sys.argv = sys.argv[1:]
        runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(usage.ru_utime + usage.ru_stime, peak, file=sys.stderr)
"""


def measure(args: list[str], timeout: float | None = None) -> tuple[float, float, float]:
    """Run ``args`` in a fresh Python; return its wall and CPU time (s), and its peak resident
    memory (MB). On a shared machine the CPU time is the steadier figure."""
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
        timeout=timeout,
    )
    elapsed = time.perf_counter() - began
    cpu, peak = result.stderr.split()[-2:]
    return elapsed, float(cpu), int(peak) / 1024


OUR_PREFIX = "2026-11-24 15:00:01,113 INFO phonetree webhook "
ONE_CALL = "2026-11-24 15:00:02,000 INFO phonetree webhook call=CA1 path=/voice next=menu ms=1\n"


def write_bomb(path: Path, megabytes: int) -> None:
    """gzip of one line of ``megabytes`` MB of letters, then one call's line; compressed a
    megabyte at a time, so the line is never in this process's memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip format
    block = b"a" * 2**20
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(packer.compress(block))
        out.write(packer.compress(b"\n" + ONE_CALL.encode()))
        out.write(packer.flush())


def hostile(timeout: float) -> int:
    """The report on lines made to be slow or big; a run over ``timeout`` seconds is stopped."""
    with tempfile.TemporaryDirectory(prefix="phonetree-bench-") as folder:
        inputs = []
        for letters in (10_000, 20_000, 40_000, 10_000_000):
            path = Path(folder) / f"{letters}.log"
            path.write_text(OUR_PREFIX + "a" * letters + "\n" + ONE_CALL)
            inputs.append((f"a line of {letters:,} letters", path))
        path = Path(folder) / "bomb.log.gz"
        write_bomb(path, 1024)
        inputs.append(("gzip of a line of 1 GB", path))
        print("| input | file | report: wall, CPU | peak memory |")
        print("| --- | ---: | ---: | ---: |")
        for name, path in inputs:
            size = path.stat().st_size
            try:
                wall, cpu, memory = measure(["phonetree.py", "report", str(path)], timeout)
            except subprocess.TimeoutExpired:
                print(f"| {name} | {size:,} B | over {timeout:.0f} s: stopped | |")
                continue
            print(f"| {name} | {size:,} B | {wall:.2f} s, {cpu:.2f} s | {memory:.1f} MB |")
    _, _, loaded = measure(["phonetree.py", "check"])
    print(f"\nthe app loaded and nothing read (phonetree.py check): {loaded:.1f} MB")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--open-calls", type=int, default=200)
    parser.add_argument("--hostile", action="store_true", help="lines made to be slow or big")
    parser.add_argument("--timeout", type=float, default=120, help="seconds, for --hostile")
    args = parser.parse_args()
    if args.hostile:
        return hostile(args.timeout)
    calls = templates()
    baseline = ["--read"]
    report = ["phonetree.py", "report", "--format", "json"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="phonetree-bench-") as folder:
        for count in (args.lines // 10, args.lines):
            path = Path(folder) / f"{count}.log"
            write_log(path, count, args.open_calls, calls)
            size = path.stat().st_size / 1e6
            _, read_cpu, read_memory = measure([*baseline, str(path)])
            report_time, report_cpu, report_memory = measure([*report, str(path)])
            rows.append(
                (count, size, report_time, report_cpu, report_memory, read_cpu, read_memory)
            )
            path.unlink()
    print(f"{args.open_calls} calls open at a time; {len(calls)} kinds of call\n")
    print(
        "| lines | file | report: wall, CPU | lines/s (CPU) | peak memory "
        "| baseline read: CPU, memory | CPU ratio |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count, size, wall, cpu, memory, read_cpu, read_memory in rows:
        print(
            f"| {count:,} | {size:.0f} MB | {wall:.1f} s, {cpu:.1f} s | {count / cpu:,.0f} "
            f"| {memory:.1f} MB | {read_cpu:.2f} s, {read_memory:.1f} MB "
            f"| {cpu / read_cpu:.0f}x |"
        )
    small, large = rows[0][4], rows[1][4]
    _, _, loaded = measure(["phonetree.py", "check"])
    print(f"\npeak memory, {rows[1][0]:,} lines / {rows[0][0]:,} lines: {large / small:.2f}x")
    print(f"the app loaded and nothing read (phonetree.py check): {loaded:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
