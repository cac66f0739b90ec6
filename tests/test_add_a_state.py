"""The README's "Add a state", followed step by step in a copy of the repository."""

import re
import shutil
import subprocess
import sys

import pytest

from states import TABLE
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Add a state") : README.index("The exit of a row is one of:")]
BLOCKS = [
    "\n".join(line.removeprefix("   ") for line in block.splitlines())
    for block in re.findall(r"   ```(?:python|text)\n(.*?)   ```", SECTION, re.DOTALL)
]
MODULE, ROW, KEY, OPTION_EN, OPTION_ES, MENU_EN, MENU_ES = BLOCKS


def insert_after(path, anchor, line, indent=None):
    """Add ``line`` after the first line holding ``anchor``, indented as that line."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(number for number, text in enumerate(lines) if anchor in text)
    spaces = re.match(r"\s*", lines[at]).group() if indent is None else indent
    lines.insert(at + 1, spaces + line.strip("\n") + "\n")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def followed(tmp_path_factory):
    """A copy of the repository with the README's steps done, exactly as written."""
    copy = tmp_path_factory.mktemp("tree") / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__"))
    states = copy / "states"
    # 1. the module
    (states / "directions.py").write_text(MODULE.split("\n", 1)[1] + "\n", encoding="utf-8")
    # 2. the import, first in the list
    insert_after(states / "__init__.py", "    callback,", "directions,", indent="    ")
    # 3. the row, after the hours row
    insert_after(states / "__init__.py", '"hours": State(', ROW)
    # 4. the key, after "3": "hours", and its announcements after key 3's, in each language
    insert_after(states / "__init__.py", '"3": "hours",', KEY)
    insert_after(states / "menu.py", '"3": "For our business hours, press three."', OPTION_EN)
    insert_after(states / "menu.py", '"3": "Para nuestro horario de atención', OPTION_ES)
    # 5. the shipped tree's tests
    insert_after(copy / "tests" / "prompts.py", '"For our business hours, press three.",', MENU_EN)
    insert_after(
        copy / "tests" / "prompts.py", '"Para nuestro horario de atención, oprima', MENU_ES
    )
    return copy


def run(copy, *command):
    return subprocess.run(
        command, cwd=copy, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_readme_has_each_step():
    assert len(BLOCKS) == 7


def test_the_new_state_passes_ruff(followed):
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    result = run(followed, ruff, "check", "states", "tests/prompts.py")
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")
    assert run(followed, ruff, "format", "--check", "states", "tests/prompts.py").returncode == 0


def test_the_new_state_passes_the_check(followed):
    result = run(followed, sys.executable, "phonetree.py", "check")
    assert result.stdout.startswith(f"ok: {len(TABLE) + 1} states")


def test_key_4_announces_and_reaches_the_new_state(followed):
    result = run(followed, sys.executable, "phonetree.py", "call", "--keys", "4", "--clock", "open")
    assert "For directions, press four." in result.stdout
    assert "We are at 1 Main Street, next to the station." in result.stdout


def test_the_shipped_tree_tests_pass_after_the_readme_update(followed):
    tests = ["tests/test_calls.py", "tests/test_business.py", "tests/test_languages.py"]
    result = run(followed, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests)
    assert result.returncode == 0, result.stdout[-3000:]
