"""OPENING_HOURS drawn at random, for properties of the hours and of how a tree says them."""

from hypothesis import strategies as st

DAY = st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def opening_hours(draw) -> str:
    """OPENING_HOURS of one to four groups: days as names, ranges (wrapping too) or lists.

    Half hours from 00:00 to 24:00; groups get times of their own, so that they never overlap,
    or share the first group's times (then an overlap of days is refused: a test skips it).
    """
    days = st.lists(st.one_of(DAY, st.tuples(DAY, DAY).map("-".join)), min_size=1, max_size=3)
    count = draw(st.integers(1, 4))
    bounds = sorted(draw(st.sets(st.integers(0, 48), min_size=2 * count, max_size=2 * count)))
    groups = []
    for index in range(count):
        opens, closes = bounds[2 * index : 2 * index + 2]
        if index and draw(st.booleans()):
            opens, closes = bounds[:2]
        groups.append(f"{','.join(draw(days))} {clock(opens * 30)}-{clock(closes * 30)}")
    return "; ".join(groups)
