"""Hundreds of calls at once against two waitress processes started from the Procfile.

The processes serve the office (``tests/engine/trees/office.py``); each caller walks a script
of it and must hear exactly its words.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

import pytest

from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.servers import running
from tests.serving.scripts import ALWAYS_OPEN, SCRIPTS, Script, transcript

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-soak-tests"
CALLS = 600
WORKERS = 32
DEADLINE_SECONDS = 50.0  # the whole soak, after the servers are up
LOG_SECONDS = 10.0  # for the last log lines to come through honcho


def walk(number: int, servers) -> tuple[SimulatedCall, Script]:
    """Place call ``number``: a script, with the two processes taking turns."""
    script = SCRIPTS[number % len(SCRIPTS)]
    transports = [HTTPTransport(server.url) for server in servers]
    if number % 2:
        transports.reverse()
    call = SimulatedCall(transports, auth_token=TOKEN, public_url=servers[0].url)
    call.start("/voice")
    for method, *arguments in script.actions:
        getattr(call, method)(*arguments)
    return call, script


@pytest.fixture(scope="module")
def pair():
    with running(2, TWILIO_AUTH_TOKEN=TOKEN, OPENING_HOURS=ALWAYS_OPEN) as servers:
        yield servers


@pytest.fixture(scope="module")
def soak(pair):
    """Run every call once, at most WORKERS at a time; return the calls and the time taken."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(walk, number, pair) for number in range(CALLS)]
        done, pending = wait(futures, timeout=DEADLINE_SECONDS, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
    errors = [future.exception() for future in done if future.exception()]
    assert errors == []
    assert not pending, f"{len(pending)} calls unfinished after {DEADLINE_SECONDS:.0f} s"
    return [future.result() for future in futures], time.monotonic() - started


def test_every_call_started_is_completed(soak):
    walks, _ = soak
    assert len(walks) == CALLS


def test_calls_of_one_script_make_the_same_webhooks(soak):
    walks, seconds = soak
    paths = {(script.name, tuple(hook.url for hook in call.requests)) for call, script in walks}
    print(f"{CALLS} calls, {sum(len(c.requests) for c, _ in walks)} webhooks in {seconds:.2f} s")
    assert len(paths) == len(SCRIPTS)


def test_every_caller_hears_exactly_their_script(soak):
    walks, _ = soak
    wrong = {script.name for call, script in walks if call.heard != transcript(script)}
    assert wrong == set()


def test_every_call_ends_with_a_hangup(soak):
    walks, _ = soak
    assert {call.outcome for call, _ in walks} == {("hangup",)}


def test_every_answer_is_200_text_xml(soak):
    walks, _ = soak
    answers = {(hook.status, hook.content_type) for call, _ in walks for hook in call.requests}
    assert answers == {(200, "text/xml; charset=utf-8")}


def test_no_answer_sets_a_cookie(soak):
    walks, _ = soak
    assert [cookie for call, _ in walks for cookie in call.cookies_seen] == []


def served(walks) -> list[int]:
    """How many webhooks (callbacks too) each process should have served, calls taking turns."""
    counts = [0, 0]
    for number, (call, _) in enumerate(walks):
        first, total = number % 2, len(call.requests) + len(call.callbacks)
        counts[first] += (total + 1) // 2
        counts[1 - first] += total // 2
    return counts


def test_both_processes_log_every_webhook_they_served_and_no_error(soak, pair):
    walks, _ = soak
    expected = served(walks)
    deadline = time.monotonic() + LOG_SECONDS
    while sum(server.log.count(" webhook call=") for server in pair) < sum(expected):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    logs = [server.log for server in pair]
    assert [log.count(" webhook call=") for log in logs] == expected
    assert [log.count("Traceback") for log in logs] == [0, 0]
    assert [log.count(" ERROR ") for log in logs] == [0, 0]


def test_both_processes_are_still_healthy(soak, pair):
    assert [server.healthy() for server in pair] == [True, True]
