"""Never stuck, on the shipped tree: silence and wrong input take a caller out of every menu
and collect within its limit, above, at or below MAX_RETRIES (the engine's walker, this tree)."""

from hypothesis import given, settings
from hypothesis import strategies as st

import phonetree
from phonetree_engine.settings import Config
from tests.conftest import OPEN
from tests.engine.stuck import FAILURES, failed_tries_to_leave, menus, with_limit

TREE = phonetree.tree()


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(menus(TREE)),
    max_retries=st.integers(1, 10),
    offset=st.sampled_from([None, -2, -1, 0, 1, 2, 7]),
    failures=st.lists(st.sampled_from(FAILURES), min_size=1, max_size=4),
)
def test_every_menu_and_collect_of_the_tree_gives_up_at_its_limit(
    name, max_retries, offset, failures
):
    limit = None if offset is None else max(1, max_retries + offset)
    variant = with_limit(TREE, name, limit)
    tries, where = failed_tries_to_leave(variant, name, Config(max_retries=max_retries),
                                         lambda: OPEN, failures)  # fmt: skip
    assert where is not None, f"{name} kept the caller through {tries} failed tries"
    assert tries == (limit or max_retries)
