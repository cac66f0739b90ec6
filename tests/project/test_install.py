"""Installed as the documentation says, the project is importable from a test suite in any folder.

The instructions are wherever the documentation puts them: the README or a page of ``docs/``;
the example suite is the testing page's (the studio's page shows a test it saved, too).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from tests.conftest import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCUMENTATION = "\n".join(document.read_text(encoding="utf-8") for document in DOCUMENTS)
EXAMPLES = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent  # the environment the tests run in, as the README sets it up


def requirement(line: str) -> tuple:
    """A requirement as (name, its version bounds, its marker), whatever their order or spacing."""
    spec, _, marker = line.partition(";")
    name, bounds = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(.*?)\s*", spec).groups()
    bounds = frozenset(bound.replace(" ", "") for bound in bounds.split(",") if bound.strip())
    return name.lower(), bounds, marker.replace(" ", "").replace("'", '"')


def installed(folder: Path) -> dict:
    """What the environment has installed as phonetree, seen from ``folder`` as a user sees it."""
    script = (
        "import importlib.metadata as m, json; d = m.distribution('phonetree'); "
        "origin = json.loads(d.read_text('direct_url.json')); "
        "print(json.dumps({'requires': d.requires, 'origin': origin}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=folder, env=outside(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def outside() -> dict:
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def test_the_installed_package_requires_what_requirements_txt_lists(tmp_path):
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    listed = {requirement(line) for line in lines if line.strip() and not line.startswith("#")}
    required = {requirement(line) for line in installed(tmp_path)["requires"]}
    # An extra (telnyx's cryptography) is required only by those who ask for it.
    assert {r for r in required if "extra ==" not in r[2] and "extra==" not in r[2]} == listed
    assert ("cryptography", frozenset({">=42"}), 'extra=="telnyx"') in required


def test_the_package_installed_is_this_repository_editable(tmp_path):
    origin = installed(tmp_path)["origin"]
    assert origin["dir_info"] == {"editable": True}
    assert Path(url2pathname(urlsplit(origin["url"]).path)).resolve() == ROOT


@pytest.fixture(scope="module")
def own_suite(tmp_path_factory):
    """A folder outside the repository holding the documented example tests, as a user's own."""
    folder = tmp_path_factory.mktemp("elsewhere")
    examples = [
        block
        for block in re.findall(r"```python\n(.*?)```", EXAMPLES, re.DOTALL)
        if "def test_" in block
    ]
    assert examples, "the documentation shows no example test suite"
    example = examples[0]
    (folder / "mytests").mkdir()
    (folder / "mytests" / "test_my_tree.py").write_text(example, encoding="utf-8")
    return folder


def run_in(folder: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*command, "-q", "-p", "no:cacheprovider", "mytests"],
        cwd=folder,
        env=outside(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("runner", [["pytest"], ["python", "-m", "pytest"]], ids=" ".join)
def test_a_suite_in_another_folder_imports_the_caller_and_the_app(own_suite, runner):
    command = [str(BIN / runner[0]), *runner[1:]]
    result = run_in(own_suite, *command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^2 passed", result.stdout, re.MULTILINE), result.stdout


def test_the_documentation_says_how_to_install_for_a_suite_of_your_own():
    assert "pip install -e ." in DOCUMENTATION
