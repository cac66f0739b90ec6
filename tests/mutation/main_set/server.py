"""The server as the Procfile runs it: start-up limits, the queue notice, the graceful stop.

Not here either: ``Connection``, which keeps waitress's loop from going round while a thread
sends its answer: it saves CPU, which the benchmark measures; no answer differs.

Not here: the connections the kernel still holds when the listeners close (``accept_waiting``)
and an answer still in waitress's buffers (``total_outbufs_len``): each matters in a window of
microseconds no test can place a request in without a race, so a mutant there would be killed
or not by chance.
"""

from __future__ import annotations

from mutant import SERVER, group

MUTANTS = [
    *group(
        "phonetree_engine/server.py",
        SERVER,
        (
            "wanted = connections + 256",
            "wanted = connections",
            {"why": "at the connection limit, the log and the trigger have no file left"},
        ),
        (
            "limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)",
            "limit = wanted",
            {"why": "a connection limit over the hard limit stops start-up"},
        ),
        (
            'raise_open_files_limit(int(options.get("connection_limit", 100)))',
            "pass",
            {"why": "--connection-limit=1000 with 1024 files: accept() fails under load"},
        ),
        (
            "self.next_at, self.held, self.deepest = now + self.every, 0, 0",
            "self.next_at, self.held, self.deepest = now, 0, 0",
            {"why": "a burst of calls writes a warning per webhook"},
        ),
        (
            'record.msg += " (%d more since the last such line, the deepest %d)"',
            "return True",
        ),
        (
            'sys.exit(f"phonetree: cannot listen on {where}: {error.strerror or error}")',
            "raise",
            {"why": "a port in use is a traceback"},
        ),
        (
            "signal.signal(signal.SIGTERM, lambda signum, frame: start_stopping(server))",
            "pass",
            {"why": "a deploy kills the webhooks in flight"},
        ),
        ("logs.flush(FLUSH_SECONDS)", "pass", {"why": "the last lines before a deploy lost"}),
        ("DRAIN_SECONDS = 7.0", "DRAIN_SECONDS = 0.0"),
        (
            "return 0 if asked else 2",
            "return 0",
            {"why": "a Procfile line missing its app exits 0"},
        ),
        (
            "lane = self.lane_of(path_info(request.path, channel.adj.url_prefix))",
            "lane = self.lane_of(request.path)",
            {"why": "behind --url-prefix every voicemail callback takes a live call's thread"},
        ),
        (
            "if lane_of is None or not deliveries:\n            return None",
            "return None",
            {"why": "a mail server that never answers holds every thread live calls need"},
        ),
        ("DELIVERY_THREADS = 8", "DELIVERY_THREADS = 0"),
        (
            "if not value.isdigit():\n            raise getopt.GetoptError",
            "if False:\n            raise getopt.GetoptError",
        ),
        ('value = value if given else next(words, "")', "value = value"),
        ('if path.startswith("/"):\n        path = "/" + path.lstrip("/")', "pass"),
        (
            'if url_prefix and (path == url_prefix or path.startswith(url_prefix + "/")):',
            "if url_prefix and path.startswith(url_prefix):",
        ),
    ),
    *group(
        "phonetree_engine/web/__init__.py",
        SERVER,
        (
            'app.phonetree_lane = lambda path: "deliveries" if path in delivering else "calls"',
            'app.phonetree_lane = lambda path: "calls"',
            {"why": "voicemail callbacks waiting on a mail server take every live call's thread"},
        ),
        ('delivering.add(state_url("", name, part))', "pass"),
    ),
]
