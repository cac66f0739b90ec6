"""The engine renders steady TwiML once, and anything that reads the input or clock each time."""

import states
from phonetree import make_app
from phonetree_engine.settings import Config
from phonetree_engine.tree import State
from phonetree_tools.caller import SimulatedCall
from tests.conftest import CLOSED, OPEN
from tests.prompts import CLOSED_NOTICE, HOURS


def counting_hours():
    """The table with an hours state that counts how often it is rendered."""
    renders = []

    def enter(call):
        renders.append(call.tries)
        return states.hours.enter(call)

    hours = states.TABLE["hours"]
    return {**states.TABLE, "hours": State(enter, hours.exit)}, renders


def test_a_steady_state_is_rendered_once_and_reused(validate):
    table, renders = counting_hours()
    app = make_app(Config(), table=table, clock=lambda: OPEN)
    renders.clear()  # the table check at start-up renders every state, open and closed
    for _ in range(3):
        call = SimulatedCall(app, validate=validate)
        call.start()
        call.press("3")
        call.press("1")
        assert call.last_heard[0] == HOURS
    assert renders == [0]


def test_a_state_that_reads_the_clock_is_rendered_every_time(validate):
    now = [OPEN]
    app = make_app(Config(), clock=lambda: now[0])
    heard = []
    for moment in (OPEN, CLOSED, OPEN):
        now[0] = moment
        call = SimulatedCall(app, validate=validate)
        call.start()
        heard.append(CLOSED_NOTICE in call.heard)
    assert heard == [False, True, False]


def test_the_count_of_tries_is_part_of_what_is_reused(validate):
    app = make_app(Config(), clock=lambda: OPEN)
    call = SimulatedCall(app, validate=validate)
    call.start()
    call.press("7")
    first = call.gather.get("action")
    call.press("7")
    assert (first, call.gather.get("action")) == (
        "/state/menu/exit?tries=1",
        "/state/menu/exit?tries=2",
    )


def test_a_state_behind_the_hours_check_is_still_rendered_once(validate):
    renders = []

    def enter(call):
        renders.append(call.state)
        return states.reception.enter(call)

    reception = states.TABLE["reception"]
    table = {**states.TABLE, "reception": reception._replace(enter=enter)}
    app = make_app(Config(), table=table, clock=lambda: OPEN)
    renders.clear()
    for _ in range(2):
        call = SimulatedCall(app, validate=validate)
        call.start()
        call.press("0")
    assert renders == ["reception"]
