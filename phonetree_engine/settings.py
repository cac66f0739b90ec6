"""The business configuration: read once from the environment, checked, then frozen.

`Config.from_environ()` is called once at start-up; a wrong value stops the app there with a
message naming every bad variable, rather than surfacing later as a caller hearing an error.
"""

import dataclasses
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from itertools import pairwise
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A setting is wrong; each line names the variable, its value and what is expected."""


# Opening hours ###############################################################

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "24:00" is stored as the last instant of the day, so it sorts and compares after every other time.
_END_OF_DAY = time.max
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d"  # 24-hour HH:MM; 24:00 is allowed only as a closing time


def _day(word: str) -> int:
    name = word.strip().lower()
    for number, day in enumerate(_DAYS):
        if name in (day, day[:3]):
            return number
    raise ValueError(f"{word.strip()!r} is not a day; expected Mon to Sun or Monday to Sunday")


def _days(text: str) -> list[int]:
    """Read 'Mon', 'Mon-Fri', 'Mon,Wed,Fri' or 'Fri-Mon' (wrapping the week) as day numbers."""
    days = []
    for item in text.split(","):
        first, dash, last = item.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        days += [(start + step) % 7 for step in range((end - start) % 7 + 1)]
    return days


def _interval(text: str) -> tuple[time, time]:
    match = re.fullmatch(rf"({_CLOCK})\s*-\s*({_CLOCK}|24:00)", text)
    if not match:
        raise ValueError(f"{text!r} is not a time range; expected HH:MM-HH:MM, like 09:00-18:00")
    start, end = (
        _END_OF_DAY if clock == "24:00" else datetime.strptime(clock, "%H:%M").time()
        for clock in match.groups()
    )
    if end <= start:
        raise ValueError(f"{text!r} does not close after it opens; expected e.g. 09:00-18:00")
    return start, end


def _parse_week(text: str) -> tuple[tuple[tuple[time, time], ...], ...]:
    week: list[list[tuple[time, time, str]]] = [[] for _ in _DAYS]
    # Empty groups are skipped so that a trailing ";" in an env file is harmless.
    groups = [group.strip() for group in text.split(";") if group.strip()]
    if not groups:
        raise ValueError("no opening hours; expected e.g. 'Mon-Fri 09:00-18:00; Sat 10:00-14:00'")
    for group in groups:
        # Day names hold no digits, so the times start at the first digit.
        match = re.fullmatch(r"(\D+?)\s+(\d.*)", group)
        if not match:
            raise ValueError(
                f"{group!r} is not days and times; expected e.g. 'Mon-Fri 09:00-18:00'"
            )
        days, span = match.groups()
        interval = _interval(span)
        for day in _days(days):
            week[day].append((*interval, span))
    for day, intervals in enumerate(week):
        for (_, end, first), (start, _, second) in pairwise(sorted(intervals)):
            if start < end:
                raise ValueError(
                    f"{_DAYS[day].title()} {first} overlaps {second}; expected no overlap"
                )
    return tuple(tuple((start, end) for start, end, _ in sorted(day)) for day in week)


def _spoken_list(items: list[str]) -> str:
    """'A', 'A and B', 'A, B, and C'; two items with an 'and', 'also' or comma get one too."""
    plain = not any(word in item for item in items for word in (" and ", ",", " also "))
    if len(items) == 2 and plain:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " * (len(items) > 1) + items[-1]


def _day_runs(days: set[int]) -> list[list[int]]:
    """Split days into runs of consecutive days, a run may wrap from Sunday into Monday."""
    # Start after the week's last closed day, so that Sat, Sun and Mon make one run.
    first = (max(set(range(7)) - days) + 1) % 7
    runs: list[list[int]] = []
    for day in ((first + step) % 7 for step in range(7)):
        if day not in days:
            continue
        if runs and runs[-1][-1] == (day - 1) % 7:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _spoken_days(days: set[int]) -> str:
    if len(days) == 7:
        return "every day"
    names = []
    for run in _day_runs(days):
        plural = [_DAYS[day].title() + "s" for day in run]
        names += [f"{plural[0]} through {plural[-1]}"] if len(run) > 2 else plural
    return _spoken_list(names)


def _spoken_time(moment: time) -> str:
    if moment in (_END_OF_DAY, time(0)):
        return "midnight"
    if moment == time(12):
        return "noon"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment.hour % 12 or 12}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def _spoken_intervals(intervals: list[tuple[time, time]]) -> str:
    if intervals == [(time(0), _END_OF_DAY)]:
        return ", around the clock"
    return " " + " and ".join(f"from {_spoken_time(a)} to {_spoken_time(b)}" for a, b in intervals)


# The same, in Spanish.
_DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábados", "domingos")


def _lista(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " y " * (len(items) > 1) + items[-1]


def _dias(days: set[int]) -> str:
    if len(days) == 7:
        return "todos los días"
    runs = _day_runs(days)
    spans = [f"de {_DIAS[run[0]]} a {_DIAS[run[-1]]}" for run in runs if len(run) > 2]
    single = [_DIAS[day] for run in runs if len(run) <= 2 for day in run]
    return _lista(spans + ([f"los {_lista(single)}"] if single else []))


def _hora(moment: time) -> str:
    if moment in (_END_OF_DAY, time(0)):
        return "medianoche"
    if moment == time(12):
        return "mediodía"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    part = (
        "de la mañana" if moment.hour < 12 else "de la tarde" if moment.hour < 20 else "de la noche"
    )
    return f"{moment.hour % 12 or 12}{minutes} {part}"


def _intervalos(intervals: list[tuple[time, time]]) -> str:
    if intervals == [(time(0), _END_OF_DAY)]:
        return ", las 24 horas"
    return " " + " y ".join(f"de {_hora(a)} a {_hora(b)}" for a, b in intervals)


@dataclass(frozen=True)
class Hours:
    """Weekly opening hours: for each day, Monday first, its sorted (open, close) intervals.

    A close of 24:00 is stored as `time.max`.
    """

    week: tuple[tuple[tuple[time, time], ...], ...]

    @classmethod
    def parse(cls, text: str) -> "Hours":
        """Read e.g. 'Mon-Fri 09:00-18:00; Sat 10:00-14:00'."""
        try:
            return cls(_parse_week(text))
        except ValueError as error:
            raise ConfigError(f"OPENING_HOURS={text!r}: {error}") from None

    def is_open_at(self, moment: datetime) -> bool:
        """Tell whether the wall-clock time of `moment` falls in an opening interval."""
        now = moment.time()
        return any(
            start <= now and (now < end or end == _END_OF_DAY)
            for start, end in self.week[moment.weekday()]
        )

    def describe(self, language: str = "en-US") -> str:
        """Say the hours as a phrase that completes 'We are open ...' ('Estamos abiertos ...'
        for a language tag starting with es).

        Each opening interval is said once, for all the days it applies to ('every day from 9 AM
        to 5 PM, and Wednesdays also from 6 PM to 8 PM'); days with the same intervals are said
        together ('Mondays, Wednesdays, and Fridays from 9 AM to noon and from 1 PM to 5 PM').
        """
        spanish = language.split("-")[0] == "es"
        days_of: dict[tuple[time, time], set[int]] = {}
        for day, intervals in enumerate(self.week):
            for interval in intervals:
                days_of.setdefault(interval, set()).add(day)
        intervals_of: dict[frozenset[int], list[tuple[time, time]]] = {}
        for interval, days in sorted(days_of.items()):
            intervals_of.setdefault(frozenset(days), []).append(interval)
        phrases, said = [], set()
        for days, intervals in sorted(intervals_of.items(), key=lambda item: min(item[0])):
            if spanish:
                also = " también" if days & said else ""
                phrases.append(_dias(set(days)) + also + _intervalos(intervals))
            else:
                also = " also" if days & said else ""
                phrases.append(_spoken_days(set(days)) + also + _spoken_intervals(intervals))
            said |= days
        if spanish:
            return _lista(phrases) if phrases else "solo con cita previa"
        # parse() never yields a week without hours; a hand-built one still gets a sentence.
        return _spoken_list(phrases) if phrases else "by appointment only"


# Reading values ##############################################################
# A reader gets a stripped, non-blank value and returns it converted, or raises ValueError saying
# what is expected; from_environ() puts the variable and the value in front.

_E164 = r"\+[1-9]\d{7,14}"
_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True}
_BOOLEANS |= {"false": False, "0": False, "no": False, "off": False}


def _matching(pattern: str, expected: str) -> Callable[[str], str]:
    def read(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"expected {expected}")
        return value

    return read


_PHONE = "an E.164 number: + and 8 to 15 digits, like +15555550100"
_phone_number = _matching(_E164, _PHONE)
_phone_or_sip = _matching(rf"{_E164}|sip:[^\s@]+@[^\s@]+", _PHONE + " or sip:user@host")
_queue_name = _matching(r".{1,64}", "a queue name of 1 to 64 characters")
_url = _matching(r"https?://[^\s/?#]+\S*", "an http(s) URL")
_LANGUAGE_TAG = r"[a-z]{2,3}(-[A-Z]{2})?"


def _languages(value: str) -> tuple[str, ...]:
    tags = [tag.strip() for tag in value.split(",") if tag.strip()]
    bad = [repr(tag) for tag in tags if not re.fullmatch(_LANGUAGE_TAG, tag)]
    if bad or not tags:
        raise ValueError(
            f"not language tags: {', '.join(bad) or 'none'}; expected e.g. en-US or en-US,es-US"
        )
    if len(set(tags)) < len(tags):
        raise ValueError("a language is listed twice")
    if len(tags) > 9:
        raise ValueError("at most 9 languages: the caller picks one with a key from 1 to 9")
    return tuple(tags)


def _voices(value: str) -> dict[str, str]:
    voices = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        tag, equals, voice = (text.strip() for text in item.partition("="))
        if not equals or not voice or not re.fullmatch(_LANGUAGE_TAG, tag):
            raise ValueError(f"{item!r} is not language=voice; expected e.g. es-US=Polly.Lupe")
        voices[tag] = voice
    return voices


def _integer(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    def read(value: str) -> int:
        number = int(value) if re.fullmatch(r"[+-]?\d{1,9}", value) else None
        if number is None or not low <= number <= high:
            raise ValueError(f"expected a whole number{unit} from {low} to {high}")
        return number

    return read


def _base_url(value: str) -> str:
    # Webhook URLs are built as base + "/path", so the base keeps no query and no final slash.
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s?#]*", value):
        raise ValueError("expected an http(s) URL without ?query or #fragment")
    return value.rstrip("/")


def _time_zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("not a known IANA time zone (for example America/New_York)") from None


def _dates(value: str) -> frozenset[date]:
    found, bad = set(), []
    for item in filter(None, re.split(r"[,\s]+", value)):
        try:
            # Newer Pythons' fromisoformat takes other forms too; accept one form everywhere.
            if not re.fullmatch(r"\d{4}-\d\d-\d\d", item):
                raise ValueError
            found.add(date.fromisoformat(item))
        except ValueError:
            bad.append(repr(item))
    if bad:
        raise ValueError(f"not ISO dates: {', '.join(bad)}; expected e.g. 2026-12-25, 2027-01-01")
    return frozenset(found)


def _boolean(value: str) -> bool:
    if value.lower() not in _BOOLEANS:
        raise ValueError("expected true or false (or 1/0, yes/no, on/off)")
    return _BOOLEANS[value.lower()]


def _hours(value: str) -> Hours:
    return Hours(_parse_week(value))


# Delivery of messages ########################################################

_ADDRESS = re.compile(r"[^\s@<>,;\"]+@[^\s@<>,;\"]+\.[^\s@<>,;\".]+")
_SMTP_PORTS = {"smtp": 587, "smtps": 465}


@dataclass(frozen=True)
class MailServer:
    """Where email goes, read from SMTP_URL; the password never shows in a repr or a log."""

    host: str
    port: int
    tls: bool  # smtps://: TLS from the first byte
    user: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)

    @property
    def starttls(self) -> bool:
        """smtp:// with a login upgrades to TLS first; a bare local relay (port 25) does not."""
        return not self.tls and (self.user is not None or self.port == 587)


def _smtp_url(value: str) -> MailServer:
    parts = urlsplit(value)
    expected = "expected smtp://user:pass@host:587, smtps://user:pass@host:465 or smtp://host:25"
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"the port is not a number; {expected}") from None
    if parts.scheme not in _SMTP_PORTS or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(expected)
    if (parts.username is None) != (parts.password is None):
        raise ValueError(f"give both a user and a password, or neither; {expected}")
    return MailServer(
        host=parts.hostname,
        port=port or _SMTP_PORTS[parts.scheme],
        tls=parts.scheme == "smtps",
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _address(value: str) -> str:
    if not _ADDRESS.fullmatch(value):
        raise ValueError("expected an email address like office@example.com")
    return value


def _addresses(value: str) -> tuple[str, ...]:
    found = [item.strip() for item in re.split(r"[,;]", value) if item.strip()]
    bad = [repr(item) for item in found if not _ADDRESS.fullmatch(item)]
    if bad or not found:
        raise ValueError(
            f"not email addresses: {', '.join(bad) or repr(value)}; "
            "expected e.g. office@example.com, owner@example.com"
        )
    return tuple(found)


def _notify_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise ValueError("expected an https URL, e.g. https://hooks.slack.com/services/...")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ValueError("expected https: plain http only to a loopback address (127.0.0.1)")
    return value


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def shown(name: str, raw: str) -> str:
    """A setting's value as it may appear in a message: without its secrets."""
    if name in _SECRETS:
        return "(hidden)"
    if name in _SECRET_URLS:
        parts = urlsplit(raw)
        netloc = parts.netloc.rpartition("@")[2]
        user = "***@" if "@" in parts.netloc else ""
        # A webhook URL's path is its secret (Slack's and Teams' are).
        return f"{parts.scheme}://{user}{netloc}" + ("/..." if parts.path.strip("/") else "")
    return raw


_SECRETS = ("TWILIO_AUTH_TOKEN", "TWILIO_SHARED_KEY")
_SECRET_URLS = ("SMTP_URL", "NOTIFY_URL")


# The variables ###############################################################

# Defaults that SETTINGS shows as text and Config holds as values.
_OPEN = "Mon-Fri 09:00-18:00"
_HOLD_MUSIC = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"

# How each variable becomes a Config field, in the order problems are reported.
_READERS: tuple[tuple[str, str, Callable[[str], object]], ...] = (
    ("COMPANY_NAME", "company_name", str),
    ("RECEPTIONIST_NUMBER", "receptionist_number", _phone_or_sip),
    ("CALLER_ID", "caller_id", _phone_number),
    ("DIAL_TIMEOUT", "dial_timeout", _integer(5, 600, " of seconds")),
    ("SUPPORT_QUEUE", "support_queue", _queue_name),
    ("HOLD_MUSIC_URL", "hold_music_url", _url),
    ("QUEUE_VOICEMAIL_AFTER", "queue_voicemail_after", _integer(0, 3600, " of seconds")),
    ("OPENING_HOURS", "hours", _hours),
    ("TIMEZONE", "timezone", _time_zone),
    ("CLOSED_DATES", "closed_dates", _dates),
    ("VOICE", "voice", str),
    ("LANGUAGES", "languages", _languages),
    ("VOICES", "voices", _voices),
    ("MAX_RETRIES", "max_retries", _integer(1, 10)),
    ("VOICEMAIL_MAX_LENGTH", "voicemail_max_length", _integer(5, 14400, " of seconds")),
    ("TRANSCRIBE", "transcribe", _boolean),
    ("TWILIO_AUTH_TOKEN", "auth_token", str),
    ("TWILIO_SHARED_KEY", "shared_key", str),
    ("PUBLIC_URL", "public_url", _base_url),
    ("SMTP_URL", "smtp", _smtp_url),
    ("NOTIFY_EMAIL", "notify_email", _addresses),
    ("MAIL_FROM", "mail_from", _address),
    ("NOTIFY_URL", "notify_url", _notify_url),
    ("ALLOW_UNSIGNED", "allow_unsigned", _boolean),
)

# What the README tells operators: (variable, default as text, meaning); "" means unset.
SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("COMPANY_NAME", "ACME, Inc.", "Company name spoken in the greeting"),
    ("RECEPTIONIST_NUMBER", "+15555550100", "Where calls for a person go: E.164 or sip: URI"),
    ("CALLER_ID", "", "E.164 caller ID for forwarded calls (unset: Twilio's default)"),
    ("DIAL_TIMEOUT", "20", "Seconds to ring the receptionist, 5 to 600"),
    ("SUPPORT_QUEUE", "support", "Name of the support call queue, 1 to 64 characters"),
    ("HOLD_MUSIC_URL", _HOLD_MUSIC, "http(s) URL of the music played while in the queue"),
    ("QUEUE_VOICEMAIL_AFTER", "60", "Seconds in the queue before voicemail is offered, 0 to 3600"),
    ("OPENING_HOURS", _OPEN, "Weekly hours, e.g. `Mon-Fri 09:00-18:00; Sat 10:00-14:00`"),
    ("TIMEZONE", "America/New_York", "IANA time zone of the opening hours"),
    ("CLOSED_DATES", "", "Closed days as ISO dates, e.g. `2026-12-25, 2027-01-01`"),
    ("VOICE", "", "Text-to-speech voice, e.g. `Polly.Joanna` (unset: Twilio's default)"),
    ("LANGUAGES", "en-US", "The tree's languages, the default first, e.g. `en-US,es-US`"),
    ("VOICES", "", "A voice per language, e.g. `es-US=Polly.Lupe` (unset: `VOICE`)"),
    ("MAX_RETRIES", "3", "Invalid or silent inputs at a menu before a person answers, 1 to 10"),
    ("VOICEMAIL_MAX_LENGTH", "120", "Longest voicemail in seconds, 5 to 14400"),
    ("TRANSCRIBE", "false", "Transcribe voicemails: true or false"),
    ("TWILIO_AUTH_TOKEN", "", "Auth token to check the X-Twilio-Signature of webhooks"),
    ("TWILIO_SHARED_KEY", "", "Secret for HMAC-SHA256 shared-key webhook signatures"),
    ("PUBLIC_URL", "", "Public base URL Twilio calls, e.g. `https://ivr.example.com`"),
    (
        "SMTP_URL",
        "",
        "Mail server for messages: `smtp://user:pass@host:587` (STARTTLS), "
        "`smtps://user:pass@host:465` (TLS) or `smtp://host:25` (a local relay)",
    ),
    ("NOTIFY_EMAIL", "", "Who gets messages by email: addresses separated by commas"),
    ("MAIL_FROM", "", "Sender address of those emails, e.g. `phonetree@example.com`"),
    (
        "NOTIFY_URL",
        "",
        "https URL that gets a JSON POST per message (Slack and Teams "
        "incoming webhooks work as is)",
    ),
    ("ALLOW_UNSIGNED", "false", "Serve without signature checks, on a trusted network only"),
    ("PORT", "8000", "TCP port the server listens on"),
    ("LOG_LEVEL", "INFO", "Least severe log level written: DEBUG, INFO, WARNING or ERROR"),
)
# Read by the server, not by Config.
SERVER_SETTINGS = ("PORT", "LOG_LEVEL")


def settings_table() -> str:
    """Render SETTINGS as the README's Markdown table."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, default, meaning in SETTINGS:
        cells = [f"`{name}`", f"`{default}`" if default else "(unset)", meaning]
        rows.append("| " + " | ".join(cell.replace("|", r"\|") for cell in cells) + " |")
    return "\n".join(rows)


# The configuration ###########################################################

# Built once here: a dataclass default should be a value, not a call made at class creation.
_NEW_YORK = ZoneInfo("America/New_York")
_OFFICE_HOURS = Hours.parse(_OPEN)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Config:
    """Everything the operator may set; SETTINGS lists the variables."""

    company_name: str = "ACME, Inc."
    receptionist_number: str = "+15555550100"
    caller_id: str | None = None
    dial_timeout: int = 20
    support_queue: str = "support"
    hold_music_url: str = _HOLD_MUSIC
    queue_voicemail_after: int = 60
    hours: Hours = _OFFICE_HOURS
    timezone: ZoneInfo = _NEW_YORK
    closed_dates: frozenset[date] = frozenset()
    voice: str | None = None
    languages: tuple[str, ...] = ("en-US",)
    voices: Mapping[str, str] = dataclasses.field(default_factory=dict)
    max_retries: int = 3
    voicemail_max_length: int = 120
    transcribe: bool = False
    auth_token: str | None = None
    shared_key: str | None = None
    public_url: str | None = None
    smtp: MailServer | None = None
    notify_email: tuple[str, ...] = ()
    mail_from: str | None = None
    notify_url: str | None = dataclasses.field(default=None, repr=False)  # its path is a secret
    allow_unsigned: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "Config":
        """Read the variables, reporting every bad one at once so a deploy is fixed in one go."""
        environ = os.environ if environ is None else environ
        values, problems = {}, []
        for name, field, read in _READERS:
            raw = (environ.get(name) or "").strip()
            if raw:  # blank counts as unset: `FOO=` in an env file means "use the default"
                try:
                    values[field] = read(raw)
                except ValueError as error:
                    problems.append(f"{name}={shown(name, raw)!r}: {error}")
        if values.get("transcribe") and values.get("voicemail_max_length", 120) > 120:
            # Twilio transcribes recordings of two minutes at most, and fails the rest.
            problems.append("TRANSCRIBE=true: needs VOICEMAIL_MAX_LENGTH of 120 seconds or less")
        unknown = set(values.get("voices", {})) - set(values.get("languages", ("en-US",)))
        if unknown:
            problems.append(f"VOICES: {', '.join(sorted(unknown))} not in LANGUAGES")
        problems += _mail_problems(values, environ)
        if problems:
            raise ConfigError("\n".join(problems))
        return cls(**values)

    @property
    def language(self) -> str:
        """The default language: the first of LANGUAGES."""
        return self.languages[0]

    def voice_for(self, language: str) -> str | None:
        return self.voices.get(language, self.voice)

    def now(self, clock: Callable[[], datetime] | None = None) -> datetime:
        """Return the current time in the business time zone."""
        moment = (clock or _utc_now)()
        if moment.tzinfo is None:
            raise ValueError("clock must return an aware datetime")
        return moment.astimezone(self.timezone)

    def is_open(self, moment: datetime) -> bool:
        """Tell whether the business is open at `moment` (naive means business wall-clock time)."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.timezone)
        return moment.date() not in self.closed_dates and self.hours.is_open_at(moment)

    @property
    def validates_signatures(self) -> bool:
        return bool(self.auth_token or self.shared_key)

    @property
    def delivers(self) -> bool:
        """Whether messages go anywhere besides the log."""
        return bool(self.smtp or self.notify_url)


def _mail_problems(values: dict, environ: Mapping[str, str]) -> list[str]:
    """Email needs all three of SMTP_URL, NOTIFY_EMAIL and MAIL_FROM, or none of them."""
    names = {"SMTP_URL": "smtp", "NOTIFY_EMAIL": "notify_email", "MAIL_FROM": "mail_from"}
    given = [name for name in names if (environ.get(name) or "").strip()]
    missing = [name for name in names if name not in given]
    if not given or not missing:
        return []
    return [f"{', '.join(given)} set: email also needs {' and '.join(missing)}"]


# Settings of the server rather than of the tree ##############################

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_level(environ: Mapping[str, str] | None = None) -> str:
    """LOG_LEVEL, checked: the least severe level of log line written."""
    environ = os.environ if environ is None else environ
    raw = (environ.get("LOG_LEVEL") or "").strip()
    if raw and raw.upper() not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={raw!r}: expected {', '.join(_LOG_LEVELS)}")
    return raw.upper() or "INFO"


def port(environ: Mapping[str, str] | None = None) -> int:
    """PORT, checked: the TCP port to listen on."""
    environ = os.environ if environ is None else environ
    raw = (environ.get("PORT") or "").strip()
    try:
        return _integer(1, 65535)(raw) if raw else 8000
    except ValueError as error:
        raise ConfigError(f"PORT={raw!r}: {error}") from None


def check_environ(environ: Mapping[str, str] | None = None, *, with_port: bool = True) -> None:
    """Check every variable the server reads, raising one ConfigError with a line per problem.

    ``with_port=False`` leaves PORT out, for when the port comes from elsewhere (``--port``, or
    the Procfile's ``--port=$PORT``).
    """
    readers = [Config.from_environ, *([port] if with_port else []), log_level]
    problems = []
    for read in readers:
        try:
            read(environ)
        except ConfigError as error:
            problems += str(error).splitlines()
    if problems:
        raise ConfigError("\n".join(problems))
