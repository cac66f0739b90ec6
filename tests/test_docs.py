"""The README, the Procfile and CI say what the code does."""

import argparse
import re
import shlex

from phonetree import MAX_BODY, SERVER_OPTIONS, make_app
from phonetree_engine.server import parse_args
from phonetree_engine.settings import SETTINGS, Config, settings_table
from phonetree_tools.caller import SimulatedCall
from phonetree_tools.cli import parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(language):
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_readme_configuration_table_is_current():
    assert settings_table() in README


def test_readme_names_every_setting():
    missing = [name for name, _, _ in SETTINGS if f"`{name}`" not in README]
    assert missing == []


def test_ci_runs_the_readme_test_command():
    test_command = next(line for line in fenced("sh") if "pytest" in line).strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command.split("&& ")[-1] in ci.splitlines()


def test_readme_test_examples_pass():
    namespace = {}
    example = next(block for block in fenced("python") if "def test_" in block)
    exec(compile(example, "README.md", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    for test in tests:
        test()
    assert len(tests) == 2


def procfile_options():
    line = (ROOT / "Procfile").read_text().strip()
    assert line.startswith("web: python -m phonetree_engine.server ")
    words = shlex.split(line.removeprefix("web: ").replace("$PORT", "8000"))
    options, target = words[3:-1], words[-1]
    return parse_args(options)[0], target


def test_procfile_serves_the_app_with_the_settings_of_phonetree_serve():
    options, target = procfile_options()
    assert target == "phonetree:app"
    for name, value in SERVER_OPTIONS.items():
        expected = str(value).lower() if isinstance(value, bool) else str(value)
        assert options[name] == expected, name


def test_procfile_limits_the_body_as_the_app_does():
    options, _ = procfile_options()
    assert int(options["max_request_body_size"]) == MAX_BODY


def readme_collect_tree():
    namespace = {}
    example = next(block for block in fenced("python") if "collect(" in block)
    exec(compile(example, "README.md", "exec"), namespace)
    return make_app(Config(), table=namespace["TABLE"], start="account", recovery="goodbye")


def test_readme_collect_example_confirms_an_account_then_the_caller_id():
    call = SimulatedCall(readme_collect_tree(), from_="+15551234567")
    call.start()
    call.press("1234#")
    call.press("1")
    assert call.last_heard == [
        "We have the number 5, 5, 5, 1, 2, 3, 4, 5, 6, 7. "
        "Press 1 to confirm, or 2 to enter another number."
    ]
    call.press("1")
    assert call.last_heard == [
        "We will call 5, 5, 5, 1, 2, 3, 4, 5, 6, 7 about account 1, 2, 3, 4."
    ]


def commands() -> dict:
    """Each command of ``python phonetree.py`` and its options, from the parser itself."""
    (subparsers,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: [o for a in command._actions for o in a.option_strings if o not in ("-h", "--help")]
        for name, command in subparsers.choices.items()
    }


def test_the_readme_shows_every_command():
    shown = [name for name in commands() if f"python phonetree.py {name}" in README]
    assert shown == list(commands())


def test_the_readme_shows_every_option_of_every_command():
    missing = [
        f"{name} {option}"
        for name, options in commands().items()
        for option in options
        if not re.search(rf"python phonetree.py {name}\b.*{option}\b", README)
    ]
    assert missing == []


def section(text: str, heading: str) -> str:
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_performance_page_shows_the_latest_benchmark_run():
    bench = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    tables = [
        line for line in section(bench, "## The latest figures").splitlines() if line[:1] == "|"
    ]
    assert len(tables) > 20  # both runs' tables, in process and over HTTP
    assert [line for line in tables if line not in page] == []
