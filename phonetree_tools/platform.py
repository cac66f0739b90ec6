"""Files a platform reads, generated from the settings' declarations so that they cannot drift.

``app.json`` describes the app to Heroku (the Deploy button, review apps, ``heroku create``):
each variable the engine and the tree declare, with its meaning and default, the required ones
marked; ``docs/settings.md`` holds the same as a table. Regenerate both after changing a
setting (a test says when either is stale)::

    python -m phonetree_tools.platform > app.json
    python -m phonetree_tools.platform --docs      # rewrites the table in docs/settings.md
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from phonetree_engine.settings import engine_groups, settings_table

SETTINGS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
TABLE = re.compile(r"^\| Variable \| Default \| Meaning \|\n(?:^\|.*\n)*", re.MULTILINE)

DESCRIPTION = "A stateless phone tree (IVR) for Twilio Programmable Voice, on Bottle."
# Without one of the two signing secrets the server refuses to start; the Deploy form asks for
# the auth token, which every Twilio account has.
REQUIRED = ("TWILIO_AUTH_TOKEN",)
SET_BY_THE_PLATFORM = ("PORT",)


def groups(tree=None) -> list:
    """Every group of settings: the engine's, then the tree's (default: the shipped tree's)."""
    if tree is None:
        import phonetree

        tree = phonetree.tree()
    return [*engine_groups(), *([tree.settings] if tree.settings else [])]


def app_json(tree=None) -> str:
    """The app.json document, as committed: each setting with the tree's own default where it
    gives one (a value set here is set in the environment, where it would hide the tree's)."""
    if tree is None:
        import phonetree

        tree = phonetree.tree()
    defaults = dict(tree.defaults or {})
    env = {}
    for group in groups(tree):
        for setting in group.settings:
            if setting.name in SET_BY_THE_PLATFORM:
                continue
            entry = {
                "description": setting.help.replace("`", ""),
                "required": setting.name in REQUIRED,
            }
            default = defaults.get(setting.name) or setting.default
            if default:
                entry["value"] = default
            env[setting.name] = entry
    document = {
        "name": "phonetree",
        "description": DESCRIPTION,
        "keywords": ["twilio", "ivr", "phone tree", "bottle", "waitress"],
        "env": env,
        "formation": {"web": {"quantity": 1}},
        "buildpacks": [{"url": "heroku/python"}],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def settings_page(text: str, tree=None) -> str:
    """The settings page with its table made anew from the declarations."""
    return TABLE.sub(lambda _: settings_table(groups(tree)) + "\n", text, count=1)


if __name__ == "__main__":
    if sys.argv[1:] == ["--docs"]:
        SETTINGS_PAGE.write_text(settings_page(SETTINGS_PAGE.read_text("utf-8")), "utf-8")
    else:
        print(app_json(), end="")
