"""The files a platform reads: app.json, the Python version, the licence."""

import json
import re

import pytest

from phonetree_engine.settings import SETTINGS
from phonetree_tools import platform
from tests.conftest import ROOT

PYPROJECT = (ROOT / "pyproject.toml").read_text()
APP = json.loads((ROOT / "app.json").read_text())


def test_app_json_is_generated_from_the_settings_table():
    assert (ROOT / "app.json").read_text() == platform.app_json()


@pytest.mark.parametrize("name", [name for name, _, _ in SETTINGS if name != "PORT"])
def test_app_json_offers_every_setting(name):
    assert name in APP["env"]


def test_app_json_leaves_the_port_to_the_platform():
    assert "PORT" not in APP["env"]


def test_app_json_marks_the_auth_token_required():
    assert [name for name, entry in APP["env"].items() if entry["required"]] == [
        "TWILIO_AUTH_TOKEN"
    ]


def test_app_json_gives_the_defaults():
    defaults = {name: default for name, default, _ in SETTINGS if default}
    assert {n: e["value"] for n, e in APP["env"].items() if "value" in e} == {
        name: value for name, value in defaults.items() if name != "PORT"
    }


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
