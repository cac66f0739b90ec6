"""The caller's language: chosen at the greeting, carried in the URL, heard in every prompt."""

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from servers import running
from twilio.twiml.voice_response import Say
from webtest import TestApp

import states
from phonetree import make_app
from phonetree_engine import State
from phonetree_engine.settings import Config
from phonetree_engine.tree import TableError
from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.conftest import CLOSED, OPEN
from tests.prompts import CHOICE, HOURS_AGAIN_ES, HOURS_ES, MENU, MENU_ES, SUPPORT_ES, WELCOME

BOTH = ("en-US", "es-US")
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
TOKEN = "auth-token-for-language-tests"


def bilingual(at=OPEN, **settings):
    return make_app(Config(languages=BOTH, **settings), clock=lambda: at)


def says(call):
    """Every Say of every answer of the call, as (language, voice, text)."""
    found = []
    for hook in call.requests:
        for say in ET.fromstring(hook.body).iter("Say"):
            found.append((say.get("language"), say.get("voice"), say.text))
    return found


def in_spanish(validate, app=None, **options):
    call = SimulatedCall(app or bilingual(), validate=validate, **options)
    call.start()
    call.press("2")
    return call


def test_the_greeting_offers_each_language_in_its_own(validate):
    call = SimulatedCall(bilingual(), validate=validate)
    call.start()
    assert call.last_heard == [WELCOME, *CHOICE]


def test_each_option_is_said_in_its_own_language(validate):
    call = SimulatedCall(bilingual(), validate=validate)
    call.start()
    assert [say.get("language") for say in call.gather.iter("Say")] == list(BOTH)


def test_pressing_2_gives_the_spanish_menu(validate):
    assert in_spanish(validate).last_heard == [MENU_ES]


def test_pressing_1_gives_the_english_menu(validate):
    call = SimulatedCall(bilingual(), validate=validate)
    call.start()
    call.press("1")
    assert call.last_heard == [MENU]


def test_silence_at_the_choice_keeps_the_default_language(validate):
    call = SimulatedCall(bilingual(), validate=validate)
    call.start()
    call.silence()
    assert call.last_heard == [MENU]


@pytest.mark.parametrize("name", ["Español", "spanish please", "espanol"])
def test_saying_the_language_name_chooses_it(validate, name):
    call = SimulatedCall(bilingual(), validate=validate)
    call.start()
    call.say(name)
    assert call.last_heard == [MENU_ES]


def test_the_spanish_hours_are_spoken_in_spanish(validate):
    call = in_spanish(validate)
    call.press("3")
    assert call.last_heard == [HOURS_ES, HOURS_AGAIN_ES]


def test_saying_soporte_queues_as_pressing_2_does(validate):
    spoken, pressed = in_spanish(validate), in_spanish(validate)
    spoken.say("soporte")
    pressed.press("2")
    assert (spoken.outcome, spoken.last_heard) == (pressed.outcome, pressed.last_heard)
    assert spoken.last_heard == [SUPPORT_ES]


def test_the_spanish_menu_listens_for_spanish_words(validate):
    gather = in_spanish(validate).gather
    assert (gather.get("language"), "soporte" in gather.get("hints")) == ("es-US", True)


def test_every_later_prompt_is_said_in_spanish(validate):
    call = in_spanish(validate, app=bilingual(CLOSED))
    call.press("7")  # invalid, then the menu again
    call.press("2")  # support, closed: unavailable, voicemail
    call.record()
    later = says(call)[3:]  # after the greeting and the two options
    assert {language for language, _, _ in later} == {"es-US"}
    assert (
        call.heard[-1]
        == "Gracias por su mensaje. Le devolveremos la llamada lo antes posible. Adiós."
    )


def test_a_voice_per_language(validate):
    app = bilingual(voice="Polly.Joanna", voices={"es-US": "Polly.Lupe"})
    call = in_spanish(validate, app=app)
    voices = {(language, voice) for language, voice, _ in says(call)}
    assert voices == {("en-US", "Polly.Joanna"), ("es-US", "Polly.Lupe")}


def test_the_choice_travels_in_the_url(validate):
    assert in_spanish(validate).gather.get("action") == "/state/menu/exit?lang=es-US"


@pytest.mark.parametrize("odd", ["fr-FR", "es", "xx", "es-US-x", ""])
def test_an_unknown_language_in_the_url_falls_back_to_the_default(odd):
    response = TestApp(bilingual()).post(f"/state/menu?lang={odd}")
    assert response.xml.find("Gather/Say").text == MENU


def test_an_apology_is_in_the_callers_language():
    response = TestApp(bilingual()).post("/state/gone?lang=es-US")
    assert response.xml.find("Say").text == "Lo siento, algo salió mal de nuestro lado."


def test_with_one_language_there_is_no_choice(validate):
    call = SimulatedCall(make_app(Config(), clock=lambda: OPEN), validate=validate)
    call.start()
    assert call.last_heard == [WELCOME, MENU]


def test_spanish_alone_is_a_spanish_tree(validate):
    app = make_app(Config(languages=("es-US",)), clock=lambda: OPEN)
    call = SimulatedCall(app, validate=validate)
    call.start()
    assert call.last_heard == ["Bienvenido a ACME, Inc.", MENU_ES]


# A language without its words stops start-up ##################################


def test_a_language_without_words_stops_start_up_naming_the_state_and_language():
    with pytest.raises(TableError, match=r"state 'greeting': no fr-FR words"):
        make_app(Config(languages=("en-US", "fr-FR")))


def test_a_missing_prompt_names_the_state_the_language_and_the_prompt():
    words = {"en-US": dict(states.hours.WORDS["en-US"]), "es-US": {"open": "Abrimos {hours}."}}

    def enter(call):
        call.words(words)
        return states.hours.enter(call)

    table = {**states.TABLE, "hours": State(enter, states.TABLE["hours"].exit)}
    with pytest.raises(TableError, match=r"state 'hours': no es-US words for again"):
        make_app(Config(languages=BOTH), table=table)


def test_an_english_variant_uses_the_english_words(validate):
    call = SimulatedCall(make_app(Config(languages=("en-GB",)), clock=lambda: OPEN))
    call.start()
    assert (call.last_heard, {say[0] for say in says(call)}) == ([WELCOME, MENU], {"en-GB"})


# Two replicas started as the Procfile says ###################################


@pytest.fixture(scope="module")
def replicas():
    settings = {"TWILIO_AUTH_TOKEN": TOKEN, "OPENING_HOURS": ALWAYS_OPEN}
    with running(2, LANGUAGES="en-US,es-US", **settings) as servers:
        yield servers


def test_a_spanish_call_goes_on_across_two_replicas(replicas, validate):
    transports = [HTTPTransport(server.url) for server in replicas]
    call = SimulatedCall(
        transports, auth_token=TOKEN, public_url=replicas[0].url, validate=validate
    )
    call.start()
    call.press("2")
    assert call.last_heard == [MENU_ES]
    call.press("3")
    assert call.last_heard[1] == HOURS_AGAIN_ES
    call.press("9")
    call.say("soporte")
    assert (call.outcome, call.last_heard) == (("queue", "support"), [SUPPORT_ES])
    assert {language for language, _, _ in says(call)[3:]} == {"es-US"}


# What the start-up check says of a menu's words ##############################


def menu_with(**changes):
    return {**states.TABLE, "menu": states.TABLE["menu"]._replace(**changes)}


def test_a_key_without_an_announcement_is_named_by_the_check():
    menu = states.TABLE["menu"].exit
    new = next(key for key in "45678*" if key not in menu.keys)  # a key the menu lacks
    keys = dataclasses.replace(menu, keys={**menu.keys, new: "hours"})
    with pytest.raises(TableError) as refused:
        make_app(Config(languages=BOTH), table=menu_with(exit=keys))
    assert refused.value.problems == [
        f"state 'menu': key {new!r} has no announcement in en-US",
        f"state 'menu': key {new!r} has no announcement in es-US",
    ]


def test_an_announcement_of_a_key_the_menu_does_not_take_is_named():
    menu = states.TABLE["menu"].exit
    new = next(key for key in "78*" if key not in menu.keys)
    announce = {lang: {**words, new: "Press it."} for lang, words in menu.announce.items()}
    with pytest.raises(TableError, match=f"state 'menu': announces key '{new}', which it does not"):
        make_app(Config(), table=menu_with(exit=dataclasses.replace(menu, announce=announce)))


def test_a_sentence_without_its_translation_stops_a_bilingual_start_up():
    def english_only(call):
        return Say("Sorry, we did not hear your choice.")

    table = {**states.TABLE, "no_choice": State(english_only, "menu")}
    with pytest.raises(TableError, match="state 'no_choice': says 'Sorry, we did not hear"):
        make_app(Config(languages=BOTH), table=table)


def test_a_sentence_without_its_translation_is_fine_in_one_language():
    def english_only(call):
        return Say("Sorry, we did not hear your choice.")

    make_app(Config(), table={**states.TABLE, "no_choice": State(english_only, "menu")})


def test_the_queue_speaks_to_a_spanish_caller_in_spanish(validate):
    call = in_spanish(validate)
    call.press("2")
    call.hold(position=3)
    assert call.last_heard[0] == "Usted es la persona número 3 en la fila."
