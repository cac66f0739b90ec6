"""The engine, on a small tree of its own: rendering once or every time, exits, speech, URLs."""

import pytest
from twilio.twiml.voice_response import Say
from webtest import TestApp

from phonetree_engine import Keys, Option, State, fill
from phonetree_engine.checks import check_tree
from phonetree_engine.settings import Config
from phonetree_engine.web import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import CLOSED, OPEN
from tests.engine.trees import shop
from tests.engine.trees.shop import HELLO, MENU, MORE, PRICES, QUIET, WRONG, shop_tree


def shop_app(tree=None, at=OPEN, **settings):
    clock = at if callable(at) else (lambda: at)
    return make_app(tree or shop_tree(), Config(**settings), clock=clock)


def counting(name, enter=None):
    """The shop with ``name``'s enter handler counting how often it renders; and the count."""
    renders = []
    row = shop.shop()[name]

    def counted(call):
        renders.append(call.tries)
        return (enter or row.enter)(call)

    return shop_tree(**{name: row._replace(enter=counted)}), renders


def place(app, validate):
    call = SimulatedCall(app, validate=validate)
    call.start()
    return call


# Rendering once, or every time ###############################################


def test_a_steady_state_is_rendered_once_and_reused(validate):
    tree, renders = counting("prices")
    app = shop_app(tree)
    renders.clear()  # the check at start-up renders every state, open and closed
    for _ in range(3):
        call = place(app, validate)
        call.press("1")
        call.press("1")
        assert call.last_heard == [PRICES]
    assert renders == [0]


def test_a_state_that_reads_the_clock_is_rendered_every_time(validate):
    now = [OPEN]
    app = shop_app(at=lambda: now[0])
    heard = []
    for moment in (OPEN, CLOSED, OPEN):
        now[0] = moment
        heard.append(place(app, validate).heard)
    assert heard == [[HELLO, MENU], [HELLO, shop.CLOSED, MENU], [HELLO, MENU]]


def greet_by_the_hour(call):
    return Say("Good morning." if call.now.hour < 12 else "Good evening.")


def test_a_state_that_reads_the_time_is_rendered_every_time(validate):
    now = [OPEN]
    app = shop_app(shop_tree(hello=State(greet_by_the_hour, "menu")), at=lambda: now[0])
    heard = []
    for moment in (OPEN, CLOSED):  # 10 AM, then 10 PM in New York
        now[0] = moment
        heard.append(place(app, validate).heard[0])
    assert heard == ["Good morning.", "Good evening."]


def say_how_prices_were_chosen(call):
    how = "by voice" if call.param("SpeechResult") else "by key"
    return [Say(f"You chose prices {how}."), shop.prices(call)]


def test_a_state_that_reads_the_input_is_rendered_every_time(validate):
    prices = shop.shop()["prices"]._replace(enter=say_how_prices_were_chosen)
    app = shop_app(shop_tree(prices=prices))
    by_key, by_voice = place(app, validate), place(app, validate)
    by_key.press("1")
    by_voice.say("prices")
    assert (by_key.last_heard[0], by_voice.last_heard[0]) == (
        "You chose prices by key.",
        "You chose prices by voice.",
    )


def test_the_count_of_tries_is_part_of_what_is_reused(validate):
    call = place(shop_app(), validate)
    call.press("7")
    first = call.gather.get("action")
    call.press("7")
    assert (first, call.gather.get("action")) == (
        "/state/menu/exit?tries=1",
        "/state/menu/exit?tries=2",
    )


def test_a_state_behind_the_hours_check_is_still_rendered_once(validate):
    tree, renders = counting("desk")
    app = shop_app(tree)
    renders.clear()
    for _ in range(2):
        place(app, validate).press("2")
    assert renders == [0]


def test_a_state_behind_the_hours_check_is_skipped_when_closed(validate):
    call = place(shop_app(at=CLOSED), validate)
    call.press("2")
    assert call.last_heard == [shop.CLOSED, shop.BYE]


def test_an_enter_handler_may_return_a_tuple(validate):
    tree = shop_tree(wrong=State(lambda call: (Say(WRONG), Say("Try again.")), "menu"))
    call = place(shop_app(tree), validate)
    call.press("7")
    assert call.last_heard == [WRONG, "Try again.", MENU]


# Exits ######################################################################


def test_silence_goes_to_the_silence_state_and_a_wrong_key_elsewhere(validate):
    quiet, wrong = place(shop_app(), validate), place(shop_app(), validate)
    quiet.silence()
    wrong.press("7")
    assert (quiet.last_heard, wrong.last_heard) == ([QUIET, MENU], [WRONG, MENU])


def test_a_state_reached_only_by_silence_is_reachable():
    assert check_tree(shop_tree(), Config()) is None


def test_after_max_retries_the_menu_gives_up(validate):
    call = place(shop_app(max_retries=2), validate)
    call.silence()
    call.press("7")
    assert call.last_heard == [shop.PERSON]
    assert call.outcome == ("dial", shop.DESK)


def menu_of(tries):
    """The shop's menu, giving up after ``tries`` failed tries of its own."""
    keys = Keys(
        [Option("1", "prices"), Option("2", "desk")],
        otherwise="wrong",
        silence="quiet",
        give_up="person",
        tries=tries,
    )
    return shop.shop()["menu"]._replace(exit=keys)


def test_a_menu_s_own_tries_outlast_max_retries(validate):
    call = place(shop_app(shop_tree(menu=menu_of(5)), max_retries=3), validate)
    for _ in range(4):
        call.press("7")
        assert call.last_heard == [WRONG, MENU]
    call.silence()  # the fifth failed try
    assert call.last_heard == [shop.PERSON]
    assert call.outcome == ("dial", shop.DESK)


def test_a_menu_s_own_tries_are_counted_in_the_url_past_max_retries(validate):
    call = place(shop_app(shop_tree(menu=menu_of(5)), max_retries=3), validate)
    for _ in range(4):
        call.press("7")
    assert call.gather.get("action") == "/state/menu/exit?tries=4"


def test_a_menu_s_own_tries_may_be_fewer_than_max_retries(validate):
    call = place(shop_app(shop_tree(menu=menu_of(1)), max_retries=3), validate)
    call.press("7")
    assert call.last_heard == [shop.PERSON]


# Speech #####################################################################


def test_a_menu_with_words_listens_for_them_in_the_configured_language(validate):
    gather = place(shop_app(languages=("en-GB",)), validate).gather
    assert dict(gather.attrib) == {
        "numDigits": "1",
        "action": "/state/menu/exit",
        "actionOnEmptyResult": "true",
        "input": "dtmf speech",
        "hints": "prices, desk",
        "language": "en-GB",
        "speechTimeout": "auto",
    }


def test_a_gather_of_a_webhook_posting_elsewhere_takes_keys_only():
    response = TestApp(shop_app(languages=("en-GB",))).post("/state/menu/more")
    gather = response.xml.find("Gather")
    assert (gather.get("input"), gather.get("action")) == (None, "/state/menu/more")
    assert gather.find("Say").attrib == {"language": "en-GB"}
    assert gather.find("Say").text == MORE


def test_a_gather_of_a_webhook_posting_to_the_exit_listens_for_the_words():
    menu = shop.shop()["menu"]
    tree = shop_tree(menu=menu._replace(webhooks={"again": shop.menu}))
    gather = TestApp(shop_app(tree)).post("/state/menu/again").xml.find("Gather")
    assert (gather.get("input"), gather.get("hints")) == ("dtmf speech", "prices, desk")


# URLs #######################################################################


def test_webhook_urls_carry_the_public_url_path():
    app = shop_app(public_url="https://shop.example.com/ivr")
    gather = TestApp(app).post("/state/menu/more").xml.find("Gather")
    assert gather.get("action") == "/ivr/state/menu/more"


@pytest.mark.parametrize("query", ["tries=2&tries=0", "tries=0&tries=2"])
def test_a_name_repeated_in_the_url_is_refused(query):
    # A signature does not see the order of repeated values: neither may count.
    response = TestApp(shop_app(max_retries=3)).post(
        f"/state/menu/exit?{query}", {"Digits": "7"}, status=400
    )
    assert response.content_type == "text/plain"
    assert "given twice" in response.text


def test_a_field_repeated_in_the_form_is_refused():
    response = TestApp(shop_app()).post("/state/menu/exit", "Digits=1&Digits=2", status=400)
    assert "given twice" in response.text


def test_webhook_urls_carry_the_call_s_context():
    gather = TestApp(shop_app()).post("/state/menu/more?tries=1").xml.find("Gather")
    assert gather.get("action") == "/state/menu/more?tries=1"


def test_a_say_that_names_its_own_voice_keeps_it():
    tree = shop_tree(wrong=State(lambda call: Say(WRONG, voice="Polly.Matthew"), "menu"))
    response = TestApp(shop_app(tree, voice="Polly.Joanna")).post(
        "/state/menu/exit", {"Digits": "7"}
    )
    voices = [say.get("voice") for say in response.xml.iter("Say")]
    assert voices == ["Polly.Matthew", "Polly.Joanna"]


def test_an_app_mounted_below_a_path_points_twilio_below_it():
    client = TestApp(shop_app(), extra_environ={"SCRIPT_NAME": "/ivr"})
    assert client.post("/ivr/voice").xml.find("Gather").get("action") == "/ivr/state/menu/exit"


# Filling in sentences #######################################################


@pytest.mark.parametrize(
    "sentence, value, said",
    [
        ("Welcome to {company}.", "ACME, Inc.", "Welcome to ACME, Inc."),
        ("Welcome to {company}.", "ACME", "Welcome to ACME."),
        ("Welcome to {company}.", "Yahoo!", "Welcome to Yahoo!"),
        ("{company} thanks you.", "ACME, Inc.", "ACME, Inc. thanks you."),
        ("Is this {company}?", "ACME, Inc.", "Is this ACME, Inc.?"),
    ],
)
def test_fill_keeps_a_value_whole_and_the_stop_single(sentence, value, said):
    assert fill(sentence, company=value) == said


def test_a_company_name_ending_in_a_stop_is_said_whole(dial, build):
    call = dial(build(office_name="ACME, Inc."))
    assert call.last_heard[0] == "Welcome to ACME, Inc."


def test_a_company_name_ending_in_a_stop_is_said_whole_at_the_end(dial, build):
    call = dial(build(office_name="ACME, Inc."))
    call.press("2")
    call.queue_result("bridged")
    assert call.last_heard == ["Goodbye from ACME, Inc."]
