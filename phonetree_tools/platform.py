"""Files a platform reads, generated from the settings' declarations so that they cannot drift.

``app.json`` describes the app to Heroku (the Deploy button, review apps, ``heroku create``):
each variable the engine and the tree declare, with its meaning and default, the required ones
marked. Regenerate it after changing a setting (a test says when it is stale)::

    python -m phonetree_tools.platform > app.json
"""

from __future__ import annotations

import json

from phonetree_engine.settings import engine_groups

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
    """The app.json document, as committed."""
    env = {}
    for group in groups(tree):
        for setting in group.settings:
            if setting.name in SET_BY_THE_PLATFORM:
                continue
            entry = {
                "description": setting.help.replace("`", ""),
                "required": setting.name in REQUIRED,
            }
            if setting.default:
                entry["value"] = setting.default
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


if __name__ == "__main__":
    print(app_json(), end="")
