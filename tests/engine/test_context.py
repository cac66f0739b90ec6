"""The call's context: declared names carried in URLs, kept by exits, read by later states."""

import pytest
from twilio.twiml.voice_response import Gather, Hangup, Say
from webtest import TestApp

from phonetree_engine import Choose, Keys, Option, Slot, State, Tree
from phonetree_engine.call import LETTERS, SEALED
from phonetree_engine.settings import Config
from phonetree_engine.tree import TableError
from phonetree_engine.web import make_app
from phonetree_tools.caller import SimulatedCall
from tests.conftest import OPEN
from tests.engine.conftest import opened
from tests.engine.trees import shop

CONTEXT = {"team": Slot(5, LETTERS), "order": Slot(6, personal=True)}
renders = []


def menu(call):
    gather = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    gather.say("Press 1 for sales, 2 for billing.")
    return gather


def pick_team(call):
    call.keep("team", {"1": "sales", "2": "bills"}.get(call.digits))
    if call.digits == "3":
        call.keep("order", "424242")
    return "team"


def team(call):
    renders.append(call.state)
    gather = Gather(num_digits=1, action=call.action, action_on_empty_result=True)
    gather.say(f"You are through to {call.context.get('team', 'nobody')}.")
    return gather


def order(call):
    renders.append(call.state)
    return [Say(f"Order {call.context.get('order', 'none')}."), Hangup()]


def bye(call):
    return [Say("Goodbye."), Hangup()]


TABLE = {
    "menu": State(menu, Choose(pick_team, ("team",))),
    "team": State(team, Keys([Option("1", "team"), Option("2", "order")], otherwise="bye")),
    "order": State(order),
    "bye": State(bye),
}


def tree_of(table=TABLE, context=CONTEXT):
    return Tree(
        table=table,
        start="menu",
        recovery="bye",
        words=shop.ENGINE_WORDS,
        person=shop.ring,
        context=context,
    )


def tree(table=TABLE, context=CONTEXT):
    renders.clear()
    app = make_app(tree_of(table, context), Config(), clock=lambda: OPEN)
    renders.clear()  # the start-up check renders every state
    return app


def place(app, *keys, validate=None):
    call = SimulatedCall(app, validate=validate)
    call.start()
    for key in keys:
        call.press(key)
    return call


def test_a_value_an_exit_kept_reaches_the_next_state(validate):
    call = place(tree(), "2", validate=validate)
    assert call.last_heard == ["You are through to bills."]


def test_the_value_is_carried_in_the_url(validate):
    call = place(tree(), "2", validate=validate)
    assert call.gather.get("action") == "/state/team/exit?team=bills"


def test_the_value_is_still_there_a_step_later(validate):
    call = place(tree(), "1", "1", validate=validate)
    assert call.last_heard == ["You are through to sales."]


def test_steady_twiml_is_rendered_once_for_each_value_it_read(validate):
    app = tree()
    for keys in (("1",), ("2",), ("1",), ("2",), ("1", "1")):
        place(app, *keys, validate=validate)
    assert renders == ["team", "team"]


def test_twiml_that_reads_a_personal_value_is_rendered_every_time(validate):
    app = tree()
    for _ in range(2):
        call = place(app, "3", "2", validate=validate)
    assert (call.last_heard, renders.count("order")) == (["Order 424242."], 2)


def test_a_name_that_was_not_declared_stops_start_up_naming_the_state():
    def reads_unknown(call):
        return [Say(call.context.get("colour") or "Hello."), Hangup()]

    table = {**TABLE, "order": State(reads_unknown)}
    with pytest.raises(TableError, match=r"state 'order': .*'colour' is not a declared context"):
        tree(table)


def test_a_context_over_the_url_budget_stops_start_up():
    with pytest.raises(TableError, match=r"over the budget of 512: .*notes \(600\)"):
        make_app(tree_of(context={"notes": Slot(600)}), Config())


@pytest.mark.parametrize(
    "context, problem",
    [
        ({"tries": Slot(2)}, "context name 'tries' is already used by the engine"),
        ({SEALED: Slot(2)}, f"context name '{SEALED}' is already used by the engine"),
        ({"Team": Slot(2)}, "context name 'Team' is not lower-case"),
        ({"team": Slot(4, "a&b")}, "context 'team' may not hold URL characters"),
        ({"team": Slot(4, "0123456789#")}, "context 'team' may not hold URL characters"),
        ({"team": Slot(4, "0123456789+")}, "context 'team' may not hold URL characters"),
        ({"team": Slot(4, "ab /?%")}, "context 'team' may not hold URL characters"),
        ({"team": 4}, "context 'team' must be a Slot"),
    ],
)
def test_a_wrong_declaration_stops_start_up_naming_it(context, problem):
    with pytest.raises(TableError, match=problem):
        make_app(tree_of(context=context), Config())


def keep_a_team_too_long(call):
    call.keep("team", "marketing")  # nine letters, where the slot holds five
    return "team"


def test_a_value_that_does_not_fit_its_slot_is_never_carried(validate):
    table = {**TABLE, "menu": State(menu, Choose(keep_a_team_too_long, ("team",)))}
    call = SimulatedCall(tree(table), validate=validate)
    call.start()
    call.press("1")
    assert call.last_heard[0] == shop.SORRY
    assert all("marketing" not in webhook.url for webhook in call.requests)


# Personal values travel sealed ###############################################


def test_a_personal_value_travels_sealed_in_the_url(validate):
    call = place(tree(), "3", validate=validate)
    action = call.gather.get("action")
    assert action.startswith(f"/state/team/exit?{SEALED}=")
    assert all("424242" not in webhook.url for webhook in call.requests)


def test_the_sealed_value_opens_with_the_app_s_key(validate):
    app = tree()
    action = place(app, "3", validate=validate).gather.get("action")
    assert opened(app, action) == {"order": "424242"}


def test_readable_and_personal_values_travel_side_by_side(validate):
    def keep_both(call):
        call.keep("team", "sales")
        call.keep("order", "424242")
        return "team"

    app = tree({**TABLE, "menu": State(menu, Choose(keep_both, ("team",)))})
    action = place(app, "1", validate=validate).gather.get("action")
    assert action.startswith(f"/state/team/exit?team=sales&{SEALED}=")
    assert opened(app, action) == {"team": "sales", "order": "424242"}


def test_a_value_sealed_by_another_app_reads_as_absent(validate):
    """Without SECRET_KEY or a signing key, each app seals with a key of its own."""
    sealing, reading = tree(), tree()
    call = SimulatedCall([sealing, reading], validate=validate)
    call.start()
    call.press("3")  # sealed by the first app
    call.press("2")  # the second cannot open it
    assert call.last_heard == ["Order none."]


def test_a_shared_secret_key_opens_sealed_values_on_every_replica(validate):
    replicas = [
        make_app(tree_of(), Config(secret_key="shared by every replica"), clock=lambda: OPEN)
        for _ in range(2)
    ]
    call = SimulatedCall(replicas, validate=validate)
    call.start()
    call.press("3")
    call.press("2")
    assert call.last_heard == ["Order 424242."]


def test_a_changed_sealed_value_reads_as_absent(validate):
    app = tree()
    action = place(app, "3", validate=validate).gather.get("action")
    sealed = action.partition(f"?{SEALED}=")[2]
    changed = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    response = TestApp(app).post(f"/state/order?{SEALED}={changed}")
    assert [say.text for say in response.xml.iter("Say")] == ["Order none."]
