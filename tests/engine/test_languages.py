"""The caller's language, on the office: chosen by key or by name, carried in the URL, heard in
every prompt and voice; a language the tree lacks words for stops start-up, naming the file."""

import re
import sys
import types
import xml.etree.ElementTree as ET

import pytest
from twilio.twiml.voice_response import Say
from webtest import TestApp

from phonetree_engine import Keys, Option, State
from phonetree_engine.tree import TableError
from phonetree_engine.words import shown_path
from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.conftest import CLOSED
from tests.engine.trees import office
from tests.engine.trees.office import EN, ES, FR
from tests.servers import running

BOTH = (EN, ES)
ALL = (EN, ES, FR)
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
TOKEN = "auth-token-for-language-tests"
HERE = shown_path(__file__)  # as the check names this file: from where the tests run

# What the office's callers hear, written out: a changed word must fail a test, not follow it.
WELCOME = "Welcome to The Office, Ltd."
CHOICE = [
    "Office in English: press 1.",
    "Oficina en español: oprima 2.",
    "Bureau en français : faites le 3.",
]
MENU = "Office menu. Orders: 1. Help desk: 2. Hours: 3. Again: 9. Front desk: 0."
MENU_ES = "Menú de la oficina. Pedidos: 1. Ayuda: 2. Horario: 3. Repetir: 9. Recepción: 0."
MENU_FR = "Menu du bureau. Commandes : 1. Assistance : 2. Horaire : 3. Répéter : 9. Accueil : 0."
HOURS_ES = [
    "La oficina abre lun+mar+mié+jue+vie 09:00-18:00.",
    "Oprima 1 para oír el horario de nuevo.",
]
QUEUED_ES = "Entrando en la fila de ayuda."
QUEUED_FR = "Vous entrez dans la file de l'assistance."
HOURS_FR = [
    "Le bureau ouvre lun+mar+mer+jeu+ven 09:00-18:00.",
    "Faites le 1 pour réentendre l'horaire.",
]


def says(call):
    """Every Say of every answer of the call, as (language, voice, text)."""
    found = []
    for hook in call.requests:
        for say in ET.fromstring(hook.body).iter("Say"):
            found.append((say.get("language"), say.get("voice"), say.text))
    return found


@pytest.fixture
def bilingual(build):
    return build(languages=BOTH)


@pytest.fixture
def trilingual(build):
    return build(languages=ALL)


def choosing(dial, app, key=None, name=None):
    """A call at the office's language choice, then its choice by key or by name."""
    call = dial(app)
    if key is not None:
        call.press(key)
    elif name is not None:
        call.say(name)
    return call


# Choosing ####################################################################


def test_the_greeting_offers_each_language_in_its_own(dial, trilingual):
    assert dial(trilingual).last_heard == [WELCOME, *CHOICE]


def test_each_option_is_said_in_its_own_language(dial, trilingual):
    gather = dial(trilingual).gather
    assert [say.get("language") for say in gather.iter("Say")] == list(ALL)


def test_the_choice_listens_for_every_language_s_names_in_the_default_language(dial, trilingual):
    gather = dial(trilingual).gather
    assert (gather.get("input"), gather.get("language")) == ("dtmf speech", EN)
    assert gather.get("hints") == "English, español, espanol, français"


def test_the_choice_takes_one_key_and_goes_on_at_once(dial, trilingual):
    # Without numDigits the caller's key would wait for the timeout, or for #.
    assert dial(trilingual).gather.get("numDigits") == "1"


@pytest.mark.parametrize("key, menu", [("1", MENU), ("2", MENU_ES), ("3", MENU_FR)])
def test_each_key_gives_its_language_s_menu(dial, trilingual, key, menu):
    assert choosing(dial, trilingual, key=key).last_heard == [menu]


@pytest.mark.parametrize("key", ["4", "9", "0", "*"])
def test_a_key_no_language_has_keeps_the_default(dial, trilingual, key):
    assert choosing(dial, trilingual, key=key).last_heard == [MENU]


def test_silence_at_the_choice_keeps_the_default_language(dial, bilingual):
    call = dial(bilingual)
    call.silence()
    assert call.last_heard == [MENU]


@pytest.mark.parametrize(
    "name, menu",
    [
        ("Español", MENU_ES),
        ("espanol por favor", MENU_ES),
        ("ESPAÑOL", MENU_ES),
        ("français", MENU_FR),
        ("en francais s'il vous plaît", MENU_FR),
        ("english", MENU),
    ],
)
def test_saying_the_language_name_chooses_it(dial, trilingual, name, menu):
    assert choosing(dial, trilingual, name=name).last_heard == [menu]


def test_saying_no_language_s_name_keeps_the_default(dial, trilingual):
    assert choosing(dial, trilingual, name="deutsch bitte").last_heard == [MENU]


def test_the_choice_travels_in_the_url(dial, bilingual):
    gather = choosing(dial, bilingual, key="2").gather
    assert gather.get("action") == "/state/menu/exit?lang=es-US"


@pytest.mark.parametrize("odd", ["fr-FR", "fr-CA", "es", "xx", "es-US-x", ""])
def test_a_language_not_listed_in_the_url_falls_back_to_the_default(bilingual, odd):
    response = TestApp(bilingual).post(f"/state/menu?lang={odd}")
    assert response.xml.find("Gather/Say").text == MENU


def test_a_call_in_a_language_a_deploy_dropped_goes_on_in_the_first(build, validate):
    # The office has French words, but LANGUAGES no longer lists French: the call still
    # carries lang=fr-CA from before the deploy, and goes on in the tree's first language.
    call = SimulatedCall(build(languages=BOTH), validate=validate)
    call.start(f"/state/menu?lang={FR}")
    assert call.last_heard == [MENU]


# Heard in the chosen language ################################################


def test_the_spanish_hours_are_spoken_in_spanish(dial, trilingual):
    call = choosing(dial, trilingual, key="2")
    call.press("3")
    assert call.last_heard == HOURS_ES


def test_the_french_hours_are_spoken_in_french(dial, trilingual):
    call = choosing(dial, trilingual, key="3")
    call.press("3")
    assert call.last_heard == HOURS_FR


def test_saying_ayuda_queues_as_pressing_2_does(dial, bilingual):
    spoken, pressed = choosing(dial, bilingual, key="2"), choosing(dial, bilingual, key="2")
    spoken.say("ayuda")
    pressed.press("2")
    assert (spoken.outcome, spoken.last_heard) == (pressed.outcome, pressed.last_heard)
    assert (spoken.outcome, spoken.last_heard) == (("queue", "helpdesk"), [QUEUED_ES])


def test_the_spanish_menu_listens_for_spanish_words_in_spanish(dial, bilingual):
    gather = choosing(dial, bilingual, key="2").gather
    assert (gather.get("language"), gather.get("hints")) == (
        ES,
        "pedidos, ayuda, horario, recepción",
    )


def test_every_say_of_the_spanish_menu_is_in_spanish(dial, bilingual):
    gather = choosing(dial, bilingual, key="2").gather
    assert {say.get("language") for say in gather.iter("Say")} == {ES}


def test_every_later_prompt_is_said_in_spanish(dial, build):
    call = choosing(dial, build(CLOSED, languages=BOTH), key="2")
    call.press("7")  # a key the menu lacks, then the menu again
    call.press("2")  # the help desk, closed: nobody free, then voicemail
    call.record()
    later = says(call)[4:]  # after the greeting, the closed notice and the two options
    assert {language for language, _, _ in later} == {ES}
    assert call.last_heard == ["Su mensaje quedó guardado. Adiós."]


def test_the_queue_speaks_to_a_spanish_caller_in_spanish(dial, bilingual):
    call = choosing(dial, bilingual, key="2")
    call.press("2")
    call.hold(position=3)
    assert call.last_heard[0] == "Usted es el número 3 en la fila."


def test_an_apology_is_in_the_callers_language(bilingual):
    response = TestApp(bilingual).post("/state/gone?lang=es-US")
    apology = response.xml.find("Say")
    assert (apology.text, apology.get("language")) == ("Oficina disculpa: algo falló.", ES)
    assert response.xml.find("Gather/Say").text == MENU_ES


def test_a_voice_per_language(dial, build):
    app = build(languages=ALL, voice="Polly.Joanna", voices={ES: "Polly.Lupe"})
    call = choosing(dial, app, key="2")
    voices = {(language, voice) for language, voice, _ in says(call)}
    assert voices == {(EN, "Polly.Joanna"), (ES, "Polly.Lupe"), (FR, "Polly.Joanna")}


# Phrases a caller says #######################################################


@pytest.mark.parametrize(
    "said, outcome",
    [
        ("rendez-vous", ("queue", "helpdesk")),
        ("rendez vous", ("queue", "helpdesk")),
        ("Un rendez-vous, s'il vous plaît", ("queue", "helpdesk")),
        ("RENDEZ-VOUS", ("queue", "helpdesk")),
        ("assistance", ("queue", "helpdesk")),
        ("accueil", ("dial", "+15555550177")),
    ],
)
def test_a_french_phrase_with_a_hyphen_matches_however_it_is_written(
    dial, trilingual, said, outcome
):
    call = choosing(dial, trilingual, key="3")
    call.say(said)
    assert call.outcome == outcome


@pytest.mark.parametrize(
    "said", ["l'horaire", "L\u2019horaire", "l horaire", "donnez-moi l'horaire"]
)
def test_a_french_phrase_with_an_apostrophe_matches_however_it_is_written(dial, trilingual, said):
    call = choosing(dial, trilingual, key="3")
    call.say(said)
    assert call.last_heard == HOURS_FR


@pytest.mark.parametrize("said", ["recepcion", "RECEPCIÓN", "la recepción por favor"])
def test_a_phrase_matches_with_or_without_its_accents(dial, trilingual, said):
    call = choosing(dial, trilingual, key="2")
    call.say(said)
    assert call.outcome == ("dial", "+15555550177")


@pytest.mark.parametrize("said", ["rendez", "vous", "les horaires", "horaire", "rendezvous"])
def test_part_of_a_phrase_is_not_the_phrase(dial, trilingual, said):
    call = choosing(dial, trilingual, key="3")
    call.say(said)
    assert call.last_heard == ["Cette touche ne fait rien ici.", MENU_FR]


def test_the_longest_phrase_said_wins_over_a_shorter_one_inside_it(dial, build):
    # "customer service" holds "service": a caller who says it means the help desk.
    options = [
        Option("1", "orders", say={EN: "Orders: 1."}, hear={EN: "service"}),
        Option("2", "helpdesk", say={EN: "Help desk: 2."}, hear={EN: "customer service"}),
        *office.MENU[2:],
    ]
    menu = State(office.menu, Keys(options, "wrong", silence="quiet", give_up="transfer"))
    call = dial(build(tree=office.tree(menu=menu)))
    call.say("customer service please")
    assert call.outcome == ("queue", "helpdesk")


# One language, or a variant of one ###########################################


def test_with_one_language_there_is_no_choice(dial):
    assert dial().last_heard == [WELCOME, MENU]


def test_spanish_alone_is_a_spanish_tree(dial, build):
    call = dial(build(languages=(ES,)))
    assert call.last_heard == ["Bienvenido a The Office, Ltd.", MENU_ES]


def test_an_english_variant_uses_the_english_words(dial, build):
    call = dial(build(languages=("en-GB",)))
    assert (call.last_heard, {say[0] for say in says(call)}) == ([WELCOME, MENU], {"en-GB"})


def test_a_french_variant_uses_the_words_of_another_french(dial, build):
    call = dial(build(languages=("fr-FR",)))
    assert call.last_heard == ["Bienvenue chez The Office, Ltd.", MENU_FR]
    assert {say[0] for say in says(call)} == {"fr-FR"}


# A language without its words stops start-up, naming the file ##################


@pytest.fixture
def german(build):
    """Every problem the check finds when the office is asked to speak German too."""
    with pytest.raises(TableError) as refused:
        build(languages=(EN, "de-DE"))
    return refused.value.problems


OFFICE_FILE = r"\((.+/)?tests/engine/trees/office\.py, (\w+)\)$"


def test_words_also_held_by_a_module_without_a_file_are_named_by_theirs(build, monkeypatch):
    # An interactive session (python -i, a notebook) has no file, and may hold the words too.
    session = types.ModuleType("an_interactive_session")
    session.WORDS = office.WORDS
    monkeypatch.setitem(sys.modules, "an_interactive_session", session)
    with pytest.raises(TableError) as refused:
        build(languages=(EN, "de-DE"))
    assert any(re.search(OFFICE_FILE, problem) for problem in refused.value.problems)


def test_a_language_without_words_names_each_of_the_tree_s_words_by_file(german):
    named = {m.group(2) for p in german if (m := re.search(OFFICE_FILE, p))}
    # TABLE: the collect's own words are written in its row (callback_number).
    assert named == {
        "ENGINE_WORDS",
        "WORDS",
        "LANGUAGE",
        "DAY_NAMES",
        "HOURS_SAID",
        "MENU",
        "HOLD",
        "TABLE",
    }


def test_a_language_without_words_lists_the_missing_sentences(german):
    assert (
        "the tree's words: no de-DE words for apology, connecting, not_connected, "
        "fallback_apology, fallback_record, fallback_thanks, fallback_nothing, "
        "collect_confirm, collect_offer, collect_invalid, collect_silence"
    ) in [re.sub(r" \(.*\)$", "", p) for p in german]
    assert "no de-DE words for choice, names" in [re.sub(r" \(.*\)$", "", p) for p in german]


def test_a_language_without_words_names_each_menu_option_missing_it(german):
    options = [p for p in german if p.startswith("state 'menu': option ")]
    assert [re.sub(r" \(.*\)$", "", p) for p in options] == [
        "state 'menu': option 1 has no de-DE words to say",
        "state 'menu': option 1 has no de-DE words to hear",
        "state 'menu': option 2 has no de-DE words to say",
        "state 'menu': option 2 has no de-DE words to hear",
        "state 'menu': option 3 has no de-DE words to say",
        "state 'menu': option 3 has no de-DE words to hear",
        "state 'menu': option 9 has no de-DE words to say",
        "state 'menu': option 0 has no de-DE words to say",
        "state 'menu': option 0 has no de-DE words to hear",
    ]


def test_every_problem_is_about_the_missing_language(german):
    assert german and all("de-DE" in problem for problem in german)


def test_every_line_about_the_missing_language_names_a_file_of_the_tree(german):
    assert [p for p in german if not re.search(OFFICE_FILE, p)] == []


def test_a_missing_sentence_names_the_language_the_sentence_and_its_file(build, monkeypatch):
    monkeypatch.delitem(office.WORDS[FR], "again")
    with pytest.raises(TableError) as refused:
        build(languages=ALL)
    # (First: an app built earlier in this process found these words complete, and its
    # rendering check may add that the hours' handler failed on them.)
    assert re.fullmatch(
        r"no fr-CA words for again \((.+/)?tests/engine/trees/office\.py, WORDS\)",
        refused.value.problems[0],
    )


# Words written in a state's own module (here, this one)
HOURS_WITHOUT_AGAIN = {
    EN: {"open": "The office opens {hours}.", "again": "Press 1 to hear the hours again."},
    ES: {"open": "La oficina abre {hours}."},
}


def hours_without_again(call):
    call.words(HOURS_WITHOUT_AGAIN)
    return office.hours(call)


def test_a_missing_prompt_names_the_state_the_language_the_prompt_and_its_file(build):
    hours = office.TABLE["hours"]._replace(enter=hours_without_again)
    with pytest.raises(TableError) as refused:
        build(languages=BOTH, tree=office.tree(hours=hours))
    assert refused.value.problems == [
        f"state 'hours': no es-US words for again ({HERE}, HOURS_WITHOUT_AGAIN)"
    ]


# An option said in some languages only: written here, so the check names this file.
MENU_WITH_SEVEN = (
    *office.MENU,
    Option("7", "hours", say={EN: "Seven: 7.", ES: "Siete: 7."}, hear={EN: "seven"}),
)


def test_an_option_without_its_words_in_a_language_is_named_with_its_file(build):
    menu = office.TABLE["menu"]
    keys = Keys(MENU_WITH_SEVEN, otherwise="wrong", silence="quiet", give_up="transfer")
    with pytest.raises(TableError) as refused:
        build(languages=ALL, tree=office.tree(menu=menu._replace(exit=keys)))
    assert refused.value.problems == [
        f"state 'menu': option 7 has no fr-CA words to say ({HERE}, MENU_WITH_SEVEN)",
        f"state 'menu': option 7 has no es-US words to hear ({HERE}, MENU_WITH_SEVEN)",
        f"state 'menu': option 7 has no fr-CA words to hear ({HERE}, MENU_WITH_SEVEN)",
    ]


def english_only(call):
    return Say("Nothing was pressed.")


def test_a_sentence_without_its_translation_stops_a_bilingual_start_up(build):
    with pytest.raises(TableError) as refused:
        build(languages=BOTH, tree=office.tree(quiet=State(english_only, "menu")))
    assert refused.value.problems == [
        "state 'quiet': says 'Nothing was pressed.' in es-US as in en-US; give it words in "
        f"each language and say them with call.words(WORDS) ({HERE}, english_only)"
    ]


def test_a_sentence_without_its_translation_is_fine_in_one_language(build):
    assert build(tree=office.tree(quiet=State(english_only, "menu")))


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
    assert call.last_heard[1] == HOURS_ES[1]
    call.press("9")
    call.say("ayuda")
    assert (call.outcome, call.last_heard) == (("queue", "helpdesk"), [QUEUED_ES])
    assert {language for language, _, _ in says(call)[3:]} == {ES}
