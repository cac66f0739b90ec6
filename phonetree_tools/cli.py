"""The commands behind ``python phonetree.py``: serve, call, graph, check."""

from __future__ import annotations

import argparse
import sys

from phonetree_engine import settings

DESCRIPTION = """\
A stateless phone tree for Twilio Programmable Voice.

commands:
  serve   answer Twilio's webhooks on http://localhost:$PORT (default 8000) through waitress
  call    call the tree from this terminal: hear its prompts, press keys, see where it ends
  graph   print the tree as a Mermaid (or Graphviz DOT) diagram, generated from the table
  check   check the configuration and the state table, and say what is wrong

With no command, serve.
"""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python phonetree.py",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", metavar="{serve,call,graph,check}")
    serve = commands.add_parser("serve", help="answer webhooks through waitress")
    serve.add_argument("--port", type=int, help="default: $PORT, or 8000")
    call = commands.add_parser("call", help="call the tree from this terminal")
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
    graph = commands.add_parser("graph", help="print the tree as a diagram")
    graph.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    commands.add_parser("check", help="check the configuration and the table")
    return root


def main(load_app, server_options: dict, argv=None) -> int:
    """Run a command; ``load_app`` builds the app, exiting with a message if it cannot."""
    args = parser().parse_args(argv)
    command = args.command or "serve"
    if command == "serve":
        try:
            port = getattr(args, "port", None) or settings.port()
        except settings.ConfigError as error:
            sys.exit(f"phonetree: cannot start: {error}")
        return serve(load_app(), port, server_options)
    if command == "check":
        try:  # PORT too: check says what serving would refuse
            settings.check_environ()
        except settings.ConfigError as error:
            problems = str(error).splitlines()
            sys.exit("\n".join(f"phonetree: cannot start: {line}" for line in problems))
    app = load_app()  # exits with the problems when the configuration or table is wrong
    engine = app.config["phonetree.engine"]
    if command == "check":
        print(f"ok: {len(engine.table)} states, all reachable from {engine.start!r}")
        return 0
    if command == "graph":
        from phonetree_tools import diagram

        render = diagram.mermaid if args.format == "mermaid" else diagram.dot
        print(render(engine.table, engine.start))
        return 0
    from phonetree_tools import terminal

    return terminal.run(
        app, keys=args.keys, clock=args.clock, dial=args.dial, language=args.language
    )


def serve(app, port: int, options: dict) -> int:
    """Serve with the same waitress settings as the Procfile."""
    import waitress

    print(f"phonetree: serving on http://localhost:{port}", file=sys.stderr, flush=True)
    waitress.serve(app, port=port, **options)
    return 0
