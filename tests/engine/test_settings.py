import dataclasses
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from phonetree_engine.settings import (
    SERVER_SETTINGS,
    SETTINGS,
    Config,
    ConfigError,
    Hours,
    MailServer,
    check_environ,
    log_level,
    port,
    settings_table,
)

UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")
# 2026-01-05 is a Monday; the days after it follow the week.
MONDAY, TUESDAY, FRIDAY, SATURDAY, SUNDAY = 5, 6, 9, 10, 11
NO_HOURS = Hours(week=((),) * 7)


def january(day: int, hour: int, minute: int = 0, tz=None) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=tz)


def problem_for(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        Config.from_environ(environ)
    return str(caught.value)


# Defaults ####################################################################


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
        ("hours", Hours.parse("Mon-Fri 09:00-18:00")),
        ("timezone", NEW_YORK),
        ("closed_dates", frozenset()),
        ("voice", None),
        ("languages", ("en-US",)),
        ("voices", {}),
        ("max_retries", 3),
        ("voicemail_max_length", 120),
        ("transcribe", False),
        ("auth_token", None),
        ("shared_key", None),
        ("public_url", None),
    ],
)
def test_empty_environment_gives_the_default(field, expected):
    assert getattr(Config.from_environ({}), field) == expected


def test_empty_environment_equals_the_plain_constructor():
    assert Config.from_environ({}) == Config()


def test_empty_and_blank_values_count_as_unset():
    environ = {"DIAL_TIMEOUT": "", "TIMEZONE": "   ", "OPENING_HOURS": "", "TRANSCRIBE": "\t"}
    assert Config.from_environ(environ) == Config()


def test_unknown_variables_are_ignored():
    assert Config.from_environ({"HOME": "/root", "DIAL_TIMOUT": "banana"}) == Config()


def test_reads_the_process_environment_by_default(monkeypatch):
    for name, _default, _meaning in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMPANY_NAME", "Globex")
    assert Config.from_environ().company_name == "Globex"


def test_config_cannot_be_changed_after_reading():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().dial_timeout = 30  # type: ignore[misc]


# Each variable ###############################################################

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
    ("OPENING_HOURS", "Sat 10:00-14:00", "hours", Hours.parse("Sat 10:00-14:00")),
    ("TIMEZONE", "Europe/London", "timezone", ZoneInfo("Europe/London")),
    ("TIMEZONE", "UTC", "timezone", ZoneInfo("UTC")),
    ("CLOSED_DATES", "2026-12-25", "closed_dates", frozenset({date(2026, 12, 25)})),
    (
        "CLOSED_DATES",
        "2026-12-25, 2027-01-01",
        "closed_dates",
        {date(2026, 12, 25), date(2027, 1, 1)},
    ),
    (
        "CLOSED_DATES",
        "2026-12-25 2027-01-01",
        "closed_dates",
        {date(2026, 12, 25), date(2027, 1, 1)},
    ),
    (
        "CLOSED_DATES",
        "2026-12-25,2027-01-01,",
        "closed_dates",
        {date(2026, 12, 25), date(2027, 1, 1)},
    ),
    ("CLOSED_DATES", ",", "closed_dates", frozenset()),
    ("VOICE", "Polly.Joanna", "voice", "Polly.Joanna"),
    ("LANGUAGES", "en-GB", "languages", ("en-GB",)),
    ("LANGUAGES", "en-US, es-US", "languages", ("en-US", "es-US")),
    ("LANGUAGES", "cmn-CN,", "languages", ("cmn-CN",)),
    ("VOICES", "en-US=Polly.Joanna", "voices", {"en-US": "Polly.Joanna"}),
    ("VOICES", " en-US = Polly.Joanna, ", "voices", {"en-US": "Polly.Joanna"}),
    ("MAX_RETRIES", "1", "max_retries", 1),
    ("MAX_RETRIES", "10", "max_retries", 10),
    ("VOICEMAIL_MAX_LENGTH", "5", "voicemail_max_length", 5),
    ("VOICEMAIL_MAX_LENGTH", "14400", "voicemail_max_length", 14400),
    ("TRANSCRIBE", "true", "transcribe", True),
    ("TWILIO_AUTH_TOKEN", "abc123", "auth_token", "abc123"),
    ("TWILIO_SHARED_KEY", "s3cret", "shared_key", "s3cret"),
    ("PUBLIC_URL", "https://ivr.example.com", "public_url", "https://ivr.example.com"),
    ("PUBLIC_URL", "https://ivr.example.com/", "public_url", "https://ivr.example.com"),
    ("PUBLIC_URL", "https://example.com/phone/", "public_url", "https://example.com/phone"),
    ("PUBLIC_URL", "http://localhost:8000", "public_url", "http://localhost:8000"),
    ("ALLOW_UNSIGNED", "true", "allow_unsigned", True),
    (
        "NOTIFY_URL",
        "https://hooks.example.com/T1/B2",
        "notify_url",
        "https://hooks.example.com/T1/B2",
    ),
    ("NOTIFY_URL", "http://127.0.0.1:9000/in", "notify_url", "http://127.0.0.1:9000/in"),
    ("NOTIFY_URL", "http://localhost/in", "notify_url", "http://localhost/in"),
]

# Email needs its three variables together; each is read with the other two set.
MAIL = {
    "SMTP_URL": "smtp://relay.example.com:25",
    "NOTIFY_EMAIL": "office@example.com",
    "MAIL_FROM": "phonetree@example.com",
}
MAIL_VALUES = [
    ("SMTP_URL", "smtp://relay:25", "smtp", MailServer("relay", 25, tls=False)),
    ("SMTP_URL", "smtp://relay", "smtp", MailServer("relay", 587, tls=False)),
    (
        "SMTP_URL",
        "smtp://me:pw@mail.example.com:587",
        "smtp",
        MailServer("mail.example.com", 587, tls=False, user="me", password="pw"),
    ),
    (
        "SMTP_URL",
        "smtps://me%40x.com:p%2Fw@mail.example.com",
        "smtp",
        MailServer("mail.example.com", 465, tls=True, user="me@x.com", password="p/w"),
    ),
    ("NOTIFY_EMAIL", "a@example.com", "notify_email", ("a@example.com",)),
    (
        "NOTIFY_EMAIL",
        "a@example.com, b@example.org;c@x.io",
        "notify_email",
        ("a@example.com", "b@example.org", "c@x.io"),
    ),
    ("MAIL_FROM", "ivr@example.com", "mail_from", "ivr@example.com"),
]


@pytest.mark.parametrize(("name", "raw", "field", "expected"), READ_VALUES)
def test_variable_is_read_into_its_field(name, raw, field, expected):
    assert getattr(Config.from_environ({name: raw}), field) == expected


@pytest.mark.parametrize(("name", "raw", "field", "expected"), MAIL_VALUES)
def test_mail_variable_is_read_into_its_field(name, raw, field, expected):
    assert getattr(Config.from_environ({**MAIL, name: raw}), field) == expected


@pytest.mark.parametrize(
    ("smtp_url", "starttls"),
    [
        ("smtp://relay:25", False),
        ("smtp://me:pw@h:587", True),
        ("smtp://h", True),
        ("smtp://me:pw@h:25", True),
        ("smtps://me:pw@h", False),
    ],
)
def test_starttls_is_used_unless_a_bare_relay_or_tls_from_the_start(smtp_url, starttls):
    assert Config.from_environ({**MAIL, "SMTP_URL": smtp_url}).smtp.starttls is starttls


@pytest.mark.parametrize("name", list(MAIL))
def test_email_needs_all_three_of_its_variables(name):
    environ = {other: value for other, value in MAIL.items() if other != name}
    assert f"email also needs {name}" in problem_for(environ)


def test_the_webhook_url_never_shows_in_a_repr():
    config = Config.from_environ({"NOTIFY_URL": "https://hooks.example.com/T1/hunter2"})
    assert "hunter2" not in repr(config)


def test_the_smtp_password_never_shows_in_a_repr():
    config = Config.from_environ({**MAIL, "SMTP_URL": "smtp://me:hunter2@h:587"})
    assert "hunter2" not in repr(config)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("SMTP_URL", "smtp://me:hunter2@h:notaport"),
        ("SMTP_URL", "http://me:hunter2@h"),
        ("NOTIFY_URL", "http://example.com/services/hunter2"),
    ],
)
def test_a_bad_secret_url_is_named_without_its_secret(name, raw):
    problem = problem_for({**MAIL, name: raw})
    assert problem.startswith(f"{name}=")
    assert "hunter2" not in problem


def test_no_delivery_channel_by_default():
    assert Config().delivers is False


@pytest.mark.parametrize("environ", [MAIL, {"NOTIFY_URL": "https://hooks.example.com/x"}])
def test_either_channel_delivers(environ):
    assert Config.from_environ(environ).delivers is True


def test_every_documented_variable_except_port_is_read():
    read = {name for name, _raw, _field, _expected in READ_VALUES + MAIL_VALUES}
    assert read == {name for name, _default, _meaning in SETTINGS} - set(SERVER_SETTINGS)


def test_every_config_field_has_a_variable():
    fields = {field for _name, _raw, field, _expected in READ_VALUES + MAIL_VALUES}
    assert fields == {field.name for field in dataclasses.fields(Config)}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("On", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
        ("OFF", False),
    ],
)
def test_transcribe_accepts_common_spellings_of_yes_and_no(raw, expected):
    assert Config.from_environ({"TRANSCRIBE": raw}).transcribe is expected


# Errors ######################################################################


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
        ("OPENING_HOURS", "Mon-Fri 9-5", "HH:MM-HH:MM"),
        ("TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("TIMEZONE", "America", "IANA time zone"),
        ("TIMEZONE", "america/new_york", "IANA time zone"),
        ("TIMEZONE", "../etc/passwd", "IANA time zone"),
        ("CLOSED_DATES", "2026-13-01", "'2026-13-01'"),
        ("CLOSED_DATES", "2026-02-30", "'2026-02-30'"),
        ("CLOSED_DATES", "25/12/2026", "ISO dates"),
        ("CLOSED_DATES", "20261225", "ISO dates"),
        ("LANGUAGES", "english", "language tags"),
        ("LANGUAGES", "en-US,en_US", "'en_US'"),
        ("LANGUAGES", "e", "language tags"),
        ("LANGUAGES", "en-US,en-US", "listed twice"),
        ("LANGUAGES", ",".join(f"e{c}" for c in "abcdefghij"), "at most 9 languages"),
        ("VOICES", "Polly.Lupe", "language=voice"),
        ("VOICES", "es-US=", "language=voice"),
        ("MAX_RETRIES", "0", "from 1 to 10"),
        ("MAX_RETRIES", "11", "from 1 to 10"),
        ("VOICEMAIL_MAX_LENGTH", "4", "from 5 to 14400"),
        ("VOICEMAIL_MAX_LENGTH", "14401", "from 5 to 14400"),
        ("TRANSCRIBE", "maybe", "true or false"),
        ("TRANSCRIBE", "2", "true or false"),
        ("PUBLIC_URL", "ivr.example.com", "http(s) URL"),
        ("PUBLIC_URL", "ftp://ivr.example.com", "http(s) URL"),
        ("PUBLIC_URL", "https://ivr.example.com/?a=1", "without ?query"),
        ("PUBLIC_URL", "https://ivr.example.com/#top", "#fragment"),
    ],
)
def test_bad_value_names_the_variable_the_value_and_what_is_expected(name, raw, expected):
    message = problem_for({name: raw})
    assert message.startswith(f"{name}={raw!r}: ")
    assert expected in message


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("SMTP_URL", "mail.example.com", "smtp://host:25"),
        ("SMTP_URL", "smtp://", "smtp://host:25"),
        ("SMTP_URL", "smtp://h/path", "smtp://host:25"),
        ("SMTP_URL", "smtp://me@h:587", "both a user and a password"),
        ("NOTIFY_EMAIL", "office", "'office'"),
        ("NOTIFY_EMAIL", "a@example.com, b@", "'b@'"),
        ("NOTIFY_EMAIL", ",", "expected e.g. office@example.com"),
        ("MAIL_FROM", "Phone Tree", "email address"),
        ("NOTIFY_URL", "ftp://hooks.example.com", "https URL"),
        ("NOTIFY_URL", "https://hooks.example.com/#x", "https URL"),
        ("NOTIFY_URL", "http://10.0.0.5/in", "only to a loopback address"),
    ],
)
def test_bad_delivery_value_names_the_variable_and_what_is_expected(name, raw, expected):
    message = problem_for({**MAIL, name: raw})
    assert message.startswith(f"{name}=")
    assert expected in message


def test_bad_time_zone_message_reads_in_full():
    message = problem_for({"TIMEZONE": "Mars/Olympus"})
    expected = "TIMEZONE='Mars/Olympus': not a known IANA time zone (for example America/New_York)"
    assert message == expected


def test_bad_closed_dates_are_all_named():
    message = problem_for({"CLOSED_DATES": "2026-12-25, 2026-13-01, christmas"})
    assert "'2026-13-01', 'christmas'" in message


def test_bad_value_is_reported_without_surrounding_blanks():
    assert problem_for({"MAX_RETRIES": "  99 "}).startswith("MAX_RETRIES='99': ")


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_every_bad_variable_is_reported_at_once_one_per_line_in_table_order():
    environ = {"TRANSCRIBE": "maybe", "DIAL_TIMEOUT": "x", "TIMEZONE": "Mars/Olympus"}
    lines = problem_for(environ).splitlines()
    assert [line.split("=")[0] for line in lines] == ["DIAL_TIMEOUT", "TIMEZONE", "TRANSCRIBE"]


def test_good_variables_do_not_hide_bad_ones():
    message = problem_for({"COMPANY_NAME": "Globex", "MAX_RETRIES": "0"})
    assert message.splitlines() == ["MAX_RETRIES='0': expected a whole number from 1 to 10"]


# Opening hours: syntax #######################################################

NINE_TO_SIX = ((time(9), time(18)),)


@pytest.mark.parametrize(
    ("text", "open_days"),
    [
        ("Mon-Fri 09:00-18:00", [0, 1, 2, 3, 4]),
        ("Mon,Wed,Fri 09:00-18:00", [0, 2, 4]),
        ("Mon, Wed, Fri 09:00-18:00", [0, 2, 4]),
        ("Sat-Sun 09:00-18:00", [5, 6]),
        ("Fri-Mon 09:00-18:00", [0, 4, 5, 6]),
        ("Sun-Mon 09:00-18:00", [0, 6]),
        ("Mon-Mon 09:00-18:00", [0]),
        ("Mon-Tue,Thu 09:00-18:00", [0, 1, 3]),
        ("mon-FRI 09:00-18:00", [0, 1, 2, 3, 4]),
        ("Monday-Friday 09:00-18:00", [0, 1, 2, 3, 4]),
        ("monday,WEDNESDAY 09:00-18:00", [0, 2]),
        ("  Tue   09:00-18:00 ; ", [1]),
    ],
)
def test_hours_parse_reads_days(text, open_days):
    week = Hours.parse(text).week
    assert week == tuple(NINE_TO_SIX if day in open_days else () for day in range(7))


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("Mon 08:30-12:00", ((time(8, 30), time(12)),)),
        ("Mon 8:30-12:00", ((time(8, 30), time(12)),)),
        ("Mon 08:30 - 12:00", ((time(8, 30), time(12)),)),
        ("Mon 00:00-23:59", ((time(0), time(23, 59)),)),
        ("Mon 18:00-24:00", ((time(18), time.max),)),
        ("Mon 09:00-12:00; Mon 13:00-17:00", ((time(9), time(12)), (time(13), time(17)))),
        ("Mon 13:00-17:00; Mon 09:00-12:00", ((time(9), time(12)), (time(13), time(17)))),
        ("Mon 09:00-12:00; Mon 12:00-17:00", ((time(9), time(12)), (time(12), time(17)))),
    ],
)
def test_hours_parse_reads_times_sorted(text, monday):
    assert Hours.parse(text).week[0] == monday


def test_hours_parse_reads_several_groups():
    week = Hours.parse("Mon-Fri 09:00-18:00; Sat 10:00-14:00").week
    assert week[4:] == (NINE_TO_SIX, ((time(10), time(14)),), ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no opening hours"),
        ("   ", "no opening hours"),
        (" ; ;", "no opening hours"),
        ("Mon-Fri", "'Mon-Fri' is not days and times"),
        ("09:00-18:00", "'09:00-18:00' is not days and times"),
        ("Mnday 09:00-17:00", "'Mnday' is not a day"),
        ("Tues 09:00-17:00", "'Tues' is not a day"),
        ("Mon- 09:00-17:00", "'' is not a day"),
        ("Mon Tue 09:00-17:00", "'Mon Tue' is not a day"),
        ("Mon-Fri-Sat 09:00-17:00", "'Fri-Sat' is not a day"),
        ("Mon 9-17", "'9-17' is not a time range"),
        ("Mon09:00-17:00", "'Mon09:00-17:00' is not days and times"),
        ("Mon 09:00-17:00x", "'09:00-17:00x' is not a time range"),
        ("Mon 9am-5pm", "'9am-5pm' is not a time range"),
        ("Mon 25:00-26:00", "'25:00-26:00' is not a time range"),
        ("Mon 09:60-17:00", "'09:60-17:00' is not a time range"),
        ("Mon 24:00-24:00", "'24:00-24:00' is not a time range"),
        ("Mon 18:00-09:00", "'18:00-09:00' does not close after it opens"),
        ("Mon 09:00-09:00", "'09:00-09:00' does not close after it opens"),
        ("Mon 09:00-12:00; Mon 11:00-17:00", "Monday 09:00-12:00 overlaps 11:00-17:00"),
        ("Mon-Fri 09:00-18:00; Wed 10:00-11:00", "Wednesday 09:00-18:00 overlaps 10:00-11:00"),
        ("Mon,Mon 09:00-10:00", "Monday 09:00-10:00 overlaps 09:00-10:00"),
        ("Mon-Fri 09:00-18:00; Sat 10-14", "'10-14' is not a time range"),
    ],
)
def test_hours_parse_error_names_the_variable_the_part_and_the_expected_form(text, expected):
    with pytest.raises(ConfigError) as caught:
        Hours.parse(text)
    message = str(caught.value)
    assert message.startswith(f"OPENING_HOURS={text!r}: ")
    assert expected in message
    assert "expected" in message


def test_bad_opening_hours_from_environment_names_the_variable():
    message = problem_for({"OPENING_HOURS": "Mon 18:00-09:00"})
    assert message.startswith("OPENING_HOURS='Mon 18:00-09:00': ")


# Opening hours: describe() ###################################################


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri 09:00-18:00", "Mondays through Fridays from 9 AM to 6 PM"),
        ("Sat 10:00-14:00", "Saturdays from 10 AM to 2 PM"),
        ("Sat-Sun 10:00-14:00", "Saturdays and Sundays from 10 AM to 2 PM"),
        ("Mon-Wed 09:00-17:00", "Mondays through Wednesdays from 9 AM to 5 PM"),
        ("Tue 08:30-12:45", "Tuesdays from 8:30 AM to 12:45 PM"),
        ("Tue 12:00-23:59", "Tuesdays from noon to 11:59 PM"),
        ("Sun 00:00-24:00", "Sundays, around the clock"),
        ("Mon-Sun 00:00-24:00", "every day, around the clock"),
        ("Sun-Sat 09:00-17:00", "every day from 9 AM to 5 PM"),
        ("Fri 00:30-01:00", "Fridays from 12:30 AM to 1 AM"),
        ("Sat-Mon 09:00-17:00", "Saturdays through Mondays from 9 AM to 5 PM"),
        ("Fri-Mon 10:00-14:00", "Fridays through Mondays from 10 AM to 2 PM"),
        ("Sun-Mon 10:00-14:00", "Sundays and Mondays from 10 AM to 2 PM"),
        ("Mon,Wed 09:00-17:00", "Mondays and Wednesdays from 9 AM to 5 PM"),
        ("Mon,Tue,Thu 09:00-17:00", "Mondays, Tuesdays, and Thursdays from 9 AM to 5 PM"),
        ("Mon-Wed,Fri 09:00-17:00", "Mondays through Wednesdays and Fridays from 9 AM to 5 PM"),
        ("Mon,Wed-Sun 09:00-17:00", "Wednesdays through Mondays from 9 AM to 5 PM"),
        ("Mon,Wed-Sat 09:00-17:00", "Mondays and Wednesdays through Saturdays from 9 AM to 5 PM"),
        (
            "Mon-Fri 09:00-18:00; Sat 10:00-14:00",
            "Mondays through Fridays from 9 AM to 6 PM and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Mon-Fri 08:30-17:30; Sat 10:00-14:00; Sun 12:00-16:00",
            "Mondays through Fridays from 8:30 AM to 5:30 PM, Saturdays from 10 AM to 2 PM, "
            "and Sundays from noon to 4 PM",
        ),
        (
            "Mon-Fri 09:00-12:00; Mon-Fri 13:00-17:00",
            "Mondays through Fridays from 9 AM to noon and from 1 PM to 5 PM",
        ),
        (
            "Mon-Fri 09:00-12:00; Mon-Fri 13:00-17:00; Sat 10:00-14:00",
            "Mondays through Fridays from 9 AM to noon and from 1 PM to 5 PM, "
            "and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Mon-Thu 09:00-18:00; Fri 09:00-17:00",
            "Mondays through Thursdays from 9 AM to 6 PM and Fridays from 9 AM to 5 PM",
        ),
        (
            "Mon,Wed,Fri 08:30-12:00; Sat 10:00-14:00",
            "Mondays, Wednesdays, and Fridays from 8:30 AM to noon, "
            "and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Mon-Sun 09:00-17:00; Wed 18:00-20:00",
            "every day from 9 AM to 5 PM, and Wednesdays also from 6 PM to 8 PM",
        ),
        (
            "Mon-Fri 09:00-12:00; Mon-Thu 13:00-17:00",
            "Mondays through Fridays from 9 AM to noon, "
            "and Mondays through Thursdays also from 1 PM to 5 PM",
        ),
        (
            "Mon-Fri 00:00-24:00; Sat 10:00-14:00",
            "Mondays through Fridays, around the clock, and Saturdays from 10 AM to 2 PM",
        ),
        (
            "Fri 22:00-24:00; Sat 00:00-02:00",
            "Fridays from 10 PM to midnight and Saturdays from midnight to 2 AM",
        ),
        (
            "Mon 09:00-10:00; Tue 10:00-11:00; Wed 11:00-12:00",
            "Mondays from 9 AM to 10 AM, Tuesdays from 10 AM to 11 AM, "
            "and Wednesdays from 11 AM to noon",
        ),
    ],
)
def test_describe_says_the_hours_in_words(text, expected):
    assert Hours.parse(text).describe() == expected


def test_default_hours_complete_the_existing_prompt():
    assert f"We are open {Config().hours.describe()}." == (
        "We are open Mondays through Fridays from 9 AM to 6 PM."
    )


def test_describe_of_a_week_without_hours_still_makes_a_sentence():
    assert NO_HOURS.describe() == "by appointment only"


# What a caller hears, read back: every valid OPENING_HOURS is said truly and unambiguously.

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPOKEN_DAYS = {day + "s": number for number, day in enumerate(DAY_NAMES)}


def spoken_time(words: list[str], closing: bool) -> time:
    word = words.pop(0)
    if word == "midnight":
        return time.max if closing else time(0)
    if word == "noon":
        return time(12)
    hour, _, minute = word.partition(":")
    pm = words.pop(0) == "PM"
    return time(int(hour) % 12 + 12 * pm, int(minute or 0))


def heard_week(spoken: str) -> tuple:
    """The week a listener takes from describe(): days, then their hours, phrase by phrase."""
    words = spoken.replace(",", " ,").split()
    week: list[set] = [set() for _ in DAY_NAMES]
    while words:
        days: list[int] = []
        while words and words[0] not in ("from", "around"):
            word = words.pop(0)
            if word == "every":
                words.pop(0)  # day
                days += range(7)
            elif word == "through":
                last = SPOKEN_DAYS[words.pop(0)]
                days += [(days[-1] + step) % 7 for step in range(1, (last - days[-1]) % 7 + 1)]
            elif word in SPOKEN_DAYS:
                days.append(SPOKEN_DAYS[word])
            else:
                assert word in (",", "and", "also"), spoken
        if words[0] == "around":
            del words[:3]  # around the clock
            hours = [(time(0), time.max)]
        else:
            hours = []
            while words[:1] == ["from"]:
                words.pop(0)
                opens = spoken_time(words, closing=False)
                assert words.pop(0) == "to", spoken
                hours.append((opens, spoken_time(words, closing=True)))
                if words[:2] == ["and", "from"]:
                    words.pop(0)
        for day in days:
            week[day] |= set(hours)
        while words and words[0] in (",", "and"):
            words.pop(0)
    return tuple(tuple(sorted(day)) for day in week)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def opening_hours(draw) -> str:
    """OPENING_HOURS of one to four groups: days as names, ranges (wrapping too) or lists."""
    day = st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    days = st.lists(st.one_of(day, st.tuples(day, day).map("-".join)), min_size=1, max_size=3)
    count = draw(st.integers(1, 4))
    # Half hours from 00:00 to 24:00; groups get times of their own, so that they never overlap,
    # or share the first group's times (then an overlap of days is refused, and skipped).
    bounds = sorted(draw(st.sets(st.integers(0, 48), min_size=2 * count, max_size=2 * count)))
    groups = []
    for index in range(count):
        opens, closes = bounds[2 * index : 2 * index + 2]
        if index and draw(st.booleans()):
            opens, closes = bounds[:2]
        groups.append(f"{','.join(draw(days))} {clock(opens * 30)}-{clock(closes * 30)}")
    return "; ".join(groups)


@given(opening_hours())
@settings(max_examples=300, deadline=None)
def test_the_spoken_hours_are_the_opening_hours(text):
    try:
        hours = Hours.parse(text)
    except ConfigError:
        assume(False)  # overlapping groups
    spoken = hours.describe()
    assert heard_week(spoken) == hours.week, spoken
    assert not re.search(r"\b12 [AP]M|\b0\d", spoken)  # midnight and noon by name, no 09


@pytest.mark.parametrize("text", ["Mon-Sun 09:00-17:00; Wed 18:00-20:00", "Sat-Mon 09:00-17:00"])
def test_the_reader_of_spoken_hours_tells_different_weeks_apart(text):
    assert heard_week(Hours.parse(text).describe()) != Hours.parse("Mon-Sun 09:00-17:00").week


# Opening hours: is_open_at() #################################################

DEFAULT_HOURS = Hours.parse("Mon-Fri 09:00-18:00")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (january(MONDAY, 9, 0), True),
        (january(MONDAY, 8, 59), False),
        (january(MONDAY, 12, 0), True),
        (january(MONDAY, 17, 59), True),
        (datetime(2026, 1, MONDAY, 17, 59, 59, 999999), True),
        (january(MONDAY, 18, 0), False),
        (january(MONDAY, 0, 0), False),
        (january(FRIDAY, 17, 59), True),
        (january(SATURDAY, 12, 0), False),
        (january(SUNDAY, 12, 0), False),
    ],
)
def test_default_hours_are_open_from_nine_until_just_before_six_on_weekdays(moment, expected):
    assert DEFAULT_HOURS.is_open_at(moment) is expected


def test_is_open_at_uses_the_wall_clock_of_an_aware_moment():
    assert DEFAULT_HOURS.is_open_at(january(MONDAY, 9, 0, ZoneInfo("Asia/Tokyo"))) is True


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (january(MONDAY, 17, 59), False),
        (january(MONDAY, 18, 0), True),
        (datetime(2026, 1, MONDAY, 23, 59, 59, 999999), True),
        (january(TUESDAY, 0, 0), False),
    ],
)
def test_closing_at_24_00_stays_open_until_midnight(moment, expected):
    assert Hours.parse("Mon 18:00-24:00").is_open_at(moment) is expected


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(11, 59, True), (12, 0, False), (12, 59, False), (13, 0, True), (17, 0, False)],
)
def test_split_shift_is_closed_between_its_intervals(hour, minute, expected):
    hours = Hours.parse("Mon 09:00-12:00; Mon 13:00-17:00")
    assert hours.is_open_at(january(MONDAY, hour, minute)) is expected


def test_a_week_without_hours_is_never_open():
    assert NO_HOURS.is_open_at(january(MONDAY, 12)) is False


# Config.is_open() and now() ##################################################


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # January is standard time in New York: UTC-5.
        (january(MONDAY, 13, 30, UTC), False),
        (january(MONDAY, 14, 30, UTC), True),
        (january(MONDAY, 14, 0, UTC), True),
        (january(MONDAY, 22, 59, UTC), True),
        (january(MONDAY, 23, 0, UTC), False),
        # Saturday 02:00 UTC is still Friday evening in New York.
        (january(SATURDAY, 2, 0, UTC), False),
    ],
)
def test_is_open_converts_utc_to_the_business_time_zone(moment, expected):
    assert Config().is_open(moment) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Summer is daylight time in New York: UTC-4.
        (datetime(2026, 7, 6, 13, 0, tzinfo=UTC), True),
        (datetime(2026, 7, 6, 12, 59, tzinfo=UTC), False),
        (datetime(2026, 7, 6, 21, 59, tzinfo=UTC), True),
        (datetime(2026, 7, 6, 22, 0, tzinfo=UTC), False),
        # Daylight time starts on Sunday 2026-03-08: the same UTC time opens an hour earlier.
        (datetime(2026, 3, 6, 13, 30, tzinfo=UTC), False),
        (datetime(2026, 3, 9, 13, 30, tzinfo=UTC), True),
        # and ends on Sunday 2026-11-01.
        (datetime(2026, 10, 30, 13, 30, tzinfo=UTC), True),
        (datetime(2026, 11, 2, 13, 30, tzinfo=UTC), False),
    ],
)
def test_is_open_follows_daylight_saving_time(moment, expected):
    assert Config().is_open(moment) is expected


def test_is_open_takes_the_weekday_in_the_business_time_zone():
    config = Config(hours=Hours.parse("Fri 20:00-23:00"))
    assert config.is_open(january(SATURDAY, 2, 0, UTC)) is True


def test_is_open_reads_a_naive_moment_as_business_wall_clock_time():
    assert Config().is_open(january(MONDAY, 9, 0)) is True


def test_is_open_uses_the_configured_time_zone():
    config = Config(timezone=ZoneInfo("Europe/London"))
    assert config.is_open(january(MONDAY, 9, 0, UTC)) is True


CHRISTMAS = frozenset({date(2026, 12, 25)})


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 25, 12, 0, tzinfo=NEW_YORK), False),
        (datetime(2026, 12, 24, 12, 0, tzinfo=NEW_YORK), True),
        (datetime(2026, 12, 28, 12, 0, tzinfo=NEW_YORK), True),
        (datetime(2026, 12, 25, 12, 0), False),
    ],
)
def test_is_open_is_false_all_day_on_a_closed_date(moment, expected):
    assert Config(closed_dates=CHRISTMAS).is_open(moment) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 25, 3, 0, tzinfo=UTC), True),  # 24 December, 22:00 in New York
        (datetime(2026, 12, 26, 3, 0, tzinfo=UTC), False),  # 25 December, 22:00 in New York
    ],
)
def test_closed_dates_are_days_in_the_business_time_zone(moment, expected):
    config = Config(hours=Hours.parse("Mon-Sun 00:00-24:00"), closed_dates=CHRISTMAS)
    assert config.is_open(moment) is expected


def test_now_converts_the_clock_to_the_business_time_zone():
    now = Config().now(lambda: january(MONDAY, 14, 30, UTC))
    assert (now.hour, now.minute, now.tzinfo) == (9, 30, NEW_YORK)


def test_now_reads_the_real_clock_by_default():
    now = Config().now()
    assert now.tzinfo == NEW_YORK
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_now_refuses_a_clock_without_a_time_zone():
    with pytest.raises(ValueError, match="aware"):
        Config().now(lambda: january(MONDAY, 9))


# Signatures ##################################################################


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"TWILIO_AUTH_TOKEN": "abc123"}, True),
        ({"TWILIO_SHARED_KEY": "s3cret"}, True),
        ({"TWILIO_AUTH_TOKEN": "abc123", "TWILIO_SHARED_KEY": "s3cret"}, True),
    ],
)
def test_signatures_are_checked_when_a_secret_is_set(environ, expected):
    assert Config.from_environ(environ).validates_signatures is expected


# SETTINGS and the README table ###############################################


def test_settings_names_are_unique():
    names = [name for name, _default, _meaning in SETTINGS]
    assert len(names) == len(set(names))


def test_settings_lists_the_server_port():
    assert ("PORT", "8000", "TCP port the server listens on") in SETTINGS


@pytest.mark.parametrize(
    ("name", "default"),
    [(name, default) for name, default, _ in SETTINGS if default and name not in SERVER_SETTINGS],
)
def test_documented_default_reads_back_as_the_config_default(name, default):
    assert Config.from_environ({name: default}) == Config()


@pytest.mark.parametrize(("name", "default", "meaning"), SETTINGS)
def test_every_setting_has_a_one_line_meaning(name, default, meaning):
    assert meaning.strip()
    assert "\n" not in meaning


def test_settings_table_is_a_markdown_table_with_a_row_per_setting():
    lines = settings_table().splitlines()
    assert lines[:2] == ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    assert len(lines) == 2 + len(SETTINGS)


@pytest.mark.parametrize(
    "row",
    [
        "| `DIAL_TIMEOUT` | `20` | Seconds to ring the receptionist, 5 to 600 |",
        "| `CALLER_ID` | (unset) | E.164 caller ID for forwarded calls (unset: Twilio's default) |",
        "| `PORT` | `8000` | TCP port the server listens on |",
    ],
)
def test_settings_table_shows_variable_default_and_meaning(row):
    assert row in settings_table().splitlines()


def test_transcription_needs_a_voicemail_twilio_can_transcribe():
    environ = {"TRANSCRIBE": "true", "VOICEMAIL_MAX_LENGTH": "300"}
    with pytest.raises(ConfigError, match="TRANSCRIBE=true: needs VOICEMAIL_MAX_LENGTH"):
        Config.from_environ(environ)


def test_transcription_with_a_short_voicemail_is_accepted():
    environ = {"TRANSCRIBE": "yes", "VOICEMAIL_MAX_LENGTH": "60"}
    assert Config.from_environ(environ).transcribe is True


@pytest.mark.parametrize(("raw", "level"), [("", "INFO"), ("debug", "DEBUG"), (" Error ", "ERROR")])
def test_log_level_reads_the_known_levels(raw, level):
    assert log_level({"LOG_LEVEL": raw}) == level


@pytest.mark.parametrize("raw", ["verbose", "5", "CRITICAL!"])
def test_an_unknown_log_level_is_an_error_naming_it(raw):
    with pytest.raises(ConfigError, match="LOG_LEVEL="):
        log_level({"LOG_LEVEL": raw})


@pytest.mark.parametrize(("raw", "number"), [("", 8000), ("5000", 5000), ("65535", 65535)])
def test_port_reads_a_tcp_port(raw, number):
    assert port({"PORT": raw}) == number


@pytest.mark.parametrize("raw", ["http", "0", "65536", "80.5"])
def test_a_bad_port_is_an_error_naming_it(raw):
    with pytest.raises(ConfigError, match="PORT="):
        port({"PORT": raw})


def test_check_environ_reports_every_bad_variable_the_server_reads():
    environ = {"DIAL_TIMEOUT": "abc", "PORT": "abc", "LOG_LEVEL": "verbose"}
    with pytest.raises(ConfigError) as caught:
        check_environ(environ)
    named = [line.partition("=")[0] for line in str(caught.value).splitlines()]
    assert named == ["DIAL_TIMEOUT", "PORT", "LOG_LEVEL"]


def test_check_environ_without_the_port_leaves_port_to_whoever_sets_it():
    check_environ({"PORT": "abc"}, with_port=False)


def test_check_environ_accepts_the_defaults():
    check_environ({})


def test_a_voice_for_a_language_not_listed_is_refused():
    with pytest.raises(ConfigError, match="VOICES: es-US not in LANGUAGES"):
        Config.from_environ({"VOICES": "es-US=Polly.Lupe"})


def test_a_voice_per_language():
    config = Config.from_environ(
        {"LANGUAGES": "en-US,es-US", "VOICE": "Polly.Joanna", "VOICES": "es-US=Polly.Lupe"}
    )
    assert (config.voice_for("en-US"), config.voice_for("es-US")) == ("Polly.Joanna", "Polly.Lupe")


@pytest.mark.parametrize(
    ("hours", "spoken"),
    [
        ("Mon-Fri 09:00-18:00", "de lunes a viernes de 9 de la mañana a 6 de la tarde"),
        ("Sat 10:30-14:00", "los sábados de 10:30 de la mañana a 2 de la tarde"),
        (
            "Mon-Tue 08:00-12:00; Mon-Tue 13:00-24:00",
            "los lunes y martes de 8 de la mañana a mediodía y de 1 de la tarde a medianoche",
        ),
        (
            "Mon 09:00-17:00; Fri 20:00-23:00",
            "los lunes de 9 de la mañana a 5 de la tarde y los viernes de 8 de la noche a "
            "11 de la noche",
        ),
    ],
)
def test_hours_are_described_in_spanish(hours, spoken):
    assert Hours.parse(hours).describe("es-US") == spoken
