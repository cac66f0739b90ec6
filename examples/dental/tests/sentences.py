"""Every sentence the practice says, by language, read from the tree's own modules, and what a
heard text is made of.

A sentence is a words dict's entry (``{"fr-CA": {"intro": "Voici notre menu."}}``) or an
``Option``'s ``say``, named by where it is written (``menu.WORDS intro``, ``menu.OPTIONS 4``).
"""

import importlib
import pkgutil
import re
from collections.abc import Mapping

import examples.dental
from phonetree_engine import Option

NOT_SAID = {"names"}  # what a caller says to choose a language: heard by us, never said


def tree_modules():
    for found in pkgutil.iter_modules(examples.dental.__path__):
        if found.name not in ("__main__", "tests"):  # __main__ would run the command line
            yield importlib.import_module(f"examples.dental.{found.name}")


def is_words(value) -> bool:
    """``{"fr-CA": {...}, "en-US": {...}}``: sentences by language."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(key, str) and re.fullmatch(r"[a-z]{2}-[A-Z]{2}", key) for key in value)
        and all(isinstance(words, Mapping) for words in value.values())
    )


def sentences(language: str) -> dict[str, str]:
    """Every sentence of the tree in ``language``, by where it is written."""
    found, seen = {}, set()
    for module in tree_modules():
        short = module.__name__.rsplit(".", 1)[1]
        for name, value in vars(module).items():
            if id(value) in seen:
                continue
            seen.add(id(value))
            if is_words(value):
                for key, sentence in value[language].items():
                    if key not in NOT_SAID:
                        found[f"{short}.{name} {key}"] = sentence
            elif isinstance(value, tuple) and all(isinstance(o, Option) for o in value):
                for option in value:
                    if language in option.say:
                        found[f"{short}.{name} {option.key}"] = option.say[language]
    return found


def patterns(language: str, values: Mapping[str, str]) -> dict[str, re.Pattern]:
    """Each sentence as a pattern, its ``{name}`` standing for the regular expression
    ``values[name]``: the practice's name, the hours as said, digits read one by one."""
    compiled = {}
    for place, sentence in sentences(language).items():
        parts = re.split(r"\{(\w+)\}", sentence)  # text, name, text, name, ..., text
        pattern = "".join(
            values[part] if index % 2 else re.escape(part) for index, part in enumerate(parts)
        )
        compiled[place] = re.compile(pattern)
    return compiled


def parse(text: str, known: Mapping[str, re.Pattern]) -> list[str] | None:
    """The sentences ``text`` is made of, in order (one Say may join several), or None when it
    is not made of them alone."""
    if not text:
        return []
    for place, pattern in known.items():
        match = pattern.match(text)
        if match and text[match.end() : match.end() + 1] in ("", " "):
            rest = parse(text[match.end() :].lstrip(" "), known)
            if rest is not None:
                return [place, *rest]
    return None
