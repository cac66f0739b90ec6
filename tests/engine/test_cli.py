"""The commands of ``python phonetree.py`` on the office: what each prints, and its exit code.

``cli.main`` runs in this process with the office's functions (``office_cli``), as
``phonetree.py`` runs it with the shipped tree's; ``terminal.run`` walks apps a test builds.
What needs a process of its own (a reader that has gone, a terminal, a call's log read back by
``report``) runs ``python -m tests.engine.office_cli``, as a user runs ``python phonetree.py``.
"""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import datetime

import bottle
import pytest
from twilio.twiml.voice_response import Dial

from phonetree_engine import Keys, Option, Outcome, State
from phonetree_engine.hours import Hours
from phonetree_engine.settings import Config
from phonetree_tools import cli, diagram, terminal
from tests.conftest import CLOSED, OPEN, ROOT
from tests.engine import office_cli
from tests.engine.heard import (
    CLOSED_NOTICE,
    DESK,
    GOODBYE,
    HOURS,
    HOURS_AGAIN,
    MENU,
    MUSIC,
    ORDERS,
    QUEUED,
    RECORD,
    SAVED,
    UNAVAILABLE,
    WELCOME,
)
from tests.engine.trees import office
from tests.printed import after, heard, lines
from tests.servers import LEFT_OUT, server_environ

MENU_ES = "Menú de la oficina. Pedidos: 1. Ayuda: 2. Horario: 3. Repetir: 9. Recepción: 0."
HOURS_ES = "La oficina abre lun+mar+mié+jue+vie 09:00-18:00."
POSITION = "You are number 1 in line."


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def phonetree(monkeypatch, capsys):
    """Run the office's ``python phonetree.py ARGS`` in this process, with ``settings`` as the
    only phone tree variables and ``stdin`` as its input; exit as the interpreter would."""
    for name in LEFT_OUT:
        monkeypatch.delenv(name, raising=False)

    def run(*args, stdin="", **settings) -> Result:
        capsys.readouterr()
        with monkeypatch.context() as patch:
            for name, value in settings.items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            try:
                code = office_cli.main(list(args))
            except SystemExit as stop:
                code = stop.code
                if isinstance(code, str):  # sys.exit("message"): said on stderr, status 1
                    print(code, file=sys.stderr)
                    code = 1
        out, err = capsys.readouterr()
        return Result(code or 0, out, err)

    return run


def process(*args, stdin="", **settings) -> subprocess.CompletedProcess:
    """``python -m tests.engine.office_cli ARGS`` from the repository root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tests.engine.office_cli", *args],
        cwd=ROOT,
        env=server_environ(settings),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --help, check, graph ########################################################


@pytest.fixture
def usage(phonetree):
    return phonetree("--help")


@pytest.mark.parametrize("command", ["serve", "call", "graph", "check", "report"])
def test_help_lists_each_command_once(usage, command):
    assert len(re.findall(rf"^ +{command} +\S", usage.stdout, re.MULTILINE)) == 1


def test_help_exits_0(usage):
    assert usage.code == 0


def test_a_call_from_the_terminal_uses_the_real_clock_unless_told():
    assert cli.parser().parse_args(["call"]).clock == "now"


def test_check_exits_0(phonetree):
    assert phonetree("check").code == 0


def test_check_says_ok_with_the_number_of_states(phonetree):
    expected = f"ok: {len(office.TABLE)} states, all reachable from 'greeting'\n"
    assert phonetree("check").stdout == expected


def test_check_names_what_a_language_the_tree_has_words_in_lacks_though_not_served(
    phonetree, monkeypatch
):
    # en-US alone is served; a deploy adding es-US later would not start
    monkeypatch.delitem(office.WORDS[office.ES], "intro")
    result = phonetree("check")
    assert (result.code, result.stdout) == (1, "")
    assert "the tree has words in es-US, fr-CA, not in LANGUAGES" in result.stderr
    assert "- no es-US words for intro (tests/engine/trees/office.py, WORDS)" in lines(
        result.stderr
    )


def test_check_is_quiet_of_a_language_the_tree_has_every_word_in(phonetree):
    result = phonetree("check", LANGUAGES="en-US")
    assert (result.code, result.stderr.count("not in LANGUAGES")) == (0, 0)


def test_check_says_the_procfiles_server_would_refuse_to_run_unsigned(phonetree):
    note = [line for line in lines(phonetree("check").stderr) if line.startswith("note: ")]
    assert note == [
        "note: the Procfile's server would refuse to start: PROVIDER=twilio and TWILIO_AUTH_TOKEN"
        " or TWILIO_SHARED_KEY is not set (ALLOW_UNSIGNED=true allows it); serve on 127.0.0.1 runs"
    ]


@pytest.mark.parametrize(
    "setting",
    [{"TWILIO_AUTH_TOKEN": "secret"}, {"TWILIO_SHARED_KEY": "k"}, {"ALLOW_UNSIGNED": "1"}],
)
def test_check_has_no_note_when_the_server_would_start(phonetree, setting):
    assert "note: " not in phonetree("check", **setting).stderr


EXPECTED = {
    "PORT": "expected a whole number from 1 to 65535",
    "LOG_LEVEL": "expected DEBUG, INFO, WARNING, ERROR",
    "DESK_SECONDS": "expected a whole number from 5 to 120",
}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("LOG_LEVEL", "verbose"),
        ("DESK_SECONDS", "abc"),
    ],
)
def test_check_refuses_what_serving_refuses_naming_the_variable(phonetree, name, value):
    result = phonetree("check", **{name: value})
    assert (result.code, result.stdout) == (1, "")
    assert lines(result.stderr) == [f"phonetree: cannot start: {name}={value!r}: " + EXPECTED[name]]


def test_check_reports_every_bad_variable_at_once(phonetree):
    result = phonetree("check", PORT="abc", LOG_LEVEL="VERBOSE", DESK_SECONDS="abc")
    named = [line.split(":")[2].split("=")[0].strip() for line in lines(result.stderr)]
    assert named == ["DESK_SECONDS", "LOG_LEVEL", "PORT"]


def test_a_bad_port_and_a_bad_setting_of_the_tree_stop_serving_with_two_lines(phonetree):
    result = phonetree("serve", PORT="abc", DESK_SECONDS="abc")
    assert result.code == 1
    assert lines(result.stderr) == [
        f"phonetree: cannot start: DESK_SECONDS='abc': {EXPECTED['DESK_SECONDS']}",
        f"phonetree: cannot start: PORT='abc': {EXPECTED['PORT']}",
    ]


def test_a_bad_port_alone_stops_serving_with_one_line(phonetree):
    result = phonetree("serve", PORT="70000")
    assert (result.code, lines(result.stderr)) == (
        1,
        [f"phonetree: cannot start: PORT='70000': {EXPECTED['PORT']}"],
    )


@pytest.fixture
def mermaid(phonetree):
    return phonetree("graph")


@pytest.mark.parametrize(
    "edge",
    [
        "greeting --> language",
        "language -->|language chosen| menu",
        "menu -->|1, say orders, say order, say pedidos, say commandes| orders",
        "menu -->|3, say hours, say horario, say l'horaire| hours",
        "menu -->|9| menu",
        "menu -->|other key| wrong",
        "menu -->|silence| quiet",
        "menu -->|too many tries| transfer",
        "helpdesk -->|closed, other QueueResult| unavailable",
        "helpdesk -->|while queued| hold",
        "callback_number -->|confirmed| callback_requested",
    ],
)
def test_graph_draws_the_edges_of_the_table(mermaid, edge):
    assert f"    {edge}" in lines(mermaid)


def test_graph_is_a_mermaid_flowchart(mermaid):
    assert lines(mermaid)[0] == "flowchart TD"


def test_graph_exits_0(mermaid):
    assert mermaid.code == 0


def test_graph_in_dot_is_a_digraph(phonetree):
    assert lines(phonetree("graph", "--format", "dot"))[0] == "digraph phonetree {"


def test_graph_in_dot_labels_the_menu_edges(phonetree):
    dot = phonetree("graph", "--format", "dot")
    assert '    menu -> orders [label="1, say orders, say order, say pedidos, say commandes"];' in (
        lines(dot)
    )


# call, scripted ##############################################################


@pytest.fixture
def hours_twice(phonetree):
    return phonetree("call", "--keys", "3,1,9", "--clock", "open")


def test_scripted_call_hears_the_hours_twice_then_the_menu(hours_twice):
    assert heard(hours_twice) == [WELCOME, MENU, HOURS, HOURS_AGAIN, HOURS, HOURS_AGAIN, MENU]


def test_scripted_call_shows_each_key_pressed(hours_twice):
    assert [line for line in lines(hours_twice) if line.startswith("> ")] == ["> 3", "> 1", "> 9"]


def test_scripted_call_says_where_it_waits_when_the_keys_run_out(hours_twice):
    assert lines(hours_twice)[-1] == "keys ran out; the call waits for a key press at 'menu'"


def test_scripted_call_exits_0(hours_twice):
    assert hours_twice.code == 0


def test_scripted_call_at_an_open_moment_says_the_office_is_open(hours_twice):
    assert lines(hours_twice)[0].endswith("the office is open)")


@pytest.fixture
def closed_desk(phonetree):
    return phonetree("call", "--keys", "0", "--clock", "closed")


def test_scripted_call_at_a_closed_moment_says_the_office_is_closed(closed_desk):
    assert lines(closed_desk)[0].endswith("the office is closed)")


def test_the_front_desk_when_closed_takes_a_message(closed_desk):
    assert heard(closed_desk) == [WELCOME, CLOSED_NOTICE, MENU, UNAVAILABLE, RECORD, SAVED]


def test_voicemail_is_recorded_by_itself(closed_desk):
    assert "recording... (10 seconds)" in lines(closed_desk)


def test_a_call_that_hangs_up_says_so(closed_desk):
    assert lines(closed_desk)[-1] == "call ended: hangup"


def test_an_unanswered_dial_goes_to_voicemail(phonetree):
    result = phonetree("call", "--keys", "0", "--clock", "open")
    assert after(result, "> 0") == [
        f"dialled {DESK}: no-answer",
        f"heard: {UNAVAILABLE}",
        f"heard: {RECORD}",
        "recording... (10 seconds)",
        f"heard: {SAVED}",
        "call ended: hangup",
    ]


def test_dial_option_sets_how_the_dial_ends(phonetree):
    result = phonetree("call", "--keys", "0", "--clock", "open", "--dial", "completed")
    assert after(result, "> 0") == [
        f"dialled {DESK}: completed",
        f"heard: {GOODBYE}",
        "call ended: hangup",
    ]


@pytest.fixture
def queued(phonetree):
    return phonetree("call", "--keys", "2", "--clock", "open")


def test_the_help_desk_queues_and_hears_the_position(queued):
    assert heard(queued)[2:] == [QUEUED, POSITION, MUSIC]


def test_a_walk_into_a_queue_stops_with_the_caller_waiting(queued):
    assert lines(queued)[-2:] == [
        f"heard: {MUSIC}",
        "the caller waits in queue 'helpdesk' (--queue ends the wait)",
    ]


@pytest.mark.parametrize(
    ("result", "then"),
    [("bridged", [f"heard: {GOODBYE}"]), ("queue-full", [f"heard: {UNAVAILABLE}"])],
)
def test_the_queue_option_says_how_the_wait_ends(phonetree, result, then):
    walked = phonetree("call", "--keys", "2", "--clock", "open", "--queue", result)
    assert after(walked, f"heard: {MUSIC}")[: 1 + len(then)] == [
        f"queue 'helpdesk' ends: {result}",
        *then,
    ]


def test_a_word_in_the_keys_is_said(phonetree):
    result = phonetree("call", "--keys", "orders", "--clock", "open")
    assert heard(result)[2:4] == [ORDERS, RECORD]


def test_underscore_in_the_keys_is_silence(phonetree):
    result = phonetree("call", "--keys", "3,_", "--clock", "open")
    assert heard(result)[-1] == MENU


def test_keys_that_are_not_keys_nor_words_exit_2(phonetree):
    assert phonetree("call", "--keys", "3,!").code == 2


def test_keys_that_are_not_keys_nor_words_are_named(phonetree):
    assert "'!' is neither keys" in phonetree("call", "--keys", "3,!").stderr


def test_an_unknown_dial_result_is_a_usage_error(phonetree):
    assert phonetree("call", "--dial", "maybe").code == 2


# call, interactive ###########################################################


@pytest.fixture
def typed(phonetree):
    return phonetree("call", "--clock", "open", stdin="3\n\n")


def test_interactive_call_reads_keys_and_silence_from_stdin(typed):
    assert heard(typed) == [WELCOME, MENU, HOURS, HOURS_AGAIN, MENU]


def test_interactive_call_says_what_it_waits_for(typed):
    assert lines(typed).count(terminal.HINT) == 3


def test_interactive_call_echoes_piped_input(typed):
    assert [line for line in lines(typed) if line.startswith(">")] == ["> 3", "> ", "> "]


def test_end_of_input_hangs_up(typed):
    assert lines(typed)[-1] == "call ended: the caller hung up"


def test_end_of_input_exits_0(typed):
    assert typed.code == 0


def test_q_hangs_up(phonetree):
    result = phonetree("call", "--clock", "open", stdin="q\n3\n")
    assert heard(result) == [WELCOME, MENU]


def test_a_typed_word_is_said(phonetree):
    result = phonetree("call", "--clock", "open", stdin="help desk\n")
    assert QUEUED in heard(result)


def test_a_line_that_is_no_input_is_asked_again(phonetree):
    result = phonetree("call", "--clock", "open", stdin="3!\n3\n")
    assert heard(result)[2:] == [HOURS, HOURS_AGAIN]


# terminal.run in this process ################################################


def run(app, keys, **options):
    out = io.StringIO()
    code = terminal.run(app, keys=keys, stdin=io.StringIO(), stdout=out, **options)
    return code, out.getvalue()


def test_a_signed_app_below_a_path_is_called_as_twilio_would(build):
    app = build(twilio_auth_token="secret", public_url="https://example.com/ivr")
    _, out = run(app, "3", clock="open")
    assert heard(out)[2:] == [HOURS, HOURS_AGAIN]


def test_a_shared_key_app_is_called_as_twilio_would(build):
    _, out = run(build(twilio_shared_key="shared-secret"), "3", clock="open")
    assert heard(out)[2:] == [HOURS, HOURS_AGAIN]


def test_the_app_clock_is_back_after_the_call(build):
    app = build(OPEN)
    engine = app.config["phonetree.engine"]
    clock = engine.clock
    run(app, "1", clock="closed")
    assert engine.clock is clock


def test_clock_now_keeps_the_app_clock(build):
    _, out = run(build(CLOSED), "", clock="now")
    assert CLOSED_NOTICE in heard(out)


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


def test_a_tree_that_dials_forever_is_stopped(build):
    table = {"ring": State(ring, Outcome("DialCallStatus", {}, otherwise="ring"))}
    tree = replace(office.TREE, table=table, start="ring", recovery="ring")
    code, out = run(build(tree=tree), None, clock="open")
    assert code == 1
    assert lines(out).count("dialled +15555550199: no-answer") == 10
    assert lines(out)[-1] == "call stopped: 10 dials in a row, the tree goes round"


def test_an_empty_item_in_the_keys_is_silence_and_said_so(app):
    _, out = run(app, "3,", clock="open")
    assert [line for line in lines(out) if line.startswith(">")] == ["> 3", "> (silence)"]
    assert heard(out)[-1] == MENU


def test_q_in_capitals_hangs_up_too(app):
    out = io.StringIO()
    terminal.run(app, stdin=io.StringIO("Q\n3\n"), stdout=out, clock="open")
    assert heard(out.getvalue()) == [WELCOME, MENU]
    assert lines(out.getvalue())[-1] == "call ended: the caller hung up"


def test_keys_offered_by_hold_music_can_be_pressed(build):
    _, out = run(build(offer_after=0), "2,1", clock="open")
    assert heard(out)[-2:] == [RECORD, SAVED]


def test_a_caller_waiting_in_a_queue_is_said_to_be_there(build):
    _, out = run(build(offer_after=0), "2", clock="open")
    assert lines(out)[-1] == "keys ran out; the call waits for a key press in queue 'helpdesk'"


def test_the_queue_option_ends_a_wait_whose_music_offers_keys(build):
    _, out = run(build(offer_after=0), "2", clock="open", queue="bridged")
    assert lines(out)[-3:] == [
        "queue 'helpdesk' ends: bridged",
        f"heard: {GOODBYE}",
        "call ended: hangup",
    ]


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


# Languages ###################################################################


def test_call_with_language_chooses_it_at_the_greeting(build):
    _, out = run(build(languages=("en-US", "es-US")), "3", clock="open", language="es-US")
    assert "> 2 (--language es-US)" in lines(out)
    assert heard(out)[3:5] == [MENU_ES, HOURS_ES]


def test_call_with_a_language_the_tree_does_not_speak_exits_2(phonetree):
    result = phonetree("call", "--language", "fr-FR", "--keys", "3")
    assert (result.code, lines(result.stderr)[-1]) == (
        2,
        "phonetree call: --language fr-FR: the tree speaks en-US; "
        "set LANGUAGES=en-US,fr-FR (with its words in the tree) to add it",
    )


def test_the_diagram_shows_the_language_choice(mermaid):
    assert "    language -->|language chosen| menu" in lines(mermaid)


# Where the call's log lines go ###############################################


@pytest.fixture
def tty():
    """A real terminal (a pseudo-terminal's slave end), as a text stream."""
    leader, follower = os.openpty()
    stream = open(follower, "w")  # noqa: SIM115 (closed below)
    yield stream
    stream.close()
    os.close(leader)


def webhook_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("webhook ")]


@pytest.fixture
def logged(caplog, monkeypatch):
    """The phonetree logger at INFO, as LOG_LEVEL's default sets it; LOG_LEVEL itself unset."""
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    caplog.set_level(logging.INFO, logger="phonetree")
    return caplog


def test_on_a_terminal_the_call_writes_no_webhook_line(build, logged, tty):
    run(build(), "3", clock="open", log_stream=tty)
    assert webhook_lines(logged) == []


def test_elsewhere_the_call_writes_a_line_per_webhook(build, logged):
    run(build(), "3", clock="open", log_stream=io.StringIO())
    assert len(webhook_lines(logged)) == 2


def test_log_level_set_writes_the_webhook_lines_even_on_a_terminal(build, logged, tty, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    run(build(), "3", clock="open", log_stream=tty)
    assert len(webhook_lines(logged)) == 2


def test_the_log_level_is_back_after_a_call_on_a_terminal(build, logged, tty):
    run(build(), "3", clock="open", log_stream=tty)
    assert logging.getLogger("phonetree").level == logging.INFO


def counted_calls(log) -> str:
    return lines(process("report", str(log)))[0]


def test_a_call_with_log_file_is_counted_by_report(tmp_path):
    log = tmp_path / "web.log"
    assert process("call", "--keys", "3", "--log", str(log)).returncode == 0
    assert counted_calls(log) == "calls: 1"


def test_log_file_is_appended_to(tmp_path):
    log = tmp_path / "web.log"
    for keys in ("3", "1"):
        process("call", "--keys", keys, "--clock", "open", "--log", str(log))
    assert counted_calls(log) == "calls: 2"


def test_with_log_file_stderr_gets_no_webhook_line(tmp_path):
    result = process("call", "--keys", "3", "--log", str(tmp_path / "web.log"))
    assert " webhook " not in result.stderr


def test_a_log_file_that_cannot_be_opened_is_one_line_and_exit_2(tmp_path):
    missing = tmp_path / "no such folder" / "web.log"
    result = process("call", "--keys", "3", "--log", str(missing))
    assert (result.returncode, lines(result.stderr)) == (
        2,
        [f"phonetree call: --log {missing}: No such file or directory"],
    )


def test_a_call_whose_stderr_is_a_file_is_counted_by_report(tmp_path):
    log = tmp_path / "web.log"
    with open(log, "w") as stderr:
        subprocess.run(
            [sys.executable, "-m", "tests.engine.office_cli", "call", "--keys", "3"],
            cwd=ROOT,
            env=server_environ({}),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            timeout=60,
        )
    assert counted_calls(log) == "calls: 1"


def read_all(fd: int) -> str:
    """What a pseudo-terminal's leader end holds, once the other end is closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: no writer left
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_call_whose_stderr_is_a_terminal_writes_no_webhook_line_there():
    leader, follower = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.engine.office_cli", "call", "--keys", "3"],
            cwd=ROOT,
            env=server_environ({}),
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            timeout=60,
        )
        os.close(follower)
        follower = None
        on_terminal = read_all(leader)
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    assert (result.returncode, heard(result.stdout)[-1]) == (0, HOURS_AGAIN)
    assert " webhook " not in on_terminal


# A reader that has gone ######################################################


@pytest.mark.parametrize(
    "args", [("call", "--keys", "3"), ("graph",), ("check",)], ids=lambda args: args[0]
)
def test_output_to_a_reader_that_has_gone_ends_quietly(args):
    """As ``... | head -1`` once head has exited: the pipe's reading end is closed."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.engine.office_cli", *args],
            cwd=ROOT,
            env=server_environ({"ALLOW_UNSIGNED": "true"}),
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(writing)
    assert (result.returncode, result.stderr) == (1, "")


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
    config = Config(opening_hours=Hours.parse(hours))
    assert terminal.pretend(config, clock, now=OPEN) == expected


def test_a_closed_date_is_closed_all_day():
    config = Config(closed_dates=frozenset({OPEN.date()}))
    assert terminal.pretend(config, "open", now=OPEN) == at(2026, 11, 25, 9, 0)


def test_an_office_never_closed_cannot_be_pretended_closed():
    config = Config(opening_hours=Hours.parse("Mon-Sun 00:00-24:00"))
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
        Keys((Option("1", "bye"), Option("2", "bye", hear={"en-US": "bye"})), otherwise="menu"),
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
    menu = State(nothing, Keys((Option("1", "bye"),), otherwise="menu", give_up="shut"))
    assert ("menu", "too many tries", "shut") in diagram.edges({**SMALL, "menu": menu})
