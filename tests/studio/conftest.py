"""The studio's fixtures: the shipped tree's app (``build``, ``app``), which the studio serves."""

from tests.tree.conftest import app, build

__all__ = ["app", "build"]
