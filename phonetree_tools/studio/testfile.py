"""Save a studio call as a pytest file: the same call, replayed with the simulated caller.

The file carries what shaped the call (the settings, as variables; the moment on the clock)
and asserts what the caller heard at each step and where the call ended, so that saved under
``tests/`` it passes in a plain ``python -m pytest`` run, with none of the studio's
environment. It is written as ``ruff format`` would write it.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping

from phonetree_engine.carriers import DEFAULT as DEFAULT_CARRIER
from phonetree_engine.carriers import carrier_groups
from phonetree_engine.delivery import channel_groups
from phonetree_engine.settings import SERVER
from phonetree_tools.platform import groups
from phonetree_tools.studio.moment import Action
from phonetree_tools.studio.replay import Played

# Settings that do not change what a caller hears: the carriers' keys, where messages go, the
# server's own, the public URL (and no secret is ever written).
LEFT_OUT = {"PUBLIC_URL", "ALLOW_UNSIGNED"} | {
    setting.name
    for group in [*carrier_groups(), *channel_groups(), SERVER]
    for setting in group.settings
}
ALWAYS = ("OPENING_HOURS", "TIMEZONE", "LANGUAGES")  # written even when they are the defaults
WIDTH = 100  # the project's line length
WORDS_WIDTH = 84  # a string's words per line, quotes and indent aside


def call_settings(tree, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings that shaped the studio's calls to ``tree``, as the environment gave them
    (or as the tree's defaults and the declarations say, for those always written)."""
    environ = os.environ if environ is None else environ
    defaults = tree.defaults or {}
    found = {}
    for group in groups(tree):
        for setting in group.settings:
            if setting.secret or setting.name in LEFT_OUT:
                continue
            value = (environ.get(setting.name) or "").strip()
            if value or setting.name in ALWAYS:
                found[setting.name] = value or defaults.get(setting.name) or setting.default
    return found


def test_name(played: Played) -> str:
    where = played.state or (played.passed[-1] if played.passed else "start")
    verb = "waits_at" if played.waiting else "ends_in"
    return f"test_studio_call_{verb}_{where}"


def app_builder() -> str:
    """How the test builds the app: the shipped tree's, with the settings as variables."""
    return "make_app(SETTINGS, clock=lambda: MOMENT)"


def placing(played: Played) -> str:
    """The simulated call, of the carrier the studio played (Twilio's needs no argument)."""
    carrier = played.call.carrier
    named = f", carrier={literal(carrier)}" if carrier != DEFAULT_CARRIER else ""
    return f"SimulatedCall({app_builder()}{named})"


def generate(played: Played, settings: Mapping[str, str]) -> str:
    """The test file's text."""
    outcome = played.call.outcome or ()
    failed = outcome[:1] == ("error",)  # the carrier would have said "an application error..."
    lines = [
        '"""A call placed in phonetree\'s studio, replayed with the simulated caller."""',
        "",
        "from datetime import datetime",
        "",
        *(["import pytest", ""] if failed else []),
        "from phonetree import make_app",
        f"from phonetree_tools.caller import {'CallFailed, ' if failed else ''}SimulatedCall",
        "",
        "# The settings that shaped the call, and the moment it was placed.",
        "SETTINGS = {",
        *(f"    {literal(name)}: {literal(value)}," for name, value in settings.items()),
        "}",
        f"MOMENT = datetime.fromisoformat({literal(played.moment.at.isoformat())})",
        "",
        "",
        f"def {test_name(played)}():",
        f"    call = {placing(played)}",
    ]
    steps = [('start("/voice")', played.first_heard)]
    steps += [(invocation(action), heard) for action, heard in played.steps]
    if failed:  # the action that failed is the one after the steps heard, or the start
        pending = played.actions[len(played.steps) :]
        raising = invocation(pending[0]) if pending else steps.pop()[0]
    for step, heard in steps:
        lines.append(f"    call.{step}")
        lines += heard_assert(heard)
    if failed:
        lines += ["    with pytest.raises(CallFailed):", f"        call.{raising}"]
    waiting = played.waiting
    lines.append(
        f"    assert call.waiting_for == {literal(waiting)}"
        if waiting
        else "    assert call.waiting_for is None"
    )
    lines.append(f"    assert call.outcome == {tuple_literal(outcome)}")
    if played.state:
        lines.append(f"    assert {literal('/state/' + played.state + '/')} in {waiting_action()}")
    return "\n".join(lines) + "\n"


def waiting_action() -> str:
    return 'call.waiting_verb.get("action", "")'


def invocation(action: Action) -> str:
    method, arguments = action.caller_method()
    if len(arguments) == 1:  # call.press("3"), call.dial_result("busy")
        return f"{method}({literal(next(iter(arguments.values())))})"
    given = ", ".join(f"{name}={literal(value)}" for name, value in arguments.items())
    return f"{method}({given})"


def heard_assert(heard: list[str]) -> list[str]:
    if not heard:
        return ["    assert call.last_heard == []"]
    lines = ["    assert call.last_heard == ["]
    for text in heard:
        parts = textwrap.wrap(text, WORDS_WIDTH, drop_whitespace=False, break_long_words=False)
        parts = [part for part in parts if part] or [""]
        for part in parts[:-1]:
            lines.append(f"        {literal(part)}")
        lines.append(f"        {literal(parts[-1])},")
    lines.append("    ]")
    return lines


def literal(value) -> str:
    """A Python literal as ruff format writes it: strings in double quotes where it can."""
    if not isinstance(value, str):
        return repr(value)
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def tuple_literal(values) -> str:
    items = ", ".join(literal(value) for value in values or ())
    return f"({items},)" if values and len(values) == 1 else f"({items})"
