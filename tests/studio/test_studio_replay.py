"""The studio's replay of a call, against an app served over HTTP as the studio serves it: the
office of the engine's tests, on a waitress server of this process."""

import threading
from contextlib import contextmanager
from dataclasses import replace

import waitress
from twilio.twiml.voice_response import Dial

from phonetree_engine import Outcome, State
from phonetree_engine.web import make_app
from phonetree_tools.studio.moment import Action, Moment
from phonetree_tools.studio.replay import Caller, Walks
from tests.conftest import OPEN
from tests.engine.trees import office


@contextmanager
def served(tree):
    """``tree``'s app on a free loopback port; the Caller that plays calls to it."""
    app = make_app(tree, {}, clock=lambda: OPEN)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        config = app.config["phonetree.engine"].config
        url = f"http://127.0.0.1:{server.effective_port}"
        yield Caller(url, config, Walks(config), {"carrier": "twilio"})
    finally:
        server.close()


def ring(call):
    return Dial("+15555550199", action=call.action)


def test_a_tree_that_dials_for_ever_is_replayed_to_a_bound():
    table = {"ring": State(ring, Outcome("DialCallStatus", {}, otherwise="ring"))}
    with served(replace(office.TREE, table=table, start="ring", recovery="ring")) as caller:
        played = []
        thread = threading.Thread(target=lambda: played.append(caller.replay(Moment(OPEN))))
        thread.start()
        thread.join(30)
    assert not thread.is_alive(), "the replay never ended"
    assert [action.token for action in played[0].actions] == ["dial:no-answer"] * 10


def test_the_call_s_length_counts_its_wait_in_the_queue():
    actions = [Action("press", "2"), Action("hold", numbers=(1, 0, 95)), Action("hangup")]
    with served(office.TREE) as caller:
        played = caller.replay(Moment(OPEN, actions, queue="wait"))
    [status] = [seen for seen in played.call.callbacks if seen.url.endswith("/status")]
    assert int(status.params["CallDuration"]) >= 95
