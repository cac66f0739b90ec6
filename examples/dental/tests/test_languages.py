"""Every state of the tree, walked in each language: after the language choice a French caller
hears French only, an English caller English only, and nobody hears Spanish.

Two checks, each on every Say of every answer: the text is made of the tree's own sentences in
the Say's language and of none in the other (``sentences.py``), and it holds none of the words
that only other languages use (so a sentence filed under the wrong language is caught too).
"""

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from examples.dental import TABLE, TREE
from examples.dental.hours_said import SAID
from examples.dental.tests.conftest import CLOSED, KEY, OPEN
from examples.dental.tests.sentences import parse, patterns, sentences
from phonetree_engine import Config
from phonetree_engine.words import folded
from phonetree_tools.caller import SimulatedCall

LANGUAGES = ("fr-CA", "en-US")
OTHER = {"fr-CA": "en-US", "en-US": "fr-CA"}
# Words of one language only (accents folded away): none may be heard in another's sentences.
ENGLISH = {"the", "and", "you", "your", "we", "our", "is", "to", "for", "with", "press"}
ENGLISH |= {"please", "thank", "thanks", "sorry", "goodbye", "call", "hear", "leave", "after"}
FRENCH = {"le", "les", "du", "des", "vous", "votre", "nous", "notre", "pour", "faites", "et"}
FRENCH |= {"merci", "au", "revoir", "est", "un", "une", "bonjour", "desole", "aucun", "apres"}
SPANISH = {"el", "los", "usted", "oprima", "por", "favor", "gracias", "llamada", "mensaje"}
SPANISH |= {"su", "nuestro", "nuestra", "adios", "lo", "siento", "marque", "y", "para", "es"}
FOREIGN = {"fr-CA": ENGLISH | SPANISH, "en-US": FRENCH | SPANISH}
DEFAULT = Config.from_environ({}, TREE.settings, TREE.defaults)  # what build() serves


@dataclass
class Said:
    language: str  # the Say's language attribute
    text: str
    choice: bool  # in the language choice, where each language offers itself
    fallback: bool = False  # on the number's fallback route, which speaks every language


def walk(build, validate, language: str) -> list[SimulatedCall]:
    """Calls that together enter every state of the tree and say every sentence it has in
    ``language``: keys, silence, the clinic closed, each way a Dial ends, each prompt of the
    appointment's collect, a failure on our side, and the number's fallback route."""
    calls = []
    opened, closed = build(OPEN), build(CLOSED)

    def call(app=opened, path="/voice", **options):
        placed = SimulatedCall(app, validate=validate, **options)
        placed.start(path)
        if path == "/voice":
            placed.press(KEY[language])
        calls.append(placed)
        return placed

    # The hours, again, back to the menu, the menu again; three misses ring the front desk.
    menu = act(call(), "1", "1", "5", "9", "7", "_", "8")
    menu.dial_result("completed")
    # An appointment on the caller's own number, then a message.
    act(call(from_="+15145550123"), "4", "1").record(duration=20)
    # Another number, after silence and a wrong one; then no message at all.
    other = act(call(from_="anonymous"), "4", "_", "0123456789", "4385550199", "1")
    other.record(duration=0)
    # Three wrong numbers: the front desk, where nobody answers; a message.
    lost = act(call(from_="anonymous"), "4", "1#", "1#", "1#")
    lost.dial_result("no-answer")
    lost.record(duration=20)
    # Closed: the front desk is voicemail.
    late = call(closed)
    late.press("0")
    late.record(duration=20)
    # A state gone in a deploy: an apology and the menu; after repeated failures, a person.
    call(path=f"/state/gone?lang={language}")
    last = call(path=f"/state/gone?lang={language}&tries=2")
    last.dial_result("no-answer")
    # The number's fallback route speaks every language, the first of LANGUAGES first.
    first = build(OPEN, LANGUAGES=f"{language},{OTHER[language]}")
    for recording in (20, 0):
        fallback = call(first, "/fallback")
        fallback.dial_result("no-answer")
        fallback.record(duration=recording)
    return calls


def act(call: SimulatedCall, *inputs: str) -> SimulatedCall:
    """Press each input's keys, or stay silent for ``_``, as ``call --keys`` reads them."""
    for keys in inputs:
        if keys == "_":
            call.silence()
        else:
            call.press(keys)
    return call


def said(calls) -> list[Said]:
    """Every Say of every answer, as the caller hears it."""
    found = []
    for call in calls:
        for webhook in call.requests:
            for say in ET.fromstring(webhook.body).iter("Say"):
                text = " ".join("".join(say.itertext()).split())
                choice = webhook.url.endswith("/voice")
                fallback = "/fallback" in webhook.url
                found.append(Said(say.get("language"), text, choice, fallback))
    return found


def known(language: str) -> dict[str, re.Pattern]:
    """The tree's sentences in ``language``, filled as the default settings fill them."""
    hours = SAID[language](DEFAULT.opening_hours.openings())
    values = {
        "practice": re.escape(DEFAULT.practice_name),
        "hours": re.escape(hours),
        "digits": r"\d(?:, \d)*",
        "key": "[1-9]",
    }
    return patterns(language, values)


class Lines(logging.Handler):
    """The log lines written meanwhile."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@dataclass
class Walk:
    language: str
    heard: list[Said]  # after the language choice
    choices: list[Said]  # in it
    fallbacks: list[Said]  # on the fallback route
    lines: list[str]  # the log's


@pytest.fixture(scope="module", params=LANGUAGES)
def walked(request, build, validate) -> Walk:
    """The walk in each language, once: what was said, and what the log wrote meanwhile."""
    log, lines = logging.getLogger("phonetree"), Lines()
    level = log.level
    log.addHandler(lines)
    log.setLevel(logging.INFO)
    try:
        says = said(walk(build, validate, request.param))
    finally:
        log.removeHandler(lines)
        log.setLevel(level)
    heard = [say for say in says if not say.choice and not say.fallback]
    choices = [say for say in says if say.choice]
    fallbacks = [say for say in says if say.fallback]
    return Walk(request.param, heard, choices, fallbacks, lines.lines)


def test_after_the_choice_every_sentence_is_the_trees_own_in_the_callers_language(walked):
    own, other = known(walked.language), known(OTHER[walked.language])
    assert walked.heard
    assert {say.language for say in walked.heard} == {walked.language}
    assert [say.text for say in walked.heard if parse(say.text, own) is None] == []
    assert [say.text for say in walked.heard if parse(say.text, other) is not None] == []


def test_after_the_choice_no_word_of_another_language_is_heard(walked):
    name = set(folded(DEFAULT.practice_name))  # a proper noun, whatever its language
    foreign = [
        sorted((set(folded(say.text)) - name) & FOREIGN[walked.language]) for say in walked.heard
    ]
    assert [words for words in foreign if words] == []


def test_the_choice_offers_each_language_in_its_own_words(walked):
    assert walked.choices
    for say in walked.choices:
        assert parse(say.text, known(say.language)) == ["language.WORDS choice"], say.text


def test_the_fallback_says_each_sentence_in_both_languages_the_first_first(walked):
    languages = [say.language for say in walked.fallbacks]
    assert languages and languages[0] == walked.language
    assert languages.count(walked.language) == languages.count(OTHER[walked.language])
    for say in walked.fallbacks:
        assert parse(say.text, known(say.language)) is not None, say.text


def test_the_walk_enters_every_state(walked):
    entered = set()
    for line in walked.lines:
        found = re.search(r" entered=(\S+)", line)
        entered |= set(found.group(1).split(",")) if found else set()
    assert entered == set(TABLE)


def test_the_walk_hears_every_sentence_the_tree_has_in_that_language(walked):
    own = known(walked.language)
    heard = set()
    for say in walked.heard + walked.choices + walked.fallbacks:
        if say.language == walked.language:
            heard |= set(parse(say.text, own) or ())
    assert sorted(set(sentences(walked.language)) - heard) == []
