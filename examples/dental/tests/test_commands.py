"""The tools on this tree, as a user runs them: ``python -m examples.dental check``, ``graph``,
``call``, and the Procfile's server serving ``examples.dental:app``."""

import os
import re
import subprocess
import sys

from examples.dental import TABLE, TREE
from phonetree_engine.settings import engine_groups
from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.conftest import ROOT
from tests.servers import running

# Every setting this tree reads: the tests give them, never this machine's environment.
SETTINGS = {s.name for group in [*engine_groups(), TREE.settings] for s in group.settings}
WORDS_FILES = {  # every module with sentences: each must name the language it lacks
    "appointment.py",
    "engine_words.py",
    "front_desk.py",
    "goodbye.py",
    "greeting.py",
    "hours.py",
    "hours_said.py",
    "language.py",
    "menu.py",
    "voicemail.py",
}

PLACE = re.compile(r"\(examples/dental/(\w+\.py), [A-Z_]+\)$")  # where a line sends the author


def dental(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """``python -m examples.dental ARGS`` from the repository's root, with ``variables`` set."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    return subprocess.run(
        [sys.executable, "-m", "examples.dental", *args],
        cwd=ROOT,
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_passes():
    result = dental("check")
    assert result.returncode == 0
    assert result.stdout == "ok: 14 states, all reachable from 'language'\n"


def test_check_with_a_third_language_names_each_file_that_lacks_its_words():
    result = dental("check", LANGUAGES="fr-CA,en-US,es-US")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "es-US" in line]
    assert [line for line in lines if not PLACE.search(line)] == []
    assert {PLACE.search(line).group(1) for line in lines} == WORDS_FILES


def test_graph_draws_every_state():
    result = dental("graph")
    assert result.returncode == 0
    assert "language -->|language chosen| greeting" in result.stdout
    drawn = set(re.findall(r"^    (\w+) -->", result.stdout, re.MULTILINE))
    assert drawn == set(TABLE) - {"message_saved", "goodbye"}  # (the two that end calls)


def test_call_walks_the_tree_in_french():
    result = dental("call", "--keys", "1,4", "--clock", "open")
    assert result.returncode == 0
    assert result.stdout.splitlines()[1:7] == [
        "heard: Pour le service en français, faites le 1.",
        "heard: For service in English, press 2.",
        "> 1",
        "heard: Clinique dentaire Mont-Royal, bonjour.",
        "heard: Voici notre menu. Pour nos heures d'ouverture, faites le 1. Pour prendre, "
        "changer ou annuler un rendez-vous, faites le 4. Pour réentendre ces options, faites "
        "le 9. Pour parler à la réception, faites le 0.",
        "> 4",
    ]


def test_the_procfiles_server_serves_the_practice(validate):
    with running(1, target="examples.dental:app", TWILIO_AUTH_TOKEN="secret") as [server]:
        transport = HTTPTransport(server.url)
        call = SimulatedCall(
            transport, auth_token="secret", public_url=server.url, validate=validate
        )
        call.start("/voice")
        call.press("2")
    assert call.last_heard[0] == "Thank you for calling Clinique dentaire Mont-Royal."
    assert call.waiting_for == "input"
