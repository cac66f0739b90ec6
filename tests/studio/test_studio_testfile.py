"""The pieces of a saved test: the settings it carries and the literals it writes.

(The whole file is saved from a running studio and run with pytest in test_studio_server.py
and test_studio_browser.py.)
"""

import ast
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from phonetree import tree
from phonetree_tools.caller import CallFailed, SimulatedCall
from phonetree_tools.studio import testfile
from phonetree_tools.studio.moment import Moment, action
from phonetree_tools.studio.replay import Played, Walk
from tests.studio.studio_process import ROOT

TREE = tree()
AT = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)

LONG = (
    "Listen to the following menu options. For sales, press one. For support, press two. "
    "For our business hours, press three. To repeat these options, press nine."
)


def test_the_settings_that_shape_a_call_are_kept():
    kept = testfile.call_settings(TREE, {"COMPANY_NAME": "Zoë's", "LANGUAGES": "en-US,es-US"})
    assert (kept["COMPANY_NAME"], kept["LANGUAGES"]) == ("Zoë's", "en-US,es-US")


def test_the_carrier_is_kept():
    assert testfile.call_settings(TREE, {"PROVIDER": "telnyx"})["PROVIDER"] == "telnyx"


def test_hours_time_zone_and_languages_are_always_written():
    kept = testfile.call_settings(TREE, {})
    assert kept == {
        "OPENING_HOURS": "Mon-Fri 09:00-18:00",
        "TIMEZONE": "America/New_York",
        "LANGUAGES": "en-US",
    }


def test_the_trees_own_defaults_are_written_for_those_always_written():
    tree = replace(TREE, defaults={"LANGUAGES": "fr-CA,en-US"})
    assert testfile.call_settings(tree, {})["LANGUAGES"] == "fr-CA,en-US"


@pytest.mark.parametrize(
    "name",
    [
        "TWILIO_AUTH_TOKEN",
        "SIGNALWIRE_SIGNING_KEY",
        "TELNYX_PUBLIC_KEY",
        "SECRET_KEY",
        "SMTP_URL",
        "NOTIFY_URL",
        "PUBLIC_URL",
        "PORT",
        "LOG_LEVEL",
    ],
)
def test_secrets_keys_and_where_messages_go_are_left_out(name):
    assert name not in testfile.call_settings(TREE, {name: "smtp://user:secret@mail:25"})


@pytest.mark.parametrize("text", ["plain", 'say "hi"', "it's", "both ' and \"", "Zoë\n"])
def test_a_literal_reads_back_as_its_text(text):
    assert ast.literal_eval(testfile.literal(text)) == text


def test_a_literal_is_in_double_quotes_where_it_can_be():
    assert testfile.literal("it's") == '"it\'s"'


def test_a_long_sentence_is_split_into_lines_that_join_back():
    lines = testfile.heard_assert([LONG])
    joined = ast.literal_eval("[" + "".join(lines[1:-1]) + "]")
    assert joined == [LONG]


def test_a_long_sentence_is_split_within_the_line_length():
    assert max(len(line) for line in testfile.heard_assert([LONG])) <= testfile.WIDTH


def test_nothing_heard_is_an_empty_list():
    assert testfile.heard_assert([]) == ["    assert call.last_heard == []"]


def test_a_one_item_tuple_keeps_its_comma():
    assert testfile.tuple_literal(("hangup",)) == '("hangup",)'


# A call the app failed #######################################################

MENU_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather numDigits="1" action="/state/menu/exit"><Say>Press 3.</Say></Gather></Response>'
)


def failing_app(environ, start_response):
    """Answers the call, then fails the first key pressed, as a broken deploy would."""
    if environ["PATH_INFO"] == "/voice":
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [MENU_TWIML.encode()]
    start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
    return [b"boom"]


@pytest.fixture
def failed_source():
    call = SimulatedCall(failing_app)
    played = Played(Moment(AT, [action("3")]), call=call, walk=Walk(call.params["CallSid"]))
    call.start("/voice")
    played.hear(call)
    played.first_heard = list(call.last_heard)
    with pytest.raises(CallFailed):
        played.act(call, action("3"))
    return testfile.generate(played, {"LANGUAGES": "en-US"})


def test_a_call_the_app_failed_is_saved_expecting_the_failure(failed_source):
    assert '    with pytest.raises(CallFailed):\n        call.press("3")\n' in failed_source


def test_a_call_the_app_failed_ends_in_twilios_error(failed_source):
    assert '    assert call.outcome == ("error", "11200")\n' in failed_source


def test_a_call_the_app_failed_is_saved_as_python_ruff_accepts(failed_source, tmp_path):
    saved = tmp_path / "test_failed.py"
    saved.write_text(failed_source, encoding="utf-8")
    checks = [["format", "--check"], ["check", "--no-cache"]]
    results = [
        subprocess.run(
            [sys.executable, "-m", "ruff", *check, str(saved)], cwd=ROOT, capture_output=True
        )
        for check in checks
    ]
    assert [result.returncode for result in results] == [0, 0], [r.stdout for r in results]
