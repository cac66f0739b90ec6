"""`python phonetree.py studio`, run as a person runs it: the page, the app beside it, and the
steps of calls the page asks for, answered over HTTP."""

import json
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

import states
from phonetree_tools.carriers import telnyx_keys
from tests.receivers import OFFICE, Hook, Mailbox
from tests.servers import HOST, server_environ
from tests.studio.studio_process import ROOT, running
from tests.tree.prompts import GOODBYE, HOURS, HOURS_ES, MENU, NO_CHOICE, THANKS, WELCOME

SVG = "{http://www.w3.org/2000/svg}"
CLOSED_NOW = "Our office is closed right now, but you can still leave us a message."
TOKEN = "auth-token-for-studio-tests"


@pytest.fixture(scope="module")
def studio():
    with running() as started:
        yield started


def heard(answer) -> list[str]:
    return [event["text"] for event in answer["events"] if event["kind"] == "heard"]


def edge_count(answer, source, target) -> int:
    return next(c for a, b, c in answer["coverage"]["edges"] if (a, b) == (source, target))


# The page ###################################################################


def test_the_command_prints_the_address_of_the_page(studio):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", studio.url)


def test_the_page_draws_a_node_for_every_state_of_the_table(studio):
    _, page = studio.get("/")
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", page, re.DOTALL).group(0))
    drawn = {node.get("data-state") for node in svg.iter(f"{SVG}g") if node.get("data-state")}
    assert drawn == set(states.TABLE)


def test_the_page_tells_its_script_the_states_of_the_table(studio):
    _, page = studio.get("/")
    facts = json.loads(re.search(r'id="facts">(.*?)</script>', page, re.DOTALL).group(1))
    assert facts["states"] == list(states.TABLE)


@pytest.mark.parametrize("name", ["studio.js", "studio.css"])
def test_the_pages_files_are_served(studio, name):
    status, text = studio.get(f"/studio/static/{name}")
    assert (status, len(text) > 1000) == (200, True)


def test_a_file_the_studio_does_not_have_is_not_found(studio):
    assert studio.get("/studio/static/secrets.txt")[0] == 404


def test_the_app_is_served_beside_the_studio(studio):
    assert studio.get("/healthz") == (200, "ok\n")


# Steps ######################################################################


def test_a_step_replays_what_the_caller_hears(studio):
    assert HOURS in heard(studio.step(["3"]))


def test_a_step_says_the_state_the_call_waits_in(studio):
    answer = studio.step(["3"])
    assert (answer["state"], answer["waiting"]) == ("hours", "input")


def test_a_step_lists_the_states_the_call_passed(studio):
    assert studio.step(["3"])["passed"] == ["greeting", "language", "menu", "hours"]


def test_a_step_shows_each_webhook_and_the_twiml_answered(studio):
    request = studio.step(["3"])["requests"][1]
    assert (request["url"], request["params"]["Digits"]) == ("/state/menu/exit", "3")


def test_the_twiml_of_a_webhook_is_pretty_printed(studio):
    answer = studio.step(["3"])["requests"][1]["answer"]
    assert "\n  <Gather" in answer


def test_a_call_hung_up_at_the_menu_ended_in_the_menu(studio):
    assert studio.step(["3", "2", "hangup"])["ended_in"] == "menu"


def test_a_call_in_progress_has_not_ended_anywhere(studio):
    assert studio.step(["3"])["ended_in"] is None


def test_a_dial_ends_by_itself_as_the_dial_outcome_says(studio):
    answer = studio.step(["0"], dial="busy")
    assert (answer["actions"], answer["waiting"]) == (["0", "dial:busy"], "record")


def test_an_answered_dial_ends_the_call_with_goodbye(studio):
    answer = studio.step(["0"], dial="completed")
    assert (heard(answer)[-1], answer["ended"]) == (GOODBYE, True)


def test_a_queue_holds_the_caller_when_the_outcome_is_wait(studio):
    answer = studio.step(["2"], queue="wait", position=3)
    assert (answer["actions"][-1], answer["waiting"]) == ("hold:3,0,0", "queue")


def test_holding_hears_the_position_set(studio):
    assert "You are caller number 3." in heard(studio.step(["2"], position=3))


def test_holding_hears_the_average_wait_set(studio):
    answer = studio.step(["2"], average=180)
    assert "The estimated wait is about 3 minutes." in heard(answer)


def test_holding_the_call_waits_in_the_queues_state(studio):
    answer = studio.step(["2"])
    assert (answer["waiting"], answer["state"]) == ("queue", "support")


def test_holding_long_enough_the_call_waits_in_the_hold_state_for_a_key(studio):
    answer = studio.step(["2"], waited=90)
    assert (answer["actions"][-1], answer["waiting"], answer["state"]) == (
        "hold:1,0,90",
        "input",
        "hold",
    )


def test_pressing_1_while_holding_leaves_the_queue_for_voicemail(studio):
    answer = studio.step(["2", "hold:1,0,90", "1"])
    assert (answer["passed"][-2:], answer["state"]) == (["leave_queue", "voicemail"], "voicemail")


def test_pressing_2_while_holding_asks_for_the_number_to_call_back(studio):
    assert studio.step(["2", "hold:1,0,90", "2"])["state"] == "callback_number"


def test_a_recording_waits_in_the_voicemail_state(studio):
    answer = studio.step(["1"])
    assert (answer["waiting"], answer["state"]) == ("record", "voicemail")


def test_a_queue_outcome_chosen_while_holding_ends_the_wait(studio):
    holding = studio.step(["2"])["actions"]
    answer = studio.step(holding, queue="bridged")
    assert (answer["actions"][-1], answer["ended"]) == ("queue:bridged", True)


def test_the_clock_closed_places_the_call_when_the_office_is_closed(studio):
    assert CLOSED_NOW in heard(studio.step([], clock="closed"))


def test_a_date_and_time_on_the_clock_is_in_the_business_time_zone(studio):
    answer = studio.step([], clock="2026-11-24T10:00")  # a Tuesday
    assert answer["at"] == "2026-11-24T10:00:00-05:00"


def test_the_moment_of_the_call_overrides_the_clock(studio):
    answer = studio.step([], clock="closed", at="2026-11-24T10:00:00-05:00")
    assert heard(answer)[:2] == [WELCOME, MENU]


def test_a_voicemail_shows_what_the_business_would_get(studio):
    answer = studio.step(["1", "record:Please call me back"])
    assert [m["subject"] for m in answer["messages"]] == ["Voicemail from +15005550006, sales"]


def test_with_no_channel_configured_both_email_and_post_are_shown(studio):
    message = studio.step(["1", "record:Please call me back"])["messages"][0]
    shown = [(channel["name"], channel["configured"]) for channel in message["channels"]]
    assert shown == [("email", False), ("post", False)]


def test_the_post_shown_is_the_json_the_business_would_get(studio):
    message = studio.step(["1", "record:Please call me back"])["messages"][0]
    payload = json.loads(message["channels"][1]["body"])
    assert (payload["type"], payload["via"]) == ("voicemail", "sales")


def test_the_message_words_make_the_recording_as_long_as_saying_them(studio):
    answer = studio.step(["1", "record:one two three four five six seven eight nine ten"])
    assert "Duration: 4 seconds" in answer["messages"][0]["text"]


def test_a_message_left_thanks_the_caller(studio):
    assert heard(studio.step(["1", "record:Hello"]))[-1] == THANKS


def test_hanging_up_sends_the_numbers_status_callback(studio):
    request = studio.step(["hangup"])["requests"][-1]
    assert (request["url"], request["params"]["CallStatus"]) == ("/status", "completed")


def test_an_action_the_call_cannot_take_stops_the_replay_and_says_why(studio):
    answer = studio.step(["3", "dial:busy"])
    assert answer["failure"] == "action 2 (dial:busy): the call waits for input"


# Counting, as report counts ################################################


def test_the_session_counts_each_edge_of_its_calls(studio):
    studio.step(["3"], session="count-1", call="a")
    answer = studio.step(["3"], session="count-1", call="b")
    assert edge_count(answer, "menu", "hours") == 2


def test_a_step_back_in_a_call_counts_nothing_again(studio):
    studio.step(["3", "1"], session="count-2", call="a")
    answer = studio.step(["3"], session="count-2", call="a")
    assert edge_count(answer, "hours", "hours") == 1


def test_a_call_that_goes_on_counts_once(studio):
    studio.step(["3"], session="count-3", call="a")
    answer = studio.step(["3", "1"], session="count-3", call="a")
    assert edge_count(answer, "menu", "hours") == 1


def test_coverage_counts_the_states_reached(studio):
    answer = studio.step(["3"], session="count-4")
    coverage = answer["coverage"]
    assert (coverage["states"]["reached"], coverage["states"]["total"]) == (4, len(states.TABLE))


def test_coverage_lists_the_states_not_reached(studio):
    assert "sales" in studio.step(["3"], session="count-5")["coverage"]["states_left"]


def test_sessions_are_counted_apart(studio):
    studio.step(["3"], session="count-6")
    assert edge_count(studio.step([], session="count-7"), "menu", "hours") == 0


# Saved as a test ############################################################


@pytest.fixture(scope="module")
def saved(studio, tmp_path_factory):
    status, source = studio.get("/studio/test?clock=open&do=3&do=1")
    assert status == 200, source
    folder = tmp_path_factory.mktemp("saved")
    path = folder / "test_saved_call.py"
    path.write_text(source, encoding="utf-8")
    return path


def pytest_in(folder, *args):
    """Run pytest as a plain run would, none of a studio's settings in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=server_environ({"PYTHONPATH": str(ROOT)}),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def saved_telnyx(telnyx, saved):
    """A call the Telnyx studio placed, saved beside the other."""
    status, source = telnyx.get("/studio/test?clock=open&do=3&do=_")
    assert status == 200, source
    path = saved.parent / "test_saved_telnyx_call.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def outcomes(saved, saved_telnyx):
    """The saved tests, and a copy expecting other hours, in one plain pytest run: each file's
    outcome."""
    changed = saved.parent / "test_changed_call.py"
    changed.write_text(saved.read_text().replace("Mondays", "Sundays"), encoding="utf-8")
    result = pytest_in(saved.parent, "-rA", saved.name, changed.name, saved_telnyx.name)
    found = re.findall(r"^(PASSED|FAILED) (\w+)\.py::", result.stdout, re.MULTILINE)
    return {name: outcome for outcome, name in found} | {"output": result.stdout}


def test_a_saved_call_passes_as_a_test(outcomes):
    assert outcomes.get("test_saved_call") == "PASSED", outcomes["output"]


def test_a_saved_call_fails_when_the_tree_says_something_else(outcomes):
    assert outcomes.get("test_changed_call") == "FAILED", outcomes["output"]


def test_a_saved_telnyx_call_passes_as_a_test(outcomes):
    assert outcomes.get("test_saved_telnyx_call") == "PASSED", outcomes["output"]


def test_a_saved_telnyx_call_is_placed_as_telnyx_with_no_key(saved_telnyx):
    source = saved_telnyx.read_text()
    assert ('carrier="telnyx"' in source, "TELNYX_PUBLIC_KEY" in source) == (True, False)


def test_a_saved_call_asserts_what_was_heard_at_each_step(saved):
    assert saved.read_text().count("assert call.last_heard == [") == 3


def test_a_saved_call_is_formatted_as_ruff_formats(saved):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_saved_call_passes_ruffs_checks(saved):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_saved_call_is_named_for_where_it_waits(studio):
    disposition = studio.headers("/studio/test?clock=open&do=3")["Content-Disposition"]
    assert disposition == 'attachment; filename="test_studio_call_waits_at_hours.py"'


# Bad input ##################################################################


def post(studio, body: bytes, **headers):
    return studio.post("/studio/step", body, {"Content-Type": "application/json", **headers})


def test_a_body_that_is_not_json_is_a_bad_request(studio):
    assert post(studio, b"{nope") == (400, "Bad Request: the body is not JSON.")


def test_an_unknown_action_is_a_bad_request_naming_it(studio):
    status, text = post(studio, json.dumps({"actions": ["3", "fly:away"]}).encode())
    assert (status, text.startswith("Bad Request: action 2: 'fly:away'")) == (400, True)


def test_actions_that_are_not_a_list_are_a_bad_request(studio):
    status, text = post(studio, json.dumps({"actions": "3"}).encode())
    assert (status, text) == (400, "Bad Request: actions are a list of strings.")


def test_a_moment_that_is_no_date_is_a_bad_request(studio):
    status, text = post(studio, json.dumps({"at": "yesterday"}).encode())
    assert (status, "'yesterday' is not a date and time" in text) == (400, True)


def test_a_step_from_another_site_is_refused(studio):
    status, _ = post(studio, b"{}", Origin="http://evil.example")
    assert status == 403


def test_a_step_to_another_host_name_is_refused(studio):
    status, _ = post(studio, b"{}", Host="rebound.example:80")
    assert status == 403


def test_a_step_too_big_for_a_page_to_send_is_refused(studio):
    status, _ = post(studio, json.dumps({"actions": ["3"], "pad": "x" * 70_000}).encode())
    assert status == 413


def test_a_gather_without_a_timeout_is_shown_with_the_carrier_s_five_seconds(studio):
    assert studio.step([])["gather"]["timeout"] == 5  # the menu's Gather names none


def test_a_step_posted_as_a_form_is_refused(studio):
    status, _ = studio.post("/studio/step", b"a=1", {"Content-Type": "text/plain"})
    assert status == 415


def test_a_saved_test_of_a_bad_moment_is_a_bad_request(studio):
    assert studio.get("/studio/test?do=%3Cscript%3E")[0] == 400


# Settings ###################################################################


@pytest.fixture(scope="module")
def signed():
    with running(TWILIO_AUTH_TOKEN=TOKEN, LANGUAGES="en-US,es-US") as started:
        yield started


def test_with_an_auth_token_the_studio_signs_as_twilio_does(signed):
    assert signed.step(["1", "3"])["failure"] is None


def test_with_an_auth_token_the_app_refuses_unsigned_webhooks(signed):
    status, _ = signed.post(
        "/voice", b"CallSid=CA1", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 403


def test_after_choosing_spanish_every_utterance_is_in_spanish(signed):
    answer = signed.step(["2", "3"])
    chosen = next(i for i, event in enumerate(answer["events"]) if event["kind"] == "caller")
    later = [e["language"] for e in answer["events"][chosen:] if e["kind"] == "heard"]
    assert set(later) == {"es-US"}


def test_the_spanish_caller_hears_the_hours_in_spanish(signed):
    assert HOURS_ES in heard(signed.step(["2", "3"]))


def test_the_studio_writes_no_webhook_line_unless_log_level_asks(signed):
    signed.step(["3"])
    assert " webhook " not in signed.stderr()


def test_behind_a_public_url_with_a_path_calls_are_signed_with_the_shared_key():
    settings = {"PUBLIC_URL": "https://ivr.example.com/ivr", "TWILIO_SHARED_KEY": TOKEN}
    with running(**settings) as studio:
        answer = studio.step(["3", "hangup"])
    paths = [request["url"] for request in answer["requests"]]
    assert (answer["failure"], paths[1], paths[-1]) == (None, "/ivr/state/menu/exit", "/ivr/status")


# Carriers ###################################################################


def carrier_shown(studio) -> str:
    _, page = studio.get("/")
    return re.search(r'<p id="carrier"[^>]*>(.*?)</p>', page).group(1)


def test_the_page_names_the_carrier_and_why_calls_are_unsigned(studio):
    assert carrier_shown(studio) == (
        "Carrier: Twilio (PROVIDER=twilio), webhooks unsigned: "
        "TWILIO_AUTH_TOKEN or TWILIO_SHARED_KEY is not set."
    )


@pytest.fixture(scope="module")
def telnyx():
    """A studio playing Telnyx, with an account's public key whose private half only Telnyx
    would have."""
    _, public = telnyx_keys()
    with running(PROVIDER="telnyx", TELNYX_PUBLIC_KEY=public) as started:
        yield started


def test_the_page_names_the_carrier_it_plays(telnyx):
    assert (
        carrier_shown(telnyx)
        == "Carrier: Telnyx (PROVIDER=telnyx), webhooks signed as Telnyx signs."
    )


def test_with_telnyx_the_studio_signs_as_telnyx_does(telnyx):
    answer = telnyx.step(["3"])
    assert (answer["failure"], HOURS in heard(answer)) == (None, True)


def test_with_telnyx_the_app_refuses_unsigned_webhooks(telnyx):
    status, _ = telnyx.post(
        "/voice", b"CallSid=v2:abcdefghijkl", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 403


def test_with_telnyx_a_call_has_a_telnyx_call_id(telnyx):
    call_id = telnyx.step([])["requests"][0]["params"]["CallSid"]
    assert re.fullmatch(r"v2:[A-Za-z0-9_-]{40,}", call_id)


def test_with_telnyx_the_states_passed_are_read_from_the_log(telnyx):
    assert telnyx.step(["3"])["passed"] == ["greeting", "language", "menu", "hours"]


def test_with_telnyx_silence_at_the_menu_follows_the_redirect_after_the_gather(telnyx):
    assert NO_CHOICE in heard(telnyx.step(["_"]))


def test_with_telnyx_a_voicemail_shows_what_the_business_would_get(telnyx):
    answer = telnyx.step(["1", "record:Please call me back"])
    assert [m["subject"] for m in answer["messages"]] == ["Voicemail from +15005550006, sales"]


def test_with_telnyx_the_transcript_names_telnyx_for_its_side_of_the_call(telnyx):
    events = telnyx.step(["0"], dial="busy")["events"]
    said = [event["text"] for event in events if event["kind"] == "carrier"]
    assert said == ["Telnyx: the Dial ended, busy"]


def test_with_signalwire_the_studio_signs_as_signalwire_does():
    with running(PROVIDER="signalwire", SIGNALWIRE_SIGNING_KEY=TOKEN) as studio:
        answer = studio.step(["3"])
    call_id = answer["requests"][0]["params"]["CallSid"]
    assert (answer["failure"], re.fullmatch(r"[0-9a-f-]{36}", call_id) is not None) == (None, True)


@pytest.fixture(scope="module")
def mailed():
    with Mailbox() as mailbox, running(**mailbox.settings) as started:
        yield started, mailbox


def test_a_message_is_sent_for_real_when_asked(mailed):
    studio, mailbox = mailed
    before = len(mailbox.messages)
    studio.step(["1", "record:Hello there"], known=1, deliver=True)
    assert [m["To"] for m in mailbox.messages[before:]] == [OFFICE]


def test_a_message_sent_for_real_says_so(mailed):
    studio, _ = mailed
    answer = studio.step(["1", "record:Hello there"], known=1, deliver=True)
    assert answer["messages"][0]["channels"][0]["sent"] == "delivered"


def test_a_message_is_only_shown_unless_asked(mailed):
    studio, mailbox = mailed
    before = len(mailbox.messages)
    studio.step(["1", "record:Hello there"], known=1, deliver=False)
    assert len(mailbox.messages) == before


def test_a_message_replayed_from_an_address_is_not_sent_again(mailed):
    studio, mailbox = mailed
    before = len(mailbox.messages)
    studio.step(["1", "record:Hello there"], known=2, deliver=True)
    assert len(mailbox.messages) == before


def test_an_email_shown_is_addressed_to_the_configured_recipients(mailed):
    studio, _ = mailed
    email = studio.step(["1", "record:Hi"])["messages"][0]["channels"][0]
    assert (email["configured"], email["to"]) == (True, OFFICE)


# Starting ###################################################################


def test_a_port_in_use_is_one_line_and_exit_1():
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "phonetree.py", "studio", "--no-browser", "--port", port],
            cwd=ROOT,
            env=server_environ({}),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert (result.returncode, len(result.stderr.splitlines())) == (1, 1)


def test_help_lists_the_studio():
    result = subprocess.run(
        [sys.executable, "phonetree.py", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert re.search(r"^ +studio +hear the tree in a browser", result.stdout, re.MULTILINE)


# Real deliveries, one step at a time ########################################


@pytest.fixture(scope="module")
def hooked():
    """The studio with NOTIFY_URL: a hook that takes its time to answer."""
    with Hook(delay=1.5) as hook, running(NOTIFY_URL=hook.url) as started:
        yield started, hook


def test_more_steps_at_once_than_the_studio_replays_are_told_to_come_again(hooked):
    studio, _ = hooked
    voicemail = {"session": "busy", "clock": "open", "deliver": True}
    voicemail["actions"] = ["1", "record:call me back please"]  # each waits on the hook
    body = json.dumps(voicemail).encode()
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: post(studio, body)[0], range(3)))
    assert sorted(answers) == [200, 200, 503]


def test_a_message_of_a_call_the_studio_did_not_place_is_never_sent(hooked):
    studio, hook = hooked
    sent = len(hook.posts)
    form = {
        "CallSid": "CA" + "0" * 32,
        "RecordingSid": "RE1",
        "RecordingStatus": "completed",
        "RecordingUrl": "https://api.twilio.com/RE1",
        "RecordingDuration": "9",
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _ = studio.post("/state/voicemail/recorded", urlencode(form).encode(), headers)
    assert (status, len(hook.posts)) == (503, sent)
