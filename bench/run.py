"""Measure what one webhook costs phonetree, next to the least Bottle and WSGI can do.

    python bench/run.py                 # about a minute; --quick for a rough look
    python bench/run.py --json bench/results/run.json
    python bench/run.py --profile       # where the in-process time goes, ours and Bottle's

See bench/README.md for what each figure means. Not part of the test suite.
"""

import argparse
import json
import logging
import os
import platform
import sys
from contextlib import ExitStack
from pathlib import Path

import baseline
import inprocess
import load
import step

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("phonetree", "bottle", "bare")
# name: (the app target the web command serves, None for the Procfile's; the first webhook)
SERVED = {
    "phonetree": (None, step.START_PATH, step.RINGING),
    "bottle": ("bench.baseline:app", step.PATH, step.PRESS_3),
    "bare": ("bench.baseline:bare", step.PATH, step.PRESS_3),
}


def wsgi_apps(log_sink) -> dict:
    """The three apps in this process; phonetree as production runs it, logging to log_sink."""
    os.environ.update(step.ENVIRON)
    sys.path.insert(0, str(ROOT))
    import phonetree
    from phonetree_engine import logs

    app = phonetree.app  # built from the environment, with its logging, on first use
    queued = logs.active()
    if not phonetree.log.isEnabledFor(logging.INFO) or queued is None:
        sys.exit("bench: phonetree does not log webhooks at INFO; the figures would flatter it")
    queued.flush()
    queued.writer.stream = log_sink  # the production queue, writer and format, to /dev/null
    return {"phonetree": app, "bottle": baseline.app, "bare": baseline.bare}


def measure(args) -> dict:
    figures: dict = {"host": platform.node(), "python": platform.python_version()}
    with open(os.devnull, "w") as log_sink:
        apps = wsgi_apps(log_sink)
        figures["answer_bytes"] = inprocess.check(apps)
        print("in process ...", flush=True)
        repeat, loop_seconds = (3, 0.1) if args.quick else (7, 0.25)
        figures["in_process"] = inprocess.measure(apps, repeat, loop_seconds)
    if not load.have_wrk():
        print("wrk not found (apt-get install wrk): skipping the HTTP figures", file=sys.stderr)
        return figures
    figures["command"] = load.procfile_command()
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = max(1, round((args.duration or (3 if args.quick else 12)) / rounds))
    figures["http"], figures["rss_mb"] = over_http(rounds, seconds)
    print("cold start ...", flush=True)
    starts = 3 if args.quick else 5
    figures["cold_start"] = {name: load.cold_start(*SERVED[name], starts) for name in NAMES}
    return figures


def over_http(rounds: int, seconds: int) -> tuple[dict, dict]:
    """wrk figures per server, and the servers' memory after the load."""
    runs: dict[str, list] = {name: [] for name in NAMES}
    with ExitStack() as stack:  # all three up at once, loaded in turns: ABC ABC ABC
        servers = {name: stack.enter_context(load.serving(SERVED[name][0])) for name in NAMES}
        for server in servers.values():
            load.wrk(server, 1)  # warm up: connections, first imports, caches
        for turn in range(1, rounds + 1):
            for name, server in servers.items():
                print(f"HTTP {name} {turn}/{rounds}: wrk -t2 -c16 -d{seconds}s ...", flush=True)
                runs[name].append(load.wrk(server, seconds))
        rss = {name: server.rss_mb() for name, server in servers.items()}
    return {name: load.summary(runs[name]) for name in NAMES}, rss


# The report ###################################################################


def rows(figures: dict) -> list[dict]:
    """One row per figure: the three values, ours over Bottle's, and the target if any."""
    table = []

    def row(label, values, ratio=False, target=None, passed=None, digits=1):
        mine, theirs = values.get("phonetree"), values.get("bottle")
        table.append(
            {
                "figure": label,
                "values": values,
                "ratio": mine / theirs if ratio and mine and theirs else None,
                "target": target,
                "pass": passed,
                "digits": digits,
            }
        )

    cost = figures["in_process"]
    best = {name: cost[name]["best_us"] for name in NAMES}
    passed = best["phonetree"] <= 1.5 * best["bottle"]
    row("in-process µs/request, best", best, True, "<= 1.5x", passed)
    row("in-process µs/request, median", {name: cost[name]["median_us"] for name in NAMES}, True)
    if "http" not in figures:
        return table
    http = figures["http"]
    rps = {name: http[name]["requests_per_s"] for name in NAMES}
    failed = {name: http[name]["non_2xx"] + http[name]["socket_errors"] for name in NAMES}
    ok = failed["phonetree"] == 0
    row("HTTP requests/s", rps, True, ">= 0.9x", ok and rps["phonetree"] >= 0.9 * rps["bottle"], 0)
    row("HTTP p50 ms", {name: http[name]["p50_ms"] for name in NAMES}, True, digits=2)
    p99 = {name: http[name]["p99_ms"] for name in NAMES}
    row("HTTP p99 ms", p99, True, "<= 15 ms", ok and p99["phonetree"] <= 15, 2)
    row("HTTP non-2xx + socket errors", failed, target="0", passed=ok, digits=0)
    start = {name: figures["cold_start"][name]["median_s"] for name in NAMES}
    row("cold start s, median", start, True, "< 0.5 s", start["phonetree"] < 0.5, 3)
    rss = figures["rss_mb"]
    row("RSS MB after the load", rss, True, "< 40 MB", rss["phonetree"] < 40)
    return table


def report(figures: dict, table: list[dict]) -> str:
    sizes = ", ".join(f"{name} {size} B" for name, size in figures["answer_bytes"].items())
    lines = [
        f"step: POST {step.PATH} Digits=3, {len(step.PRESS_3)} form fields, signed, "
        f"logged at INFO; answers: {sizes}",
        f"web: {figures.get('command', '(HTTP skipped)')}",
        "",
        f"{'figure':<31}{'phonetree':>10}{'bottle':>10}{'bare':>10}{'ours/bottle':>13}"
        f"  {'target':<9} result",
    ]
    for item in table:
        values = [f"{item['values'][name]:.{item['digits']}f}" for name in NAMES]
        ratio = f"{item['ratio']:.2f}x" if item["ratio"] is not None else ""
        result = {True: "PASS", False: "FAIL", None: ""}[item["pass"]]
        cells = "".join(f"{value:>10}" for value in values)
        line = f"{item['figure']:<31}{cells}{ratio:>13}  {item['target'] or '':<9} {result}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, one 3 s wrk run")
    parser.add_argument(
        "--duration", type=float, help="seconds of load per server, all rounds (default 12)"
    )
    parser.add_argument("--rounds", type=int, help="wrk runs per server, in turns (default 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    parser.add_argument(
        "--profile", action="store_true", help="profile the in-process step instead"
    )
    args = parser.parse_args(argv)
    if args.profile:
        with open(os.devnull, "w") as log_sink:
            apps = wsgi_apps(log_sink)
            for name in ("phonetree", "bottle"):
                print(f"# {name}\n{inprocess.profile(apps[name])}")
        return 0
    figures = measure(args)
    table = rows(figures)
    print("\n" + report(figures, table))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        figures["table"] = [{k: v for k, v in item.items() if k != "digits"} for item in table]
        path.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(item["pass"] is not False for item in table) else 1


if __name__ == "__main__":
    sys.exit(main())
