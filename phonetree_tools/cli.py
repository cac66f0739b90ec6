"""The commands behind ``python phonetree.py``: serve, call, studio, graph, check, report."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys

from phonetree_engine import logs, settings

DESCRIPTION = """\
A stateless phone tree for Twilio Programmable Voice.

With no command, serve on 127.0.0.1, as `serve` does. On a loopback address the server may
run without TWILIO_AUTH_TOKEN (and says so); on any other it needs the token, TWILIO_SHARED_KEY
or ALLOW_UNSIGNED=true, as the Procfile's server does.
"""

# Enqueue's QueueResult when Twilio ends the wait (a caller's Leave gives "leave" by itself).
QUEUE_RESULTS = ["bridged", "hangup", "queue-full", "error", "system-error"]
LOCAL_HOST = "127.0.0.1"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def parser(prog: str = "python phonetree.py") -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="answer Twilio's webhooks through waitress, on 127.0.0.1:$PORT (default 8000)"
    )
    serve.add_argument(
        "--host",
        default=LOCAL_HOST,
        help=f"address to listen on (default {LOCAL_HOST}; 0.0.0.0 for every interface)",
    )
    serve.add_argument("--port", type=int, help="default: $PORT, or 8000")
    call = commands.add_parser(
        "call",
        help="call the tree from this terminal: hear its prompts, press keys, see where it ends",
    )
    call.add_argument(
        "--keys",
        help="scripted walk: keys, words to say or _ for silence, e.g. 3,1,9 or 3,_,sales",
    )
    call.add_argument(
        "--clock",
        choices=["open", "closed", "now"],
        default="now",
        help="pretend the office is open or closed (default: the real clock)",
    )
    call.add_argument(
        "--dial",
        choices=["completed", "answered", "busy", "no-answer", "failed", "canceled"],
        default="no-answer",
        help="how a Dial ends (default no-answer)",
    )
    call.add_argument(
        "--language",
        help="choose this one of LANGUAGES when the tree offers the choice, e.g. es-US",
    )
    call.add_argument(
        "--log",
        metavar="FILE",
        help="append the log lines to FILE, as `report` reads them (default: stderr, "
        "but not on a terminal, where they would bury the call)",
    )
    call.add_argument(
        "--queue",
        choices=QUEUE_RESULTS,
        help="how a wait in a queue ends (default: the walk stops with the caller waiting)",
    )
    studio = commands.add_parser(
        "studio",
        help="hear the tree in a browser: a keypad, the transcript spoken, the diagram lit",
        description="Serve the app and the studio's page on 127.0.0.1, and open the page.",
    )
    studio.add_argument("--port", type=int, default=8001, help="default 8001; 0 for any free port")
    studio.add_argument(
        "--no-browser", action="store_true", help="print the page's address, do not open it"
    )
    graph = commands.add_parser(
        "graph", help="print the tree as a Mermaid (or Graphviz DOT) diagram, made from the table"
    )
    graph.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    commands.add_parser(
        "check", help="check every setting and the state table, and say all that is wrong"
    )
    report = commands.add_parser(
        "report",
        help="what callers did, read from the log lines: per state, per edge, outcomes, times",
        description="Read log lines (plain or gzip files; stdin when none) and report the "
        "tree's traffic. --since and --until without an offset are in the business's "
        "TIMEZONE; the log's own timestamps are read in --log-timezone.",
    )
    report.add_argument("files", nargs="*", metavar="FILE", help="log files; - for stdin")
    report.add_argument("--format", choices=["text", "json", "mermaid", "dot"], default="text")
    report.add_argument(
        "--since", help="first moment to count, e.g. 2026-11-24 or 2026-11-24T09:00"
    )
    report.add_argument("--until", help="moment to stop counting at (not included)")
    report.add_argument(
        "--log-timezone",
        default="UTC",
        help="time zone of the log's own timestamps (default UTC, as platforms run)",
    )
    return root


def main(load_app, serving_app, server_options: dict, argv=None, prog=None) -> int:
    """Run a command; ``load_app`` builds the app and ``serving_app`` the one to serve, each
    exiting with a message if it cannot."""
    args = (parser(prog) if prog else parser()).parse_args(argv)
    command = args.command or "serve"
    if command == "serve":
        host = getattr(args, "host", LOCAL_HOST)
        problems: list[str] = []
        port = getattr(args, "port", None) or read_port(problems)
        if problems:
            loaded(load_app, problems)  # exits, saying every other bad setting too
        app = serving_app(local=host in LOOPBACK)
        return serve(app, host, port, server_options)
    if command == "studio":
        from phonetree_tools.studio import server

        return server.run(load_app, args.port, not args.no_browser, server_options)
    try:
        code = offline(command, args, load_app)
        sys.stdout.flush()  # here, not at exit: a reader gone is found while we can stop quietly
        return code
    except BrokenPipeError:
        return reader_gone()


def offline(command: str, args, load_app) -> int:
    """The commands that serve nothing: check, graph, report and call."""
    log_stream = appending(args.log) if command == "call" and args.log else None
    problems: list[str] = []
    if command == "check":
        read_port(problems)  # PORT too: check says what serving would refuse
    app = loaded(load_app, problems)  # exits with the problems of the settings and the table
    engine = app.config["phonetree.engine"]
    if command == "check":
        if not every_language_written(engine):
            return 1
        print(f"ok: {len(engine.table)} states, all reachable from {engine.start!r}")
        if not (engine.config.validates_signatures or engine.config.allow_unsigned):
            from phonetree_engine.carriers import unsigned

            keys = " or ".join(unsigned(engine.config).keys)
            print(
                f"note: the Procfile's server would refuse to start: PROVIDER="
                f"{engine.config.provider} and {keys} is not set (ALLOW_UNSIGNED=true allows it);"
                " serve on 127.0.0.1 runs",
                file=sys.stderr,
            )
        return 0
    if command == "graph":
        from phonetree_tools import diagram

        render = diagram.mermaid if args.format == "mermaid" else diagram.dot
        print(render(engine.table, engine.start))
        return 0
    if command == "report":
        return report(engine, args)
    from phonetree_tools import terminal

    return terminal.run(
        app,
        keys=args.keys,
        clock=args.clock,
        dial=args.dial,
        queue=args.queue,
        language=args.language,
        log_stream=log_stream,
    )


def every_language_written(engine) -> bool:
    """The tree checked again in the languages it has words in beyond LANGUAGES (a deploy may
    add them any day): what they lack is said, by file, as start-up would say it then."""
    from phonetree_engine.checks import TableError, check_tree, written_languages

    served = engine.config.languages
    others = [language for language in written_languages(engine.tree) if language not in served]
    if not others:
        return True
    try:
        config = engine.config.replace(languages=(*served, *others))
        check_tree(engine.tree, config.completed(engine.tree.settings, engine.tree.defaults))
    except TableError as error:
        print(
            f"phonetree: check: the tree has words in {', '.join(others)}, not in LANGUAGES;"
            " with them it would not start:",
            file=sys.stderr,
        )
        print("\n".join(f"- {problem}" for problem in error.problems), file=sys.stderr)
        return False
    return True


def read_port(problems: list[str]) -> int:
    """$PORT; 0 when it is wrong, and what is wrong added to ``problems``."""
    try:
        return settings.port()
    except settings.ConfigError as error:
        problems.append(str(error))
        return 0


def loaded(load_app, problems: list[str]):
    """The app; or exit, saying ``problems`` together with those ``load_app`` exits with."""
    said = [f"phonetree: cannot start: {problem}" for problem in problems]
    try:
        app = load_app()
    except SystemExit as stop:
        if said and isinstance(stop.code, str):
            sys.exit("\n".join([stop.code, *said]))
        raise
    if said:
        sys.exit("\n".join(said))
    return app


def appending(path: str):
    """Send the log lines to the end of ``path``, before the app is loaded and logs any."""
    try:
        stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 (the log's, until exit)
    except OSError as error:
        print(f"phonetree call: --log {path}: {error.strerror or error}", file=sys.stderr)
        sys.exit(2)
    try:
        level = settings.log_level()
    except settings.ConfigError:
        level = "INFO"  # loading the app says what is wrong with it
    logs.setup_logging(logging.getLogger("phonetree"), level, stream)
    return stream


def reader_gone() -> int:
    """The reader of our output has gone (``... | head -1``): stop quietly, as Unix tools do.

    As Python's documentation advises, stdout then points at devnull, so that the flush at exit
    raises nothing either.
    """
    with contextlib.suppress(OSError, ValueError):  # unless stdout is no file (a test's)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def report(engine, args) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from phonetree_tools import report

    zone = engine.config.timezone
    try:
        log_zone = ZoneInfo(args.log_timezone)
        since, until = (report.moment(t, zone) if t else None for t in (args.since, args.until))
    except (ValueError, ZoneInfoNotFoundError) as error:
        sys.exit(f"phonetree: report: {error}")
    try:
        return report.run(
            engine.table,
            engine.start,
            args.files,
            business_zone=zone,
            log_zone=log_zone,
            since=since,
            until=until,
            format=args.format,
        )
    except BrokenPipeError:
        raise  # our reader has gone, not a log file: see main()
    except OSError as error:
        sys.exit(f"phonetree: report: {error}")


def serve(app, host: str, port: int, options: dict) -> int:
    """Serve with the same waitress settings and the same stop as the Procfile."""
    from phonetree_engine import server

    return server.serve(app, host=host, port=port, **options)
