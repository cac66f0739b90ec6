"""Lanes: requests that may wait on a delivery are served by threads of their own.

The server learns each request's lane from the app (``app.phonetree_lane(PATH_INFO)``); the
fixture apps (``tests/engine/trees/lanes.py``) answer with the name of the thread that served
them. The engine's apps name their lanes from the tree they serve: the office's and the shop's.
"""

from __future__ import annotations

import getopt
import http.client
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from phonetree_engine import web
from phonetree_engine.server import OPTIONS, Lanes, parse_args, path_info
from tests.engine.trees import lanes, office
from tests.engine.trees.shop import shop_tree
from tests.servers import HOST, WebProcess

DELIVERY_THREADS = OPTIONS["delivery_threads"]  # the Procfile's too (tests/project/test_docs.py)


def get(port: int, path: str) -> tuple[int, str, float]:
    """GET path: the status, the answer, and when it came (monotonic seconds)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=15)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        return answer.status, answer.read().decode(), time.monotonic()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served():
    """The Procfile's command serving the fixture app that names lanes."""
    server = WebProcess(target="tests.engine.trees.lanes:app").start()
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def plain():
    """The Procfile's command serving a fixture app that names no lane."""
    server = WebProcess(target="tests.engine.trees.lanes:plain").start()
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


def test_a_request_that_may_wait_on_a_delivery_is_served_in_the_deliveries_lane(served):
    status, thread, _ = get(served.port, "/deliver")
    assert status == 200
    assert thread.startswith("waitress-deliveries-")


def test_behind_a_url_prefix_a_delivery_is_still_served_in_the_deliveries_lane():
    # The app names lanes by the path it sees, without the prefix waitress strips.
    server = WebProcess(target="--url-prefix=/ivr tests.engine.trees.lanes:app").start()
    try:
        deadline = time.monotonic() + 30
        while True:  # started once it answers (its /healthz is below the prefix too)
            try:
                status, thread, _ = get(server.port, "/ivr/deliver")
                break
            except OSError:
                assert time.monotonic() < deadline and server.process.poll() is None, server.log
                time.sleep(0.1)
        assert status == 200
        assert thread.startswith("waitress-deliveries-")
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/", "/state/menu/exit", "/broken", "/elsewhere"])
def test_any_other_request_is_served_in_the_calls_lane(served, path):
    status, thread, _ = get(served.port, path)
    assert status == 200
    assert thread.startswith("waitress-")
    assert not thread.startswith("waitress-deliveries-")


def test_a_failing_lane_function_is_logged_with_its_traceback(served):
    get(served.port, "/broken")
    assert served.wait_for_log("phonetree_lane failed")
    assert "Traceback" in served.log  # what failed in the app, for its developer


def test_an_app_without_lanes_is_served_on_one_lane(plain):
    threads = {get(plain.port, path)[1].rsplit("-", 1)[0] for path in ("/deliver", "/")}
    assert threads == {"waitress"}


def test_calls_are_answered_while_every_delivery_thread_waits(served):
    """More deliveries than threads, then calls: every call is answered before any delivery."""
    waiting = DELIVERY_THREADS + 2
    with ThreadPoolExecutor(waiting + 1) as pool:
        deliveries = [pool.submit(get, served.port, "/deliver") for _ in range(waiting)]
        time.sleep(0.5)  # the deliveries have arrived and taken every thread of their lane
        calls = [get(served.port, "/") for _ in range(20)]
        delivered = [future.result() for future in deliveries]
    assert [status for status, _, _ in calls + delivered] == [200] * (20 + waiting)
    assert max(at for _, _, at in calls) < min(at for _, _, at in delivered)
    # The two that found the lane full waited in its queue, which said so, naming the lane.
    assert served.wait_for_log("WARNING waitress.queue.deliveries Task queue depth is")


# The engine's app names its lanes from its tree #################################


@pytest.fixture(scope="module")
def lane_of():
    return web.make_app(office.TREE, {}).phonetree_lane


@pytest.mark.parametrize(
    "path",
    ["/state/voicemail/recorded", "/state/voicemail/transcribed", "/fallback/recorded"],
)
def test_the_webhooks_that_deliver_are_served_in_the_deliveries_lane(lane_of, path):
    assert lane_of(path) == "deliveries"


@pytest.mark.parametrize(
    "path",
    ["/voice", "/status", "/healthz", "/fallback", "/state/menu", "/state/menu/exit",
     "/state/voicemail", "/state/voicemail/exit", "/state/nowhere/recorded", ""],
)  # fmt: skip
def test_live_webhooks_are_served_in_the_calls_lane(lane_of, path):
    assert lane_of(path) == "calls"


def test_the_lanes_follow_the_tree_the_app_serves():
    app = web.make_app(shop_tree(), {})
    assert app.phonetree_lane("/state/menu/more") == "deliveries"  # the shop's one webhook
    assert app.phonetree_lane("/state/voicemail/recorded") == "calls"  # no such state there


# The server's part ############################################################


def test_an_app_without_lanes_gets_waitress_own_dispatcher():
    assert Lanes.for_app(lanes.plain, 4, DELIVERY_THREADS) is None


def test_no_delivery_threads_means_one_lane():
    assert Lanes.for_app(lanes.app, 4, 0) is None


@pytest.mark.parametrize(
    ("path", "prefix", "expected"),
    [
        ("/state/voicemail/recorded", "", "/state/voicemail/recorded"),
        ("//state/voicemail/recorded", "", "/state/voicemail/recorded"),
        ("/ivr/state/voicemail/recorded", "/ivr", "/state/voicemail/recorded"),
        ("/ivr", "/ivr", ""),
        ("/ivrx/state", "/ivr", "/ivrx/state"),
    ],
)
def test_the_lane_is_chosen_on_the_path_the_app_will_see(path, prefix, expected):
    assert path_info(path, prefix) == expected


@pytest.mark.parametrize("words", [["--delivery-threads=3"], ["--delivery-threads", "3"]])
def test_delivery_threads_is_an_option_of_the_command(words):
    options, targets = parse_args([*words, "--port=8000", "phonetree:app"])
    assert (options["delivery_threads"], options["port"], targets) == (
        "3",
        "8000",
        ["phonetree:app"],
    )


@pytest.mark.parametrize("value", ["", "-1", "many", "2.5"])
def test_delivery_threads_takes_a_whole_number(value):
    with pytest.raises(getopt.GetoptError, match="--delivery-threads takes a whole number"):
        parse_args([f"--delivery-threads={value}", "phonetree:app"])
