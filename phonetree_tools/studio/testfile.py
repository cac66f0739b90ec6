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

from phonetree_engine.settings import SERVER_SETTINGS, SETTINGS
from phonetree_tools.studio.moment import Action
from phonetree_tools.studio.replay import Played

# Settings that do not change what a caller hears: secrets, where messages go, the public URL.
LEFT_OUT = {
    "TWILIO_AUTH_TOKEN",
    "TWILIO_SHARED_KEY",
    "ALLOW_UNSIGNED",
    "PUBLIC_URL",
    "SMTP_URL",
    "NOTIFY_EMAIL",
    "MAIL_FROM",
    "NOTIFY_URL",
    *SERVER_SETTINGS,
}
ALWAYS = ("OPENING_HOURS", "TIMEZONE", "LANGUAGES")  # written even when they are the defaults
WIDTH = 100  # the project's line length
WORDS_WIDTH = 84  # a string's words per line, quotes and indent aside


def call_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings that shaped the studio's calls, as the environment gave them."""
    environ = os.environ if environ is None else environ
    found = {}
    for name, default, _ in SETTINGS:
        value = (environ.get(name) or "").strip()
        if name in LEFT_OUT:
            continue
        if value or name in ALWAYS:
            found[name] = value or default
    return found


def test_name(played: Played) -> str:
    where = played.state or (played.passed[-1] if played.passed else "start")
    verb = "waits_at" if played.waiting else "ends_in"
    return f"test_studio_call_{verb}_{where}"


def app_builder() -> str:
    """How the test builds the app: the one line to change when ``make_app`` takes settings."""
    return "make_app(Config.from_environ(SETTINGS), clock=lambda: MOMENT)"


def generate(played: Played, settings: Mapping[str, str]) -> str:
    """The test file's text."""
    outcome = played.call.outcome or ()
    failed = outcome[:1] == ("error",)  # Twilio would have said "an application error..."
    lines = [
        '"""A call placed in phonetree\'s studio, replayed with the simulated caller."""',
        "",
        "from datetime import datetime",
        "",
        *(["import pytest", ""] if failed else []),
        "from phonetree import make_app",
        "from phonetree_engine.settings import Config",
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
        f"    call = SimulatedCall({app_builder()})",
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
