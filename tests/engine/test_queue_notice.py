"""Waitress warns "Task queue depth is N" for every request that waits for a thread: in a burst
of calls, one line comes through every ``QUEUE_NOTICE_SECONDS``, saying how many it stands for."""

import logging

from phonetree_engine.server import QueueDepthNotice


class Warnings:
    """Waitress's queue warnings through the notice, on a clock the test turns."""

    def __init__(self, every=10.0):
        self.now = 0.0
        self.notice = QueueDepthNotice(every, clock=lambda: self.now)

    def warn(self, depth: int) -> str | None:
        """The line written for a warning of ``depth``; None when it is held back."""
        record = logging.LogRecord(
            "waitress.queue", logging.WARNING, "", 0, "Task queue depth is %d", (depth,), None
        )
        return record.getMessage() if self.notice.filter(record) else None


def test_the_first_warning_of_a_burst_comes_through_and_the_rest_are_held():
    warnings = Warnings()
    assert [warnings.warn(depth) for depth in (1, 2, 5, 3)] == [
        "Task queue depth is 1",
        None,
        None,
        None,
    ]


def test_the_next_warning_after_the_wait_says_how_many_it_stands_for_and_the_deepest():
    warnings = Warnings()
    for depth in (1, 2, 5, 3):
        warnings.warn(depth)
    warnings.now = 10.0
    assert warnings.warn(4) == (
        "Task queue depth is 4 (3 more since the last such line, the deepest 5)"
    )
    assert warnings.warn(6) is None  # and the next wait starts from there
