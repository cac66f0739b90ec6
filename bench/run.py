"""Measure what one webhook costs phonetree, next to the least Bottle and WSGI can do.

phonetree runs on the Procfile's command; the baselines run on that command and on plain
waitress, what a user would otherwise run, and the targets over HTTP are against the latter.

    python bench/run.py                 # about four minutes; --quick for a rough look
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
import time
from contextlib import ExitStack
from pathlib import Path

import baseline
import inprocess
import load
import step

ROOT = Path(__file__).resolve().parents[1]
# name: (the command serving it, the app target (None: the Procfile's), the first webhook)
SERVED = {
    "phonetree": ("procfile", None, step.START_PATH, step.RINGING),
    "bottle": ("procfile", "bench.baseline:app", step.PATH, step.PRESS_3),
    "bare": ("procfile", "bench.baseline:bare", step.PATH, step.PRESS_3),
    "bottle@w": ("waitress", "bench.baseline:app", step.PATH, step.PRESS_3),
    "bare@w": ("waitress", "bench.baseline:bare", step.PATH, step.PRESS_3),
}
NAMES = tuple(SERVED)
APPS = ("phonetree", "bottle", "bare")  # the apps in process, without a server
FLOOR = "bottle@w"  # what a user would otherwise run: the targets over HTTP are against it
MODES = {"keep-alive": False, "close": True}  # wrk's connections: kept, or one per request
ROUNDS, DURATION = 5, 15  # wrk runs per server and kind of connection, and their seconds


def command(name: str) -> str:
    server, target, _, _ = SERVED[name]
    return load.command_for(server, target)


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
    figures["commands"] = {"procfile": load.procfile_command(), "waitress": load.WAITRESS}
    figures["load_average"] = {"before": os.getloadavg()}
    rounds = args.rounds or (1 if args.quick else ROUNDS)
    seconds = max(1, round((args.duration or (3 if args.quick else DURATION)) / rounds))
    figures["http"], figures["rss_mb"], figures["others_cores"] = over_http(rounds, seconds)
    figures["load_average"]["after"] = os.getloadavg()
    print("cold start ...", flush=True)
    starts = 3 if args.quick else 5
    figures["cold_start"] = {
        name: load.cold_start(command(name), *SERVED[name][2:], starts) for name in NAMES
    }
    return figures


def over_http(rounds: int, seconds: int) -> tuple[dict, dict, float]:
    """wrk figures per mode and server, the servers' memory after the load, and the cores
    other programs kept busy meanwhile."""
    runs = {mode: {name: [] for name in NAMES} for mode in MODES}
    with ExitStack() as stack:  # all up at once, loaded in turns: ABCDE BCDEA CDEAB ...
        servers = {name: stack.enter_context(load.serving(command(name))) for name in NAMES}
        for server in servers.values():
            load.wrk(server, 1)  # warm up: connections, first imports, caches
        others = Others(servers.values())
        for turn in range(rounds):
            # Each server takes each place in the order in turn: what a run leaves behind
            # (closed connections in the kernel, a warm cache) falls on each alike.
            order = NAMES[turn % len(NAMES) :] + NAMES[: turn % len(NAMES)]
            for mode, close in MODES.items():
                for name in order:
                    print(f"HTTP {mode} {name} {turn + 1}/{rounds}: {seconds}s ...", flush=True)
                    runs[mode][name].append(load.wrk(servers[name], seconds, close))
        busy = others.cores()
        rss = {name: server.rss_mb() for name, server in servers.items()}
    http = {mode: {name: load.summary(runs[mode][name]) for name in NAMES} for mode in MODES}
    return http, rss, busy


class Others:
    """How busy other programs kept the machine: its CPU time less ours, in cores on average.

    A run with other programs busy moves every HTTP figure; say so beside the figures.
    """

    def __init__(self, servers):
        self.servers = list(servers)
        self.started, self.machine, self.ours = time.monotonic(), *self.spent()

    def spent(self) -> tuple[float, float]:
        ours = load.own_cpu_seconds() + sum(server.cpu_seconds() for server in self.servers)
        return load.machine_cpu_seconds(), ours

    def cores(self) -> float:
        machine, ours = self.spent()
        others = (machine - self.machine) - (ours - self.ours)
        return max(others, 0.0) / (time.monotonic() - self.started)


# The report ###################################################################


def rows(figures: dict) -> list[dict]:
    """One row per figure: the values, ours over each Bottle baseline, the target if any."""
    table = []

    def row(label, values, target=None, check=None, digits=1):
        """``check(ours, reference)``: the target, against ``FLOOR`` over HTTP."""
        mine = values.get("phonetree")
        ratios = {name: mine / values[name] for name in ("bottle", FLOOR) if values.get(name)}
        reference = values.get(FLOOR, values.get("bottle"))
        table.append(
            {
                "figure": label,
                "values": values,
                "ratios": ratios if mine else {},
                "target": target,
                "pass": check(mine, reference) if check else None,
                "digits": digits,
            }
        )

    cost = figures["in_process"]
    best = {name: cost[name]["best_us"] for name in APPS}
    row("in-process µs/request, best", best, "<= 1.5x", lambda m, r: m <= 1.5 * r)
    row("in-process µs/request, median", {name: cost[name]["median_us"] for name in APPS})
    if "http" not in figures:
        return table
    failed = {}
    for mode, http in figures["http"].items():
        ok = http["phonetree"]["non_2xx"] + http["phonetree"]["socket_errors"] == 0

        def of(key, http=http):
            return {name: http[name][key] for name in NAMES}

        row(f"{mode} requests/s", of("requests_per_s"), ">= 0.9x", lambda m, r: m >= 0.9 * r, 0)
        row(f"{mode} CPU µs/request", of("cpu_us"), "<= 1.15x", lambda m, r: m <= 1.15 * r, 0)
        row(f"{mode} p50 ms", of("p50_ms"), digits=2)
        p99 = of("p99_ms")
        row(f"{mode} p99 ms", p99, "<= 1.5x", lambda m, r, ok=ok: ok and m <= 1.5 * r, 2)
        for name in NAMES:
            failed[name] = failed.get(name, 0) + http[name]["non_2xx"] + http[name]["socket_errors"]
    table.append(
        {
            "figure": "non-2xx + socket errors, all runs",
            "values": failed,
            "ratios": {},
            "target": "0",
            "pass": failed["phonetree"] == 0,
            "digits": 0,
        }
    )
    start = {name: figures["cold_start"][name]["median_s"] for name in NAMES}
    row("cold start s, median", start, "< 0.5 s", lambda m, r: m < 0.5, 3)
    row("RSS MB after the load", figures["rss_mb"], "< 40 MB", lambda m, r: m < 40)
    return table


RATIOS = (("vs " + FLOOR, FLOOR), ("vs bottle", "bottle"))
RESULTS = {True: "PASS", False: "FAIL", None: ""}


def cells(item: dict) -> list[str]:
    values = [
        f"{item['values'][name]:.{item['digits']}f}" if name in item["values"] else ""
        for name in NAMES
    ]
    ratios = [
        f"{item['ratios'][name]:.2f}x" if name in item["ratios"] else "" for _, name in RATIOS
    ]
    return [*values, *ratios, item["target"] or "", RESULTS[item["pass"]]]


def report(figures: dict, table: list[dict]) -> str:
    sizes = ", ".join(f"{name} {size} B" for name, size in figures["answer_bytes"].items())
    commands = figures.get("commands", {})
    lines = [
        f"step: POST {step.PATH} Digits=3, {len(step.PRESS_3)} form fields, signed, "
        f"logged at INFO; answers: {sizes}",
        f"phonetree, bottle, bare: {commands.get('procfile', '(HTTP skipped)')}",
        f"bottle@w, bare@w:        {commands.get('waitress', '(HTTP skipped)')} module:app",
        "targets over HTTP are against bottle@w; in process, against bottle",
        "",
        f"{'figure':<34}" + "".join(f"{name:>10}" for name in NAMES)
        + "".join(f"{label:>13}" for label, _ in RATIOS) + f"  {'target':<9} result",
    ]  # fmt: skip
    for item in table:
        *values, target, result = cells(item)
        widths = [10] * len(NAMES) + [13] * len(RATIOS)
        shown = "".join(f"{value:>{width}}" for value, width in zip(values, widths, strict=True))
        lines.append(f"{item['figure']:<34}{shown}  {target:<9} {result}".rstrip())
    if "load_average" in figures:
        lines += ["", quiet(figures)]
    return "\n".join(lines)


# The Markdown tables' headings: for a reader who has not seen the command lines.
HEADINGS = {
    "phonetree": "phonetree",
    "bottle": "Bottle, same command",
    "bare": "WSGI, same command",
    "bottle@w": "Bottle, plain waitress",
    "bare@w": "WSGI, plain waitress",
}
RATIO_HEADINGS = ["phonetree / Bottle on plain waitress", "phonetree / Bottle, same command"]


def quiet(figures: dict) -> str:
    """How quiet the machine was: the load before, and other programs' CPU during the runs."""
    before, after = (figures["load_average"][when][0] for when in ("before", "after"))
    others = figures["others_cores"]
    return (
        f"load average (1 min) before the HTTP runs {before:.2f}, after {after:.2f}; "
        f"other programs used {others:.2f} of a core meanwhile"
    )


def markdown(table: list[dict]) -> str:
    """The same figures in Markdown, for bench/README.md and docs/benchmarks.md: a table in
    process (the apps alone), then one over HTTP (the apps and their servers)."""
    alone = [item for item in table if set(item["values"]) <= set(APPS)]
    served = [item for item in table if item not in alone]
    head = ["in process", "phonetree", "Bottle", "WSGI", "phonetree / Bottle", "target", "result"]
    lines = markdown_head(head)
    for item in alone:
        row = cells(item)  # the values, the two ratios, the target, the result
        ratio = row[len(NAMES) + 1]  # against bottle
        lines.append(markdown_row([item["figure"], *row[: len(APPS)], ratio, *row[-2:]]))
    names = [HEADINGS[name] for name in NAMES]
    lines += ["", *markdown_head(["over HTTP", *names, *RATIO_HEADINGS, "target", "result"])]
    lines += [markdown_row([item["figure"], *cells(item)]) for item in served]
    return "\n".join(lines)


def markdown_head(head: list[str]) -> list[str]:
    return [markdown_row(head), "| --- |" + " ---: |" * (len(head) - 3) + " --- | --- |"]


def markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, one 3 s wrk run")
    parser.add_argument(
        "--duration",
        type=float,
        help=f"seconds of load per server and kind of connection, all rounds (default {DURATION})",
    )
    parser.add_argument(
        "--rounds", type=int, help=f"wrk runs per server, in turns (default {ROUNDS})"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    parser.add_argument("--markdown", action="store_true", help="also print the table in Markdown")
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
    if args.markdown:
        print("\n" + markdown(table))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        figures["table"] = [{k: v for k, v in item.items() if k != "digits"} for item in table]
        path.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(item["pass"] is not False for item in table) else 1


if __name__ == "__main__":
    sys.exit(main())
