"""Settings: each variable declared once, read once from the environment, checked, then frozen.

A ``Setting`` says everything about one variable: its name, how its text is read, its default
(as text, read the same way) and what it means. The engine declares its own here (languages,
hours, retries, signatures, voicemail); each delivery channel declares its own in its module;
a tree declares its business's (``Tree(settings=...)``). ``Config`` holds every value, each under
its variable's name in lower case (``OPENING_HOURS`` is ``config.opening_hours``).

``Config.from_environ(environ, settings)`` reports every bad variable at once, so a deploy is
fixed in one go; the docs' table and ``app.json`` are generated from the same declarations.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import ipaddress
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phonetree_engine.hours import opening_hours


class ConfigError(ValueError):
    """A setting is wrong; each line names the variable, its value and what is expected."""


@dataclass(frozen=True)
class Setting:
    """One variable of the environment.

    ``read`` turns its stripped, non-blank text into a value, or raises ValueError saying what
    is expected; ``default`` is text read the same way ("": unset, the value is ``unset``).
    A ``secret`` is never shown, in a message or a log; ``shown`` says what of its text may be
    (e.g. a URL without its password and path).
    """

    name: str
    read: Callable[[str], Any]
    default: str = ""
    help: str = ""
    unset: Any = None
    secret: bool = False
    shown: Callable[[str], str] | None = None

    @property
    def field(self) -> str:
        return self.name.lower()

    def default_value(self) -> Any:
        return self.read(self.default) if self.default else self.unset


@dataclass(frozen=True)
class Group:
    """Settings declared together, with the checks that need several of them at once.

    ``check(values, environ)`` gets the values read (by field) and the variables as given, and
    returns problems, one line each.
    """

    title: str
    settings: tuple[Setting, ...]
    check: Callable[[Mapping[str, Any], Mapping[str, str]], list[str]] | None = None


# Readers #####################################################################
# Each gets a stripped, non-blank value and returns it converted, or raises ValueError saying
# what is expected; from_environ() puts the variable and the value in front.

E164 = r"\+[1-9]\d{7,14}"
_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True}
_BOOLEANS |= {"false": False, "0": False, "no": False, "off": False}
LANGUAGE_TAG = r"[a-z]{2,3}(-[A-Z]{2})?"


def text(value: str) -> str:
    return value


def matching(pattern: str, expected: str) -> Callable[[str], str]:
    """A reader of text that must match ``pattern`` whole."""

    def read(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"expected {expected}")
        return value

    return read


PHONE = "an E.164 number: + and 8 to 15 digits, like +15555550100"
phone_number = matching(E164, PHONE)
phone_or_sip = matching(rf"{E164}|sip:[^\s@]+@[^\s@]+", PHONE + " or sip:user@host")
url = matching(r"https?://[^\s/?#]+\S*", "an http(s) URL")


def integer(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    def read(value: str) -> int:
        number = int(value) if re.fullmatch(r"[+-]?\d{1,9}", value) else None
        if number is None or not low <= number <= high:
            raise ValueError(f"expected a whole number{unit} from {low} to {high}")
        return number

    return read


def boolean(value: str) -> bool:
    if value.lower() not in _BOOLEANS:
        raise ValueError("expected true or false (or 1/0, yes/no, on/off)")
    return _BOOLEANS[value.lower()]


def languages(value: str) -> tuple[str, ...]:
    tags = [tag.strip() for tag in value.split(",") if tag.strip()]
    bad = [repr(tag) for tag in tags if not re.fullmatch(LANGUAGE_TAG, tag)]
    if bad or not tags:
        raise ValueError(
            f"not language tags: {', '.join(bad) or 'none'}; expected e.g. en-US or en-US,es-US"
        )
    if len(set(tags)) < len(tags):
        raise ValueError("a language is listed twice")
    if len(tags) > 9:
        raise ValueError("at most 9 languages: the caller picks one with a key from 1 to 9")
    return tuple(tags)


def voices(value: str) -> dict[str, str]:
    found = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        tag, equals, voice = (part.strip() for part in item.partition("="))
        if not equals or not voice or not re.fullmatch(LANGUAGE_TAG, tag):
            raise ValueError(f"{item!r} is not language=voice; expected e.g. es-US=Polly.Lupe")
        found[tag] = voice
    return found


def base_url(value: str) -> str:
    # Webhook URLs are built as base + "/path", so the base keeps no query and no final slash.
    if not re.fullmatch(r"https?://[^\s/?#@]+[^\s?#@]*", value):
        raise ValueError("expected an http(s) URL without user, ?query or #fragment")
    return value.rstrip("/")


def time_zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("not a known IANA time zone (for example America/New_York)") from None


def dates(value: str) -> frozenset[date]:
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


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def redacted(setting: Setting | None, raw: str) -> str:
    """A setting's text as it may appear in a message: without its secrets, whatever it holds."""
    if setting is not None and setting.secret:
        return "(hidden)"
    if setting is not None and setting.shown is not None:
        return setting.shown(raw)
    return raw


HOST = re.compile(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def url_without_secrets(raw: str) -> str:
    """A URL as it may be shown: scheme and host only. A user and password (whatever they hold:
    / # ? @ included) and the path (a webhook URL's path is its secret, as Slack's and Teams'
    are) never show."""
    scheme, sep, rest = raw.partition("://")
    if not sep or not re.fullmatch(r"[a-z]+", scheme):
        return "(hidden: not a URL)"
    _, at, after = rest.rpartition("@")
    host = re.split(r"[/?#]", after, maxsplit=1)[0]
    shown = host if HOST.fullmatch(host) else "..."
    tail = "/..." if len(host) < len(after) else ""
    return f"{scheme}://{'***@' if at else ''}{shown}{tail}"


# The engine's settings #######################################################

LANGUAGES = Setting(
    "LANGUAGES", languages, "en-US", "The tree's languages, the default first, e.g. `en-US,es-US`"
)
CALLING = Group(
    "The call",
    (
        LANGUAGES,
        Setting(
            "VOICE", text, "", "Text-to-speech voice, e.g. `Polly.Joanna` (unset: the default)"
        ),
        Setting(
            "VOICES",
            voices,
            "",
            "A voice per language, e.g. `es-US=Polly.Lupe` (unset: `VOICE`)",
            unset={},
        ),
        Setting(
            "MAX_RETRIES",
            integer(1, 10),
            "3",
            "Invalid or silent inputs at a menu before its `give_up`, 1 to 10",
        ),
        Setting(
            "OPENING_HOURS",
            opening_hours,
            "Mon-Fri 09:00-18:00",
            "Weekly hours, e.g. `Mon-Fri 09:00-18:00; Sat 10:00-14:00`",
        ),
        Setting("TIMEZONE", time_zone, "America/New_York", "IANA time zone of the opening hours"),
        Setting(
            "CLOSED_DATES",
            dates,
            "",
            "Closed days as ISO dates, e.g. `2026-12-25, 2027-01-01`",
            unset=frozenset(),
        ),
        Setting(
            "VOICEMAIL_MAX_LENGTH",
            integer(5, 14400, " of seconds"),
            "120",
            "Longest voicemail in seconds, 5 to 14400",
        ),
        Setting("TRANSCRIBE", boolean, "false", "Transcribe voicemails: true or false"),
    ),
    check=lambda values, environ: _calling_problems(values),
)


def _calling_problems(values: Mapping[str, Any]) -> list[str]:
    problems = []
    if values.get("transcribe") and values.get("voicemail_max_length", 120) > 120:
        # Twilio transcribes recordings of two minutes at most, and fails the rest.
        problems.append("TRANSCRIBE=true: needs VOICEMAIL_MAX_LENGTH of 120 seconds or less")
    unknown = set(values.get("voices") or {}) - set(values.get("languages") or ("en-US",))
    if unknown:
        problems.append(f"VOICES: {', '.join(sorted(unknown))} not in LANGUAGES")
    return problems


def _signature_problems(values: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    if values.get("provider") == "telnyx":
        from phonetree_engine.carriers import telnyx

        missing = telnyx.needs()
        return [missing] if missing else []
    return []


def provider(value: str) -> str:
    """The reader of PROVIDER: one of the carriers' registry (``phonetree_engine/carriers``)."""
    from phonetree_engine.carriers import CARRIERS

    name = value.strip().lower()
    if name not in CARRIERS:
        raise ValueError(f"expected one of {', '.join(CARRIERS)}")
    return name


SIGNATURES = Group(
    "Signatures and URLs",
    (
        Setting(
            "PROVIDER",
            provider,
            "twilio",  # (carriers.DEFAULT)
            "The carrier whose webhooks the app answers: twilio, signalwire, telnyx or somleng",
        ),
        Setting(
            "SECRET_KEY",
            text,
            "",
            "Seals the caller's number and entered digits in the URLs handed to the carrier; "
            "every replica needs the same (unset: derived from the signing key)",
            secret=True,
        ),
        Setting(
            "PUBLIC_URL",
            base_url,
            "",
            "Public base URL the carrier calls, e.g. `https://ivr.example.com`",
        ),
        Setting(
            "ALLOW_UNSIGNED",
            boolean,
            "false",
            "Serve without signature checks, on a trusted network only",
        ),
    ),
    check=_signature_problems,
)

# Read by the server, not by Config: the port may come from the command line instead.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
PORT = Setting("PORT", integer(1, 65535), "8000", "TCP port the server listens on")
LOG_LEVEL = Setting(
    "LOG_LEVEL",
    matching("|".join(LOG_LEVELS), ", ".join(LOG_LEVELS)),
    "INFO",
    "Least severe log level written: DEBUG, INFO, WARNING or ERROR",
)
SERVER = Group("The server", (PORT, LOG_LEVEL))


def engine_groups() -> list[Group]:
    """The engine's settings: the call's, signatures, each carrier's and each delivery
    channel's (they declare their own), the server's."""
    from phonetree_engine.carriers import carrier_groups
    from phonetree_engine.delivery import channel_groups

    return [CALLING, SIGNATURES, *carrier_groups(), *channel_groups(), SERVER]


# The configuration ###########################################################


class Config:
    """Every setting's value, as ``config.opening_hours``; frozen once made.

    ``Config(languages=("en-US", "es-US"))`` gives values directly (any other engine setting
    at its default); a tree's own settings are filled in by ``completed(settings)``, which the
    app factory calls with the tree's. ``Config.from_environ(environ, tree_group)`` reads
    the engine's and the tree's variables from text.
    """

    __slots__ = ("_given", "_values")

    def __init__(self, **values: Any):
        object.__setattr__(self, "_values", {**_engine_defaults(), **values})
        object.__setattr__(self, "_given", frozenset(values))  # not defaults

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no setting {name.upper()} (config.{name})") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Config is frozen; make another with replace(...)")

    def __repr__(self) -> str:
        secret = {s.field for s in _declared(engine_groups()) if s.secret}
        shown = {k: "(hidden)" if k in secret and v else v for k, v in self._values.items()}
        return f"Config({shown})"

    def replace(self, **values: Any) -> Config:
        given = {name: self._values[name] for name in self._given}
        return Config(**{**given, **values})

    def completed(self, group: Group | None, defaults: Mapping[str, str] | None = None) -> Config:
        """This config with the defaults of ``group``'s settings for the values it lacks, and a
        tree's own ``defaults`` (text, for any setting) for the values not given."""
        groups = [*engine_groups(), *([group] if group else [])]
        problems = defaults_problems(groups, defaults)
        if problems:
            raise ConfigError("\n".join(problems))
        values = dict(self._values)
        for setting in group.settings if group else ():
            values.setdefault(setting.field, setting.default_value())
        for setting in _declared(groups):
            text = ((defaults or {}).get(setting.name) or "").strip()
            if text and setting.field not in self._given:  # (blank counts as unset)
                values[setting.field] = setting.read(text)
        made = object.__new__(Config)
        object.__setattr__(made, "_values", values)
        object.__setattr__(made, "_given", self._given)
        return made

    def unknown(self, group: Group | None) -> list[str]:
        """Values given that no setting declares: a typo a test or tree should hear about."""
        known = {s.field for s in _declared([*engine_groups(), *([group] if group else [])])}
        return sorted(name for name in self._values if name not in known)

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str] | None = None,
        group: Group | None = None,
        defaults: Mapping[str, str] | None = None,
    ) -> Config:
        """Read the engine's variables and those of ``group`` (a tree's), every bad one at once;
        ``defaults`` (a tree's, as text) stand in for variables the environment leaves unset."""
        environ = os.environ if environ is None else environ
        groups = [*engine_groups(), *([group] if group else [])]
        values, problems = {}, defaults_problems(groups, defaults)
        for setting in _declared(groups, server=False):
            given = (environ.get(setting.name) or "").strip()
            default = (defaults or {}).get(setting.name)
            raw = given or (default.strip() if isinstance(default, str) else "")
            if raw:  # blank counts as unset: `FOO=` in an env file means "use the default"
                try:
                    values[setting.field] = setting.read(raw)
                except ValueError as error:
                    if given:  # (a tree's default is checked above, given or not)
                        problems.append(f"{setting.name}={redacted(setting, raw)!r}: {error}")
        for group in groups:
            if group.check:
                problems += group.check(values, environ)
        if problems:
            raise ConfigError("\n".join(problems))
        return cls(**values).completed(group)  # (defaults were read above, as text)

    # What the engine asks of its settings ##

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
        """Tell whether the business is open at ``moment`` (naive: business wall-clock time)."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.timezone)
        return moment.date() not in self.closed_dates and self.opening_hours.is_open_at(moment)

    @property
    def validates_signatures(self) -> bool:
        """Whether the carrier's key is set, so that its signatures are checked."""
        from phonetree_engine.carriers import carrier

        return carrier(self) is not None

    @property
    def seal_key(self) -> bytes | None:
        """The key that seals personal values in URLs: SECRET_KEY, else one derived from a
        signing secret (every replica has it; a public key is no secret); None without."""
        secret = (
            self.secret_key
            or self.twilio_auth_token
            or self.twilio_shared_key
            or self.signalwire_signing_key
        )
        if not secret:
            return None
        return hashlib.sha256(b"phonetree seal key\0" + secret.encode()).digest()


@functools.cache
def _engine_defaults() -> dict[str, Any]:
    return {s.field: s.default_value() for s in _declared(engine_groups())}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


TREE_DEFAULTS = "the tree's defaults (Tree(defaults=...))"


def defaults_problems(groups: Iterable[Group], defaults: Mapping[str, str] | None) -> list[str]:
    """What is wrong with a tree's defaults: a name of no setting it may set (a misspelt one
    would be ignored), a value that does not read."""
    groups = list(groups)
    settable = {s.name for s in _declared(groups, server=False)}
    server_only = {s.name for s in _declared(groups)} - settable
    problems = []
    for name in defaults or {}:
        if name in server_only:
            problems.append(f"{TREE_DEFAULTS}: {name} is read from the environment only")
        elif name not in settable:
            near = difflib.get_close_matches(str(name), settable, 1)
            hint = f"; did you mean {near[0]}?" if near else ""
            problems.append(f"{TREE_DEFAULTS}: {name!r} is no setting{hint}")
    for setting in _declared(groups, server=False):
        text = (defaults or {}).get(setting.name)
        if text is None:
            continue
        try:  # whether the environment sets it or not: a deploy may unset it any day
            if not isinstance(text, str):
                raise ValueError("expected text, as a variable would give it")
            if text.strip():
                setting.read(text.strip())
        except ValueError as error:
            shown = redacted(setting, text) if isinstance(text, str) else text
            problems.append(f"{TREE_DEFAULTS}: {setting.name}={shown!r}: {error}")
    return problems


def _declared(groups: Iterable[Group], server: bool = True) -> list[Setting]:
    return [s for g in groups for s in g.settings if server or g is not SERVER]


# Reading and showing all of them #############################################


def log_level(environ: Mapping[str, str] | None = None) -> str:
    """LOG_LEVEL, checked: the least severe level of log line written."""
    return _read(LOG_LEVEL, environ, upper=True)


def port(environ: Mapping[str, str] | None = None) -> int:
    """PORT, checked: the TCP port to listen on."""
    return _read(PORT, environ)


def _read(setting: Setting, environ, upper: bool = False):
    environ = os.environ if environ is None else environ
    given = (environ.get(setting.name) or "").strip()
    if not given:
        return setting.default_value()
    try:
        return setting.read(given.upper() if upper else given)
    except ValueError as error:
        raise ConfigError(f"{setting.name}={redacted(setting, given)!r}: {error}") from None


def check_environ(
    environ: Mapping[str, str] | None = None,
    group: Group | None = None,
    *,
    defaults: Mapping[str, str] | None = None,
    with_port: bool = True,
) -> None:
    """Check every variable the server reads, raising one ConfigError with a line per problem.

    ``with_port=False`` leaves PORT out, for when the port comes from elsewhere (``--port``, or
    the Procfile's ``--port=$PORT``).
    """
    readers = [lambda env: Config.from_environ(env, group, defaults), log_level]
    readers += [port] if with_port else []
    problems = []
    for read in readers:
        try:
            read(environ)
        except ConfigError as error:
            problems += str(error).splitlines()
    if problems:
        raise ConfigError("\n".join(problems))


def settings_table(groups: Iterable[Group]) -> str:
    """Every setting as a Markdown table, a heading row per group."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for group in groups:
        rows.append(f"| **{group.title}** | | |")
        for setting in group.settings:
            default = f"`{setting.default}`" if setting.default else "(unset)"
            cells = [f"`{setting.name}`", default, setting.help]
            rows.append("| " + " | ".join(cell.replace("|", r"\|") for cell in cells) + " |")
    return "\n".join(rows)
