"""Mutation testing: apply each listed mutant to a copy of the code and run the tests that matter.

A mutant is a small change a careless edit could make (a dropped attribute, a flipped test, a
wrong default). The suite should fail on each one; a mutant that passes every selected test is a
*survivor*: a bug a user could suffer that no test notices. The lists are ``mutants.py`` (the
main set, one file per part of the code under ``main_set/``) and ``second.py`` (a second set,
made by hand apart from the first, to check the score does not just reflect the tests written
against the main set).

    python tests/mutation/run.py                    # the main set, 2 workers
    python tests/mutation/run.py --set second       # the second set
    python tests/mutation/run.py --only web/forms   # the mutants of paths containing web/forms
    python tests/mutation/run.py --list             # show the mutants, flag stale ones, run nothing

Each worker runs in its own copy of the repository (so the working tree is never touched),
with ``-x`` (the first failure kills the mutant) on only the test files listed for the mutated
module, and the fixed hypothesis profile, so a score is the same from one run to the next.
The unmutated code runs those files first: a test that fails there cannot tell a mutant from
the code, so it is left out of every run and named in the report (the run then exits 1).

The report gives every module's score and the whole set's; the run exits 1 when a module
scores under ``PASS_MARK``, or a mutant is stale (its original text is no longer in the file:
the code changed and the list needs the same change) or errs. Equivalent mutants (no behaviour
can tell them apart) are listed with the argument, run all the same, and left out of the score.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from mutant import Mutant  # noqa: E402

PASS_MARK = 95.0  # percent of a module's mutants killed, at least
MAX_WORKERS = 2  # a shared 2-core machine
# A mutant that makes the tests hang is killed, as CI would stop; the limit is a few times
# what the unmutated tests of its files took, so a loaded machine does not turn slow runs
# into kills.
TIMEOUT_FACTOR, TIMEOUT_MIN = 3, 60
SKIPPED = ("__pycache__", ".hypothesis", ".pytest_cache", "*.pyc", ".venv", ".git")


# The copies ##################################################################


def project_files() -> list[str]:
    """The files of the working tree as git sees them, edits and new files included."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def copy_tree(target: Path) -> None:
    """Copy the project; no .git, .venv, caches or hypothesis database."""
    files = project_files()
    if not files:  # not a git checkout: everything but what is skipped
        shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*SKIPPED), dirs_exist_ok=True)
        return
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)


# Running the tests ###########################################################


def pytest_command(tests, *options) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, *tests]
    return [*command, "-o", "addopts=--strict-markers"]


def test_environ(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(workdir),
        "PYTHONDONTWRITEBYTECODE": "1",  # a mutant of the same size must never meet a stale .pyc
        "HYPOTHESIS_PROFILE": "ci",
    }


def run_tests(workdir: Path, tests, left_out, timeout: float) -> tuple[int, str]:
    deselected = [option for node in left_out for option in ("--deselect", node)]
    command = pytest_command(tests, "-x", *deselected)
    try:
        done = subprocess.run(
            command,
            cwd=workdir,
            env=test_environ(workdir),
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    lines = (done.stdout + done.stderr).strip().splitlines()
    failed = next((line for line in lines if line.startswith(("FAILED", "ERROR"))), "")
    return done.returncode, failed or (lines[-1] if lines else "")


class Baseline:
    """The unmutated code's run of every test file the mutants use: how long each file took,
    and the tests that fail without any mutant (left out of the mutants' runs)."""

    def __init__(self, workdir: Path, files: list[str]):
        report = workdir / "baseline.xml"
        command = pytest_command(files, "-rfE", f"--junitxml={report}")
        command += ["-o", "junit_family=xunit1"]
        began = time.monotonic()
        done = subprocess.run(
            command, cwd=workdir, env=test_environ(workdir), capture_output=True, text=True
        )
        self.seconds = time.monotonic() - began
        self.output = (done.stdout + done.stderr).strip()
        self.code = done.returncode
        self.failing: list[str] = []  # test ids
        self.broken: list[str] = []  # files that do not even load
        for line in self.output.splitlines():
            if line.startswith(("FAILED ", "ERROR ")):
                node = line.split(" ", 1)[1].split(" - ", 1)[0]
                (self.failing if "::" in node else self.broken).append(node)
        self.file_seconds: dict[str, float] = defaultdict(float)
        if report.exists():
            for case in ET.parse(report).iter("testcase"):
                self.file_seconds[case.get("file", "")] += float(case.get("time") or 0)
            report.unlink()

    @property
    def usable(self) -> bool:
        """pytest ran (0: all passed, 1: some failed); anything else is no baseline."""
        return self.code in (0, 1)

    def left_out(self, tests) -> list[str]:
        return [node for node in self.failing if node.split("::")[0] in tests]

    def timeout(self, tests) -> float:
        spent = sum(self.file_seconds.get(test, 0.0) for test in tests)
        return max(TIMEOUT_MIN, TIMEOUT_FACTOR * (spent + 5))


def line_of(text: str, old: str) -> int:
    return text[: text.index(old)].count("\n") + 1


def run_one(mutant: Mutant, workdir: Path, baseline: Baseline) -> tuple[str, str, int]:
    """Apply, test, restore; return (verdict, detail, line)."""
    path = workdir / mutant.path
    original = path.read_text()
    if original.count(mutant.old) != 1:
        found = original.count(mutant.old)
        return "stale", f"the original text is found {found} times, not once", 0
    line = line_of(original, mutant.old)
    tests = [test for test in mutant.tests if test not in baseline.broken]
    path.write_text(original.replace(mutant.old, mutant.new, 1))
    try:
        code, detail = run_tests(workdir, tests, baseline.left_out(tests), baseline.timeout(tests))
    finally:
        path.write_text(original)
    if code == 0:
        return "survived", "", line
    if code in (1, 2, 3, -1):  # failed, collection error or internal error, hang
        return "killed", detail, line
    return "error", f"pytest exited {code}: {detail}", line


# The command #################################################################


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="mutants", choices=["mutants", "second"])
    parser.add_argument("--workers", type=int, default=MAX_WORKERS, help="1 or 2")
    parser.add_argument("--only", default="", help="only mutants of paths containing this")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--verbose", action="store_true", help="say what killed each mutant")
    args = parser.parse_args(argv)
    chosen = [m for m in importlib.import_module(args.set).MUTANTS if args.only in m.path]
    if not chosen:
        print(f"no mutant of a path containing {args.only!r}", file=sys.stderr)
        return 2
    if args.list:
        return list_mutants(chosen)

    started = time.monotonic()
    workers = max(1, min(args.workers, MAX_WORKERS))
    scratch = Path(tempfile.mkdtemp(prefix="phonetree-mutation-"))
    try:
        outcome = run_all(chosen, scratch, workers, args.verbose)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if outcome is None:
        return 2
    results, baseline = outcome
    return report(results, baseline, time.monotonic() - started, workers)


def list_mutants(chosen: list[Mutant]) -> int:
    stale = 0
    counts: dict[str, int] = defaultdict(int)
    for number, mutant in enumerate(chosen, 1):
        path = ROOT / mutant.path
        found = path.read_text().count(mutant.old) if path.exists() else 0
        stale += found != 1
        counts[mutant.path] += 1
        mark = "" if found == 1 else f"  STALE (found {found} times)"
        print(f"{number:3} {mutant.path}: {mutant.old!r} -> {mutant.new!r}{mark}")
    print(f"\n{len(chosen)} mutants in {len(counts)} modules, {stale} stale")
    return 1 if stale else 0


def run_all(chosen: list[Mutant], scratch: Path, workers: int, verbose: bool):
    copies = Queue()
    for number in range(workers):
        target = scratch / f"worker{number}"
        target.mkdir()
        copy_tree(target)
        copies.put(target)

    # The unmutated code runs every test the mutants use: a failure there would kill them all.
    files = sorted({test for m in chosen for test in m.tests})
    print(f"the unmutated code: {len(files)} test files...", flush=True)
    baseline = Baseline(scratch / "worker0", files)
    if not baseline.usable:
        print(f"the unmutated code's tests could not run:\n{baseline.output[-3000:]}")
        return None
    for node in baseline.broken + baseline.failing:
        print(f"FAILS UNMUTATED (left out of every run): {node}", flush=True)
    print(f"  {baseline.seconds:.0f} s; {len(chosen)} mutants on {workers} workers", flush=True)

    def work(mutant):
        workdir = copies.get()
        try:
            return mutant, *run_one(mutant, workdir, baseline)
        finally:
            copies.put(workdir)

    results = []
    with ThreadPoolExecutor(workers) as pool:
        for mutant, verdict, detail, line in pool.map(work, chosen):
            results.append((mutant, verdict, detail, line))
            where = f"{mutant.path}:{line}"
            mark = "equivalent" if mutant.equivalent and verdict == "survived" else verdict
            print(f"{mark:10} {where:44} {mutant.old.strip()[:60]!r}", flush=True)
            if verbose and detail:
                print(f"{'':10} {detail[:120]}")
    return results, baseline


# The report ##################################################################


def scores(results) -> list[tuple[str, int, int, int]]:
    """(module, killed, counted, equivalent) per module, in the order first listed."""
    table: dict[str, list[int]] = {}
    for mutant, verdict, _, _ in results:
        row = table.setdefault(mutant.path, [0, 0, 0])
        if mutant.equivalent:
            row[2] += 1
        elif verdict in ("killed", "survived"):
            row[0] += verdict == "killed"
            row[1] += 1
    return [(module, *row) for module, row in table.items()]


def percent(killed: int, counted: int) -> float:
    return 100.0 * killed / counted if counted else 100.0


def report(results, baseline: Baseline, seconds: float, workers: int) -> int:
    counted = [r for r in results if not r[0].equivalent and r[1] in ("killed", "survived")]
    survivors = [r for r in counted if r[1] == "survived"]
    stale = [r for r in results if r[1] == "stale"]
    errors = [r for r in results if r[1] == "error"]
    equivalent = [r for r in results if r[0].equivalent]
    print()
    for title, rows in (("Survivors", survivors), ("Stale", stale), ("Errors", errors)):
        if rows:
            print(f"{title}:")
            for mutant, _, detail, line in rows:
                print(f"  {mutant.path}:{line}: {mutant.old!r} -> {mutant.new!r}")
                if mutant.why or detail:
                    print(f"      {mutant.why or detail}")
    if equivalent:
        print("Equivalent (left out of the score):")
        for mutant, verdict, _, line in equivalent:
            print(f"  {mutant.path}:{line} ({verdict}): {mutant.equivalent}")
    left_out = baseline.broken + baseline.failing
    if left_out:
        print("Failing without any mutant, left out of every run:")
        for node in left_out:
            print(f"  {node}")

    print("\n| module | killed | score | equivalent |\n| --- | --- | --- | --- |")
    below = []
    for module, killed, total, same in scores(results):
        score = percent(killed, total)
        mark = "" if score >= PASS_MARK else " (under 95 %)"
        below += [module] if mark else []
        print(f"| `{module}` | {killed} of {total} | {score:.0f} %{mark} | {same or ''} |")
    killed = sum(1 for r in counted if r[1] == "killed")
    print(
        f"| **all** | **{killed} of {len(counted)}** | **{percent(killed, len(counted)):.1f} %** |"
    )
    print(
        f"\n{len(results)} mutants in {len(scores(results))} modules: {len(equivalent)} "
        f"equivalent, {len(stale)} stale, {len(errors)} errors; {len(left_out)} tests failing "
        f"unmutated; {seconds / 60:.1f} min on {workers} workers"
    )
    if below:
        print(f"under {PASS_MARK:.0f} %: {', '.join(below)}")
    return 1 if below or stale or errors or left_out else 0


if __name__ == "__main__":
    sys.exit(main())
