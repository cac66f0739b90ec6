"""The engine, on a small table of its own: rendering once or every time, exits, speech, URLs."""

from twilio.twiml.voice_response import Say
from webtest import TestApp

from phonetree import make_app
from phonetree_engine.checks import check_table
from phonetree_engine.settings import Config
from phonetree_engine.tree import State
from phonetree_tools.caller import SimulatedCall
from tests.conftest import CLOSED, OPEN
from tests.fixtures import tables
from tests.fixtures.tables import CLOSED as SHOP_CLOSED
from tests.fixtures.tables import HELLO, MENU, MORE, PRICES, QUIET, WRONG


def shop_app(table=None, at=OPEN, **settings):
    clock = at if callable(at) else (lambda: at)
    table = tables.shop() if table is None else table
    return make_app(Config(**settings), table=table, start="hello", recovery="menu", clock=clock)


def counting(name, enter=None):
    """The shop with ``name``'s enter handler counting how often it renders; and the count."""
    renders = []
    row = tables.shop()[name]

    def counted(call):
        renders.append(call.tries)
        return (enter or row.enter)(call)

    return tables.shop(**{name: row._replace(enter=counted)}), renders


def place(app, validate):
    call = SimulatedCall(app, validate=validate)
    call.start()
    return call


# Rendering once, or every time ###############################################


def test_a_steady_state_is_rendered_once_and_reused(validate):
    table, renders = counting("prices")
    app = shop_app(table)
    renders.clear()  # the table check at start-up renders every state, open and closed
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
    assert heard == [[HELLO, MENU], [HELLO, SHOP_CLOSED, MENU], [HELLO, MENU]]


def greet_by_the_hour(call):
    return Say("Good morning." if call.now.hour < 12 else "Good evening.")


def test_a_state_that_reads_the_time_is_rendered_every_time(validate):
    now = [OPEN]
    table = tables.shop(hello=State(greet_by_the_hour, "menu"))
    app = shop_app(table, at=lambda: now[0])
    heard = []
    for moment in (OPEN, CLOSED):  # 10 AM, then 10 PM in New York
        now[0] = moment
        heard.append(place(app, validate).heard[0])
    assert heard == ["Good morning.", "Good evening."]


def say_how_prices_were_chosen(call):
    how = "by voice" if call.param("SpeechResult") else "by key"
    return [Say(f"You chose prices {how}."), tables.prices(call)]


def test_a_state_that_reads_the_input_is_rendered_every_time(validate):
    table = tables.shop(prices=tables.shop()["prices"]._replace(enter=say_how_prices_were_chosen))
    app = shop_app(table)
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
    table, renders = counting("desk")
    app = shop_app(table)
    renders.clear()
    for _ in range(2):
        place(app, validate).press("2")
    assert renders == [0]


def test_a_state_behind_the_hours_check_is_skipped_when_closed(validate):
    call = place(shop_app(at=CLOSED), validate)
    call.press("2")
    assert call.last_heard == [SHOP_CLOSED, tables.BYE]


def test_an_enter_handler_may_return_a_tuple(validate):
    table = tables.shop(wrong=State(lambda call: (Say(WRONG), Say("Try again.")), "menu"))
    call = place(shop_app(table), validate)
    call.press("7")
    assert call.last_heard == [WRONG, "Try again.", MENU]


# Exits ######################################################################


def test_silence_goes_to_the_silence_state_and_a_wrong_key_elsewhere(validate):
    quiet, wrong = place(shop_app(), validate), place(shop_app(), validate)
    quiet.silence()
    wrong.press("7")
    assert (quiet.last_heard, wrong.last_heard) == ([QUIET, MENU], [WRONG, MENU])


def test_a_state_reached_only_by_silence_is_reachable():
    assert check_table(tables.shop(), "hello", "menu", Config()) is None


def test_after_max_retries_the_menu_gives_up(validate):
    call = place(shop_app(max_retries=2), validate)
    call.silence()
    call.press("7")
    assert call.last_heard == [tables.PERSON]
    assert call.outcome == ("dial", tables.DESK)


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


def test_a_gather_of_a_callback_posting_elsewhere_takes_keys_only():
    response = TestApp(shop_app(languages=("en-GB",))).post("/state/menu/more")
    gather = response.xml.find("Gather")
    assert (gather.get("input"), gather.get("action")) == (None, "/state/menu/more")
    assert gather.find("Say").attrib == {"language": "en-GB"}
    assert gather.find("Say").text == MORE


def test_a_gather_of_a_callback_posting_to_the_exit_listens_for_the_words():
    menu = tables.shop()["menu"]
    table = tables.shop(menu=menu._replace(callbacks={"again": tables.menu}))
    gather = TestApp(shop_app(table)).post("/state/menu/again").xml.find("Gather")
    assert (gather.get("input"), gather.get("hints")) == ("dtmf speech", "prices, desk")


# URLs #######################################################################


def test_callback_urls_carry_the_public_url_path():
    app = shop_app(public_url="https://shop.example.com/ivr")
    gather = TestApp(app).post("/state/menu/more").xml.find("Gather")
    assert gather.get("action") == "/ivr/state/menu/more"


def test_a_name_repeated_in_the_url_reads_as_its_first_value():
    # As with form fields, the first value wins: a second one appended cannot undo the count.
    response = TestApp(shop_app(max_retries=3)).post(
        "/state/menu/exit?tries=2&tries=0", {"Digits": "7"}
    )
    assert [say.text for say in response.xml.iter("Say")] == [tables.PERSON]


def test_callback_urls_carry_the_call_s_context():
    gather = TestApp(shop_app()).post("/state/menu/more?tries=1").xml.find("Gather")
    assert gather.get("action") == "/state/menu/more?tries=1"


def test_a_say_that_names_its_own_voice_keeps_it():
    table = tables.shop(wrong=State(lambda call: Say(WRONG, voice="Polly.Matthew"), "menu"))
    response = TestApp(shop_app(table, voice="Polly.Joanna")).post(
        "/state/menu/exit", {"Digits": "7"}
    )
    voices = [say.get("voice") for say in response.xml.iter("Say")]
    assert voices == ["Polly.Matthew", "Polly.Joanna"]


def test_an_app_mounted_below_a_path_points_twilio_below_it():
    client = TestApp(shop_app(), extra_environ={"SCRIPT_NAME": "/ivr"})
    assert client.post("/ivr/voice").xml.find("Gather").get("action") == "/ivr/state/menu/exit"
