"""What a command printed, read as the tests of ``python phonetree.py`` read it."""

from __future__ import annotations


def lines(result) -> list[str]:
    """The lines of a finished command's stdout (or of a text)."""
    text = result if isinstance(result, str) else result.stdout
    return text.splitlines()


def heard(result) -> list[str]:
    """What a ``call`` said the caller heard, in order."""
    return [line.removeprefix("heard: ") for line in lines(result) if line.startswith("heard: ")]


def after(result, line) -> list[str]:
    """The lines printed after ``line``."""
    printed = lines(result)
    return printed[printed.index(line) + 1 :]
