"""Key 4: the number to call back, read back and confirmed, then a message that carries it to the
practice in full, and to the log masked."""

import logging

import pytest

from phonetree_tools.caller import SimulatedCall
from tests.receivers import Hook, Mailbox

OFFER = (
    "Nous avons le numéro 5, 1, 4, 5, 5, 5, 0, 1, 2, 3. "
    "Faites le 1 pour le confirmer, ou le 2 pour en entrer un autre."
)
ASK = (
    "Entrez les 10 chiffres du numéro où nous pouvons vous rappeler, "
    "en commençant par l'indicatif régional."
)
CONFIRM = (
    "Vous avez entré le 4, 3, 8, 5, 5, 5, 0, 1, 9, 9. "
    "Faites le 1 pour confirmer, ou le 2 pour corriger."
)
MESSAGE = (
    "Merci. Dans votre message, dites-nous votre nom et les moments qui vous conviennent. "
    "Nous vous rappellerons pour fixer le rendez-vous."
)
RECORD = "Laissez votre message après le bip, puis faites le carré."
CALLER = "+15145550123"  # the caller ID, offered first
OTHER = "4385550199"  # the number the caller enters instead
LABEL = "Phone number to call back"


def test_the_callers_own_number_is_offered_first(dial):
    call = dial(from_=CALLER)
    call.press("4")
    assert call.last_heard == [OFFER]


@pytest.mark.parametrize("caller", ["+33142685300", "+266696687", "anonymous"])
def test_a_number_from_abroad_or_withheld_is_asked_for(dial, caller):
    call = dial(from_=caller)
    call.press("4")
    assert call.last_heard == [ASK]


def test_2_asks_for_another_number_and_reads_it_back(dial):
    call = dial(from_=CALLER)
    call.press("4")
    call.press("2")
    assert call.last_heard == [ASK]
    call.press(OTHER)
    assert call.last_heard == [CONFIRM]


def test_a_confirmed_number_leads_to_the_message(dial):
    call = dial(from_="anonymous")
    call.press("4")
    call.press(OTHER)
    call.press("1")
    assert call.last_heard == [MESSAGE, RECORD]
    assert call.waiting_for == "record"


@pytest.mark.parametrize("entry", ["0123456789", "5141234567", "514555012"])
def test_a_number_that_is_not_north_american_is_refused(dial, entry):
    call = dial(from_="anonymous")
    call.press("4")
    call.press(entry + "#")
    assert call.last_heard == ["Ce numéro n'est pas valide.", ASK]


def test_silence_is_answered_and_asked_again(dial):
    call = dial(from_="anonymous")
    call.press("4")
    call.silence()
    assert call.last_heard == ["Désolé, je n'ai entendu aucun chiffre.", ASK]


def test_three_failed_entries_ring_the_front_desk(dial):
    call = dial(from_="anonymous")
    call.press("4")
    for _ in range(3):
        call.press("1#")
    assert call.last_heard == [
        "Désolé, je n'ai toujours pas compris.",
        "Un instant, je vous mets en communication avec la réception.",
    ]
    assert call.waiting_for == "dial"


def test_the_message_carries_the_confirmed_number_in_full_and_the_log_masked(
    build, validate, caplog
):
    caplog.set_level(logging.INFO, logger="phonetree")
    with Mailbox() as mailbox, Hook() as hook:
        app = build(NOTIFY_URL=hook.url, **mailbox.settings)
        call = SimulatedCall(app, validate=validate, from_=CALLER)
        call.start("/voice")
        for keys in ("1", "4", "2", OTHER, "1"):
            call.press(keys)
        call.record(duration=20)
        [message] = hook.wait_for(1)
        [email] = mailbox.wait_for(1)
    assert call.callbacks[-1].status == 200
    assert message["details"] == {LABEL: OTHER}
    assert f"{LABEL}: {OTHER}" in message["text"].splitlines()
    assert (message["from"], message["via"]) == (CALLER, "appointment request")
    assert f"{LABEL}: {OTHER}" in email.get_content().splitlines()
    lines = [record.getMessage() for record in caplog.records]
    assert [line for line in lines if OTHER in line or OTHER[:6] in line] == []
    [recording] = [line for line in lines if line.startswith("recording ")]
    assert f'details="{LABEL}:******0199"' in recording
    [entered] = [line for line in lines if "path=/state/appointment/exit digits=*" in line]
    assert "digits=******0199" in entered


def test_another_voicemail_carries_no_number(build, validate):
    with Hook() as hook:
        call = SimulatedCall(build(NOTIFY_URL=hook.url), validate=validate, from_=CALLER)
        call.start("/voice")
        call.press("1")
        call.press("0")
        call.dial_result("no-answer")
        call.record(duration=20)
        [message] = hook.wait_for(1)
    assert (message["details"], message["via"]) == ({}, "no answer at the front desk")
