"""What the practice's callers hear, key by key, walked the way Twilio walks the tree."""

import pytest

from examples.dental.tests.conftest import CLOSED

CHOICE = ["Pour le service en français, faites le 1.", "For service in English, press 2."]
WELCOME = {
    "fr-CA": "Clinique dentaire Mont-Royal, bonjour.",
    "en-US": "Thank you for calling Clinique dentaire Mont-Royal.",
}
MENU = {
    "fr-CA": "Voici notre menu. Pour nos heures d'ouverture, faites le 1. Pour prendre, changer "
    "ou annuler un rendez-vous, faites le 4. Pour réentendre ces options, faites le 9. Pour "
    "parler à la réception, faites le 0.",
    "en-US": "Here is our menu. For our opening hours, press 1. To book, change or cancel an "
    "appointment, press 4. To hear these options again, press 9. To speak with the front desk, "
    "press 0.",
}
HOURS = {
    "fr-CA": [
        "La clinique est ouverte du lundi au jeudi de 8 h à 18 h et le vendredi de 8 h à 13 h.",
        "Faites le 1 pour réentendre nos heures, ou toute autre touche pour revenir au menu.",
    ],
    "en-US": [
        "The clinic is open Mondays through Thursdays from 8 AM to 6 PM, and Fridays from 8 AM "
        "to 1 PM.",
        "Press 1 to hear our hours again, or any other key to go back to the menu.",
    ],
}
RECORD = "Laissez votre message après le bip, puis faites le carré."
UNAVAILABLE = "Personne ne peut prendre votre appel pour le moment."
CONNECTING = "Un instant, je vous mets en communication avec la réception."


def test_the_call_opens_with_each_language_offered_in_its_own(dial):
    call = dial(language=None)
    assert call.heard == CHOICE
    says = call.gather.findall("Say")
    assert [say.get("language") for say in says] == ["fr-CA", "en-US"]


@pytest.mark.parametrize("language", ["fr-CA", "en-US"])
def test_the_chosen_language_names_the_practice_and_reads_the_menu(dial, language):
    call = dial(language=language)
    assert call.last_heard == [WELCOME[language], MENU[language]]
    assert {say.get("language") for say in call.document.iter("Say")} == {language}


def test_silence_at_the_language_choice_goes_on_in_french(dial):
    call = dial(language=None)
    call.silence()
    assert call.last_heard == [WELCOME["fr-CA"], MENU["fr-CA"]]


def test_saying_english_chooses_english(dial):
    call = dial(language=None)
    call.say("anglais", language="fr-CA")
    assert call.last_heard == [WELCOME["en-US"], MENU["en-US"]]


@pytest.mark.parametrize("language", ["fr-CA", "en-US"])
def test_key_1_reads_the_hours_in_the_callers_language(dial, language):
    call = dial(language=language)
    call.press("1")
    assert call.last_heard == HOURS[language]


def test_the_hours_again_on_1_and_the_menu_on_any_other_key(dial):
    call = dial()
    call.press("1")
    call.press("1")
    assert call.last_heard == HOURS["fr-CA"]
    call.press("7")
    assert call.last_heard == [MENU["fr-CA"]]


def test_the_menu_hears_rendez_vous_in_french(dial):
    call = dial()
    gather = call.gather
    assert (gather.get("input"), gather.get("language")) == ("dtmf speech", "fr-CA")
    call.say("Je voudrais un rendez-vous.", language="fr-CA")
    assert call.last_heard == [
        "Nous avons le numéro 5, 0, 0, 5, 5, 5, 0, 0, 0, 6. "
        "Faites le 1 pour le confirmer, ou le 2 pour en entrer un autre."
    ]


def test_key_0_rings_the_front_desk(dial):
    call = dial()
    call.press("0")
    assert call.last_heard == [CONNECTING]
    assert call.outcome == ("dial", "+15145550100")
    assert call.document.find("Dial").get("timeout") == "25"


def test_the_front_desk_number_and_ring_time_are_settings(build, dial):
    call = dial(build(FRONT_DESK_NUMBER="sip:desk@pbx.example.com", FRONT_DESK_SECONDS="40"))
    call.press("0")
    assert call.outcome == ("dial", "sip:desk@pbx.example.com")
    assert call.document.find("Dial").get("timeout") == "40"


def test_nobody_at_the_front_desk_offers_voicemail(dial):
    call = dial()
    call.press("0")
    call.dial_result("no-answer")
    assert call.last_heard == [UNAVAILABLE, RECORD]
    assert call.waiting_for == "record"


def test_a_call_the_front_desk_took_ends_with_thanks(dial):
    call = dial()
    call.press("0")
    call.dial_result("completed", duration=60)
    assert call.last_heard == ["Merci de votre appel et bonne journée."]
    assert call.outcome == ("hangup",)


def test_when_closed_the_greeting_says_so_and_the_front_desk_is_voicemail(build, dial):
    call = dial(build(CLOSED))
    assert call.last_heard == [
        WELCOME["fr-CA"],
        "La clinique est fermée en ce moment, mais vous pouvez nous laisser un message.",
        MENU["fr-CA"],
    ]
    call.press("0")
    assert call.last_heard == [UNAVAILABLE, RECORD]
    assert call.document.find("Dial") is None


def test_a_message_is_thanked(dial):
    call = dial()
    call.press("0")
    call.dial_result("busy")
    call.record(duration=15)
    assert call.last_heard == [
        "Merci, votre message est enregistré. Nous vous rappellerons dès que possible. Au revoir."
    ]
    assert call.outcome == ("hangup",)


def test_a_wrong_key_then_silence_then_another_wrong_key_ring_the_front_desk(dial):
    call = dial()
    call.press("7")
    assert call.last_heard == ["Ce choix n'est pas au menu.", MENU["fr-CA"]]
    call.silence()
    assert call.last_heard == ["Nous n'avons pas entendu votre choix.", MENU["fr-CA"]]
    call.press("8")
    assert call.last_heard == ["Désolé, je n'ai toujours pas compris.", CONNECTING]
    assert call.waiting_for == "dial"
