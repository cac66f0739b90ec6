"""`python phonetree.py serve|call|graph|check|report` on the shipped tree, as a user runs it.

What the commands do on any tree is the engine's suite (``tests/engine/test_cli.py``, on the
office); here is what depends on the shipped tree: what its callers hear, its states, its
diagram, its settings, and the README's examples.
"""

import ast
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import parse_qsl, urlencode
from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

import states
from phonetree_engine.web import MAX_BODY
from phonetree_tools import platform
from tests.conftest import ROOT
from tests.printed import after, heard, lines
from tests.servers import HOST, free_port
from tests.tree.prompts import (
    CLOSED_NOTICE,
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
from tests.tree.prompts import MENU as PROMPT

HOLD_MUSIC = "[play http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3]"
RECEPTIONIST = "+15555550100"  # RECEPTIONIST_NUMBER's default

# The defaults, whatever the environment of whoever runs the tests says.
DECLARED = {setting.name for group in platform.groups() for setting in group.settings}
ENV = {name: value for name, value in os.environ.items() if name not in DECLARED}


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
    answer = http_exchange(port, head + form)
    assert answer.startswith(b"HTTP/1.1 200 ")
    twiml = ElementTree.fromstring(answer.partition(b"\r\n\r\n")[2])
    assert next(twiml.iter("Say")).text == WELCOME


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


# check, graph ################################################################


def test_check_exits_0():
    assert phonetree("check").returncode == 0


def test_check_says_ok_with_the_number_of_states():
    count = len(states.TABLE)  # the shipped tree's: a user's added state counts too
    assert phonetree("check").stdout == f"ok: {count} states, all reachable from 'greeting'\n"


EXPECTED = {
    "PORT": "expected a whole number from 1 to 65535",
    "LOG_LEVEL": "expected DEBUG, INFO, WARNING, ERROR",
    "DIAL_TIMEOUT": "expected a whole number of seconds from 5 to 600",
}


def test_check_refuses_a_bad_setting_of_the_tree_naming_the_variable():
    result = phonetree("check", DIAL_TIMEOUT="abc")
    assert (result.returncode, result.stdout) == (1, "")
    assert lines(result.stderr) == [
        f"phonetree: cannot start: DIAL_TIMEOUT='abc': {EXPECTED['DIAL_TIMEOUT']}"
    ]


def test_check_reports_every_bad_variable_at_once():
    result = phonetree("check", PORT="abc", LOG_LEVEL="VERBOSE", DIAL_TIMEOUT="abc")
    named = [line.split(":")[2].split("=")[0].strip() for line in lines(result.stderr)]
    assert named == ["DIAL_TIMEOUT", "LOG_LEVEL", "PORT"]


def test_two_bad_variables_stop_serving_with_two_lines():
    result = phonetree("serve", LOG_LEVEL="VERBOSE", DIAL_TIMEOUT="abc")
    assert result.returncode == 1
    assert lines(result.stderr) == [
        f"phonetree: cannot start: DIAL_TIMEOUT='abc': {EXPECTED['DIAL_TIMEOUT']}",
        f"phonetree: cannot start: LOG_LEVEL='VERBOSE': {EXPECTED['LOG_LEVEL']}",
    ]


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


def test_graph_in_dot_labels_the_menu_edges():
    dot = phonetree("graph", "--format", "dot")
    assert '    menu -> sales [label="1, say sales, say ventas"];' in lines(dot)


def test_readme_diagram_is_current(mermaid):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, re.DOTALL)
    assert mermaid.stdout in blocks, "README.md needs the output of `python phonetree.py graph`"


# The examples of the documentation ###########################################

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCUMENTED_CALLS = [
    shlex.split(line.partition("#")[0])[2:]
    for document in DOCUMENTS
    for line in document.read_text(encoding="utf-8").splitlines()
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
        for args in DOCUMENTED_CALLS
        for flag in ("--clock", "--dial", "--queue")
        if flag in args
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_each_flag_of_a_documented_example_changes_what_the_caller_hears(args, flag):
    example, other = phonetree(*args), phonetree(*without(args, flag))
    assert example.returncode == other.returncode == 0
    assert heard(example) != heard(other)


def test_the_documentation_shows_the_flags_of_call_in_examples():
    flags = {arg for args in DOCUMENTED_CALLS for arg in args if arg.startswith("--")}
    assert flags >= {"--keys", "--clock", "--dial", "--queue"}


# call: what the shipped tree's callers hear ##################################


def test_scripted_call_hears_the_hours_twice_then_the_menu():
    result = phonetree("call", "--keys", "3,1,9", "--clock", "open")
    assert heard(result) == [WELCOME, PROMPT, HOURS, HOURS_AGAIN, HOURS, HOURS_AGAIN, PROMPT]


def test_receptionist_when_closed_takes_a_message():
    result = phonetree("call", "--keys", "0", "--clock", "closed")
    assert heard(result) == [WELCOME, CLOSED_NOTICE, PROMPT, UNAVAILABLE, VOICEMAIL, THANKS]


def test_an_unanswered_dial_goes_to_voicemail():
    result = phonetree("call", "--keys", "0", "--clock", "open")
    assert after(result, "> 0") == [
        f"dialled {RECEPTIONIST}: no-answer",
        f"heard: {UNAVAILABLE}",
        f"heard: {VOICEMAIL}",
        "recording... (10 seconds)",
        f"heard: {THANKS}",
        "call ended: hangup",
    ]


def test_dial_option_sets_how_the_dial_ends():
    result = phonetree("call", "--keys", "0", "--clock", "open", "--dial", "completed")
    assert after(result, "> 0") == [
        f"dialled {RECEPTIONIST}: completed",
        f"heard: {GOODBYE}",
        "call ended: hangup",
    ]


def test_support_queues_and_hears_the_position():
    queued = phonetree("call", "--keys", "2", "--clock", "open")
    assert heard(queued)[2:] == [SUPPORT, "You are caller number 1.", HOLD_MUSIC]


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


def test_a_word_in_the_keys_is_said():
    assert heard(phonetree("call", "--keys", "sales", "--clock", "open"))[2:4] == [SALES, VOICEMAIL]


def test_underscore_in_the_keys_is_silence():
    result = phonetree("call", "--keys", "3,_", "--clock", "open")
    assert heard(result)[-1] == PROMPT


def test_interactive_call_reads_keys_and_silence_from_stdin():
    typed = phonetree("call", "--clock", "open", stdin="3\n\n")
    assert heard(typed) == [WELCOME, PROMPT, HOURS, HOURS_AGAIN, PROMPT]


def test_a_typed_word_is_said():
    result = phonetree("call", "--clock", "open", stdin="support\n")
    assert SUPPORT in heard(result)


def test_call_with_language_chooses_it_at_the_greeting():
    result = phonetree(
        "call", "--language", "es-US", "--keys", "3", "--clock", "open", LANGUAGES="en-US,es-US"
    )
    assert "> 2 (--language es-US)" in lines(result)
    assert heard(result)[3:5] == [MENU_ES, HOURS_ES]


# call with others: a pipe, the log, report ###################################


# More than a pipe holds (64 KB on Linux): the call still writes when head has gone, every time.
LONG_WALK = ",".join(["3"] + ["1"] * 1000)


def test_a_call_piped_into_head_ends_without_a_traceback():
    command = f"{shlex.quote(sys.executable)} phonetree.py call --keys {LONG_WALK} | head -1"
    result = subprocess.run(
        ["sh", "-c", command], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60
    )
    assert lines(result) == [lines(result)[0]]
    assert lines(result)[0].startswith("clock: now (")
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr


def test_a_call_whose_stderr_is_a_file_is_counted_by_report(tmp_path):
    log = tmp_path / "web.log"
    command = f"{shlex.quote(sys.executable)} phonetree.py call --keys 3 2>{shlex.quote(str(log))}"
    subprocess.run(["sh", "-c", command], cwd=ROOT, env=ENV, capture_output=True, timeout=60)
    report = phonetree("report", str(log))
    assert (report.returncode, lines(report)[0]) == (0, "calls: 1")


# An error in states/ ##########################################################


@pytest.fixture
def clone(tmp_path):
    """A copy of the project's code with an environment of its own, as a clone of it has.

    The environment has this one's packages but not its editable install, whose finder would
    import any module missing from the copy's ``states/`` from this checkout instead.
    """
    for name in ("states", "phonetree_engine", "phonetree_tools"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "phonetree.py", tmp_path)
    venv.EnvBuilder(with_pip=False).create(tmp_path / ".venv")
    python = tmp_path / ".venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return tmp_path


def check_in(clone) -> subprocess.CompletedProcess:
    return subprocess.run(
        [clone / ".venv" / "bin" / "python", "phonetree.py", "check"],
        cwd=clone,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )


def imported(init) -> tuple[str, int]:
    """A module of states/ that ``states/__init__.py`` imports, and the line that does."""
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "states":
            for alias in node.names:
                if (init.parent / f"{alias.name}.py").is_file():
                    return alias.name, node.lineno
    raise AssertionError("states/__init__.py imports no module of states/")


def test_check_in_a_clone_says_ok(clone):
    result = check_in(clone)
    assert result.returncode == 0
    assert result.stdout == f"ok: {len(states.TABLE)} states, all reachable from 'greeting'\n"


def test_check_names_the_file_and_line_of_an_import_of_a_deleted_module(clone):
    name, line = imported(clone / "states" / "__init__.py")
    (clone / "states" / f"{name}.py").unlink()
    result = check_in(clone)
    assert (result.returncode, result.stdout) == (1, "")
    [said] = lines(result.stderr)
    assert said.startswith(f"phonetree: cannot start: states/__init__.py:{line}: ")
    assert f"there is no states/{name}.py to import '{name}' from" in said


def test_check_names_the_line_of_a_name_left_behind_by_a_removed_import(clone):
    init = clone / "states" / "__init__.py"
    name, line = imported(init)
    source = init.read_text(encoding="utf-8").splitlines(keepends=True)
    source[line - 1 :] = [
        text for text in source[line - 1 :] if text.strip() != f"{name},"
    ]  # the import's own line for it
    init.write_text("".join(source), encoding="utf-8")
    result = check_in(clone)
    assert (result.returncode, result.stdout) == (1, "")
    [said] = lines(result.stderr)
    undefined = f"NameError: name '{name}' is not defined"
    assert re.fullmatch(rf"phonetree: cannot start: states/__init__\.py:\d+: {undefined}", said)


def test_check_names_the_line_of_a_syntax_error_in_a_state(clone):
    name, _ = imported(clone / "states" / "__init__.py")
    module = clone / "states" / f"{name}.py"
    length = len(module.read_text(encoding="utf-8").splitlines())
    module.write_text(module.read_text(encoding="utf-8") + "oops = (\n", encoding="utf-8")
    result = check_in(clone)
    assert (result.returncode, result.stdout) == (1, "")
    [said] = lines(result.stderr)
    assert said.startswith(f"phonetree: cannot start: states/{name}.py:{length + 1}: SyntaxError")
