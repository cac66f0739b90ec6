"""docs/writing-a-tree.md's "Add a state", followed in a copy of the repository.

The steps are taken from the page (its blocks found by the file each one names, never by their
place), and applied to whatever tree `states/` holds now: the new option takes the first key the
menu leaves free, and every language of the tree gets words (the page's where it has them, a
sentence marked with its language where it does not). So the example and this test hold after a
tree author's first real edits: another company, a removed option, key 4 taken, French.
"""

import ast
import re
import shutil
import subprocess
import sys

import pytest

import phonetree
from phonetree_engine.checks import written_languages
from tests.conftest import ROOT

PAGE = (ROOT / "docs" / "writing-a-tree.md").read_text(encoding="utf-8")
SECTION = PAGE[PAGE.index("## Add a state") : PAGE.index("## Remove a state")]
BLOCKS = [
    "\n".join(line.removeprefix("   ") for line in block.splitlines())
    for block in re.findall(r"   ```python\n(.*?)   ```", SECTION, re.DOTALL)
]
MODULE = next(block for block in BLOCKS if block.startswith("# states/directions.py"))
ROW = next(block for block in BLOCKS if block.lstrip().startswith('"directions": State('))
OPTION = next(block for block in BLOCKS if block.lstrip().startswith("Option("))
SPELLED = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six"}
SPELLED |= {"7": "seven", "8": "eight", "9": "nine", "0": "zero"}
TREE = phonetree.tree()
SERVED = phonetree.make_app({}).config["phonetree.engine"].config.languages
# check reads every language the tree has words in, served or not: each gets words
LANGUAGES = [*SERVED, *(lang for lang in written_languages(TREE) if lang not in SERVED)]


def free_key() -> str:
    taken = {option.key for option in TREE.table["menu"].exit.options}
    return next(key for key in "4567812390" if key not in taken)


def for_every_language(block: str, sample: dict[str, str]) -> str:
    """The block with a dict entry for each of the tree's languages it lacks, copied from its
    first one and marked with the language, so that no two languages say the same."""
    first = next(iter(sample))
    for language in LANGUAGES:
        if language in sample:
            continue
        marked = {key: f"[{language}] {value}" for key, value in sample[first].items()}
        block = block.replace(f'"{first}": {{', f'"{language}": {marked!r},\n    "{first}": {{', 1)
    return block


def insert_before_end(path, name: str, text: str) -> None:
    """Add ``text`` as the last item of the module-level dict or tuple ``name``."""
    source = path.read_text(encoding="utf-8")
    node = next(
        n for n in ast.parse(source).body if isinstance(n, ast.Assign) and n.targets[0].id == name
    )
    lines = source.splitlines(keepends=True)
    last = node.value.end_lineno - 1  # the closing bracket's line
    indent = re.match(r"\s*", lines[last]).group() + "    "
    lines.insert(last, "".join(indent + line + "\n" for line in text.strip("\n").splitlines()))
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def followed(tmp_path_factory):
    """A copy of the repository with the page's steps done, for the menu's first free key."""
    copy = tmp_path_factory.mktemp("tree") / "repo"
    ignored = shutil.ignore_patterns(".git", ".venv", "__pycache__", "node_modules")
    shutil.copytree(ROOT, copy, ignore=ignored)
    states = copy / "states"
    key = free_key()
    # 1. the module, with words in each of the tree's languages
    module = MODULE.split("\n", 1)[1]
    words = ast.literal_eval(re.search(r"WORDS = (\{.*?\n\})", module, re.DOTALL).group(1))
    module = for_every_language(module, words)
    (states / "directions.py").write_text(module + "\n", encoding="utf-8")
    # 2. the import and the row
    init = states / "__init__.py"
    text = init.read_text(encoding="utf-8").replace(
        "from states import (", "from states import (\n    directions,", 1
    )
    init.write_text(text, encoding="utf-8")
    insert_before_end(init, "TABLE", ROW)
    # 3. the option, at the free key, said and heard in every language (the page's words where
    # its sentence still names the key, a marked sentence where it cannot be respelled)
    call = ast.parse(OPTION.strip()).body[0].value
    target = ast.literal_eval(call.args[1])
    given = {word.arg: ast.literal_eval(word.value) for word in call.keywords}
    say, hear = {}, {}
    for language in LANGUAGES:
        page_said = given["say"].get(language)
        if page_said and key != "4" and language.startswith("en"):
            page_said = page_said.replace("four", SPELLED[key])
        elif key != "4":
            page_said = None
        say[language] = page_said or f"[{language}] For directions, press {SPELLED[key]}."
        hear[language] = given["hear"].get(language, "directions")
    option = f"Option({key!r}, {target!r}, say={say!r}, hear={hear!r})"
    insert_before_end(states / "menu.py", "OPTIONS", option.rstrip() + ",")
    return copy, key


def run(copy, *command):
    return subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=120)


def test_the_tree_with_the_new_state_passes_the_check(followed):
    copy, _ = followed
    done = run(copy, sys.executable, "phonetree.py", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ok: {len(TREE.table) + 1} states" in done.stdout


def test_the_menu_says_the_new_option_and_its_key_reaches_the_directions(followed):
    copy, key = followed
    first = SERVED[0]  # chosen, should the tree ask for a language
    done = run(copy, sys.executable, "phonetree.py", "call", "--keys", f"{key},_", "--clock",
               "open", "--language", first)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    heard = done.stdout
    if first.startswith("en"):
        assert f"For directions, press {SPELLED[key]}." in heard
        assert "We are at 1 Main Street, next to the station." in heard
    else:
        assert f"[{first}] For directions, press {SPELLED[key]}." in heard
        assert f"[{first}] We are at 1 Main Street, next to the station." in heard


def test_the_diagram_shows_the_new_state(followed):
    copy, key = followed
    done = run(copy, sys.executable, "phonetree.py", "graph")
    assert f"menu -->|{key}, say directions" in done.stdout
    assert "directions -->|1| directions" in done.stdout
