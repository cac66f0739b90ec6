"""The README says what the tree is: its settings as declared."""

from pathlib import Path

from examples.dental import TREE
from phonetree_engine.settings import settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_the_settings_as_declared():
    assert settings_table([TREE.settings]) in README.read_text(encoding="utf-8")
