"""docs/studio.md says what the studio does."""

import re
import shlex

import pytest

from phonetree_tools.cli import parser
from phonetree_tools.studio.moment import action
from tests.studio.studio_process import ROOT, running

DOC = (ROOT / "docs" / "studio.md").read_text(encoding="utf-8")


def table_tokens() -> list[str]:
    rows = re.findall(r"^\| (`.*?) \|", DOC, re.MULTILINE)
    return [token for row in rows for token in re.findall(r"`([^`]+)`", row)]


@pytest.mark.parametrize("token", table_tokens())
def test_each_action_in_the_table_is_one_the_studio_reads(token):
    assert action(token).token == token


def test_the_table_shows_every_kind_of_action():
    kinds = {action(token).kind for token in table_tokens()}
    assert kinds == {"press", "silence", "say", "record", "hangup", "dial", "hold", "queue"}


@pytest.mark.parametrize("line", re.findall(r"^python phonetree\.py studio.*$", DOC, re.MULTILINE))
def test_each_command_shown_is_one_the_parser_takes(line):
    words = shlex.split(line.split("#")[0])[2:]
    assert parser().parse_args(words).command == "studio"


def test_the_screenshot_is_a_png():
    assert (ROOT / "docs" / "studio.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_address_shown_reads_as_a_moment():
    address = re.search(r"^http://127\.0\.0\.1:8001/\?(\S+)$", DOC, re.MULTILINE).group(1)
    assert [part.split("=")[1] for part in address.split("&")[1:]] == ["2", "3"]


def test_the_saved_test_shown_is_what_the_studio_saves_for_the_address_shown():
    address = re.search(r"^http://127\.0\.0\.1:8001/\?(\S+)$", DOC, re.MULTILINE).group(1)
    shown = re.search(r"```python\n(.*?)```", DOC, re.DOTALL).group(1)
    with running(LANGUAGES="en-US,es-US") as studio:
        assert studio.get(f"/studio/test?{address}") == (200, shown)
