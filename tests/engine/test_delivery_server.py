"""Messages from the office served as the Procfile serves a tree, to a real SMTP server and a real
POST receiver."""

from __future__ import annotations

import base64
import os
import re
import signal

import pytest

from phonetree_tools.caller import HTTPTransport, SimulatedCall
from tests.receivers import OFFICE, SENDER, Hook, Mailbox
from tests.servers import START_SECONDS, WebProcess, running

pytestmark = pytest.mark.soak

TOKEN = "auth-token-for-delivery-tests"
ALWAYS_OPEN = "Mon-Sun 00:00-24:00"
CALLER = "+15551234567"


def leave_voicemail(server, transport=None, transcript=None):
    """Call the office, press 1 for orders (a voicemail), leave a message; return the call."""
    call = SimulatedCall(
        transport or HTTPTransport(server.url),
        from_=CALLER,
        auth_token=TOKEN,
        public_url=server.url,
    )
    call.start("/voice")
    call.press("1")
    call.record(duration=9, transcript=transcript)
    return call


class BringsBack:
    """Over HTTP; starts the mail server once a recording callback was answered 5xx."""

    def __init__(self, url, mailbox):
        self.inner, self.mailbox, self.failed = HTTPTransport(url), mailbox, []

    def request(self, method, path, body, headers):
        answer = self.inner.request(method, path, body, headers)
        if path.startswith("/state/voicemail/recorded") and answer[0] >= 500:
            self.failed.append(answer[0])
            if self.mailbox.controller is None:
                self.mailbox.start()
        return answer


def test_a_voicemail_gives_one_email_and_one_post_and_its_transcript_follows():
    with Mailbox() as mailbox, Hook() as hook:
        settings = {**mailbox.settings, "NOTIFY_URL": hook.url, "TRANSCRIBE": "true"}
        with running(1, TWILIO_AUTH_TOKEN=TOKEN, OPENING_HOURS=ALWAYS_OPEN, **settings) as (
            server,
        ):
            call = leave_voicemail(server, transcript="Please call me back")
        recording_url = call.callbacks[0].params["RecordingUrl"]
        voicemail, transcript = mailbox.messages
        first, second = hook.payloads
    assert [seen.status for seen in call.callbacks] == [200, 200]
    assert CALLER in voicemail.get_content()
    assert recording_url in voicemail.get_content()
    assert transcript["In-Reply-To"] == voicemail["Message-ID"]
    assert (first["from"], first["recording_url"]) == (CALLER, recording_url)
    assert (second["id"], second["type"]) == (first["id"], "transcript")


def test_with_the_mail_server_down_the_callback_gets_a_5xx_and_the_retry_delivers_once():
    mailbox = Mailbox()  # nothing listens on its port yet
    try:
        with running(1, TWILIO_AUTH_TOKEN=TOKEN, **mailbox.settings) as (server,):
            transport = BringsBack(server.url, mailbox)
            call = leave_voicemail(server, transport)
            assert transport.failed == [503]
            assert [seen.status for seen in call.callbacks] == [503, 200]
            assert call.callbacks[1].headers["I-Twilio-Idempotency-Token"]
            assert len(mailbox.messages) == 1
            token = call.callbacks[1].headers["I-Twilio-Idempotency-Token"]
            assert server.wait_for_log(f"retry_token={token}")
    finally:
        mailbox.stop()


def test_killed_right_after_answering_a_callback_the_line_is_already_written():
    with Hook() as hook, running(1, TWILIO_AUTH_TOKEN=TOKEN, NOTIFY_URL=hook.url) as (server,):
        web = int(re.search(r"web\.1 started \(pid=(\d+)\)", server.log).group(1))
        call = SimulatedCall(HTTPTransport(server.url), auth_token=TOKEN, public_url=server.url)
        call.start("/voice")
        call.press("1")
        sid = "RE" + "0" * 31 + "7"
        params = {
            **call.params,
            "RecordingSid": sid,
            "RecordingUrl": f"https://api.twilio.com/Recordings/{sid}",
            "RecordingStatus": "completed",
            "RecordingDuration": "4",
        }
        url = server.url + call.document.find("Record").get("recordingStatusCallback")
        answered = call.send_callback(url, params)
        os.killpg(web, signal.SIGKILL)  # the shell and waitress: no atexit, no SIGTERM handler
        assert answered.status == 200
        assert server.wait_for_log(f"recording={sid}")


@pytest.mark.parametrize(
    ("keys", "number"), [(["1"], CALLER.lstrip("+")), (["2", "2125550100#", "1"], "2125550100")]
)
def test_a_queued_caller_asks_for_a_callback_and_the_business_receives_it(keys, number):
    with Mailbox() as mailbox, Hook() as hook:
        settings = {**mailbox.settings, "NOTIFY_URL": hook.url, "OPENING_HOURS": ALWAYS_OPEN}
        with running(1, TWILIO_AUTH_TOKEN=TOKEN, **settings) as (server,):
            call = SimulatedCall(
                HTTPTransport(server.url), from_=CALLER, auth_token=TOKEN, public_url=server.url
            )
            call.start("/voice")
            call.press("2")
            call.hold(position=1, queue_time=90)
            call.press("2")  # hang up and be called back
            for key in keys:  # confirm the caller ID, or enter another number and confirm it
                call.press(key)
            assert call.outcome == ("hangup",)
            assert server.wait_for_log("callback-request call=")
        [payload] = hook.payloads
        [mail] = mailbox.messages
    assert (payload["type"], payload["number"]) == ("callback-request", number)
    assert mail["Subject"] == f"Call back {number}"


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("SMTP_URL", "smtp://me:p/a#s?s@w@[::1"),
        ("NOTIFY_URL", "https://me:p/a#s?s@w@hooks[.example.com/T1"),
    ],
)
def test_a_wrong_url_holding_a_password_stops_the_server_with_one_line_without_it(name, raw):
    settings = {"SMTP_URL": "smtp://relay.example.com:25", "NOTIFY_EMAIL": OFFICE}
    settings |= {"MAIL_FROM": SENDER, "TWILIO_AUTH_TOKEN": TOKEN, name: raw}
    server = WebProcess(**settings).start()
    try:
        assert server.process.wait(START_SECONDS) != 0
        output = server.log
    finally:
        server.stop()
    [line] = output.strip().splitlines()
    assert line.startswith(f"phonetree: cannot start: {name}=")
    for fragment in ("p/a", "a#s", "s?s", "s@w"):
        assert fragment not in line


def test_a_password_in_notify_url_authenticates_the_post_and_shows_nowhere_in_the_output():
    with Hook() as hook:
        url = hook.url.replace("http://", "http://user:pa%2Fss@")
        with running(1, TWILIO_AUTH_TOKEN=TOKEN, NOTIFY_URL=url, LOG_LEVEL="DEBUG") as (server,):
            call = leave_voicemail(server)
            assert server.wait_for_log("recording=")
            output = server.log
        [(_, headers, _)] = hook.posts
    assert [seen.status for seen in call.callbacks] == [200]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"user:pa/ss").decode()
    assert "pa/ss" not in output
    assert "pa%2Fss" not in output
