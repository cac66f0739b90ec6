"""Collect and confirm, through whole calls of a small tree of its own."""

import dataclasses
import logging
from urllib.parse import urlencode

import pytest
from twilio.twiml.voice_response import Gather, Hangup, Say
from webtest import TestApp

from phonetree_engine import Keys, Option, State, Tree, collect
from phonetree_engine.call import SEALED, Call, Setup
from phonetree_engine.collect import Collect, spoken
from phonetree_engine.settings import Config
from phonetree_engine.tree import TableError
from phonetree_engine.web import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN
from tests.engine.conftest import opened
from tests.engine.trees import shop

ASK = "Please enter your account number, then press the pound key."
CONFIRM = "You entered 1, 2, 3, 4, 5. Press 1 to confirm, or 2 to enter it again."
INVALID = "That number is not valid."
SILENCE = "Sorry, I did not hear any digits."
GOODBYE = "Goodbye."
NO_ACCOUNT = "We do not have your account number."
ASK_NUMBER = "Please enter the ten digit number we should call back."
OFFER = (
    "We have the number 5, 5, 5, 1, 2, 3, 4, 5, 6, 7. "
    "Press 1 to confirm, or 2 to enter another number."
)

# What the engine says for this tree: the collect's shared prompts among it.
WORDS = {
    "en-US": {
        **shop.ENGINE_WORDS["en-US"],
        "collect_confirm": "You entered {digits}. Press 1 to confirm, or 2 to enter it again.",
        "collect_offer": (
            "We have the number {digits}. Press 1 to confirm, or 2 to enter another number."
        ),
        "collect_invalid": INVALID,
        "collect_silence": SILENCE,
    },
    "es-US": {
        **shop.ENGINE_WORDS["en-US"],  # (apologies in English: this tree tests the collect)
        "collect_confirm": (
            "Usted marcó {digits}. Oprima 1 para confirmar, o 2 para marcarlo de nuevo."
        ),
        "collect_offer": "Tenemos el número {digits}. Oprima 1 para confirmar, o 2 para otro.",
        "collect_invalid": "Ese número no es válido.",
        "collect_silence": "No escuché ningún dígito.",
    },
}


def hello(call):
    return Say("Hello.")


def known(call):
    """A later state: it reads what was collected, and can come back to itself."""
    menu = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    account = call.context.get("account")  # absent when the URL lost it: never an error
    menu.say(f"Your account is {spoken(account)}." if account else NO_ACCOUNT)
    return menu


def called_back(call):
    return [Say(f"We will call {spoken(call.context.get('callback', ''))}."), Hangup()]


def bye(call):
    return [Say(GOODBYE), Hangup()]


def us_caller_id(call):
    """The caller's number without +1, when they did not withhold it."""
    number = call.param("From")
    return number[2:] if number.startswith("+1") else ""


TABLE = {
    "hello": State(hello, "account"),
    "account": collect(
        into="account",
        then="known",
        give_up="bye",
        words={"en-US": {"ask": ASK}},
        max_length=8,
        valid=lambda digits: len(digits) >= 4,
    ),
    "known": State(known, Keys([Option("1", "known"), Option("2", "callback")], otherwise="bye")),
    "callback": collect(
        into="callback",
        then="called_back",
        give_up="bye",
        words={"en-US": {"ask": ASK_NUMBER}},
        length=10,
        default=us_caller_id,
    ),
    "called_back": State(called_back),
    "bye": State(bye),
}


def tree_of(table=TABLE, start="hello"):
    return Tree(table=table, start=start, recovery="bye", words=WORDS, person=shop.ring)


def tree(table=TABLE, **settings):
    return make_app(tree_of(table), Config(**settings), clock=lambda: OPEN)


def sealed(app, **values):
    """A query holding ``values`` sealed with the app's key, as the engine seals them."""
    seal = app.config["phonetree.engine"].setup.seal
    return f"{SEALED}={seal.seal(urlencode(values))}"


@pytest.fixture
def account(validate):
    """A call waiting at the account prompt."""
    call = SimulatedCall(tree(), validate=validate)
    call.start()
    assert call.last_heard == ["Hello.", ASK]
    return call


def test_a_collect_with_no_length_takes_up_to_fifteen_digits_and_confirms_them(validate):
    # An international number: fifteen digits at most, read back and confirmed whole.
    spec = collect(into="account", then="known", give_up="bye", words={"en-US": {"ask": ASK}})
    table = {**TABLE, "account": spec}
    call = SimulatedCall(tree(table), validate=validate)
    call.start()
    assert call.gather.get("numDigits") == "15"
    call.press("441234567890123#")
    assert call.last_heard == [CONFIRM.replace("1, 2, 3, 4, 5", spoken("441234567890123"))]
    call.press("1")
    assert call.last_heard == [f"Your account is {spoken('441234567890123')}."]


def test_entered_digits_are_read_back_one_by_one(account):
    account.press("12345#")
    assert account.last_heard == [CONFIRM]


def test_confirmed_digits_reach_the_next_state(account):
    account.press("12345#")
    account.press("1")
    assert account.last_heard == ["Your account is 1, 2, 3, 4, 5."]


def test_the_confirmed_value_stays_with_the_call_for_later_states(account):
    account.press("12345#")
    account.press("1")
    account.press("1")  # the later state again, from a new webhook
    assert account.last_heard == ["Your account is 1, 2, 3, 4, 5."]


def test_2_asks_again_and_the_new_entry_is_the_one_kept(account):
    account.press("12345#")
    account.press("2")
    assert account.last_heard == [ASK]
    account.press("6789#")
    account.press("1")
    assert account.last_heard == ["Your account is 6, 7, 8, 9."]


def test_an_invalid_entry_says_so_and_asks_again(account):
    account.press("12#")
    assert account.last_heard == [INVALID, ASK]


def test_a_valid_entry_after_an_invalid_one_is_confirmed(account):
    account.press("12#")
    account.press("4444#")
    account.press("1")
    assert account.last_heard == ["Your account is 4, 4, 4, 4."]


def test_silence_says_nothing_was_heard_and_asks_again(account):
    account.silence()
    assert account.last_heard == [SILENCE, ASK]


def test_another_key_at_the_confirmation_reads_the_entry_back_again(account):
    account.press("12345#")
    account.press("7")
    assert account.last_heard == [CONFIRM]


def test_silence_at_the_confirmation_reads_the_entry_back_again(account):
    account.press("12345#")
    account.silence()
    assert account.last_heard == [CONFIRM]


def test_repeated_silence_gives_up(account):
    for _ in range(Config().max_retries):
        account.silence()
    assert (account.last_heard, account.outcome) == ([GOODBYE], ("hangup",))


def test_repeated_invalid_entries_give_up(account):
    for _ in range(Config().max_retries):
        account.press("1#")
    assert account.last_heard == [GOODBYE]


def test_entering_again_and_again_also_gives_up(account):
    for _ in range(Config().max_retries):
        account.press("12345#")
        account.press("2")
    assert account.last_heard == [GOODBYE]


def test_max_retries_bounds_the_tries(validate):
    call = SimulatedCall(tree(max_retries=1), validate=validate)
    call.start()
    call.silence()
    assert call.last_heard == [GOODBYE]


def with_attempts(attempts):
    """The table, its account collect giving up after ``attempts`` failed tries."""
    spec = dataclasses.replace(TABLE["account"].exit, attempts=attempts)
    return {**TABLE, "account": State(spec.enter, spec)}


def test_a_collect_s_own_attempts_outlast_max_retries(validate):
    call = SimulatedCall(tree(with_attempts(5), max_retries=3), validate=validate)
    call.start()
    for _ in range(4):
        call.press("1#")
        assert call.last_heard == [INVALID, ASK]
    call.silence()  # the fifth failed try
    assert (call.last_heard, call.outcome) == ([GOODBYE], ("hangup",))


def test_a_collect_s_own_attempts_are_counted_in_the_url_past_max_retries(validate):
    call = SimulatedCall(tree(with_attempts(5), max_retries=3), validate=validate)
    call.start()
    for _ in range(4):
        call.silence()
    assert call.gather.get("action") == "/state/account/exit?step=silence&tries=4"


def test_a_collect_s_own_attempts_may_be_fewer_than_max_retries(validate):
    call = SimulatedCall(tree(with_attempts(1), max_retries=3), validate=validate)
    call.start()
    call.press("1#")
    assert call.last_heard == [GOODBYE]


def test_a_good_entry_is_not_counted_as_a_try(account):
    account.press("1#")
    account.press("12345#")
    account.press("7")  # the second failed try: still at the confirmation
    assert account.last_heard == [CONFIRM]


def test_a_collect_goes_on_across_replicas_sharing_a_secret_key(validate):
    replicas = [tree(secret_key="the same on every replica") for _ in range(2)]
    call = SimulatedCall(replicas, validate=validate)
    call.start()
    call.press("12345#")
    call.press("2")
    call.press("98765#")
    call.press("1")
    assert call.last_heard == ["Your account is 9, 8, 7, 6, 5."]


# A default value, such as the caller ID ######################################


def at_callback(validate, from_="+15551234567"):
    call = SimulatedCall(tree(), from_=from_, validate=validate)
    call.start()
    call.press("12345#")
    call.press("1")
    call.press("2")
    return call


def test_the_caller_id_is_offered_first(validate):
    assert at_callback(validate).last_heard == [OFFER]


def test_the_offered_number_is_kept_on_1(validate):
    call = at_callback(validate)
    call.press("1")
    assert call.last_heard == ["We will call 5, 5, 5, 1, 2, 3, 4, 5, 6, 7."]


def test_2_at_the_offer_asks_for_another_number(validate):
    call = at_callback(validate)
    call.press("2")
    assert call.last_heard == [ASK_NUMBER]
    call.press("5550001111")
    call.press("1")
    assert call.last_heard == ["We will call 5, 5, 5, 0, 0, 0, 1, 1, 1, 1."]


def test_silence_after_declining_the_offer_does_not_offer_it_again(validate):
    call = at_callback(validate)
    call.press("2")
    call.silence()
    assert call.last_heard == [SILENCE, ASK_NUMBER]


@pytest.mark.parametrize("withheld", ["+266696687", "Anonymous", "", "+4420794600"])
def test_a_withheld_or_unusable_caller_id_goes_straight_to_entry(validate, withheld):
    assert at_callback(validate, from_=withheld).last_heard == [ASK_NUMBER]


def test_a_fixed_length_entry_ends_after_that_many_digits(validate):
    call = at_callback(validate, from_="Anonymous")
    call.press("555000111122")  # Gather stops listening after ten
    assert call.last_heard[0].startswith("You entered 5, 5, 5, 0, 0, 0, 1, 1, 1, 1.")


def test_a_shorter_fixed_length_entry_ended_by_pound_is_invalid(validate):
    call = at_callback(validate, from_="Anonymous")
    call.press("555#")
    assert call.last_heard == [INVALID, ASK_NUMBER]


# Context in the URL ##########################################################


def test_the_collected_value_travels_sealed_in_the_url(account):
    account.press("12345#")
    account.press("1")
    action = account.gather.get("action")
    assert action.startswith(f"/state/known/exit?{SEALED}=")
    assert all("12345" not in webhook.url for webhook in account.requests)


def test_the_sealed_value_is_the_confirmed_one(validate):
    app = tree()
    call = SimulatedCall(app, validate=validate)
    call.start()
    call.press("12345#")
    call.press("1")
    assert opened(app, call.gather.get("action")) == {"account": "12345"}


def test_the_entry_awaiting_confirmation_travels_sealed_too(validate):
    app = tree()
    call = SimulatedCall(app, validate=validate)
    call.start()
    call.press("12345#")
    action = call.gather.get("action")
    assert "12345" not in action
    assert opened(app, action) == {"entry": "12345", "step": "confirm"}


@pytest.mark.parametrize("odd", ["abc", "123456789", "", "12 34", "\u0661\u0662\u0663\u0664"])
def test_an_odd_value_in_the_url_reads_as_absent(odd):
    app = tree()
    response = TestApp(app).post(f"/state/known?{sealed(app, account=odd)}")
    assert response.xml.find("Gather/Say").text == NO_ACCOUNT


def test_a_good_value_in_the_url_is_read():
    app = tree()
    response = TestApp(app).post(f"/state/known?{sealed(app, account='4321')}&other=1")
    assert response.xml.find("Gather/Say").text == "Your account is 4, 3, 2, 1."


def test_collected_digits_are_masked_in_the_log(account, caplog):
    with caplog.at_level(logging.INFO, logger="phonetree"):
        account.press("12345678")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("webhook")]
    assert "digits=****5678" in lines[0]


def test_menu_keys_are_not_masked(account, caplog):
    account.press("12345#")
    account.press("1")
    with caplog.at_level(logging.INFO, logger="phonetree"):
        account.press("1")
    assert "digits=1 " in caplog.records[-1].getMessage()


def test_keys_posted_to_a_menu_are_logged_as_posted(caplog):
    """Only what a collecting state takes is masked: a menu's keys stay readable, however many."""
    with caplog.at_level(logging.INFO, logger="phonetree"):
        TestApp(tree()).post("/state/known/exit", {"CallSid": "CA1", "Digits": "1234567"})
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("webhook")]
    assert "digits=1234567 " in lines[0]


@pytest.mark.parametrize("length", [0, 21])
def test_a_collect_of_an_impossible_length_is_refused(length):
    table = {
        **TABLE,
        "account": collect(
            into="account",
            then="known",
            give_up="bye",
            words={"en-US": {"ask": ASK}},
            max_length=length,
        ),
    }
    with pytest.raises(TableError, match="'account': a collect takes 1 to 20 digits"):
        make_app(tree_of(table), Config())


def test_a_collect_without_its_ask_prompt_is_refused():
    table = {
        **TABLE,
        "account": collect(into="account", then="known", give_up="bye", words={"en-US": {}}),
    }
    with pytest.raises(TableError, match="state 'account': no en-US words for ask"):
        make_app(tree_of(table), Config())


def test_a_default_number_in_e164_is_offered_without_its_plus():
    spec = Collect(
        into="callback",
        then="called_back",
        give_up="bye",
        words={"en-US": {"ask": ASK_NUMBER}},
        length=11,
        default=lambda call: "+15551234567",
    )
    assert spec.offered(Call("callback", Setup(Config()))) == "15551234567"


def test_a_confirmed_value_leaves_nothing_of_the_collect_in_the_urls(validate):
    app = tree()
    call = SimulatedCall(app, validate=validate)
    call.start()
    call.press("1#")  # a failed try first: tries=1 in the URL until confirmed
    call.press("12345#")
    call.press("1")
    action = call.gather.get("action")
    assert action.partition("?")[2].startswith(f"{SEALED}=")
    assert opened(app, action) == {"account": "12345"}


# In the caller's language ####################################################

SPANISH_TREE = {
    "account": collect(
        into="account",
        then="bye",
        give_up="bye",
        words={"en-US": {"ask": ASK}, "es-US": {"ask": "Marque su número de cuenta."}},
        max_length=8,
    ),
    "bye": State(
        lambda call: [
            Say(call.words({"en-US": {"bye": GOODBYE}, "es-US": {"bye": "Adiós."}})["bye"]),
            Hangup(),
        ]
    ),
}


def spanish_tree():
    config = Config(languages=("en-US", "es-US"))
    return TestApp(make_app(tree_of(SPANISH_TREE, start="account"), config))


def test_a_collect_asks_and_reads_back_in_the_callers_language():
    app = spanish_tree()
    asked = app.post("/state/account?lang=es-US").xml.find("Gather/Say")
    read_back = app.post("/state/account/exit?lang=es-US", {"Digits": "1234"}).xml
    assert (asked.text, asked.get("language")) == ("Marque su número de cuenta.", "es-US")
    assert read_back.find("Gather/Say").text == (
        "Usted marcó 1, 2, 3, 4. Oprima 1 para confirmar, o 2 para marcarlo de nuevo."
    )


def test_a_collect_without_its_words_in_a_listed_language_stops_start_up():
    table = {
        **SPANISH_TREE,
        "account": collect(
            into="account", then="bye", give_up="bye", words={"en-US": {"ask": ASK}}
        ),
    }
    with pytest.raises(TableError, match="state 'account': no es-US words"):
        make_app(tree_of(table, start="account"), Config(languages=("en-US", "es-US")))


# The entry is checked again when it is confirmed ##############################


def confirming(app, entry, digits="1"):
    """Post ``digits`` to the account's confirmation, the entry sealed in the URL."""
    url = f"/state/account/exit?step=confirm&{sealed(app, entry=entry)}"
    return TestApp(app).post(url, {"Digits": digits})


def test_a_sealed_entry_that_passes_the_checks_is_confirmed():
    app = tree()
    response = confirming(app, "4444")
    assert response.xml.find("Gather/Say").text == "Your account is 4, 4, 4, 4."
    assert opened(app, response.xml.find("Gather").get("action")) == {"account": "4444"}


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param("12", id="refused-by-valid"),
        pytest.param("123456789", id="longer-than-max-length"),
    ],
)
def test_a_sealed_entry_that_fails_the_checks_is_not_confirmed(entry):
    app = tree()
    response = confirming(app, entry)
    assert [say.text for say in response.xml.iter("Say")] == [INVALID, ASK]
    action = response.xml.find("Gather").get("action")
    assert action.startswith("/state/account/exit?")
    assert "account" not in opened(app, action)


def test_a_sealed_entry_that_fails_the_checks_is_not_read_back():
    app = tree()
    response = TestApp(app).post(f"/state/account?step=confirm&{sealed(app, entry='12')}")
    assert [say.text for say in response.xml.iter("Say")] == [ASK]


def test_a_failed_check_on_confirmation_counts_as_a_try():
    app = tree(max_retries=2)
    url = f"/state/account/exit?step=confirm&tries=1&{sealed(app, entry='12')}"
    response = TestApp(app).post(url, {"Digits": "1"})
    assert [say.text for say in response.xml.iter("Say")] == [GOODBYE]
