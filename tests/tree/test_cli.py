"""`python phonetree.py serve|call|graph|check`, run as a user runs it, and what it prints."""

import io
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

import bottle
import pytest
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial

import states
from phonetree import make_app
from phonetree_engine.settings import SETTINGS, Config, Hours
from phonetree_engine.tree import Keys, Outcome, State
from phonetree_engine.web import MAX_BODY
from phonetree_tools import cli, diagram, terminal
from tests.conftest import CLOSED, OPEN, ROOT
from tests.prompts import (
    GOODBYE,
    HOURS,
    HOURS_AGAIN,
    HOURS_ES,
    MENU_ES,
    SALES,
    SUPPORT,
    THANKS,
    UNAVAILABLE,
    VOICEMAIL,
    WELCOME,
)
from tests.prompts import MENU as PROMPT
from tests.servers import HOST, free_port

CLOSED_NOW = "Our office is closed right now, but you can still leave us a message."
HOLD_MUSIC = "[play http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3]"

# The defaults, whatever the environment of whoever runs the tests says.
ENV = {
    name: value
    for name, value in os.environ.items()
    if name not in {setting for setting, _, _ in SETTINGS} | {"LOG_LEVEL"}
}


def phonetree(*args, stdin="", **settings):
    """Run ``python phonetree.py ARGS`` from the repository root; stdin ends after ``stdin``."""
    return subprocess.run(
        [sys.executable, "phonetree.py", *args],
        cwd=ROOT,
        env=ENV | settings,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def heard(result) -> list[str]:
    return [line.removeprefix("heard: ") for line in lines(result) if line.startswith("heard: ")]


def after(result, line) -> list[str]:
    """The lines printed after ``line``."""
    printed = lines(result)
    return printed[printed.index(line) + 1 :]


def lines(result) -> list[str]:
    text = result if isinstance(result, str) else result.stdout
    return text.splitlines()


# serve ######################################################################


SERVE_TOKEN = "auth-token-for-serve-tests"


@contextmanager
def serving(*args, port, environ):
    """Run ``python phonetree.py ARGS`` until it listens on ``port``; stop it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "phonetree.py", *args],
        cwd=ROOT,
        env={**ENV, **environ},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            with suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                break
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def served():
    """``python phonetree.py serve --port P`` with $PORT saying another port."""
    port, other = free_port(), free_port()
    environ = {"PORT": str(other), "TWILIO_AUTH_TOKEN": SERVE_TOKEN}
    with serving("serve", "--port", str(port), port=port, environ=environ) as process:
        yield process, port


def http_exchange(port, head: str) -> bytes:
    """Send ``head`` and read the answer until the server closes (or 64 KB)."""
    with socket.create_connection((HOST, port), timeout=15) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode())
        answer = b""
        while len(answer) < 65536:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
        return answer


def test_serve_listens_on_the_port_of_the_option_not_of_the_environment(served):
    _, port = served
    answer = http_exchange(port, "GET /healthz HTTP/1.1\nHost: localhost\nConnection: close\n\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(b"\r\n\r\nok\n")


def test_serve_trusts_the_forwarded_scheme_and_host_as_the_procfile_does(served):
    _, port = served
    form = urlencode({"CallSid": "CA1", "From": "+15551234567"})
    signed = RequestValidator(SERVE_TOKEN).compute_signature(
        "https://ivr.example.com/voice", dict(parse_qsl(form))
    )
    head = (
        "POST /voice HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n"
        "X-Forwarded-Proto: https\nX-Forwarded-Host: ivr.example.com\n"
        f"X-Twilio-Signature: {signed}\n"
        f"Content-Type: application/x-www-form-urlencoded\nContent-Length: {len(form)}\n\n"
    )
    assert http_exchange(port, head + form).startswith(b"HTTP/1.1 200 ")


def test_with_no_command_the_tree_is_served_on_the_port_of_the_environment():
    port = free_port()
    with serving(port=port, environ={"PORT": str(port)}):
        answer = http_exchange(
            port, "GET /healthz HTTP/1.1\nHost: localhost\nConnection: close\n\n"
        )
    assert answer.endswith(b"\r\n\r\nok\n")


def test_serve_refuses_bodies_at_the_procfile_limit(served):
    _, port = served
    head = (
        "POST /voice HTTP/1.1\nHost: localhost\nConnection: close\n"
        f"Content-Type: application/x-www-form-urlencoded\nContent-Length: {MAX_BODY}\n\n"
    )
    assert http_exchange(port, head).startswith(b"HTTP/1.1 413 ")


# --help, check, graph ########################################################


@pytest.fixture(scope="module")
def usage():
    return phonetree("--help")


@pytest.mark.parametrize("command", ["serve", "call", "graph", "check", "report"])
def test_help_lists_each_command_once(usage, command):
    assert len(re.findall(rf"^ +{command} +\S", usage.stdout, re.MULTILINE)) == 1


def test_help_exits_0(usage):
    assert usage.returncode == 0


def test_a_call_from_the_terminal_uses_the_real_clock_unless_told():
    assert cli.parser().parse_args(["call"]).clock == "now"


def test_check_exits_0():
    assert phonetree("check").returncode == 0


def test_check_says_the_procfiles_server_would_refuse_to_run_unsigned():
    note = [line for line in lines(phonetree("check").stderr) if line.startswith("note: ")]
    assert note == [
        "note: the Procfile's server would refuse to start: neither TWILIO_AUTH_TOKEN nor"
        " TWILIO_SHARED_KEY is set (ALLOW_UNSIGNED=true allows it); serve on 127.0.0.1 runs"
    ]


@pytest.mark.parametrize(
    "setting",
    [{"TWILIO_AUTH_TOKEN": "secret"}, {"TWILIO_SHARED_KEY": "k"}, {"ALLOW_UNSIGNED": "1"}],
)
def test_check_has_no_note_when_the_server_would_start(setting):
    assert "note: " not in phonetree("check", **setting).stderr


def test_check_says_ok_with_the_number_of_states():
    count = len(states.TABLE)  # the shipped tree's: a user's added state counts too
    assert phonetree("check").stdout == f"ok: {count} states, all reachable from 'greeting'\n"


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "abc"), ("PORT", "70000"), ("LOG_LEVEL", "verbose"), ("DIAL_TIMEOUT", "abc")],
)
def test_check_refuses_what_serving_refuses_naming_the_variable(name, value):
    result = phonetree("check", **{name: value})
    assert (result.returncode, result.stdout) == (1, "")
    assert lines(result.stderr) == [f"phonetree: cannot start: {name}={value!r}: " + EXPECTED[name]]


EXPECTED = {
    "PORT": "expected a whole number from 1 to 65535",
    "LOG_LEVEL": "expected DEBUG, INFO, WARNING, ERROR",
    "DIAL_TIMEOUT": "expected a whole number of seconds from 5 to 600",
}


def test_check_reports_every_bad_variable_at_once():
    result = phonetree("check", PORT="abc", LOG_LEVEL="verbose", DIAL_TIMEOUT="abc")
    named = [line.split(":")[2].split("=")[0].strip() for line in lines(result.stderr)]
    assert named == ["DIAL_TIMEOUT", "PORT", "LOG_LEVEL"]


def test_two_bad_variables_stop_serving_with_two_lines():
    result = phonetree("serve", LOG_LEVEL="verbose", DIAL_TIMEOUT="abc")
    assert result.returncode == 1
    assert lines(result.stderr) == [
        f"phonetree: cannot start: DIAL_TIMEOUT='abc': {EXPECTED['DIAL_TIMEOUT']}",
        f"phonetree: cannot start: LOG_LEVEL='verbose': {EXPECTED['LOG_LEVEL']}",
    ]


README_CALLS = [
    shlex.split(line.partition("#")[0])[2:]
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    if line.startswith("python phonetree.py call --keys")
]


def without(args: list[str], flag: str) -> list[str]:
    """The same walk without ``flag``, or for --clock at the other time of day."""
    at = args.index(flag)
    if flag == "--clock":
        return [*args[: at + 1], "open" if args[at + 1] == "closed" else "closed", *args[at + 2 :]]
    return args[:at] + args[at + 2 :]


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (args, flag)
        for args in README_CALLS
        for flag in ("--clock", "--dial", "--queue")
        if flag in args
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_each_flag_of_a_readme_example_changes_what_the_caller_hears(args, flag):
    example, other = phonetree(*args), phonetree(*without(args, flag))
    assert example.returncode == other.returncode == 0
    assert heard(example) != heard(other)


def test_the_readme_shows_the_flags_of_call_in_examples():
    flags = {arg for args in README_CALLS for arg in args if arg.startswith("--")}
    assert flags >= {"--keys", "--clock", "--dial", "--queue"}


@pytest.fixture(scope="module")
def mermaid():
    return phonetree("graph")


@pytest.mark.parametrize(
    "edge",
    [
        "greeting --> language",
        "language -->|language chosen| menu",
        "menu -->|1, say sales, say ventas| sales",
        "menu -->|2, say support, say soporte| support",
        "menu -->|0, say operator, say receptionist, say operador, say operadora, "
        "say recepcionista| reception",
        "menu -->|other key| error",
        "menu -->|silence| no_choice",
        "menu -->|too many tries| transfer",
        "support -->|closed, other QueueResult| unavailable",
    ],
)
def test_graph_draws_the_edges_of_the_table(mermaid, edge):
    assert f"    {edge}" in lines(mermaid)


def test_graph_is_a_mermaid_flowchart(mermaid):
    assert lines(mermaid)[0] == "flowchart TD"


def test_graph_in_dot_is_a_digraph():
    assert lines(phonetree("graph", "--format", "dot"))[0] == "digraph phonetree {"


def test_graph_in_dot_labels_the_menu_edges():
    dot = phonetree("graph", "--format", "dot")
    assert '    menu -> sales [label="1, say sales, say ventas"];' in lines(dot)


def test_readme_diagram_is_current(mermaid):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, re.DOTALL)
    assert mermaid.stdout in blocks, "README.md needs the output of `python phonetree.py graph`"


# call, scripted ##############################################################


@pytest.fixture(scope="module")
def hours_twice():
    return phonetree("call", "--keys", "3,1,9", "--clock", "open")


def test_scripted_call_hears_the_hours_twice_then_the_menu(hours_twice):
    assert heard(hours_twice) == [WELCOME, PROMPT, HOURS, HOURS_AGAIN, HOURS, HOURS_AGAIN, PROMPT]


def test_scripted_call_shows_each_key_pressed(hours_twice):
    assert [line for line in lines(hours_twice) if line.startswith("> ")] == ["> 3", "> 1", "> 9"]


def test_scripted_call_says_where_it_waits_when_the_keys_run_out(hours_twice):
    assert lines(hours_twice)[-1] == "keys ran out; the call waits for a key press at 'menu'"


def test_scripted_call_exits_0(hours_twice):
    assert hours_twice.returncode == 0


def test_scripted_call_at_an_open_moment_says_the_office_is_open(hours_twice):
    assert lines(hours_twice)[0].endswith("the office is open)")


@pytest.fixture(scope="module")
def closed_receptionist():
    return phonetree("call", "--keys", "0", "--clock", "closed")


def test_receptionist_when_closed_takes_a_message(closed_receptionist):
    assert heard(closed_receptionist) == [
        WELCOME,
        CLOSED_NOW,
        PROMPT,
        UNAVAILABLE,
        VOICEMAIL,
        THANKS,
    ]


def test_voicemail_is_recorded_by_itself(closed_receptionist):
    assert "recording... (10 seconds)" in lines(closed_receptionist)


def test_a_call_that_hangs_up_says_so(closed_receptionist):
    assert lines(closed_receptionist)[-1] == "call ended: hangup"


def test_an_unanswered_dial_goes_to_voicemail():
    result = phonetree("call", "--keys", "0", "--clock", "open")
    assert after(result, "> 0") == [
        "dialled +15555550100: no-answer",
        f"heard: {UNAVAILABLE}",
        f"heard: {VOICEMAIL}",
        "recording... (10 seconds)",
        f"heard: {THANKS}",
        "call ended: hangup",
    ]


def test_dial_option_sets_how_the_dial_ends():
    result = phonetree("call", "--keys", "0", "--clock", "open", "--dial", "completed")
    assert after(result, "> 0") == [
        "dialled +15555550100: completed",
        f"heard: {GOODBYE}",
        "call ended: hangup",
    ]


@pytest.fixture(scope="module")
def queued():
    return phonetree("call", "--keys", "2", "--clock", "open")


def test_support_queues_and_hears_the_position(queued):
    assert heard(queued)[2:] == [SUPPORT, "You are caller number 1.", HOLD_MUSIC]


def test_a_walk_into_a_queue_stops_with_the_caller_waiting(queued):
    assert lines(queued)[-2:] == [
        f"heard: {HOLD_MUSIC}",
        "the caller waits in queue 'support' (--queue ends the wait)",
    ]


@pytest.mark.parametrize(
    ("result", "then"),
    [("bridged", [f"heard: {GOODBYE}"]), ("queue-full", [f"heard: {UNAVAILABLE}"])],
)
def test_the_queue_option_says_how_the_wait_ends(result, then):
    walked = phonetree("call", "--keys", "2", "--clock", "open", "--queue", result)
    assert after(walked, f"heard: {HOLD_MUSIC}")[: 1 + len(then)] == [
        f"queue 'support' ends: {result}",
        *then,
    ]


def test_the_queue_option_ends_a_wait_whose_music_offers_keys(build):
    _, out = run(build(queue_voicemail_after=0), "2", clock="open", queue="bridged")
    assert lines(out)[-3:] == [
        "queue 'support' ends: bridged",
        f"heard: {GOODBYE}",
        "call ended: hangup",
    ]


def test_a_word_in_the_keys_is_said():
    assert heard(phonetree("call", "--keys", "sales", "--clock", "open"))[2:4] == [SALES, VOICEMAIL]


def test_underscore_in_the_keys_is_silence():
    result = phonetree("call", "--keys", "3,_", "--clock", "open")
    assert heard(result)[-1] == PROMPT


def test_keys_that_are_not_keys_nor_words_exit_2():
    assert phonetree("call", "--keys", "3,!").returncode == 2


def test_keys_that_are_not_keys_nor_words_are_named():
    assert "'!' is neither keys" in phonetree("call", "--keys", "3,!").stderr


def test_an_unknown_dial_result_is_a_usage_error():
    assert phonetree("call", "--dial", "maybe").returncode == 2


# call, interactive ###########################################################


@pytest.fixture(scope="module")
def typed():
    return phonetree("call", "--clock", "open", stdin="3\n\n")


def test_interactive_call_reads_keys_and_silence_from_stdin(typed):
    assert heard(typed) == [WELCOME, PROMPT, HOURS, HOURS_AGAIN, PROMPT]


def test_interactive_call_says_what_it_waits_for(typed):
    assert lines(typed).count(terminal.HINT) == 3


def test_interactive_call_echoes_piped_input(typed):
    assert [line for line in lines(typed) if line.startswith(">")] == ["> 3", "> ", "> "]


def test_end_of_input_hangs_up(typed):
    assert lines(typed)[-1] == "call ended: the caller hung up"


def test_end_of_input_exits_0(typed):
    assert typed.returncode == 0


def test_q_hangs_up():
    result = phonetree("call", "--clock", "open", stdin="q\n3\n")
    assert heard(result) == [WELCOME, PROMPT]


def test_a_typed_word_is_said():
    result = phonetree("call", "--clock", "open", stdin="support\n")
    assert SUPPORT in heard(result)


def test_a_line_that_is_no_input_is_asked_again():
    result = phonetree("call", "--clock", "open", stdin="3!\n3\n")
    assert heard(result)[2:] == [HOURS, HOURS_AGAIN]


# terminal.run in this process ################################################


def run(app, keys, **options):
    out = io.StringIO()
    code = terminal.run(app, keys=keys, stdin=io.StringIO(), stdout=out, **options)
    return code, out.getvalue()


def test_a_signed_app_below_a_path_is_called_as_twilio_would(build):
    app = build(auth_token="secret", public_url="https://example.com/ivr")
    _, out = run(app, "3", clock="open")
    assert heard(out)[2:] == [HOURS, HOURS_AGAIN]


def test_a_shared_key_app_is_called_as_twilio_would(build):
    _, out = run(build(shared_key="shared-secret"), "3", clock="open")
    assert heard(out)[2:] == [HOURS, HOURS_AGAIN]


def test_the_app_clock_is_back_after_the_call(build):
    app = build(OPEN)
    engine = app.config["phonetree.engine"]
    clock = engine.clock
    run(app, "1", clock="closed")
    assert engine.clock is clock


def test_clock_now_keeps_the_app_clock(build):
    _, out = run(build(CLOSED), "", clock="now")
    assert CLOSED_NOW in heard(out)


def test_an_answer_twilio_refuses_fails_the_call(app):
    broken = bottle.Bottle()
    broken.config["phonetree.engine"] = app.config["phonetree.engine"]
    broken.route("/voice", ["GET", "POST"], lambda: "plain text")
    code, out = run(broken, "1", clock="open")
    assert code == 1
    assert "heard: an application error has occurred" in lines(out)
    assert lines(out)[-1].startswith("call failed: ")


def ring(call):
    return Dial("+15555550199", action=call.action)


def test_a_tree_that_dials_forever_is_stopped():
    table = {"ring": State(ring, Outcome("DialCallStatus", {}, otherwise="ring"))}
    app = make_app(Config(), table=table, start="ring", recovery="ring")
    code, out = run(app, None, clock="open")
    assert code == 1
    assert lines(out)[-1] == "call stopped: 10 dials in a row, the tree goes round"


def test_keys_offered_by_hold_music_can_be_pressed(build):
    _, out = run(build(queue_voicemail_after=0), "2,1", clock="open")
    assert heard(out)[-2:] == [VOICEMAIL, THANKS]


def test_a_caller_waiting_in_a_queue_is_said_to_be_there(build):
    _, out = run(build(queue_voicemail_after=0), "2", clock="open")
    assert lines(out)[-1] == "keys ran out; the call waits for a key press in queue 'support'"


# The clock ###################################################################


def at(*fields, config=None):
    return datetime(*fields, tzinfo=(config or Config()).timezone)


@pytest.mark.parametrize(
    "hours, clock, expected",
    [
        ("Mon-Fri 09:00-18:00", "open", OPEN),  # already open
        ("Mon-Fri 09:00-18:00", "closed", at(2026, 11, 24, 18, 0)),
        ("Sat 10:00-11:00", "open", at(2026, 11, 28, 10, 0)),
        ("Mon-Sun 00:00-12:00; Mon-Sun 12:00-24:00", "open", OPEN),
        ("Mon-Fri 00:00-24:00", "closed", at(2026, 11, 28, 0, 0)),
    ],
)
def test_pretended_clock_is_the_next_moment_as_asked(hours, clock, expected):
    config = Config(hours=Hours.parse(hours))
    assert terminal.pretend(config, clock, now=OPEN) == expected


def test_a_closed_date_is_closed_all_day():
    config = Config(closed_dates=frozenset({OPEN.date()}))
    assert terminal.pretend(config, "open", now=OPEN) == at(2026, 11, 25, 9, 0)


def test_an_office_never_closed_cannot_be_pretended_closed():
    config = Config(hours=Hours.parse("Mon-Sun 00:00-24:00"))
    with pytest.raises(ValueError, match="never closed"):
        terminal.pretend(config, "closed", now=OPEN)


def test_clock_now_pretends_nothing():
    assert terminal.pretend(Config(), "now") is None


# Diagrams of a small table ###################################################


def nothing(call):
    """Diagrams never enter a state."""


SMALL = {
    "hello": State(nothing, "menu", when_closed="shut"),
    "menu": State(
        nothing,
        Keys(keys={"1": "bye", "2": "bye"}, words={"en-US": {"bye": "bye"}}, otherwise="menu"),
    ),
    "shut": State(nothing),
    "bye": State(nothing),
}


def test_mermaid_of_a_small_table():
    assert diagram.mermaid(SMALL, "hello").splitlines() == [
        "flowchart TD",
        "    _call((call)) --> hello",
        "    shut([shut]):::terminal",
        "    bye([bye]):::terminal",
        "    hello -->|closed| shut",
        "    hello --> menu",
        "    menu -->|1, 2, say bye| bye",
        "    menu -->|other key, silence| menu",
        "    classDef terminal stroke-width:3px",
    ]


def test_dot_of_a_small_table():
    assert diagram.dot(SMALL, "hello").splitlines() == [
        "digraph phonetree {",
        "    _call [shape=circle, label=call];",
        "    _call -> hello;",
        "    shut [shape=doublecircle];",
        "    bye [shape=doublecircle];",
        '    hello -> shut [label="closed"];',
        "    hello -> menu;",
        '    menu -> bye [label="1, 2, say bye"];',
        '    menu -> menu [label="other key, silence"];',
        "}",
    ]


def test_edges_join_the_labels_of_parallel_edges():
    assert ("menu", "1, 2, say bye", "bye") in diagram.edges(SMALL)


def test_give_up_is_drawn_as_too_many_tries():
    table = {**SMALL, "menu": State(nothing, Keys({"1": "bye"}, otherwise="menu", give_up="shut"))}
    assert ("menu", "too many tries", "shut") in diagram.edges(table)


# Languages ###################################################################


def test_call_with_language_chooses_it_at_the_greeting():
    result = phonetree(
        "call", "--language", "es-US", "--keys", "3", "--clock", "open", LANGUAGES="en-US,es-US"
    )
    assert "> 2 (--language es-US)" in lines(result)
    assert heard(result)[3:5] == [MENU_ES, HOURS_ES]


def test_call_with_a_language_the_tree_does_not_speak_exits_2():
    result = phonetree("call", "--language", "fr-FR", "--keys", "3")
    assert (result.returncode, lines(result.stderr)[-1]) == (
        2,
        "phonetree call: --language fr-FR: the tree speaks en-US; "
        "set LANGUAGES=en-US,fr-FR (with its words in states/) to add it",
    )


def test_the_diagram_shows_the_language_choice(mermaid):
    assert "    language -->|language chosen| menu" in lines(mermaid)


@pytest.mark.parametrize(
    ("keys", "note"),
    [
        ("12", "(this menu takes 1 key: Twilio sends 1)"),
        ("3#1", "(# ends the input: Twilio sends 3)"),
        ("#", "(# ends the input: Twilio sends no keys)"),
    ],
)
def test_the_terminal_says_when_twilio_sends_fewer_keys_than_typed(build, keys, note):
    _, out = run(build(), keys, clock="open")
    assert after(out, f"> {keys}")[0] == note


def test_the_terminal_says_nothing_about_keys_twilio_sends_whole(build):
    _, out = run(build(), "3", clock="open")
    assert after(out, "> 3")[0] == f"heard: {HOURS}"
