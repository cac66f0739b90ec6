"""Call the phone tree from a terminal: hear its prompts, press keys, see where the call ends.

``python phonetree.py call`` walks the app in this process with ``SimulatedCall``, the simulated
Twilio the tests use, so it needs no Twilio account, phone or tunnel::

    clock: open (Tue 2026-11-24 09:00 America/New_York, the office is open)
    heard: Welcome to ACME, Inc.
    heard: Listen to the following menu options. For sales, press one. ...
    press a key (or type a word to say it; empty = silence; q = hang up)
    > 3

At a menu (a Gather) the caller presses keys (0-9 * #), says a word, stays silent (nothing) or
hangs up (q). Interactively that comes from stdin, one line at a time, and the end of input
hangs up; with ``--keys 3,1,_,sales`` it comes from the list (``_`` or an empty item is
silence), and when the list runs out the walk stops and says where the call waits.

Twilio's side of the call happens by itself: a Dial ends as ``--dial`` says, a Record takes a
10-second message, and a queue holds the caller once, at position 1, so its announcement is
heard. If the hold music then offers keys (a Gather) they can be pressed. What happens next
depends on the agents, so ``--queue`` says it (``bridged``: an agent answers, ``hangup``: the
caller gives up, ``queue-full``, ``error``); without it the walk stops with the caller waiting.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from phonetree_tools.caller import CallFailed, SimulatedCall
from phonetree_tools.playing import signing

HINT = "press a key (or type a word to say it; empty = silence; q = hang up)"
KEYS = set("0123456789*#")
RECORDING_SECONDS = 10
MAX_AUTOMATIC = 10  # Dials, Records and holds in a row with no caller input: the tree loops
SEARCH_DAYS = 800  # how far ahead --clock looks for an open (or closed) moment


def run(
    app,
    keys=None,
    clock="now",
    dial="no-answer",
    stdin=None,
    stdout=None,
    queue=None,
    language=None,
    log_stream=None,
) -> int:
    """Call ``app`` and print the call; return 0, 1 if the call failed, 2 for bad arguments.

    ``keys`` is a scripted walk ("3,1,9"), or None to read the caller's input from ``stdin``;
    ``clock`` is "open", "closed" or "now". The app's clock is pretended only during the call.
    ``language`` (one of LANGUAGES) is chosen by itself when the tree offers the choice.
    ``log_stream`` is where the log lines go (default stderr): on a terminal a line per webhook
    would bury the transcript, so there only warnings and errors are written, unless LOG_LEVEL
    says otherwise; elsewhere (a file, a pipe) every line is, for ``report`` to read.
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    log_stream = sys.stderr if log_stream is None else log_stream
    engine = app.config["phonetree.engine"]
    config = engine.config
    try:
        script = None if keys is None else [parse(item) for item in keys.split(",")]
        moment = pretend(config, clock)
        if language and language not in config.languages:
            listed = ",".join(config.languages)
            raise ValueError(
                f"--language {language}: the tree speaks {listed}; "
                f"set LANGUAGES={listed},{language} (with its words in the tree) to add it"
            )
    except ValueError as error:
        print(f"phonetree call: {error}", file=sys.stderr)
        return 2

    def out(line: str) -> None:
        print(line, file=stdout, flush=True)

    shown = moment or config.now(engine.clock)
    state = "open" if config.is_open(shown) else "closed"
    out(f"clock: {clock} ({shown:%a %Y-%m-%d %H:%M} {config.timezone}, the office is {state})")
    next_action = scripted(script, out) if script is not None else asking(stdin, stdout)
    saved_clock, log = engine.clock, logging.getLogger("phonetree")
    saved_level = log.level
    if moment is not None:
        engine.clock = lambda: moment
    if "LOG_LEVEL" not in os.environ and on_terminal(log_stream):
        log.setLevel(max(log.getEffectiveLevel(), logging.WARNING))
    try:
        call, voice = placed(app, config)
        return walk(call, voice, choosing(language, next_action, call, out), dial, out, queue)
    finally:
        engine.clock = saved_clock
        log.setLevel(saved_level)


def on_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no file, or a closed one
        return False


# The caller's input ##########################################################


def parse(item: str) -> tuple[str, ...]:
    """Read one input: ("press", keys), ("say", words), ("silence",) or ("hangup",)."""
    text = item.strip()
    if text in ("", "_"):
        return ("silence",)
    if text.lower() == "q":
        return ("hangup",)
    if set(text) <= KEYS:
        return ("press", text)
    if text.replace(" ", "").isalpha():
        return ("say", text)
    raise ValueError(f"{text!r} is neither keys (0-9 * #), a word to say, nor _ for silence")


def scripted(script, out):
    """Take the inputs from the list, showing each; None when they run out."""
    todo = list(script)

    def next_action():
        if not todo:
            return None
        action = todo.pop(0)
        out("> " + (" ".join(action[1:]) or f"({action[0]})"))
        return action

    return next_action


def asking(stdin, stdout):
    """Ask for each input on stdin; the end of input hangs up."""
    echo = not stdin.isatty()  # piped input is not shown by a terminal: show it in the transcript

    def next_action():
        print(HINT, file=stdout)
        while True:
            print("> ", end="", file=stdout, flush=True)
            try:
                line = stdin.readline()
            except KeyboardInterrupt:
                line = ""
            if not line:
                print(file=stdout)
                return ("hangup",)
            if echo:
                print(line.rstrip("\n"), file=stdout)
            try:
                return parse(line)
            except ValueError as error:
                print(f"{error}; try again", file=stdout)

    return next_action


# The call ####################################################################


def choosing(language, next_action, call: SimulatedCall, out):
    """Press the key of ``language`` when a Gather offers languages, each said in its own."""
    if not language:
        return next_action

    def choose():
        offered = [say.get("language") for say in call.gather.iter("Say")]
        if len(set(offered)) > 1 and language in offered:
            key = str(offered.index(language) + 1)
            out(f"> {key} (--language {language})")
            return ("press", key)
        return next_action()

    return choose


def placed(app, config) -> tuple[SimulatedCall, str]:
    """A call to the app, signed and addressed as its carrier (PROVIDER) would, and the path it
    starts at."""
    public_url = config.public_url or "http://localhost"
    prefix = urlsplit(public_url).path  # PUBLIC_URL has no final slash
    target = mounted(app, prefix) if prefix else app
    call = SimulatedCall(target, public_url=public_url, **signing(app, config))
    return call, prefix + "/voice"


def mounted(app, prefix: str):
    """Serve ``app`` below ``prefix``, as the proxy in front of it does."""

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
            environ["PATH_INFO"] = path[len(prefix) :]
        return app(environ, start_response)

    return wsgi


def walk(call: SimulatedCall, voice: str, next_action, dial: str, out, queue=None) -> int:
    """Play the call, taking the caller's actions from ``next_action`` and Twilio's by itself."""
    heard = 0
    held = False  # held in the queue since the caller last did something
    automatic = 0
    try:
        call.start(voice)
        while True:
            for text in call.heard[heard:]:
                out(f"heard: {text}")
            heard = len(call.heard)
            wait = call.waiting_for
            if wait is None:
                out(f"call ended: {' '.join(call.outcome)}")
                return 0
            if wait == "input":
                action = next_action()
                if action == ("hangup",):
                    out("call ended: the caller hung up")
                    return 0
                if action is not None:
                    act(call, action, out)
                    held, automatic = False, 0
                    continue
                if not (queue and call.outcome[0] == "queue"):
                    out(f"keys ran out; the call waits for a key press {where(call)}")
                    return 0
                held = True  # the caller does nothing more: the queue ends as --queue says
            if held:
                if not queue:
                    out(f"the caller waits in queue {call.outcome[1]!r} (--queue ends the wait)")
                    return 0
                out(f"queue {call.outcome[1]!r} ends: {queue}")
                call.queue_result(queue)
                held = False
                continue
            automatic += 1
            if automatic > MAX_AUTOMATIC:
                out(f"call stopped: {MAX_AUTOMATIC} {wait}s in a row, the tree goes round")
                return 1
            if wait == "dial":
                out(f"dialled {call.outcome[1]}: {dial}")
                call.dial_result(dial)
            elif wait == "record":
                out(f"recording... ({RECORDING_SECONDS} seconds)")
                call.record(duration=RECORDING_SECONDS)
            else:
                out(f"queued in {call.outcome[1]!r}")
                call.hold(position=1)
                held = True
    except CallFailed as error:
        for text in call.heard[heard:]:
            out(f"heard: {text}")
        out(f"call failed: {error}")
        return 1


def act(call: SimulatedCall, action: tuple[str, ...], out) -> None:
    kind = action[0]
    if kind == "press":
        keys, gather, before = action[1], call.gather, len(call.requests)
        call.press(keys)
        posted = call.requests[before].params.get("Digits") if len(call.requests) > before else None
        if posted != keys:  # the Gather stopped listening, as it would on a phone: say why
            finish, most = gather.get("finishOnKey", "#"), gather.get("numDigits", "")
            why = f"this menu takes {most} key" + "s" * (most != "1")
            if finish and finish in keys:
                why = f"{finish} ends the input"
            if "dtmf" not in gather.get("input", "dtmf").split():
                why = "this menu does not listen for keys"
            out(f"({why}: Twilio sends {posted or 'no keys'})")
    elif kind == "say":
        if "speech" not in call.gather.get("input", "dtmf").split():
            out("(this menu does not listen for speech: Twilio hears silence)")
        call.say(action[1])
    else:
        call.silence()


def where(call: SimulatedCall) -> str:
    """Where a call waiting for input is: in a queue, or at the state its Gather posts to."""
    if call.outcome and call.outcome[0] == "queue":
        return f"in queue {call.outcome[1]!r}"
    found = re.search(r"/state/([^/?]+)", call.gather.get("action") or "")
    return f"at {found.group(1)!r}" if found else ""


# The clock ###################################################################


def pretend(config, clock: str, now: datetime | None = None) -> datetime | None:
    """The first moment from ``now`` when the office is as ``clock`` says; None for "now"."""
    if clock == "now":
        return None
    if clock not in ("open", "closed"):
        raise ValueError(f"--clock {clock!r}: expected open, closed or now")
    want_open = clock == "open"
    now = config.now() if now is None else now.astimezone(config.timezone)
    if config.is_open(now) == want_open:
        return now
    # The state of the office changes only at midnight and where an interval opens or closes.
    for offset in range(SEARCH_DAYS):
        day = now.date() + timedelta(days=offset)
        bounds = [
            bound for interval in config.opening_hours.week[day.weekday()] for bound in interval
        ]
        for bound in [time(0), *bounds]:
            if bound == time.max:
                continue
            moment = datetime.combine(day, bound, tzinfo=config.timezone)
            if moment >= now and config.is_open(moment) == want_open:
                return moment
    raise ValueError(f"--clock {clock}: the office is never {clock} with these opening hours")
