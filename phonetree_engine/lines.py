"""How facts are written in a log line: ``event key=value ...``, quoted and masked.

One quoting rule for every value (``log_value``), so that no character a line-splitting tool
honours can start a line of its own; the caller's number keeps its last four digits
(``mask_number``), and runs of digits a caller said or a transcript holds are masked whole
(``mask_digits``): a card or account number never reaches a log.
"""

from __future__ import annotations

import json
import re

# Every character a line-splitting tool may honour (str.splitlines' list, and DEL), written as
# an escape, so that no value can start a line of its own in the log.
LINE_BREAKS = {code: f"\\u{code:04x}" for code in (*range(0x20), 0x7F, 0x85, 0x2028, 0x2029)}
# Three digits or more, maybe spaced, dotted or dashed as people say and write them.
DIGIT_RUN = re.compile(r"\d(?:[\s.\-]*\d){2,}")


def event_line(event: str, **fields) -> str:
    """One log line: the event, then key=value pairs, quoted when a value needs it."""
    parts = [event]
    for key, value in fields.items():
        parts.append(f"{key}={log_value(str(value))}")
    return " ".join(parts)


def log_value(text: str) -> str:
    """A log value as written: quoted when empty, or when it holds what ends or splits a value.

    `in` on each character is a tenth of a regular expression's cost: this runs for every
    field of every line.
    """
    if not text or not text.isprintable() or " " in text or '"' in text or "=" in text:
        return json.dumps(text, ensure_ascii=False).translate(LINE_BREAKS)
    return text


def mask_number(number: str) -> str:
    """Keep the last four digits of a caller's number: enough to tell calls apart in a log."""
    if not number:
        return "-"
    head = "+" if number.startswith("+") else ""
    tail = number[-4:] if len(number) > 6 else number[-2:]
    return head + "*" * (len(number) - len(head) - len(tail)) + tail


def mask_digits(text: str) -> str:
    """Words as a log may keep them: every run of three digits or more becomes stars."""
    if not any(char.isdigit() for char in text):
        return text
    return DIGIT_RUN.sub(lambda run: re.sub(r"\d", "*", run.group()), text)


def seconds(text: str) -> int:
    """A duration the carrier posted (QueueTime, RecordingDuration), in whole seconds; 0 if odd."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 0
