"""Mutation testing: apply each listed mutant to a copy of the code and run the tests that matter.

A mutant is a small change a careless edit could make (a dropped attribute, a flipped test, a
wrong default). The suite should fail on each one; a mutant that passes every selected test is a
*survivor*: a bug a user could suffer that no test notices. The lists are in ``mutants.py``
(the main set) and ``second.py`` (a second set, made by hand apart from the first, to check the
score does not just reflect the tests written against the main set).

    python tests/mutation/run.py                  # the main set, 2 workers
    python tests/mutation/run.py --set second     # the second set
    python tests/mutation/run.py --only web.py    # the mutants of files whose path has web.py
    python tests/mutation/run.py --list           # show the mutants, run nothing

Each worker runs in its own copy of the repository (so the working tree is never touched),
with ``-x`` (the first failure kills the mutant) on only the test files listed for the mutated
module, and the fixed hypothesis profile, so a score is the same from one run to the next.
A mutant whose original text is no longer in the file is reported as *stale*: the code changed
and the list needs the same change. Equivalent mutants (no behaviour can tell them apart) are
listed with the argument, run all the same, and left out of the score.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from mutants import Mutant  # noqa: E402

COPIED = ("phonetree.py", "Procfile", "README.md", "pyproject.toml", "requirements.txt")
COPIED_DIRS = ("phonetree_engine", "phonetree_tools", "states", "tests", "bench")
# A mutant that makes the tests hang is killed, as CI would stop; the limit is a few times
# what the unmutated tests took, so a loaded machine does not turn slow runs into kills.
TIMEOUT_FACTOR, TIMEOUT_MIN = 3, 60


def copy_tree(target: Path) -> None:
    """Copy what the tests need; no .git, .venv, caches or hypothesis database."""
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache", "*.pyc")
    for name in COPIED:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
    for name in COPIED_DIRS:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target / name, ignore=ignore)


def run_tests(workdir: Path, tests: tuple[str, ...], timeout: float) -> tuple[int, str]:
    environ = {
        **os.environ,
        "PYTHONPATH": str(workdir),
        "PYTHONDONTWRITEBYTECODE": "1",  # a mutant of the same size must never meet a stale .pyc
        "HYPOTHESIS_PROFILE": "ci",
    }
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    command += ["-o", "addopts=--strict-markers"]
    try:
        done = subprocess.run(
            command,
            cwd=workdir,
            env=environ,
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


def line_of(text: str, old: str) -> int:
    return text[: text.index(old)].count("\n") + 1


def run_one(mutant: Mutant, workdir: Path, timeout: float) -> tuple[str, str, int]:
    """Apply, test, restore; return (verdict, detail, line)."""
    path = workdir / mutant.path
    original = path.read_text()
    if original.count(mutant.old) != 1:
        found = original.count(mutant.old)
        return "stale", f"the original text is found {found} times, not once", 0
    line = line_of(original, mutant.old)
    path.write_text(original.replace(mutant.old, mutant.new, 1))
    try:
        code, detail = run_tests(workdir, mutant.tests, timeout)
    finally:
        path.write_text(original)
    if code == 0:
        return "survived", "", line
    if code in (1, 2, 3, -1):  # failed, collection error or internal error, hang
        return "killed", detail, line
    return "error", f"pytest exited {code}: {detail}", line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="mutants", choices=["mutants", "second"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="only mutants of paths containing this")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--verbose", action="store_true", help="say what killed each mutant")
    args = parser.parse_args(argv)
    chosen = [m for m in importlib.import_module(args.set).MUTANTS if args.only in m.path]
    if args.list:
        stale = 0
        for number, mutant in enumerate(chosen, 1):
            found = (ROOT / mutant.path).read_text().count(mutant.old)
            stale += found != 1
            mark = "" if found == 1 else f"  STALE (found {found} times)"
            print(f"{number:3} {mutant.path}: {mutant.old!r} -> {mutant.new!r}{mark}")
        return 1 if stale else 0

    started = time.monotonic()
    workers = max(1, min(args.workers, 2))  # a shared 2-core machine: never more than 2
    scratch = Path(tempfile.mkdtemp(prefix="phonetree-mutation-"))
    try:
        results = run_all(chosen, scratch, workers, args.verbose)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if results is None:
        return 2
    return report(results, time.monotonic() - started, workers)


def run_all(chosen: list[Mutant], scratch: Path, workers: int, verbose: bool):
    copies = Queue()
    for number in range(workers):
        target = scratch / f"worker{number}"
        target.mkdir()
        copy_tree(target)
        copies.put(target)

    # The unmutated code must pass every test the mutants use, or a failure would kill them all.
    baseline_tests = tuple(sorted({test for m in chosen for test in m.tests}))
    began = time.monotonic()
    code, detail = run_tests(scratch / "worker0", baseline_tests, 30 * 60)
    if code != 0:
        print(f"the unmutated code fails its tests ({detail}); fix that first", file=sys.stderr)
        return None
    timeout = max(TIMEOUT_MIN, TIMEOUT_FACTOR * (time.monotonic() - began))

    def work(mutant):
        workdir = copies.get()
        try:
            return mutant, *run_one(mutant, workdir, timeout)
        finally:
            copies.put(workdir)

    results = []
    with ThreadPoolExecutor(workers) as pool:
        for mutant, verdict, detail, line in pool.map(work, chosen):
            results.append((mutant, verdict, detail, line))
            where = f"{mutant.path}:{line}"
            mark = "equivalent" if mutant.equivalent and verdict == "survived" else verdict
            print(f"{mark:10} {where:34} {mutant.old.strip()[:60]!r}", flush=True)
            if verbose and detail:
                print(f"{'':10} {detail[:120]}")
    return results


def report(results, seconds: float, workers: int) -> int:
    counted = [r for r in results if not r[0].equivalent and r[1] in ("killed", "survived")]
    killed = sum(1 for r in counted if r[1] == "killed")
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
    score = 100 * killed / len(counted) if counted else 0.0
    print(
        f"\nscore: {killed}/{len(counted)} killed = {score:.1f}%  "
        f"({len(equivalent)} equivalent, {len(stale)} stale, {len(errors)} errors; "
        f"{len(results)} mutants, {seconds / 60:.1f} min on {workers} workers)"
    )
    return 1 if stale or errors else 0


if __name__ == "__main__":
    sys.exit(main())
