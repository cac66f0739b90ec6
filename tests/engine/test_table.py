"""A wrong tree is refused at construction, with a message naming the state (and the file)."""

import dataclasses
import re

import pytest
from twilio.twiml.voice_response import Dial, Gather, Hangup, Record, Say

from phonetree_engine import collect
from phonetree_engine.checks import check_tree
from phonetree_engine.settings import Config
from phonetree_engine.tree import Choose, Keys, Option, Outcome, State, TableError, Tree
from phonetree_engine.web import make_app
from phonetree_engine.words import shown_path
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN
from tests.engine.trees import office, shop
from tests.engine.trees.office import HOLD  # by name, as a tree's table module may import it

APOLOGY = shop.SORRY
MENU = "Press 1 to leave a message."
HERE = shown_path(__file__)  # as the check names this file: from where the tests run


# Handlers of a small tree, and broken ones ###################################


def hello(call):
    return Say("Hello.")


def menu(call):
    gather = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    gather.say(MENU)
    return gather


def message(call):
    return Record(action=call.action)


def bye(call):
    return [Say("Goodbye."), Hangup()]


def says_nothing(call):
    return None


def says_only(call):
    return Say("Nothing to wait for.")


def gathers_elsewhere(call):
    return Gather(num_digits=1, action="/somewhere/else", action_on_empty_result=True)


def gathers_without_empty_result(call):
    return Gather(num_digits=1, action=call.action)


def hangs_up_only_when_open(call):
    return bye(call) if call.is_open else Say("We are closed.")


def two_arguments(call, extra):
    return bye(call)


def no_arguments():
    return Say("Hello.")


def returns_text(call):
    return "<Say>Hello.</Say>"


def returns_a_list_with_text(call):
    return [Say("Hello."), "Goodbye."]


def raises(call):
    return 1 / 0


def saved(call):
    return "bye"


def good_table():
    return {
        "hello": State(hello, "menu"),
        "menu": State(menu, Keys([Option("1", "message")], otherwise="menu", give_up="bye")),
        "message": State(message, Choose(saved, ("bye",)), webhooks={"recorded": hello}),
        "bye": State(bye),
    }


def changed(**rows):
    """The good table with some rows replaced (or added)."""
    return {**good_table(), **rows}


def tree_of(table, start="hello", recovery="menu"):
    """A tree of ``table``, saying the shop's words for the engine."""
    return Tree(
        table=table, start=start, recovery=recovery, words=shop.ENGINE_WORDS, person=shop.ring
    )


# One problem at a time ######################################################

BROKEN = [
    pytest.param(
        changed(hello=State(hello, "nowhere")),
        "state 'hello': leads to 'nowhere', which is not a state",
        id="string-exit-to-a-missing-state",
    ),
    pytest.param(
        changed(menu=State(menu, Keys([Option("1", "gone")], otherwise="menu"))),
        "state 'menu': option 1 leads to 'gone', which is not a state",
        id="key-to-a-missing-state",
    ),
    pytest.param(
        changed(menu=State(menu, Keys([Option("1", "message")], otherwise="menu", give_up="gone"))),
        "state 'menu': leads on too many tries to 'gone', which is not a state",
        id="give-up-to-a-missing-state",
    ),
    pytest.param(
        changed(hello=State(hello, "menu", when_closed="gone")),
        "state 'hello': leads on closed to 'gone', which is not a state",
        id="when-closed-to-a-missing-state",
    ),
    pytest.param(
        changed(message=State(message, Choose(saved, ("bye", "gone")))),
        "state 'message': leads to 'gone', which is not a state",
        id="choose-target-missing",
    ),
    pytest.param(
        changed(lonely=State(bye)),
        "state 'lonely': cannot be reached from 'hello': lead to it from another state, or remove"
        " its row",
        id="unreachable-state",
    ),
    pytest.param(
        changed(menu=State(says_only, Keys([Option("1", "message")], otherwise="menu"))),
        "state 'menu': its exit waits, but no Gather, Dial, Record or Enqueue posts to call.action",
        id="waiting-exit-without-a-waiting-verb",
    ),
    pytest.param(
        changed(menu=State(gathers_elsewhere, Keys([Option("1", "message")], otherwise="menu"))),
        "state 'menu': its exit waits, but no Gather, Dial, Record or Enqueue posts to call.action",
        id="waiting-verb-posting-elsewhere",
    ),
    pytest.param(
        changed(
            menu=State(
                gathers_without_empty_result, Keys([Option("1", "message")], otherwise="menu")
            )
        ),
        "state 'menu': a Gather without actionOnEmptyResult hangs up on silence",
        id="gather-that-hangs-up-on-silence",
    ),
    pytest.param(
        changed(menu=State(menu, Keys([Option("1", "message"), Option("1", "bye")], "menu"))),
        "state 'menu': two options have the key '1'",
        id="two-options-with-one-key",
    ),
    pytest.param(
        changed(menu=State(menu, Keys([Option("1", "message", hear={"en-US": " , "})], "bye"))),
        "state 'menu': option 1 hears nothing",
        id="an-option-that-hears-nothing",
    ),
    pytest.param(
        changed(
            menu=State(
                menu,
                Keys(
                    [
                        Option("1", "message", hear={"en-US": "message, voice mail"}),
                        Option("2", "bye", hear={"en-US": "goodbye, Voice mail"}),
                    ],
                    "bye",
                ),
            )
        ),
        "state 'menu': options 1 and 2 both hear 'Voice mail' in en-US",
        id="one-phrase-heard-for-two-options",
    ),
    pytest.param(
        changed(bye=State(hello)),
        "state 'bye': a terminal state must end the call with Hangup",
        id="terminal-state-without-hangup",
    ),
    pytest.param(
        changed(bye=State(hangs_up_only_when_open)),
        "state 'bye': a terminal state must end the call with Hangup",
        id="terminal-state-without-hangup-when-closed",
    ),
    pytest.param(
        changed(hello=State("Hello.", "menu")),
        "state 'hello': the enter handler is not callable",
        id="enter-not-callable",
    ),
    pytest.param(
        changed(hello=State(two_arguments, "menu")),
        "state 'hello': the enter handler must take exactly one argument, the call",
        id="enter-with-two-parameters",
    ),
    pytest.param(
        changed(hello=State(no_arguments, "menu")),
        "state 'hello': the enter handler must take exactly one argument, the call",
        id="enter-with-no-parameters",
    ),
    pytest.param(
        changed(hello=State(returns_text, "menu")),
        "state 'hello': the enter handler must return TwiML verbs (or a list)",
        id="enter-returning-a-string",
    ),
    pytest.param(
        changed(hello=State(returns_a_list_with_text, "menu")),
        "state 'hello': the enter handler must return TwiML verbs (or a list)",
        id="enter-returning-a-list-with-a-string",
    ),
    pytest.param(
        changed(hello=State(raises, "menu")),
        "state 'hello': the enter handler failed: ZeroDivisionError('division by zero') "
        f"({HERE}, raises)",
        id="enter-raising",
    ),
    pytest.param(
        changed(message=State(message, Choose("bye", ("bye",)))),
        "state 'message': the exit handler is not callable",
        id="choose-handler-not-callable",
    ),
    pytest.param(
        changed(message=State(message, Choose(two_arguments, ("bye",)))),
        "state 'message': the exit handler must take exactly one argument, the call",
        id="choose-handler-with-two-parameters",
    ),
    pytest.param(
        changed(message=State(message, Choose(saved, ("bye",)), webhooks={"exit": hello})),
        "state 'message': webhook name 'exit' is not a usable URL part",
        id="webhook-named-exit",
    ),
    pytest.param(
        changed(message=State(message, Choose(saved, ("bye",)), webhooks={"Re Corded": hello})),
        "state 'message': webhook name 'Re Corded' is not a usable URL part",
        id="webhook-name-not-a-url-part",
    ),
    pytest.param(
        changed(message=State(message, Choose(saved, ("bye",)), webhooks={"recorded": "x"})),
        "state 'message': the webhook 'recorded' is not callable",
        id="webhook-not-callable",
    ),
    pytest.param(
        changed(hello=State(hello, 42)),
        "state 'hello': exit must be None, a state name, Keys, Outcome, Choose or a collect, "
        "not int",
        id="exit-of-the-wrong-kind",
    ),
    pytest.param(
        changed(hello=(hello, "menu")),
        "state 'hello': the row must be a State(...), not tuple",
        id="row-not-a-state",
    ),
    pytest.param(
        {**changed(hello=State(hello, "Bye")), "Bye": State(bye)},
        "state 'Bye': names are lower-case letters, digits and _ (max 40)",
        id="state-name-with-capitals",
    ),
    pytest.param(
        {**changed(hello=State(hello, "b" * 41)), "b" * 41: State(bye)},
        f"state {'b' * 41!r}: names are lower-case letters, digits and _ (max 40)",
        id="state-name-of-41-characters",
    ),
    pytest.param(
        changed(bye=State(says_nothing)),
        "state 'bye': a terminal state must end the call with Hangup",
        id="terminal-state-saying-nothing",
    ),
    pytest.param(
        {**changed(hello=State(hello, "good bye")), "good bye": State(bye)},
        "state 'good bye': names are lower-case letters, digits and _ (max 40)",
        id="state-name-with-a-space",
    ),
]

CYCLES = [
    pytest.param(
        {
            "hello": State(hello, "again"),
            "again": State(hello, "hello"),
        },
        "state 'hello': goes on at once in a cycle: hello -> again -> hello",
        id="string-exits",
    ),
    pytest.param(
        {
            "hello": State(hello, "menu"),
            "menu": State(menu, Keys([Option("1", "hello")], otherwise="menu"), when_closed="shut"),
            "shut": State(hello, "menu"),
        },
        "state 'menu': goes on at once in a cycle: menu -> shut -> menu",
        id="when-closed",
    ),
    pytest.param(
        {"hello": State(hello, "hello")},
        "state 'hello': goes on at once in a cycle: hello -> hello",
        id="a-state-to-itself",
    ),
]


@pytest.fixture(params=["check_tree", "make_app"])
def refuse(request):
    """Build a tree from a table the way the test is parametrized: check it, or make the app."""

    def build(table, start="hello", recovery="hello"):
        if request.param == "check_tree":
            check_tree(tree_of(table, start, recovery), Config())
        else:
            make_app(tree_of(table, start, recovery), Config())

    return build


def test_a_good_table_is_accepted():
    assert check_tree(tree_of(good_table()), Config()) is None


def test_options_on_star_and_pound_are_accepted():
    options = [Option("*", "message"), Option("#", "bye")]
    table = changed(menu=State(menu, Keys(options, otherwise="menu", give_up="bye")))
    check_tree(tree_of(table), Config())


def test_a_collect_of_twenty_digits_is_accepted_and_of_twenty_one_refused():
    def with_length(length):
        words = {"en-US": {"ask": "Your account number."}}
        spec = collect(into="account", then="menu", give_up="bye", words=words, length=length)
        return tree_of(changed(hello=State(hello, "account"), account=spec))

    check_tree(with_length(20), Config())
    with pytest.raises(TableError, match="a collect takes 1 to 20 digits"):
        check_tree(with_length(21), Config())


def test_a_state_name_of_40_characters_is_accepted():
    table = {**changed(hello=State(hello, "b" * 40)), "b" * 40: State(hello, "menu")}
    assert check_tree(tree_of(table), Config()) is None


def test_the_good_table_makes_an_app():
    assert make_app(tree_of(good_table()), Config())


def test_the_check_takes_a_tree_not_a_table():
    with pytest.raises(TableError) as refused:
        check_tree(good_table(), Config())
    assert refused.value.problems == ["the app takes a Tree(...), not dict"]


def test_the_app_takes_a_tree_not_a_table():
    with pytest.raises(TableError) as refused:
        make_app(good_table(), Config())
    assert refused.value.problems == ["the app takes a Tree(...), not dict"]


@pytest.mark.parametrize("table, problem", BROKEN)
def test_a_broken_table_is_refused_naming_the_state(refuse, table, problem):
    with pytest.raises(TableError) as refused:
        refuse(table)
    assert refused.value.problems == [problem]


def test_a_state_nothing_leads_to_is_refused_naming_the_tables_file(monkeypatch):
    monkeypatch.setitem(office.TABLE, "lonely", State(office.goodbye))
    with pytest.raises(TableError) as refused:
        make_app(office.TREE, {})
    assert refused.value.problems == [
        "state 'lonely': cannot be reached from 'greeting': lead to it from another state, or"
        " remove its row (tests/engine/trees/office.py, TABLE)"
    ]


@pytest.mark.parametrize("table, problem", CYCLES)
def test_states_that_go_on_at_once_in_a_cycle_are_refused(refuse, table, problem):
    with pytest.raises(TableError) as refused:
        refuse(table)
    assert refused.value.problems == [problem]


@pytest.mark.parametrize(
    "start, recovery, problem",
    [
        ("nowhere", "menu", "the start state 'nowhere' is not in the table"),
        ("hello", "nowhere", "the recovery state 'nowhere' is not in the table"),
    ],
)
def test_a_missing_start_or_recovery_state_is_refused(refuse, start, recovery, problem):
    with pytest.raises(TableError) as refused:
        refuse(good_table(), start, recovery)
    assert refused.value.problems == [problem]


# Several problems at once ###################################################


@pytest.fixture
def many_problems():
    table = changed(hello=State(hello, "nowhere"), bye=State(hello))
    with pytest.raises(TableError) as refused:
        check_tree(tree_of(table, recovery="gone"), Config())
    return refused.value


def test_every_problem_is_reported_at_once(many_problems):
    assert many_problems.problems == [
        "state 'hello': leads to 'nowhere', which is not a state",
        "state 'bye': a terminal state must end the call with Hangup",
        "the recovery state 'gone' is not in the table",
    ]


def test_the_message_has_one_line_per_problem(many_problems):
    assert str(many_problems).splitlines() == [
        "the state table is wrong:",
        "- state 'hello': leads to 'nowhere', which is not a state",
        "- state 'bye': a terminal state must end the call with Hangup",
        "- the recovery state 'gone' is not in the table",
    ]


def test_a_table_error_is_a_value_error(many_problems):
    assert isinstance(many_problems, ValueError)


# A choice the table did not declare, at run time #############################


def choosing(target):
    def choose(call):
        return target

    return choose


@pytest.mark.parametrize("chosen", ["menu", "nowhere"])
def test_an_undeclared_choice_apologises_and_goes_on_at_the_menu(validate, chosen):
    table = changed(message=State(message, Choose(choosing(chosen), ("bye",))))
    call = SimulatedCall(make_app(tree_of(table), Config()), validate=validate)
    call.start("/voice")
    call.press("1")
    call.record()
    assert call.last_heard == [APOLOGY, MENU]


def test_an_undeclared_choice_leaves_the_call_at_the_menu(validate):
    table = changed(message=State(message, Choose(choosing("menu"), ("bye",))))
    call = SimulatedCall(make_app(tree_of(table), Config()), validate=validate)
    call.start("/voice")
    call.press("1")
    call.record()
    assert call.waiting_for == "input"


def test_a_declared_choice_goes_where_it_says(validate):
    call = SimulatedCall(make_app(tree_of(good_table()), Config()), validate=validate)
    call.start("/voice")
    call.press("1")
    call.record()
    assert call.last_heard == ["Goodbye."]


def test_an_outcome_exit_to_a_missing_state_is_refused(refuse):
    table = changed(
        message=State(message, Outcome("RecordingStatus", {"done": "bye"}, otherwise="gone"))
    )
    with pytest.raises(TableError) as refused:
        refuse(table)
    assert refused.value.problems == [
        "state 'message': leads on other RecordingStatus to 'gone', which is not a state"
    ]


# The office: a whole tree, whose mistakes are named by the file to mend ######


def without(*names):
    """The office with the rows of ``names`` taken out of its table."""
    table = {name: row for name, row in office.TABLE.items() if name not in names}
    return dataclasses.replace(office.TREE, table=table)


def test_an_option_leading_to_a_state_not_in_the_table_names_the_options_file():
    with pytest.raises(TableError) as refused:
        make_app(without("orders"), Config())
    [problem] = refused.value.problems
    assert re.fullmatch(
        r"state 'menu': option 1 leads to 'orders', which is not a state "
        r"\((.+/)?tests/engine/trees/office\.py, MENU\)",
        problem,
    )


def test_an_option_of_the_hold_menu_leading_nowhere_names_the_hold_options():
    # This file imports HOLD too: the file named is the one that writes it, office.py.
    assert HOLD is office.TABLE["hold"].exit.options
    with pytest.raises(TableError) as refused:
        make_app(without("leave_queue"), Config())
    [problem] = refused.value.problems
    assert re.fullmatch(
        r"state 'hold': option 1 leads to 'leave_queue', which is not a state "
        r"\((.+/)?tests/engine/trees/office\.py, HOLD\)",
        problem,
    )


def test_hold_music_that_dials_is_refused_naming_what_a_queue_may_play():
    def dials(call):
        return Dial("+15555550100")

    hold = State(dials, Keys(office.HOLD, otherwise="hold"))
    with pytest.raises(TableError) as refused:
        make_app(office.tree(hold=hold), Config())
    assert refused.value.problems == [
        "state 'hold': plays while a caller is queued, where <Dial> cannot be used "
        "(only Say, Play, Pause, Gather, Redirect, Leave, Hangup)"
    ]


def office_menu(tries):
    menu = office.TABLE["menu"]
    return office.tree(menu=menu._replace(exit=dataclasses.replace(menu.exit, tries=tries)))


def office_collect(attempts):
    spec = dataclasses.replace(office.TABLE["callback_number"].exit, attempts=attempts)
    return office.tree(callback_number=State(spec.enter, spec))


@pytest.mark.parametrize("limit", [0, 100, -1, "3"])
def test_a_menu_s_tries_out_of_reach_stop_start_up_naming_the_state(limit):
    with pytest.raises(TableError) as refused:
        make_app(office_menu(limit), Config(), clock=lambda: OPEN)
    [problem] = refused.value.problems
    assert problem.startswith(
        f"state 'menu': a menu's tries of {limit!r} can never be reached: "
        "the URL counts 1 to 99 tries"
    )
    assert problem.endswith("tests/engine/trees/office.py, MENU)")


@pytest.mark.parametrize("limit", [0, 100, -1])
def test_a_collect_s_attempts_out_of_reach_stop_start_up_naming_the_state(limit):
    with pytest.raises(TableError) as refused:
        make_app(office_collect(limit), Config(), clock=lambda: OPEN)
    assert refused.value.problems == [
        f"state 'callback_number': a collect's attempts of {limit} can never be reached: "
        "the URL counts 1 to 99 tries"
    ]


@pytest.mark.parametrize("limit", [1, 99])
def test_limits_from_1_to_99_are_accepted(limit):
    assert make_app(office_menu(limit), Config(), clock=lambda: OPEN)
    assert make_app(office_collect(limit), Config(), clock=lambda: OPEN)
