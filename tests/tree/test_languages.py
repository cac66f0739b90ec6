"""The shipped tree in Spanish: what a caller who chooses it hears, key by key and word by word."""

import xml.etree.ElementTree as ET

import pytest
from webtest import TestApp

from tests.conftest import CLOSED
from tests.tree.prompts import (
    CHOICE,
    HOURS_AGAIN_ES,
    HOURS_ES,
    MENU,
    MENU_ES,
    SUPPORT_ES,
    WELCOME,
)

BOTH = ("en-US", "es-US")
THANKS_ES = "Gracias por su mensaje. Le devolveremos la llamada lo antes posible. Adiós."


def says(call):
    """Every Say of every answer of the call, as (language, text)."""
    found = []
    for hook in call.requests:
        for say in ET.fromstring(hook.body).iter("Say"):
            found.append((say.get("language"), say.text))
    return found


@pytest.fixture
def bilingual(build):
    return build(languages=BOTH)


@pytest.fixture
def in_spanish(dial, bilingual):
    """A call that chose Spanish at the greeting."""
    call = dial(bilingual)
    call.press("2")
    return call


def test_the_greeting_offers_english_and_spanish(dial, bilingual):
    assert dial(bilingual).last_heard == [WELCOME, *CHOICE]


def test_pressing_2_gives_the_spanish_menu(in_spanish):
    assert in_spanish.last_heard == [MENU_ES]


def test_pressing_1_gives_the_english_menu(dial, bilingual):
    call = dial(bilingual)
    call.press("1")
    assert call.last_heard == [MENU]


@pytest.mark.parametrize("name", ["Español", "spanish please", "espanol"])
def test_saying_spanish_chooses_it(dial, bilingual, name):
    call = dial(bilingual)
    call.say(name)
    assert call.last_heard == [MENU_ES]


@pytest.mark.parametrize("name", ["English", "inglés", "ingles por favor"])
def test_saying_english_chooses_it(dial, bilingual, name):
    call = dial(bilingual)
    call.say(name)
    assert call.last_heard == [MENU]


def test_the_spanish_hours_are_spoken_in_spanish(in_spanish):
    in_spanish.press("3")
    assert in_spanish.last_heard == [HOURS_ES, HOURS_AGAIN_ES]


def test_saying_soporte_queues_as_pressing_2_does(dial, bilingual, in_spanish):
    pressed = dial(bilingual)
    pressed.press("2")
    pressed.press("2")
    in_spanish.say("soporte")
    assert (in_spanish.outcome, in_spanish.last_heard) == (pressed.outcome, pressed.last_heard)
    assert (in_spanish.outcome, in_spanish.last_heard) == (("queue", "support"), [SUPPORT_ES])


@pytest.mark.parametrize("word", ["ventas", "horario", "operadora", "recepcionista"])
def test_the_spanish_menu_listens_for_its_spanish_words(in_spanish, word):
    gather = in_spanish.gather
    assert gather.get("language") == "es-US"
    assert word in gather.get("hints").split(", ")


def test_every_later_prompt_is_said_in_spanish(dial, build):
    call = dial(build(CLOSED, languages=BOTH))
    call.press("2")
    call.press("7")  # invalid, then the menu again
    call.press("2")  # support, closed: unavailable, voicemail
    call.record()
    later = says(call)[4:]  # after the greeting, the closed notice and the two options
    assert {language for language, _ in later} == {"es-US"}
    assert call.heard[-1] == THANKS_ES


def test_the_queue_speaks_to_a_spanish_caller_in_spanish(in_spanish):
    in_spanish.press("2")
    in_spanish.hold(position=3)
    assert in_spanish.last_heard[0] == "Usted es la persona número 3 en la fila."


def test_an_apology_is_in_spanish(bilingual):
    response = TestApp(bilingual).post("/state/gone?lang=es-US")
    assert response.xml.find("Say").text == "Lo siento, algo salió mal de nuestro lado."
    assert response.xml.find("Gather/Say").text == MENU_ES


def test_spanish_alone_is_a_spanish_tree(dial, build):
    call = dial(build(languages=("es-US",)))
    assert call.last_heard == ["Bienvenido a ACME, Inc.", MENU_ES]
