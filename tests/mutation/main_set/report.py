"""The traffic report: reading the log back, counting what callers did, printing it."""

from __future__ import annotations

from mutant import REPORT, group

# Why the equivalent mutant below cannot be told from the code (tests/mutation/README.md).
QUOTED = (
    "a quoted value is compared only with itself (a call's id on each of its lines) or with "
    "names and statuses that never need an escape: decoded or not, every count is the same"
)

MUTANTS = [
    *group(
        "phonetree_tools/logread.py",
        REPORT,
        (
            "MAX_LINE = 65_536",
            "MAX_LINE = 64 * 65_536",
            {"why": "a hostile line of megabytes held whole"},
        ),
        (
            '"heroku logs": STAMP + r" app\\[[\\w.-]+\\]: ",',
            '"heroku logs": STAMP + r" \\S+: ",',
            {"why": "the router's lines, quoting what a client sent, counted as ours"},
        ),
        (
            r"\s+[A-Z]+\s+phonetree(?:\.[\w.]+)?\s+",
            r"\s+[A-Z]+\s+\S+\s+",
            {"why": "another program's lines counted as the tree's"},
        ),
        (
            "moment += int(fraction) / 10 ** len(fraction)",
            "moment += int(fraction) / 1000",
            {"why": "two replicas' lines of one second read out of order"},
        ),
        ("fields[name] = json.loads(value)", "fields[name] = value[1:-1]", {"equivalent": QUOTED}),
        (
            "moment = moment.replace(tzinfo=log_zone)",
            "moment = moment.astimezone()",
            {"why": "--log-timezone ignored: every call an hour off"},
        ),
        ('encoding="utf-8-sig", errors="replace"', 'encoding="utf-8", errors="replace"'),
        ('encoding="utf-8-sig", errors="replace"', 'encoding="utf-8-sig", errors="strict"'),
        (
            "except (EOFError, gzip.BadGzipFile, zlib.error) as error:",
            "except (gzip.BadGzipFile, zlib.error) as error:",
            {"why": "a log rotated while written: a traceback, and nothing reported"},
        ),
        (
            'while readline is not None and not piece.endswith("\\n"):  # the rest of it',
            "while False:  # the rest of it",
            {"why": "the rest of a long line read as lines of their own"},
        ),
    ),
    *group(
        "phonetree_tools/traffic.py",
        REPORT,
        (
            "STALE = 4 * 3600",
            "STALE = 60",
            {"why": "a caller on hold for a minute counted as gone"},
        ),
        ('self.outcomes["gave_up_after_retries"] += 1', "pass"),
        ('self.failures["last_resort"] += 1', "pass"),
        (
            "if started and (call is None or call.began is None):",
            "if started and call is None:",
            {"why": "a call whose start line came second is not counted"},
        ),
        ('ANSWERED = ("completed", "answered")', 'ANSWERED = ("completed",)'),
        ('"leave": "left_queue",', ""),
        (
            'if "duration" not in fields or not fields.get("status"):',
            'if not fields.get("status"):',
        ),
        ('NOT_LEFT = ("absent", "failed", "in-progress")', 'NOT_LEFT = ("failed",)'),
        (
            "if key not in self.messages:",
            "if True:",
            {"why": "a recording callback Twilio retried counted as two messages"},
        ),
        ('"p90": math.ceil(0.9 * total)', '"p90": int(0.9 * total)'),
        (
            "return quarter_hour(int(time // 900), zone)",
            "return quarter_hour(int(time // 900), timezone.utc)",
            {"why": "calls per hour in UTC, not the business's hours"},
        ),
        (
            "if isinstance(row.exit, Keys) and name not in self.held",
            "if isinstance(row.exit, Keys)",
        ),
        ("if call.holds(hold):\n            return []", "pass"),
        ("call.left_all(self.held)  # out of the queue: out of its wait music too", "pass"),
        (
            "of = self.entered[pair[0]] if pair in waits else out[pair[0]]",
            "of = out[pair[0]]",
        ),
        (
            'self.lines["dropped_by_the_app"] += int(seconds(fields.get("lines")))',
            "pass",
            {"why": "lines the app could not write go unsaid: the counts look whole"},
        ),
    ),
    *group(
        "phonetree_tools/report.py",
        REPORT,
        (
            "when = when.replace(tzinfo=zone)",
            "when = when.astimezone()",
            {"why": "--since 2026-11-24 starts at 7 PM the day before in New York"},
        ),
        (
            "if name in table and table[name].exit is not None:",
            "if name in table:",
            {"why": "every call that ended as it should marked as a drop-off"},
        ),
        ('if edge["in_table"]:\n            edges', "if True:\n            edges"),
        ('if read["skipped"]:', "if False:"),
        ('if read["dropped_by_the_app"]:', "if False:"),
        ('wide = min(max([20, *map(len, summary["states"])]), 40)', "wide = 20"),
    ),
]
