"""The pieces of a saved test: the settings it carries and the literals it writes.

(The whole file is saved from a running studio and run with pytest in test_studio_server.py
and test_studio_browser.py.)
"""

import ast

import pytest

from phonetree_tools.studio import testfile

LONG = (
    "Listen to the following menu options. For sales, press one. For support, press two. "
    "For our business hours, press three. To repeat these options, press nine."
)


def test_the_settings_that_shape_a_call_are_kept():
    kept = testfile.call_settings({"COMPANY_NAME": "Zoë's", "LANGUAGES": "en-US,es-US"})
    assert (kept["COMPANY_NAME"], kept["LANGUAGES"]) == ("Zoë's", "en-US,es-US")


def test_hours_time_zone_and_languages_are_always_written():
    kept = testfile.call_settings({})
    assert kept == {
        "OPENING_HOURS": "Mon-Fri 09:00-18:00",
        "TIMEZONE": "America/New_York",
        "LANGUAGES": "en-US",
    }


@pytest.mark.parametrize(
    "name", ["TWILIO_AUTH_TOKEN", "SMTP_URL", "NOTIFY_URL", "PUBLIC_URL", "PORT", "LOG_LEVEL"]
)
def test_secrets_and_where_messages_go_are_left_out(name):
    assert name not in testfile.call_settings({name: "smtp://user:secret@mail:25"})


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
