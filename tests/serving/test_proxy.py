"""Two replicas from the Procfile behind a real nginx terminating TLS, as a PaaS router does.

The replicas serve the office (``tests/engine/trees/office.py``) with the Procfile's command.

nginx (Debian's package; `.ci/run` installs it) listens on loopback with a throwaway
certificate made here with openssl, and forwards to both replicas with the headers a router
sets (X-Forwarded-Proto, -Host, -Port). Signed calls validate through it, and a rolling restart
of both replicas under a steady load of whole calls loses none.
"""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.servers import HOST, Server, ServerError, free_port, running
from tests.serving.scripts import ALWAYS_OPEN, SCRIPTS, transcript

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-proxy-tests"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)),
    None,
)
OPENSSL = shutil.which("openssl")
CALLS = 200
WORKERS = 8
THINK_SECONDS = 0.03  # a caller listens before the next key: the load is spread over seconds
DEADLINE_SECONDS = 120.0

if NGINX is None or OPENSSL is None:
    pytest.skip(
        "nginx or openssl is not installed (apt-get install nginx-light openssl; .ci/run does)",
        allow_module_level=True,
    )

NGINX_CONF = """
worker_processes 1;
{user}
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream replicas {{
        # No marking a replica down: a restarted one is tried again at once.
        server {host}:{first} max_fails=0;
        server {host}:{second} max_fails=0;
    }}
    server {{
        listen {host}:{port} ssl;
        ssl_certificate {dir}/cert.pem;
        ssl_certificate_key {dir}/key.pem;
        location / {{
            proxy_pass http://replicas;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
            # A replica that refuses the connection (stopping) gets nothing: try the other.
            # A POST already sent is not retried: the replica that has it must answer it.
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 15s;
        }}
    }}
}}
"""


class Nginx:
    """nginx in a directory of its own, in front of two replica ports, on a free port."""

    def __init__(self, first: int, second: int):
        self.dir = Path(tempfile.mkdtemp(prefix="phonetree-nginx-"))
        self.port = free_port()
        self.url = f"https://{HOST}:{self.port}"
        subprocess.run(
            [
                *(OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-keyout", str(self.dir / "key.pem"), "-out", str(self.dir / "cert.pem")),
                *("-subj", "/CN=phonetree-test", "-addext", f"subjectAltName=IP:{HOST}"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        user = "user root;" if os.geteuid() == 0 else ""  # workers read the key in this dir
        conf = NGINX_CONF.format(
            user=user, dir=self.dir, host=HOST, port=self.port, first=first, second=second
        )
        (self.dir / "nginx.conf").write_text(conf)
        self.context = ssl.create_default_context(cafile=str(self.dir / "cert.pem"))
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait_until_listening(self, seconds: float = 15.0) -> None:
        import socket

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"nginx exited:\n{self.errors}")
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise ServerError(f"nginx did not listen in {seconds:.0f} s:\n{self.errors}")

    @property
    def errors(self) -> str:
        path = self.dir / "error.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Paced(HTTPTransport):
    """Twilio's side of a call: a webhook, then the caller listens a while."""

    def request(self, method, path, body, headers):
        time.sleep(THINK_SECONDS)
        return super().request(method, path, body, headers)


SETTINGS = {"TWILIO_AUTH_TOKEN": TOKEN, "OPENING_HOURS": ALWAYS_OPEN}


@pytest.fixture(scope="module")
def deployment():
    """Two replicas and nginx before them; yields (nginx, the replicas, as a mutable list)."""
    with ExitStack() as stack:
        replicas = list(stack.enter_context(running(2, **SETTINGS)))
        nginx = Nginx(replicas[0].port, replicas[1].port)
        stack.callback(nginx.stop)
        nginx.wait_until_listening()
        yield nginx, replicas
        stack.callback(lambda: [replica.stop() for replica in replicas])


def place(nginx: Nginx, number: int):
    """A whole call through nginx, as Twilio places it: its script, what was heard."""
    script = SCRIPTS[number % len(SCRIPTS)]
    transport = Paced(nginx.url, context=nginx.context)
    call = SimulatedCall(transport, auth_token=TOKEN, public_url=nginx.url)
    call.start("/voice")
    for method, *arguments in script.actions:
        getattr(call, method)(*arguments)
    return call, script


def test_a_signed_call_validates_through_nginx(deployment):
    nginx, _ = deployment
    call, script = place(nginx, 0)
    assert call.heard == transcript(script)


def test_a_call_signed_with_another_token_is_refused_through_nginx(deployment):
    nginx, _ = deployment
    transport = HTTPTransport(nginx.url, context=nginx.context)
    call = SimulatedCall(transport, auth_token="another-token", public_url=nginx.url)
    try:
        call.start("/voice")
    except Exception as error:  # CallFailed, if the caller raises rather than records it
        assert "403" in str(error)
    assert [webhook.status for webhook in call.requests] == [403]


def restart(replica: Server) -> Server:
    """Stop ``replica`` as a platform does (SIGTERM) and start its successor on its port."""
    replica.stop()
    successor = Server(replica.target, **replica.settings)
    successor.port, successor.url = replica.port, replica.url
    successor.start().wait_until_healthy()
    return successor


@pytest.fixture(scope="module")
def rolling(deployment):
    """200 whole calls through nginx while both replicas are restarted, one after the other."""
    nginx, replicas = deployment
    finished = []
    restarted = threading.Event()

    def one(number):
        outcome = place(nginx, number)
        finished.append(time.monotonic())
        return outcome

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(one, number) for number in range(CALLS)]
        while len(finished) < CALLS // 5:  # under way: a fifth of the calls are done
            time.sleep(0.05)
        for index in range(len(replicas)):
            replicas[index] = restart(replicas[index])
        restarted_at = time.monotonic()
        restarted.set()
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result(timeout=DEADLINE_SECONDS))
            except Exception as error:  # a lost call: what Twilio would have seen
                outcomes.append(error)
    return outcomes, restarted_at, max(finished, default=0.0), replicas


def test_a_rolling_restart_loses_no_call(rolling):
    outcomes, _, _, _ = rolling
    lost = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert lost == []


def test_every_caller_hears_their_whole_script_during_the_restart(rolling):
    outcomes, _, _, _ = rolling
    wrong = [
        script.name
        for call, script in outcomes
        if not isinstance(call, Exception) and call.heard != transcript(script)
    ]
    assert wrong == []


def test_calls_were_still_running_when_the_restart_ended(rolling):
    _, restarted_at, last_finished, _ = rolling
    assert last_finished > restarted_at  # the restart happened under load, not after it


def test_the_new_replicas_serve_after_the_restart(rolling):
    _, _, _, replicas = rolling
    assert all(replica.healthy() for replica in replicas)
