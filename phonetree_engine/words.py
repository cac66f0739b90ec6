"""Words in several languages: what a caller hears, and what a caller may say.

A tree keeps its sentences as ``{language: {name: sentence}}`` dicts in ``states/``; the engine
keeps none. ``words_in`` finds a language's words (``en-GB`` speaks the ``en-US`` words when it
has none of its own) and checks every language has every name the first one has; a missing one
is a ``MissingWords`` that names the dict and the file it lives in, so that start-up (and
``check``) tells a tree author exactly where to write it.

``fill`` puts values into a sentence without doubling its punctuation ("Welcome to ACME, Inc."),
and ``Phrases`` match what a caller said against the words a menu listens for, whole words in
order, with or without accents, hyphens or apostrophes ("rendez-vous", "l'horaire").
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path


class MissingWords(LookupError):
    """A tree has no words in one of LANGUAGES, or fewer than in its first language."""

    def __init__(self, message: str, words: object = None):
        where = defined_in(words) if words is not None else None
        super().__init__(f"{message} ({where})" if where else message)
        self.message, self.words, self.where = message, words, where


def words_in(words: Mapping, language: str, languages=()) -> Mapping:
    """The words for ``language`` (or, failing that, its primary language: en-GB finds en-US).

    Every language of ``languages`` must have every name the first one has: checked once per
    dict, as this is how start-up finds a sentence missing before any caller does.
    """
    if (id(words), languages) in _COMPLETE:
        return find_words(words, language)
    for other in languages:
        first, found = find_words(words, languages[0]), find_words(words, other)
        if isinstance(first, Mapping):
            missing = set(first) - set(found)
            if missing:
                raise MissingWords(f"no {other} words for {', '.join(sorted(missing))}", words)
    _COMPLETE.add((id(words), languages))
    return find_words(words, language)


_COMPLETE: set[tuple[int, tuple]] = set()  # words found complete: prompts are module constants


def find_words(words: Mapping, language: str):
    found = words.get(language)
    if found is None:
        primary = language.split("-")[0]
        found = next((v for k, v in words.items() if k.split("-")[0] == primary), None)
    if found is None:
        raise MissingWords(f"no {language} words", words)
    return found


def defined_in(value: object, within: str | None = None) -> str | None:
    """Where a module-level value is written: ``states/menu.py, OPTIONS``; None if nowhere.

    Looked up by identity among the loaded modules' globals, outside the engine (``within``:
    only that module and the modules of its package), preferring the module that assigns the
    name over one that imports it, so a message can send a tree author to the line to edit.
    """
    found = []
    for name, module in list(sys.modules.items()):
        if module is None or name.startswith(("phonetree_engine", "builtins", "_")):
            continue
        if within is not None and name != within and not name.startswith(within + "."):
            continue
        try:
            keys = [key for key, held in vars(module).items() if held is value]
        except TypeError:
            continue
        path = getattr(module, "__file__", None)
        if keys and path:
            found.append((not _assigns(path, keys[0]), shown_path(path), keys[0]))
    if not found:
        return None
    _, path, key = min(found)
    return f"{path}, {key}"


def _assigns(path: str, name: str) -> bool:
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^{re.escape(name)}\s*[:=]", source, re.MULTILINE) is not None


def shown_path(path: str) -> str:
    """A file's path relative to the working directory when it is below it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def fill(sentence: str, **values: str) -> str:
    """``sentence.format(**values)``, without a doubled stop where a value ends a sentence:
    "Welcome to {company}." with "ACME, Inc." says "Welcome to ACME, Inc."."""
    for name, value in values.items():
        value = str(value)
        if value.endswith((".", "!", "?")):
            sentence = re.sub(r"\{" + re.escape(name) + r"\}\.", "{" + name + "}", sentence)
    return sentence.format(**values)


# What a caller says ##########################################################


def folded(text: str) -> tuple[str, ...]:
    """Words as compared: lower case, accents dropped, split at anything not a letter or digit."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return tuple(re.findall(r"[^\W_]+", plain))


class Phrases:
    """Phrases a caller may say, each leading somewhere: found whole, in order, in what was said."""

    def __init__(self, pairs: Iterable[tuple[str, object]]):
        self.pairs = [(folded(phrase), target) for phrase, target in pairs if folded(phrase)]
        # Longer phrases first: "customer service" before "service".
        self.pairs.sort(key=lambda pair: -len(pair[0]))

    def find(self, said: str):
        words = folded(said)
        for phrase, target in self.pairs:
            size = len(phrase)
            if any(words[at : at + size] == phrase for at in range(len(words) - size + 1)):
                return target
        return None


def split_phrases(text: str) -> list[str]:
    """ "operator, receptionist" as the phrases a caller may say: comma-separated."""
    return [phrase.strip() for phrase in text.split(",") if phrase.strip()]
