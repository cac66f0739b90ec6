"""The README, the docs, the Procfile and CI say what the code does.

Blocks are found by what they hold (a heading, a line of code), never by their place in a page.
"""

import argparse
import re
import shlex
from pathlib import Path

from phonetree import SERVER_OPTIONS
from phonetree_engine import server
from phonetree_engine.settings import settings_table
from phonetree_engine.web.forms import MAX_BODY
from phonetree_tools.cli import parser
from phonetree_tools.platform import groups
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md")}


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_settings_page_holds_the_table_the_declarations_make():
    stale = "docs/settings.md is stale: python -m phonetree_tools.platform --docs"
    assert settings_table(groups()) in DOCS["settings.md"], stale


def test_every_setting_is_named_in_the_settings_page():
    names = [s.name for group in groups() for s in group.settings]
    missing = [name for name in names if f"`{name}`" not in DOCS["settings.md"]]
    assert missing == []


def test_ci_runs_the_readme_test_command():
    test_command = next(line for line in fenced(README, "sh") if "pytest" in line).strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command.split("&& ")[-1] in ci.splitlines()


def test_the_readme_install_commands_use_the_requirement_files():
    commands = [line for block in fenced(README, "sh") for line in block.splitlines()]
    serve = next(line for line in commands if line.endswith("python phonetree.py"))
    test = next(line for line in commands if line.endswith("python -m pytest"))
    assert "pip install -r requirements.txt" in serve
    assert "pip install -r requirements-dev.txt" in test


def test_every_link_of_the_readme_and_the_docs_leads_somewhere():
    pages = {ROOT / "README.md": README, **{ROOT / "docs" / name: t for name, t in DOCS.items()}}
    broken = []
    for page, text in pages.items():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_the_testing_page_examples_pass():
    namespace = {}
    example = next(block for block in fenced(DOCS["testing.md"], "python") if "def test_" in block)
    exec(compile(example, "docs/testing.md", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    for test in tests:
        test()
    assert len(tests) == 2


def procfile_options():
    line = (ROOT / "Procfile").read_text().strip()
    assert line.startswith("web: python -m phonetree_engine.server ")
    words = shlex.split(line.removeprefix("web: ").replace("$PORT", "8000"))
    options, targets = server.parse_args(words[3:])
    return options, targets[0]


def test_procfile_serves_the_app_with_the_settings_of_phonetree_serve():
    options, target = procfile_options()
    assert target == "phonetree:app"
    for name, value in SERVER_OPTIONS.items():
        if name not in options:  # an option of phonetree's server, not waitress's
            continue
        expected = str(value).lower() if isinstance(value, bool) else str(value)
        assert options[name] == expected, name


def test_procfile_limits_the_body_as_the_app_does():
    options, _ = procfile_options()
    assert int(options["max_request_body_size"]) == MAX_BODY


def commands() -> dict:
    """Each command of ``python phonetree.py`` and its options, from the parser itself."""
    (subparsers,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: [o for a in command._actions for o in a.option_strings if o not in ("-h", "--help")]
        for name, command in subparsers.choices.items()
    }


def test_the_commands_page_shows_every_command():
    shown = [name for name in commands() if f"python phonetree.py {name}" in DOCS["commands.md"]]
    assert shown == list(commands())


def test_the_commands_page_shows_every_option_of_every_command():
    page = DOCS["commands.md"]
    missing = [
        f"{name} {option}"
        for name, options in commands().items()
        for option in options
        if not re.search(rf"python phonetree.py {name}\b.*{option}\b", page)
    ]
    assert missing == []


def test_the_readme_is_a_front_page():
    lines = README.count("\n")
    assert lines < 250, f"the README has {lines} lines: the rest belongs in docs/"
    pages = ["writing-a-tree", "languages", "settings", "deploying", "testing", "report"]
    pages += ["security", "benchmarks", "carriers", "commands", "studio", "messages"]
    for page in pages:
        assert f"docs/{page}.md" in README, page


def test_no_page_names_a_path_of_the_machine_it_was_written_on():
    home = re.compile(r"/(work|home|root|Users)/[\w.-]+/")
    pages = {"README.md": README, **DOCS}
    assert [name for name, text in pages.items() if home.search(text)] == []


def test_the_writing_a_tree_page_names_every_file_of_the_tree_it_sends_authors_to():
    page = DOCS["writing-a-tree.md"]
    for name in re.findall(r"`(states/[\w/]+\.py)`", page):
        assert Path(ROOT / name).exists() or name == "states/directions.py", name


def section(text: str, heading: str) -> str:
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_performance_page_shows_the_latest_benchmark_run():
    bench = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    page = DOCS["benchmarks.md"]
    tables = [
        line for line in section(bench, "## The latest figures").splitlines() if line[:1] == "|"
    ]
    assert len(tables) > 20  # both runs' tables, in process and over HTTP
    assert [line for line in tables if line not in page] == []
