"""The studio installs with the package: its module and its page's files are in the wheel."""

import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.studio.studio_process import ROOT

SOURCES = ["pyproject.toml", "README.md", "LICENSE", "phonetree.py"]
PACKAGES = ["phonetree_engine", "phonetree_tools", "states"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built from a copy of the sources, as pip builds one to install."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        shutil.copy(ROOT / name, source / name)
    for name in PACKAGES:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    built = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(built), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(next(built.glob("*.whl"))) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize(
    "path",
    [
        "phonetree_tools/studio/server.py",
        "phonetree_tools/studio/static/index.html",
        "phonetree_tools/studio/static/studio.js",
        "phonetree_tools/studio/static/studio.css",
    ],
)
def test_the_wheel_holds_the_studio(wheel, path):
    assert path in wheel


def test_the_wheel_holds_every_file_of_the_page(wheel):
    page = {
        f"phonetree_tools/studio/static/{p.name}"
        for p in (ROOT / "phonetree_tools/studio/static").iterdir()
    }
    assert page <= wheel
