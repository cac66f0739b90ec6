"""This tree's business settings (``states/settings.py``): read, checked, shown in the table.

The engine's own settings (hours, languages, signatures, delivery) are tested by the engine's
suite; what is here changes when a tree author changes ``states/settings.py``.
"""

import pytest

from phonetree import tree
from phonetree_engine.settings import Config, ConfigError, engine_groups, settings_table
from states.settings import HOLD_MUSIC, SETTINGS

TREE = tree()


def read(environ: dict[str, str]) -> Config:
    return Config.from_environ(environ, TREE.settings, TREE.defaults)


def problem_for(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        read(environ)
    return str(caught.value)


def test_the_tree_declares_these_settings():
    assert TREE.settings is SETTINGS


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("company_name", "ACME, Inc."),
        ("receptionist_number", "+15555550100"),
        ("caller_id", None),
        ("dial_timeout", 20),
        ("support_queue", "support"),
        ("hold_music_url", "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"),
        ("queue_voicemail_after", 60),
    ],
)
def test_empty_environment_gives_the_default(field, expected):
    assert getattr(read({}), field) == expected


def test_the_plain_constructor_completed_with_the_trees_settings_gives_the_same():
    fields = [setting.field for setting in SETTINGS.settings]
    plain = Config().completed(TREE.settings, TREE.defaults)
    assert [getattr(plain, f) for f in fields] == [getattr(read({}), f) for f in fields]


def test_the_hold_music_default_is_twilios():
    assert HOLD_MUSIC.startswith("http://com.twilio.music.")


READ_VALUES = [
    ("COMPANY_NAME", "Globex", "company_name", "Globex"),
    ("COMPANY_NAME", "  Globex Corp.  ", "company_name", "Globex Corp."),
    ("RECEPTIONIST_NUMBER", "+442071838750", "receptionist_number", "+442071838750"),
    ("RECEPTIONIST_NUMBER", "+12345678", "receptionist_number", "+12345678"),
    ("RECEPTIONIST_NUMBER", "+123456789012345", "receptionist_number", "+123456789012345"),
    ("RECEPTIONIST_NUMBER", "sip:desk@example.com", "receptionist_number", "sip:desk@example.com"),
    ("CALLER_ID", "+15555550199", "caller_id", "+15555550199"),
    ("DIAL_TIMEOUT", "30", "dial_timeout", 30),
    ("DIAL_TIMEOUT", "+30", "dial_timeout", 30),
    ("DIAL_TIMEOUT", "5", "dial_timeout", 5),
    ("DIAL_TIMEOUT", "600", "dial_timeout", 600),
    ("SUPPORT_QUEUE", "billing", "support_queue", "billing"),
    ("SUPPORT_QUEUE", "q" * 64, "support_queue", "q" * 64),
    (
        "HOLD_MUSIC_URL",
        "https://example.com/hold.mp3",
        "hold_music_url",
        "https://example.com/hold.mp3",
    ),
    (
        "HOLD_MUSIC_URL",
        "http://example.com/a.mp3?v=2",
        "hold_music_url",
        "http://example.com/a.mp3?v=2",
    ),
    ("QUEUE_VOICEMAIL_AFTER", "0", "queue_voicemail_after", 0),
    ("QUEUE_VOICEMAIL_AFTER", "3600", "queue_voicemail_after", 3600),
]


@pytest.mark.parametrize(("name", "raw", "field", "expected"), READ_VALUES)
def test_variable_is_read_into_its_field(name, raw, field, expected):
    assert getattr(read({name: raw}), field) == expected


def test_every_setting_of_the_tree_is_read():
    read_names = {name for name, _raw, _field, _expected in READ_VALUES}
    assert read_names == {setting.name for setting in SETTINGS.settings}


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("RECEPTIONIST_NUMBER", "5555550100", "E.164"),
        ("RECEPTIONIST_NUMBER", "+1555555", "8 to 15 digits"),
        ("RECEPTIONIST_NUMBER", "+1234567890123456", "8 to 15 digits"),
        ("RECEPTIONIST_NUMBER", "+1 555 555 0100", "E.164"),
        ("RECEPTIONIST_NUMBER", "+05555550100", "E.164"),
        ("RECEPTIONIST_NUMBER", "sip:desk", "sip:user@host"),
        ("CALLER_ID", "sip:desk@example.com", "E.164"),
        ("CALLER_ID", "555-0100", "E.164"),
        ("DIAL_TIMEOUT", "4", "from 5 to 600"),
        ("DIAL_TIMEOUT", "601", "from 5 to 600"),
        ("DIAL_TIMEOUT", "-5", "from 5 to 600"),
        ("DIAL_TIMEOUT", "ten", "whole number of seconds"),
        ("DIAL_TIMEOUT", "20.5", "whole number of seconds"),
        ("DIAL_TIMEOUT", "1e2", "whole number of seconds"),
        ("DIAL_TIMEOUT", "9" * 5000, "whole number of seconds"),
        ("SUPPORT_QUEUE", "q" * 65, "1 to 64 characters"),
        ("HOLD_MUSIC_URL", "ftp://example.com/a.mp3", "http(s) URL"),
        ("HOLD_MUSIC_URL", "example.com/a.mp3", "http(s) URL"),
        ("HOLD_MUSIC_URL", "https://", "http(s) URL"),
        ("HOLD_MUSIC_URL", "https://example.com/a b.mp3", "http(s) URL"),
        ("QUEUE_VOICEMAIL_AFTER", "-1", "from 0 to 3600"),
        ("QUEUE_VOICEMAIL_AFTER", "3601", "from 0 to 3600"),
    ],
)
def test_bad_value_names_the_variable_the_value_and_what_is_expected(name, raw, expected):
    message = problem_for({name: raw})
    assert message.startswith(f"{name}={raw!r}: ")
    assert expected in message


def test_the_trees_bad_variables_are_reported_with_the_engines_one_per_line():
    environ = {"DIAL_TIMEOUT": "x", "TIMEZONE": "Mars/Olympus", "CALLER_ID": "555"}
    lines = problem_for(environ).splitlines()
    assert [line.split("=")[0] for line in lines] == ["TIMEZONE", "CALLER_ID", "DIAL_TIMEOUT"]


def test_good_variables_do_not_hide_bad_ones():
    message = problem_for({"COMPANY_NAME": "Globex", "DIAL_TIMEOUT": "0"})
    expected = "DIAL_TIMEOUT='0': expected a whole number of seconds from 5 to 600"
    assert message.splitlines() == [expected]


@pytest.mark.parametrize(
    "setting", [s for s in SETTINGS.settings if s.default], ids=lambda setting: setting.name
)
def test_a_declared_default_reads_back_as_the_default(setting):
    given = read({setting.name: setting.default})
    assert getattr(given, setting.field) == getattr(read({}), setting.field)


@pytest.mark.parametrize("setting", SETTINGS.settings, ids=lambda setting: setting.name)
def test_every_setting_has_a_one_line_meaning(setting):
    assert setting.help.strip()
    assert "\n" not in setting.help


def test_no_setting_of_the_tree_shadows_one_of_the_engines():
    engine = {s.name for group in engine_groups() for s in group.settings}
    assert engine.isdisjoint(s.name for s in SETTINGS.settings)


@pytest.mark.parametrize(
    "row",
    [
        "| `DIAL_TIMEOUT` | `20` | Seconds to ring the receptionist, 5 to 600 |",
        "| `CALLER_ID` | (unset) | E.164 caller ID for forwarded calls (unset: the carrier's "
        "default) |",
        "| `COMPANY_NAME` | `ACME, Inc.` | Company name spoken in the greeting |",
    ],
)
def test_settings_table_shows_variable_default_and_meaning(row):
    assert row in settings_table([*engine_groups(), SETTINGS]).splitlines()
