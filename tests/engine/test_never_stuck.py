"""Never stuck: silence and wrong input take a caller out of every menu and collect of the
engine's trees within its own limit, above, at or below MAX_RETRIES."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phonetree_engine.settings import Config
from tests.conftest import OPEN
from tests.engine.stuck import FAILURES, failed_tries_to_leave, menus, with_limit
from tests.engine.trees import office, shop

TREES = {"office": office.TREE, "shop": shop.shop_tree()}


@settings(max_examples=60, deadline=None)
@given(
    tree=st.sampled_from(sorted(TREES)),
    max_retries=st.integers(1, 10),
    offset=st.sampled_from([None, -2, -1, 0, 1, 2, 7]),
    failures=st.lists(st.sampled_from(FAILURES), min_size=1, max_size=4),
    data=st.data(),
)
def test_every_menu_and_collect_gives_up_at_its_own_limit(
    tree, max_retries, offset, failures, data
):
    base = TREES[tree]
    name = data.draw(st.sampled_from(menus(base)), label="state")
    limit = None if offset is None else max(1, max_retries + offset)
    variant = with_limit(base, name, limit)
    config = Config(max_retries=max_retries)
    tries, where = failed_tries_to_leave(variant, name, config, lambda: OPEN, failures)
    assert where is not None, f"{name} kept the caller through {tries} failed tries"
    assert tries == (limit or max_retries)


def test_a_limit_above_max_retries_is_reached_not_capped():
    variant = with_limit(office.TREE, "menu", 5)
    tries, where = failed_tries_to_leave(variant, "menu", Config(max_retries=3), lambda: OPEN,
                                         ["silence"])  # fmt: skip
    assert (tries, where) == (5, "desk")  # transfer goes on to the front desk


@pytest.mark.parametrize(
    "name, leads_to", [("menu", "desk"), ("callback_number", "left the queue")]
)
def test_a_limit_of_more_than_ten_tries_is_counted_to_its_end(name, leads_to):
    # Tries past 9 take two digits in the URL: a count that lost one would start again at 0.
    variant = with_limit(office.TREE, name, 12)
    tries, where = failed_tries_to_leave(variant, name, Config(), lambda: OPEN, ["silence"])
    assert (tries, where) == (12, leads_to)


def test_a_menu_whose_wrong_input_comes_back_through_another_state_needs_a_give_up():
    from phonetree_engine import Keys, State
    from phonetree_engine.tree import TableError
    from phonetree_engine.web import make_app

    # A wrong key says "wrong", which goes on to the menu at once: the menu again.
    keys = Keys(office.MENU, otherwise="wrong", silence="quiet")
    table = {name: row for name, row in office.TABLE.items() if name != "transfer"}
    table["menu"] = State(office.menu, keys)
    try:
        make_app(replace(office.TREE, table=table), Config())
    except TableError as error:
        assert "state 'menu': wrong input comes back here and no give_up ends it" in str(error)
    else:
        raise AssertionError("a menu that keeps a caller forever was accepted")


def test_the_trees_have_menus_and_collects_to_drive():
    assert set(menus(office.TREE)) == {"menu", "callback_number"}
    assert set(menus(TREES["shop"])) == {"menu"}


def test_a_menu_that_sends_wrong_input_back_to_itself_needs_a_give_up():
    from phonetree_engine import Keys, State
    from phonetree_engine.tree import TableError
    from phonetree_engine.web import make_app

    looping = office.tree(hours=State(office.hours, Keys(office.AGAIN, otherwise="hours")))
    try:
        make_app(looping, Config())
    except TableError as error:
        assert error.problems == [
            "state 'hours': wrong input comes back here and no give_up ends it; give the Keys "
            "a give_up=, so a caller is never kept here"
        ]
    else:
        raise AssertionError("a menu that keeps a caller forever was accepted")
    ending = Keys(office.AGAIN, otherwise="hours", give_up="menu")
    make_app(office.tree(hours=State(office.hours, ending)), Config())
