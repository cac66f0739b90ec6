"""The files a platform reads: app.json, the Python version, the licence.

app.json is generated from every declared setting, the engine's and the shipped tree's
(``python -m phonetree_tools.platform > app.json``).
"""

import json
import re
from dataclasses import replace

import pytest

from phonetree_tools import platform
from tests.conftest import ROOT
from tests.engine.trees import office

PYPROJECT = (ROOT / "pyproject.toml").read_text()
APP = json.loads((ROOT / "app.json").read_text())
DECLARED = [setting for group in platform.groups() for setting in group.settings]


def test_app_json_is_generated_from_the_settings():
    assert (ROOT / "app.json").read_text() == platform.app_json(), (
        "app.json is stale: python -m phonetree_tools.platform > app.json"
    )


@pytest.mark.parametrize("name", [setting.name for setting in DECLARED if setting.name != "PORT"])
def test_app_json_offers_every_setting(name):
    assert name in APP["env"]


@pytest.mark.parametrize("name", ["OPENING_HOURS", "TWILIO_AUTH_TOKEN", "COMPANY_NAME"])
def test_app_json_offers_the_engines_settings_and_the_trees(name):
    assert name in APP["env"]


def test_app_json_offers_nothing_undeclared():
    assert set(APP["env"]) == {setting.name for setting in DECLARED} - {"PORT"}


def test_app_json_leaves_the_port_to_the_platform():
    assert "PORT" not in APP["env"]


def test_app_json_marks_the_auth_token_required():
    assert [name for name, entry in APP["env"].items() if entry["required"]] == [
        "TWILIO_AUTH_TOKEN"
    ]


def test_app_json_gives_the_defaults():
    defaults = {setting.name: setting.default for setting in DECLARED if setting.default}
    assert {n: e["value"] for n, e in APP["env"].items() if "value" in e} == {
        name: value for name, value in defaults.items() if name != "PORT"
    }


def test_app_json_of_another_tree_offers_its_settings():
    env = json.loads(platform.app_json(office.TREE))["env"]
    assert {"OFFICE_NAME", "DESK_NUMBER"} <= set(env)
    assert "COMPANY_NAME" not in env


def test_app_json_gives_the_trees_own_defaults():
    """A value app.json gives is set in the environment, which decides over the tree's default:
    so it must be the tree's, not the engine's."""
    tree = replace(office.TREE, defaults={"OPENING_HOURS": "Mon-Sat 08:00-20:00"})
    env = json.loads(platform.app_json(tree))["env"]
    assert env["OPENING_HOURS"]["value"] == "Mon-Sat 08:00-20:00"


def test_app_json_describes_the_project_as_pyproject_does():
    assert f'description = "{APP["description"]}"' in PYPROJECT


def test_the_python_version_file_names_a_version_the_project_supports():
    version = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", version)
    minimum = re.search(r'requires-python = ">=3\.(\d+)"', PYPROJECT).group(1)
    assert int(version.split(".")[1]) >= int(minimum)


def test_the_licence_is_the_one_pyproject_declares():
    assert 'license = "MIT"' in PYPROJECT  # an SPDX expression (PEP 639)
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence


def test_the_settings_page_gets_its_table_made_anew_and_keeps_the_rest():
    table = "| Variable | Default | Meaning |\n| --- | --- | --- |\n| `OLD` | | |\n"
    page = f"# Settings\n\nRead on.\n\n{table}\nAfter.\n"
    made = platform.settings_page(page, office.TREE)
    assert made.startswith("# Settings\n\nRead on.\n\n| Variable | Default | Meaning |\n")
    assert "`OLD`" not in made
    assert "| `OFFICE_NAME` | `The Office, Ltd.` | Said in the greeting |" in made
    assert made.endswith("|\n\nAfter.\n")
