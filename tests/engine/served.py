"""The office served as the Procfile serves the shipped tree: ``tests.engine.served:app``.

Built from the environment on first use, refusing to start unsigned unless allowed, exactly as
``phonetree:app`` is; the engine's real-process tests serve it with the Procfile's command.
"""

from phonetree_engine import web
from tests.engine.trees import office


def __getattr__(name):
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()["app"] = app = web.serving_app(office.TREE)
    return app
