"""Starting up, on the office: safe by default, one line per bad setting, the mode said once.

The Procfile's server serves ``tests.engine.served:app`` (the office, built as ``phonetree:app``
is); ``python phonetree.py [serve]`` is the office's ``python -m tests.engine.office_cli``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time

import pytest

from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.conftest import ROOT
from tests.servers import HOST, Server, WebProcess, free_port, server_environ

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-start-up-tests"


def started(**settings) -> str:
    """What the Procfile's server says at start-up with ``settings``."""
    server = Server(**settings).start()
    try:
        server.wait_until_healthy()
        assert server.wait_for_log("serving on")
        return server.log
    finally:
        server.stop()


# The Procfile's server #######################################################


@pytest.fixture(scope="module")
def refusal():
    """What the Procfile's server says, and how it exits, with no token, key or opt-out."""
    server = Server().start()
    try:
        server.process.wait(15)
        return server.log
    finally:
        server.stop()


def test_the_procfile_without_a_token_refuses_to_start(refusal):
    assert "web.1 stopped (rc=1)" in refusal


@pytest.mark.parametrize("name", ["TWILIO_AUTH_TOKEN", "TWILIO_SHARED_KEY", "ALLOW_UNSIGNED=true"])
def test_the_refusal_names_the_variables_and_the_opt_out(refusal, name):
    assert name in refusal


def test_allow_unsigned_starts_and_says_it_is_unsigned():
    output = started(ALLOW_UNSIGNED="true")
    assert "mode provider=twilio signatures=unchecked" in output
    # No SECRET_KEY and no signing key: another replica could not open a sealed number.
    assert "SECRET_KEY is not set and there is no signing key" in output


def test_a_token_without_public_url_says_it_trusts_forwarded_headers():
    output = started(TWILIO_AUTH_TOKEN=TOKEN)
    assert "mode provider=twilio signatures=TWILIO_AUTH_TOKEN url=X-Forwarded-*" in output
    assert "set PUBLIC_URL in production" in output


def test_no_delivery_channel_is_said_once_at_start_up():
    output = started(TWILIO_AUTH_TOKEN=TOKEN)
    assert output.count("No SMTP_URL or NOTIFY_URL") == 1
    assert "SECRET_KEY is not set" not in output  # the token seals, on every replica


def test_a_delivery_channel_silences_the_notice():
    output = started(TWILIO_AUTH_TOKEN=TOKEN, NOTIFY_URL="https://hooks.example.com/x")
    assert "No SMTP_URL or NOTIFY_URL" not in output


def test_a_token_with_public_url_says_it_checks_that_url():
    output = started(TWILIO_SHARED_KEY=TOKEN, PUBLIC_URL="https://ivr.example.com")
    assert "mode provider=twilio signatures=TWILIO_SHARED_KEY url=https://ivr.example.com" in output


def test_two_bad_settings_stop_the_procfiles_server_with_one_line_each():
    """One of the engine's and one of the tree's: both said, each naming its variable."""
    with tempfile.TemporaryFile() as errors:
        server = WebProcess(errors, TWILIO_AUTH_TOKEN=TOKEN, MAX_RETRIES="0", DESK_SECONDS="abc")
        try:
            code = server.start().process.wait(30)
        finally:
            server.stop()
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace")
    assert code == 1
    assert said.splitlines() == [
        "phonetree: cannot start: MAX_RETRIES='0': expected a whole number from 1 to 10",
        "phonetree: cannot start: DESK_SECONDS='abc': expected a whole number from 5 to 120",
    ]


# python phonetree.py [serve] #################################################


class Command:
    """The office's ``python phonetree.py ARGS`` running, its stderr in a file."""

    def __init__(self, *args, **settings):
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.engine.office_cli", *args],
            cwd=ROOT,
            env=server_environ(settings),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
        )

    @property
    def output(self) -> str:
        self.errors.flush()
        self.errors.seek(0)
        return self.errors.read().decode("utf-8", "replace")

    def wait_for(self, text: str, seconds: float = 15.0) -> bool:
        deadline = time.monotonic() + seconds
        while text not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                return text in self.output
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.errors.close()


@pytest.fixture
def command():
    commands = []

    def run(*args, **settings):
        commands.append(Command(*args, **settings))
        return commands[-1]

    yield run
    for each in commands:
        each.stop()


def answers(port: int) -> bool:
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        return sock.recv(100).startswith(b"HTTP/1.0 200")


def test_serve_port_serves_on_loopback(command):
    port = free_port()
    serving = command("serve", "--port", str(port))
    assert serving.wait_for(f"serving on http://127.0.0.1:{port}")
    assert answers(port)


def test_serve_reads_port_from_the_environment(command):
    port = free_port()
    serving = command("serve", PORT=str(port))
    assert serving.wait_for(f"serving on http://127.0.0.1:{port}")


def test_the_port_option_wins_over_the_environment(command):
    port, other = free_port(), free_port()
    serving = command("serve", "--port", str(port), PORT=str(other))
    assert serving.wait_for(f"serving on http://127.0.0.1:{port}")
    assert answers(port)


def test_no_command_serves_on_loopback_and_says_once_it_is_unsigned(command):
    port = free_port()
    serving = command(PORT=str(port))
    assert serving.wait_for("serving on http://127.0.0.1:")
    assert answers(port)
    assert serving.output.count("signatures are NOT checked") == 1


def test_serve_trusts_the_proxy_s_headers_as_the_procfile_does(command):
    # Behind a tunnel the public URL is rebuilt from X-Forwarded-*: waitress must pass them on.
    port = free_port()
    serving = command("serve", "--port", str(port), TWILIO_AUTH_TOKEN=TOKEN)
    assert serving.wait_for("serving on")
    headers = {"X-Forwarded-Proto": "https"}
    call = SimulatedCall(
        HTTPTransport(f"http://{HOST}:{port}"),
        auth_token=TOKEN,
        public_url="https://ivr.example.com",
        headers=headers,
    )
    call.start("/voice")
    assert call.waiting_for == "input"


@pytest.mark.parametrize("host", ["localhost", "::1"])
def test_serve_on_any_loopback_name_runs_without_a_token(command, host):
    serving = command("serve", "--host", host, "--port", str(free_port()))
    assert serving.wait_for("serving on http://")
    assert "signatures are NOT checked" in serving.output


def test_the_port_is_bound_before_serving_on_is_said(command):
    port = free_port()
    serving = command("serve", "--port", str(port))
    assert serving.wait_for("serving on")
    with socket.socket() as sock, pytest.raises(OSError):
        sock.bind((HOST, port))


def test_a_busy_port_is_one_line_and_exit_1(command):
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        serving = command("serve", "--port", str(port))
        assert serving.process.wait(30) == 1
    lines = serving.output.strip().splitlines()
    assert lines[-1] == f"phonetree: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert "Traceback" not in serving.output


def test_serve_on_every_interface_without_a_token_refuses(command):
    serving = command("serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert serving.process.wait(30) == 1
    assert "ALLOW_UNSIGNED=true" in serving.output


def test_two_bad_settings_stop_serving_with_two_lines(command):
    serving = command("serve", LOG_LEVEL="VERBOSE", DESK_SECONDS="abc")
    assert serving.process.wait(30) == 1
    assert serving.output.splitlines() == [
        "phonetree: cannot start: DESK_SECONDS='abc': expected a whole number from 5 to 120",
        "phonetree: cannot start: LOG_LEVEL='VERBOSE': expected DEBUG, INFO, WARNING, ERROR",
    ]


@pytest.mark.parametrize(
    "args", [("check",), ("graph",), ("call", "--keys", "3"), ("call", "--keys", "0")]
)
def test_offline_commands_say_nothing_about_signatures(args):
    result = subprocess.run(
        [sys.executable, "-m", "tests.engine.office_cli", *args],
        cwd=ROOT,
        env=server_environ({}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "signature" not in (result.stdout + result.stderr).lower()
    assert "NOTIFY_URL" not in result.stderr
