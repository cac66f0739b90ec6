"""For a carrier that does not retry a failed callback, the app tries again itself: on a
schedule, on the channels that did not take the message, a bounded number of messages at once,
and says in the log how each try went. And a channel the deadline cannot reach is no delivery.
"""

import logging
import re
import threading
import time
from datetime import datetime

from phonetree_engine.delivery import Delivery, Later, Message, Outcome, notify
from phonetree_engine.delivery.post import Post, notify_url
from tests.conftest import ROOT
from tests.receivers import Hook

MESSAGE = Message(
    id="RE1", kind="voicemail", subject="Voicemail", text="New voicemail.", when=datetime.now()
)


def post_to(hook) -> Delivery:
    return Delivery([Post(notify_url(hook.url))], deadline=2.0)


class Tries:
    """What ``Later`` reports: each try's outcome and whether it was the last."""

    def __init__(self):
        self.seen: list[tuple[list[str], bool]] = []
        self.done = threading.Event()

    def __call__(self, message, outcome, final):
        self.seen.append((outcome.taken, final))
        if final:
            self.done.set()

    def wait_for(self, count: int, seconds: float = 5.0) -> list:
        deadline = time.monotonic() + seconds
        while len(self.seen) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.seen


def test_a_message_no_channel_took_is_tried_again_until_the_schedule_ends():
    tries = Tries()
    with Hook(status=503) as hook:
        later = Later(post_to(hook), tries, schedule=(0.01, 0.01, 0.01))
        assert later.add(MESSAGE)
        assert tries.done.wait(10)
    assert tries.seen == [([], False), ([], False), ([], True)]
    assert len(later) == 0


def test_a_message_is_tried_again_after_the_schedule_s_next_wait():
    tries = Tries()
    with Hook(status=503) as hook:
        later = Later(post_to(hook), tries, schedule=(0.01, 60.0))
        later.add(MESSAGE)
        tries.wait_for(1)
        time.sleep(0.5)  # the second try is a minute away
    assert tries.seen == [([], False)]
    assert len(later) == 1


def test_a_message_taken_on_a_later_try_ends_its_tries():
    tries = Tries()
    with Hook(status=503) as hook:
        later = Later(post_to(hook), tries, schedule=(0.01, 0.05, 0.05))
        later.add(MESSAGE)
        tries.wait_for(1)
        hook.status = 200
        assert tries.done.wait(10)
    assert tries.seen == [([], False), (["post"], True)]
    assert [payload["id"] for payload in hook.payloads] == ["RE1"]


def test_no_more_than_the_limit_wait_at_once():
    later = Later(Delivery([]), Tries(), schedule=(3600.0,))
    later.LIMIT = 2
    assert [later.add(MESSAGE) for _ in range(3)] == [True, True, False]


def test_a_message_delivered_on_a_later_try_is_said_in_the_log(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    notify.tried_again(MESSAGE, Outcome(taken=["post"]), final=True)
    assert "delivered-later id=RE1 kind=voicemail" in caplog.text


class NameLookup:
    """A channel stuck where no socket can be shut, as in a name lookup: the deadline cannot
    end it."""

    name = "post"

    def __init__(self):
        self.free = threading.Event()

    def send(self, message, exchange):
        self.free.wait(10)
        return []


def test_a_channel_still_busy_after_the_deadline_has_not_delivered():
    channel = NameLookup()
    try:
        outcome = Delivery([channel], deadline=0.2).deliver(MESSAGE)
    finally:
        channel.free.set()
    assert (outcome.taken, list(outcome.failed)) == ([], ["post"])


def test_the_schedule_is_the_one_the_carriers_page_promises():
    page = " ".join((ROOT / "docs" / "carriers.md").read_text(encoding="utf-8").split())
    found = re.search(r"after (\d+) s, ([\d, and]+) minutes \(about (\d+) minutes in all\)", page)
    assert found, "docs/carriers.md no longer says when a message is tried again"
    first, minutes, total = found.groups()
    promised = [float(first), *(60.0 * int(m) for m in re.findall(r"\d+", minutes))]
    assert list(Later.SCHEDULE) == promised
    assert int(sum(Later.SCHEDULE) // 60) == int(total)
