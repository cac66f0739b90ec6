"""The engine's settings: each variable read, checked and frozen; a tree's read beside them.

The tree here is the office (``trees/office.py``) with settings of its own; the shipped tree's
business settings are tested in ``tests/tree/test_settings.py``, its hours as said in
``tests/tree/test_hours_said.py``, and the hours themselves in ``test_hours.py``.
"""

import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from phonetree_engine.carriers import twilio
from phonetree_engine.delivery import Delivery, email, post
from phonetree_engine.delivery.email import MailServer
from phonetree_engine.delivery.post import Endpoint
from phonetree_engine.hours import Hours
from phonetree_engine.settings import (
    CALLING,
    SERVER,
    SIGNATURES,
    Config,
    ConfigError,
    Group,
    Setting,
    check_environ,
    engine_groups,
    integer,
    log_level,
    port,
    redacted,
    settings_table,
    url_without_secrets,
)
from phonetree_engine.web import make_app
from tests.engine.trees import office
from tests.servers import LEFT_OUT

UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")
# 2026-01-05 is a Monday; the days after it follow the week.
MONDAY, TUESDAY, FRIDAY, SATURDAY, SUNDAY = 5, 6, 9, 10, 11
# The groups whose every variable this file reads (the other carriers' are test_carriers.py's).
COVERED = (CALLING, SIGNATURES, twilio.GROUP, email.GROUP, post.GROUP)


def january(day: int, hour: int, minute: int = 0, tz=None) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=tz)


def problem_for(environ: dict[str, str], group: Group | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        Config.from_environ(environ, group)
    return str(caught.value)


def declared(groups=None) -> list[Setting]:
    """The engine's settings that a Config holds (the server's are read apart)."""
    return [s for g in groups or engine_groups() if g is not SERVER for s in g.settings]


def values(config: Config) -> dict:
    """Every engine setting's value in ``config``: what makes two configs the same."""
    return {setting.field: getattr(config, setting.field) for setting in declared()}


# Defaults ####################################################################


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("languages", ("en-US",)),
        ("voice", None),
        ("voices", {}),
        ("max_retries", 3),
        ("opening_hours", Hours.parse("Mon-Fri 09:00-18:00")),
        ("timezone", NEW_YORK),
        ("closed_dates", frozenset()),
        ("voicemail_max_length", 120),
        ("transcribe", False),
        ("provider", "twilio"),
        ("secret_key", None),
        ("public_url", None),
        ("allow_unsigned", False),
        ("twilio_auth_token", None),
        ("twilio_shared_key", None),
        ("smtp_url", None),
        ("notify_email", ()),
        ("mail_from", None),
        ("notify_url", None),
    ],
)
def test_empty_environment_gives_the_default(field, expected):
    assert getattr(Config.from_environ({}), field) == expected


def test_empty_environment_equals_the_plain_constructor():
    assert values(Config.from_environ({})) == values(Config())


def test_empty_and_blank_values_count_as_unset():
    environ = {"MAX_RETRIES": "", "TIMEZONE": "   ", "OPENING_HOURS": "", "TRANSCRIBE": "\t"}
    assert values(Config.from_environ(environ)) == values(Config())


def test_unknown_variables_are_ignored():
    environ = {"HOME": "/root", "MAX_RETRIS": "banana"}
    assert values(Config.from_environ(environ)) == values(Config())


def test_reads_the_process_environment_by_default(monkeypatch):
    for name in LEFT_OUT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VOICE", "Polly.Joanna")
    monkeypatch.setenv("OFFICE_NAME", "Globex")
    config = Config.from_environ(group=office.SETTINGS)
    assert (config.voice, config.office_name) == ("Polly.Joanna", "Globex")


def test_config_cannot_be_changed_after_reading():
    config = Config()
    with pytest.raises(AttributeError, match="frozen"):
        config.max_retries = 5
    assert config.max_retries == 3


def test_replace_makes_another_config_and_keeps_the_first():
    first = Config(max_retries=4)
    second = first.replace(voice="Polly.Joanna")
    assert (first.voice, second.voice, second.max_retries) == (None, "Polly.Joanna", 4)


def test_a_value_no_setting_declares_is_named():
    with pytest.raises(AttributeError, match=r"no setting NO_SUCH \(config.no_such\)"):
        _ = Config().no_such
    assert Config(max_retires=4).unknown(None) == ["max_retires"]
    assert Config(office_name="Globex").unknown(office.SETTINGS) == []


# A tree's own settings, read with the engine's ##############################


def test_a_trees_settings_are_read_with_the_engines():
    config = Config.from_environ({"OFFICE_NAME": "Globex", "DESK_SECONDS": "30"}, office.SETTINGS)
    assert (config.office_name, config.desk_seconds, config.help_queue) == (
        "Globex",
        30,
        "helpdesk",
    )


def test_a_trees_settings_are_not_read_without_its_group():
    config = Config.from_environ({"OFFICE_NAME": "Globex"})
    with pytest.raises(AttributeError):
        _ = config.office_name


def test_completed_fills_in_a_trees_defaults_and_keeps_what_was_given():
    config = Config(office_name="Globex").completed(office.SETTINGS)
    assert (config.office_name, config.desk_seconds) == ("Globex", 15)


def test_a_misspelt_setting_given_to_the_app_stops_it():
    with pytest.raises(ConfigError, match=r"Config\(\): no setting OFICE_NAME"):
        make_app(office.TREE, Config(ofice_name="Globex"))


def test_a_value_given_to_the_app_wins_over_the_trees_own_default():
    defaults = {"OFFICE_NAME": "Initech", "LANGUAGES": "fr-CA", "DESK_SECONDS": "40"}
    config = Config(office_name="Globex", languages=("es-US",)).completed(office.SETTINGS, defaults)
    assert (config.office_name, config.languages, config.desk_seconds) == ("Globex", ("es-US",), 40)


def test_a_trees_own_defaults_stand_in_for_unset_variables():
    defaults = {"OPENING_HOURS": "Sat 10:00-14:00", "DESK_SECONDS": "40"}
    config = Config.from_environ({"DESK_SECONDS": "20"}, office.SETTINGS, defaults)
    assert (config.opening_hours, config.desk_seconds) == (Hours.parse("Sat 10:00-14:00"), 20)


def test_a_blank_default_of_the_tree_counts_as_unset_as_a_blank_variable_does():
    defaults = {"DESK_SECONDS": "  "}
    read = Config.from_environ({}, office.SETTINGS, defaults)
    completed = Config().completed(office.SETTINGS, defaults)
    assert read.desk_seconds == completed.desk_seconds == 15


def test_a_trees_default_is_read_as_a_variable_is_spaces_and_all():
    config = Config.from_environ({}, office.SETTINGS, {"TIMEZONE": " Europe/London\n"})
    assert config.timezone == ZoneInfo("Europe/London")


@pytest.mark.parametrize("given", [{}, Config()], ids=["variables", "a Config"])
def test_a_misspelt_name_in_the_trees_defaults_stops_the_app_and_says_which(given):
    tree = replace(office.TREE, defaults={"OPENING_HOUR": "Sat 10:00-14:00"})
    with pytest.raises(
        ConfigError, match="'OPENING_HOUR' is no setting; did you mean OPENING_HOURS"
    ):
        make_app(tree, given)


def test_a_bad_default_of_the_tree_is_named_as_the_trees_even_where_a_variable_is_set():
    # A deploy that unsets the variable one day would otherwise stop then, on a live line.
    with pytest.raises(ConfigError) as stopped:
        Config.from_environ({"DESK_SECONDS": "20"}, office.SETTINGS, {"DESK_SECONDS": "1"})
    assert str(stopped.value).startswith(
        "the tree's defaults (Tree(defaults=...)): DESK_SECONDS='1'"
    )


@pytest.mark.parametrize(
    ("defaults", "said"),
    [
        ({"PORT": "8000"}, "PORT is read from the environment only"),
        ({"DESK_SECONDS": 40}, "DESK_SECONDS=40: expected text, as a variable would give it"),
    ],
)
def test_the_trees_defaults_hold_text_for_the_apps_settings_only(defaults, said):
    with pytest.raises(ConfigError, match=re.escape(said)):
        check_environ({}, office.SETTINGS, defaults=defaults)


# Each variable ###############################################################

READ_VALUES = [
    ("OPENING_HOURS", "Sat 10:00-14:00", "opening_hours", Hours.parse("Sat 10:00-14:00")),
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
    ("MAX_RETRIES", "+10", "max_retries", 10),
    ("VOICEMAIL_MAX_LENGTH", "5", "voicemail_max_length", 5),
    ("VOICEMAIL_MAX_LENGTH", "14400", "voicemail_max_length", 14400),
    ("TRANSCRIBE", "true", "transcribe", True),
    ("PROVIDER", "Twilio", "provider", "twilio"),
    ("TWILIO_AUTH_TOKEN", "abc123", "twilio_auth_token", "abc123"),
    ("TWILIO_SHARED_KEY", "s3cret", "twilio_shared_key", "s3cret"),
    ("SECRET_KEY", "seal me", "secret_key", "seal me"),
    ("PUBLIC_URL", "https://ivr.example.com", "public_url", "https://ivr.example.com"),
    ("PUBLIC_URL", "https://ivr.example.com/", "public_url", "https://ivr.example.com"),
    ("PUBLIC_URL", "https://example.com/phone/", "public_url", "https://example.com/phone"),
    ("PUBLIC_URL", "http://localhost:8000", "public_url", "http://localhost:8000"),
    ("ALLOW_UNSIGNED", "true", "allow_unsigned", True),
    (
        "NOTIFY_URL",
        "https://hooks.example.com/T1/B2",
        "notify_url",
        Endpoint("https", "hooks.example.com", None, "/T1/B2"),
    ),
    (
        "NOTIFY_URL",
        "http://127.0.0.1:9000/in",
        "notify_url",
        Endpoint("http", "127.0.0.1", 9000, "/in"),
    ),
    ("NOTIFY_URL", "http://localhost", "notify_url", Endpoint("http", "localhost", None, "/")),
    (
        "NOTIFY_URL",
        "https://me%40x.com:p%2Fw@hooks.example.com/in?k=1",
        "notify_url",
        Endpoint("https", "hooks.example.com", None, "/in?k=1", "me@x.com", "p/w"),
    ),
    (
        "NOTIFY_URL",
        "https://[2001:db8::1]:8443/in",
        "notify_url",
        Endpoint("https", "2001:db8::1", 8443, "/in"),
    ),
]

# Email needs its three variables together; each is read with the other two set.
MAIL = {
    "SMTP_URL": "smtp://relay.example.com:25",
    "NOTIFY_EMAIL": "office@example.com",
    "MAIL_FROM": "phonetree@example.com",
}
MAIL_VALUES = [
    ("SMTP_URL", "smtp://relay:25", "smtp_url", MailServer("relay", 25, tls=False)),
    ("SMTP_URL", "smtp://relay", "smtp_url", MailServer("relay", 587, tls=False)),
    (
        "SMTP_URL",
        "smtp://me:pw@mail.example.com:587",
        "smtp_url",
        MailServer("mail.example.com", 587, tls=False, user="me", password="pw"),
    ),
    (
        "SMTP_URL",
        "smtps://me%40x.com:p%2Fw@mail.example.com",
        "smtp_url",
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
    assert Config.from_environ({**MAIL, "SMTP_URL": smtp_url}).smtp_url.starttls is starttls


@pytest.mark.parametrize("name", list(MAIL))
def test_email_needs_all_three_of_its_variables(name):
    environ = {other: value for other, value in MAIL.items() if other != name}
    assert f"email also needs {name}" in problem_for(environ)


def test_every_variable_of_the_groups_covered_here_is_read():
    read = {name for name, _raw, _field, _expected in READ_VALUES + MAIL_VALUES}
    assert read == {setting.name for setting in declared(COVERED)}


def test_every_engine_group_is_covered_here_or_apart():
    from phonetree_engine.carriers import carrier_groups

    apart = [*carrier_groups(), SERVER]  # the carriers' (test_carriers.py), the server's (below)
    assert [g for g in engine_groups() if g not in COVERED and g not in apart] == []


def test_every_config_value_is_a_declared_setting():
    assert Config().unknown(None) == []
    assert values(Config()).keys() == {setting.field for setting in declared()}


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


# Secrets #####################################################################


def test_the_post_urls_path_and_password_never_show_in_a_repr():
    config = Config.from_environ({"NOTIFY_URL": "https://me:pa55w0rd@hooks.example.com/T1/hunter2"})
    assert "hunter2" not in repr(config)
    assert "pa55w0rd" not in repr(config)


def test_the_smtp_password_never_shows_in_a_repr():
    config = Config.from_environ({**MAIL, "SMTP_URL": "smtp://me:hunter2@h:587"})
    assert "hunter2" not in repr(config)


@pytest.mark.parametrize("name", ["TWILIO_AUTH_TOKEN", "TWILIO_SHARED_KEY", "SECRET_KEY"])
def test_a_secret_never_shows_in_a_repr(name):
    config = Config.from_environ({name: "hunter2"})
    assert "hunter2" not in repr(config)
    assert "(hidden)" in repr(config)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("SMTP_URL", "smtp://me:hunter2@h:notaport"),
        ("SMTP_URL", "http://me:hunter2@h"),
        ("NOTIFY_URL", "http://example.com/services/hunter2"),
        ("NOTIFY_URL", "https://me:hunter2@hooks.example.com:x/T1"),
    ],
)
def test_a_bad_secret_url_is_named_without_its_secret(name, raw):
    problem = problem_for({**MAIL, name: raw})
    assert problem.startswith(f"{name}=")
    assert "hunter2" not in problem


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("https://hooks.example.com/T1/B2", "https://hooks.example.com/..."),
        ("https://me:p/a#s?s@w@hooks.example.com/T1", "https://***@hooks.example.com/..."),
        ("smtp://me:pw@[::1]:25", "smtp://***@[::1]:25"),
        ("smtp://me:pw@host:notaport", "smtp://***@..."),
        ("hooks.example.com/T1", "(hidden: not a URL)"),
        ("https://[/T1", "https://.../..."),
    ],
)
def test_a_url_is_shown_with_its_scheme_and_host_only(raw, shown):
    assert url_without_secrets(raw) == shown


def test_redacted_hides_a_secret_whole_and_a_url_but_its_host():
    token = Setting("TOKEN", str, secret=True)
    url = Setting("URL", str, shown=url_without_secrets)
    assert redacted(token, "hunter2") == "(hidden)"
    assert redacted(url, "https://me:pw@h.example.com/x") == "https://***@h.example.com/..."
    assert redacted(Setting("PLAIN", str), "as is") == "as is"
    assert redacted(None, "as is") == "as is"


# The channels a config makes #################################################


def test_no_delivery_channel_by_default():
    assert Delivery.from_config(Config()).names == []


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        (MAIL, ["email"]),
        ({"NOTIFY_URL": "https://hooks.example.com/x"}, ["post"]),
        ({**MAIL, "NOTIFY_URL": "https://hooks.example.com/x"}, ["email", "post"]),
    ],
)
def test_each_configured_channel_delivers(environ, names):
    assert Delivery.from_config(Config.from_environ(environ)).names == names


# Errors ######################################################################


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("OPENING_HOURS", "Mon-Fri 9-5", "HH:MM-HH:MM"),
        ("OPENING_HOURS", "Mon 18:00-09:00", "does not close after it opens"),
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
        ("LANGUAGES", ",", "not language tags: none"),
        ("LANGUAGES", "en-US,en-US", "listed twice"),
        ("LANGUAGES", ",".join(f"e{c}" for c in "abcdefghij"), "at most 9 languages"),
        ("VOICES", "Polly.Lupe", "language=voice"),
        ("VOICES", "es-US=", "language=voice"),
        ("VOICES", "spanish=Polly.Lupe", "'spanish=Polly.Lupe' is not language=voice"),
        ("MAX_RETRIES", "0", "from 1 to 10"),
        ("MAX_RETRIES", "11", "from 1 to 10"),
        ("MAX_RETRIES", "ten", "whole number"),
        ("MAX_RETRIES", "2.5", "whole number"),
        ("MAX_RETRIES", "1e1", "whole number"),
        ("MAX_RETRIES", "9" * 5000, "whole number"),
        ("VOICEMAIL_MAX_LENGTH", "4", "from 5 to 14400"),
        ("VOICEMAIL_MAX_LENGTH", "14401", "from 5 to 14400"),
        ("VOICEMAIL_MAX_LENGTH", "two", "whole number of seconds"),
        ("TRANSCRIBE", "maybe", "true or false"),
        ("TRANSCRIBE", "2", "true or false"),
        ("ALLOW_UNSIGNED", "sure", "true or false"),
        ("PROVIDER", "vonage", "expected one of twilio"),
        ("PUBLIC_URL", "ivr.example.com", "http(s) URL"),
        ("PUBLIC_URL", "ftp://ivr.example.com", "http(s) URL"),
        ("PUBLIC_URL", "https://ivr.example.com/?a=1", "?query"),
        ("PUBLIC_URL", "https://ivr.example.com/#top", "#fragment"),
        ("PUBLIC_URL", "https://me@ivr.example.com", "without user"),
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
        ("NOTIFY_URL", "https://:pw@hooks.example.com/x", "the user is empty"),
    ],
)
def test_bad_delivery_value_names_the_variable_and_what_is_expected(name, raw, expected):
    message = problem_for({**MAIL, name: raw})
    assert message.startswith(f"{name}=")
    assert expected in message


@pytest.mark.parametrize(
    ("name", "raw"),
    [("SMTP_URL", "smtp://relay.example.com:99999"), ("NOTIFY_URL", "https://h.example:99999/x")],
)
def test_a_port_no_tcp_port_can_be_is_refused_at_start(name, raw):
    message = problem_for({**MAIL, name: raw})
    assert message.startswith(f"{name}=")


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
    environ = {"TRANSCRIBE": "maybe", "MAX_RETRIES": "x", "TIMEZONE": "Mars/Olympus"}
    lines = problem_for(environ).splitlines()
    assert [line.split("=")[0] for line in lines] == ["MAX_RETRIES", "TIMEZONE", "TRANSCRIBE"]


def test_a_trees_bad_variables_follow_the_engines_in_the_same_report():
    environ = {"DESK_SECONDS": "2", "TIMEZONE": "Mars/Olympus", "OFFICE_NAME": "Globex"}
    lines = problem_for(environ, office.SETTINGS).splitlines()
    assert [line.split("=")[0] for line in lines] == ["TIMEZONE", "DESK_SECONDS"]
    assert lines[1] == "DESK_SECONDS='2': expected a whole number from 5 to 120"


def test_good_variables_do_not_hide_bad_ones():
    message = problem_for({"VOICE": "Polly.Joanna", "MAX_RETRIES": "0"})
    assert message.splitlines() == ["MAX_RETRIES='0': expected a whole number from 1 to 10"]


def test_bad_opening_hours_from_environment_names_the_variable():
    message = problem_for({"OPENING_HOURS": "Mon 18:00-09:00"})
    assert message.startswith("OPENING_HOURS='Mon 18:00-09:00': ")


@pytest.mark.parametrize(("raw", "number"), [("5", 5), ("+7", 7), ("-3", -3)])
def test_integer_reads_whole_numbers_within_its_bounds(raw, number):
    assert integer(-5, 10)(raw) == number


@pytest.mark.parametrize("raw", ["11", "-6", "1_0", "0x5", " 5", ""])
def test_integer_refuses_anything_else(raw):
    with pytest.raises(ValueError, match="expected a whole number from -5 to 10"):
        integer(-5, 10)(raw)


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
    config = Config(opening_hours=Hours.parse("Fri 20:00-23:00"))
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
    config = Config(opening_hours=Hours.parse("Mon-Sun 00:00-24:00"), closed_dates=CHRISTMAS)
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


# Signatures and the seal #####################################################


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"TWILIO_AUTH_TOKEN": "abc123"}, True),
        ({"TWILIO_SHARED_KEY": "s3cret"}, True),
        ({"TWILIO_AUTH_TOKEN": "abc123", "TWILIO_SHARED_KEY": "s3cret"}, True),
        ({"SECRET_KEY": "seal"}, False),
    ],
)
def test_signatures_are_checked_when_a_signing_secret_is_set(environ, expected):
    assert Config.from_environ(environ).validates_signatures is expected


def test_the_seal_key_comes_from_secret_key_first_then_the_signing_secret():
    sealed = Config.from_environ({"SECRET_KEY": "a", "TWILIO_AUTH_TOKEN": "b"}).seal_key
    assert sealed == Config.from_environ({"SECRET_KEY": "a"}).seal_key
    assert sealed != Config.from_environ({"TWILIO_AUTH_TOKEN": "b"}).seal_key
    assert Config.from_environ({"TWILIO_AUTH_TOKEN": "b"}).seal_key is not None
    assert Config().seal_key is None


def test_the_seal_key_is_not_the_secret_itself():
    assert b"hunter2" not in Config.from_environ({"SECRET_KEY": "hunter2"}).seal_key


# Declarations and the table ##################################################


def test_settings_names_are_unique_across_the_engine_and_a_tree():
    names = [s.name for g in [*engine_groups(), office.SETTINGS] for s in g.settings]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "setting",
    [s for s in declared() + list(office.SETTINGS.settings) if s.default],
    ids=lambda setting: setting.name,
)
def test_a_declared_default_reads_back_as_the_config_default(setting):
    config = Config.from_environ({setting.name: setting.default}, office.SETTINGS)
    default = Config().completed(office.SETTINGS)
    assert getattr(config, setting.field) == getattr(default, setting.field)


@pytest.mark.parametrize(
    "setting",
    [s for g in [*engine_groups(), office.SETTINGS] for s in g.settings],
    ids=lambda setting: setting.name,
)
def test_every_setting_has_a_one_line_meaning(setting):
    assert setting.help.strip()
    assert "\n" not in setting.help


def test_settings_table_is_a_markdown_table_with_a_heading_per_group_and_a_row_per_setting():
    groups = [*engine_groups(), office.SETTINGS]
    lines = settings_table(groups).splitlines()
    assert lines[:2] == ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    assert len(lines) == 2 + len(groups) + sum(len(g.settings) for g in groups)
    assert "| **The office** | | |" in lines


@pytest.mark.parametrize(
    "row",
    [
        "| `DESK_SECONDS` | `15` | Seconds to ring the front desk |",
        "| `SECRET_KEY` | (unset) | Seals the caller's number and entered digits in the URLs "
        "handed to the carrier; every replica needs the same (unset: derived from the signing "
        "key) |",
        "| `PORT` | `8000` | TCP port the server listens on |",
        "| `MAX_RETRIES` | `3` | Invalid or silent inputs at a menu before its `give_up`, 1 to "
        "10 |",
    ],
)
def test_settings_table_shows_variable_default_and_meaning(row):
    assert row in settings_table([*engine_groups(), office.SETTINGS]).splitlines()


def test_settings_table_escapes_a_pipe_in_any_cell():
    group = Group("G", (Setting("A", str, "x|y", "one | two"),))
    assert settings_table([group]).splitlines()[-1] == r"| `A` | `x\|y` | one \| two |"


# Cross-checks ################################################################


def test_transcription_needs_a_voicemail_the_carrier_can_transcribe():
    environ = {"TRANSCRIBE": "true", "VOICEMAIL_MAX_LENGTH": "300"}
    with pytest.raises(ConfigError, match="TRANSCRIBE=true: needs VOICEMAIL_MAX_LENGTH"):
        Config.from_environ(environ)


def test_transcription_with_a_short_voicemail_is_accepted():
    environ = {"TRANSCRIBE": "yes", "VOICEMAIL_MAX_LENGTH": "60"}
    assert Config.from_environ(environ).transcribe is True


def test_a_voice_for_a_language_not_listed_is_refused():
    with pytest.raises(ConfigError, match="VOICES: es-US not in LANGUAGES"):
        Config.from_environ({"VOICES": "es-US=Polly.Lupe"})


def test_a_voice_per_language():
    config = Config.from_environ(
        {"LANGUAGES": "en-US,es-US", "VOICE": "Polly.Joanna", "VOICES": "es-US=Polly.Lupe"}
    )
    assert (config.voice_for("en-US"), config.voice_for("es-US")) == ("Polly.Joanna", "Polly.Lupe")
    assert config.language == "en-US"


# The server's variables, and check_environ ###################################


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
    environ = {"MAX_RETRIES": "abc", "DESK_SECONDS": "x", "PORT": "abc", "LOG_LEVEL": "verbose"}
    with pytest.raises(ConfigError) as caught:
        check_environ(environ, office.SETTINGS)
    named = [line.partition("=")[0] for line in str(caught.value).splitlines()]
    assert named == ["MAX_RETRIES", "DESK_SECONDS", "LOG_LEVEL", "PORT"]


def test_check_environ_without_the_port_leaves_port_to_whoever_sets_it():
    check_environ({"PORT": "abc"}, with_port=False)
    with pytest.raises(ConfigError, match="PORT="):
        check_environ({"PORT": "abc"})


def test_check_environ_accepts_the_defaults():
    check_environ({}, office.SETTINGS)


def test_check_environ_reads_a_trees_defaults_too():
    with pytest.raises(ConfigError, match=re.escape("DESK_SECONDS='1'")):
        check_environ({}, office.SETTINGS, defaults={"DESK_SECONDS": "1"})


@pytest.mark.parametrize("number", ["+05551234567", "+0", "+1555", "15551234567"])
def test_a_phone_number_is_e164_starting_with_a_country_code(number):
    from phonetree_engine.settings import phone_number, phone_or_sip

    for read in (phone_number, phone_or_sip):
        with pytest.raises(ValueError):
            read(number)
