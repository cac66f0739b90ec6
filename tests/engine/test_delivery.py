"""Every message reaches the business, rarely twice: the office's voicemails and call-back
requests, delivered to real SMTP and HTTP receivers on loopback, some of them misbehaving."""

from __future__ import annotations

import base64
import json
import logging
import re
import ssl
import subprocess
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urljoin

import pytest
from webtest import TestApp

from phonetree_engine import logs
from phonetree_engine.collect import spoken
from phonetree_engine.delivery import DEADLINE, Delivery, Memory, Message, email
from phonetree_engine.delivery.email import MailServer, smtp_url
from phonetree_engine.settings import Config, ConfigError
from phonetree_engine.web import load_app, make_app
from phonetree_tools.caller import SimulatedCall, WSGITransport
from tests.conftest import CLOSED, OPEN
from tests.engine.odd_receivers import Scripted, Silent, sockets_to
from tests.engine.streams import StuckStream, install
from tests.engine.trees import office
from tests.receivers import OFFICE, SENDER, Hook, Mailbox
from tests.servers import HOST, LEFT_OUT, free_port

CALLER = "+15551234567"
TOKEN = "secret-token"
EN = office.EN


def office_app(at=OPEN, deadline=None, **environ):
    """The office's app, its settings given as variables; ``deadline`` bounds each delivery."""
    delivery = None
    if deadline is not None:
        delivery = Delivery.from_config(Config.from_environ(environ), deadline)
    return make_app(office.TREE, environ, clock=lambda: at, delivery=delivery)


def voicemail(app, keys=("1",), transcript=None, **options):
    """Call the office, press ``keys`` to reach voicemail (1: orders), leave a 17 s message."""
    call = SimulatedCall(app, from_=CALLER, params={"CallerName": "Zoë Smith"}, **options)
    call.start("/voice")
    for key in keys:
        call.press(key)
    call.record(duration=17, transcript=transcript)
    return call


def statuses(call) -> list[int]:
    return [seen.status for seen in call.callbacks]


def event_fields(line: str) -> dict[str, str]:
    """The key=value fields of a log line, quoted values read back."""
    found = re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', line)
    return {key: json.loads(value) if value.startswith('"') else value for key, value in found}


def lines_of(caplog, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().split(" ", 1)[0] == event]


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture
def hook():
    with Hook() as receiver:
        yield receiver


class OnFailure:
    """A transport that calls ``then()`` after the first recording callback answered 5xx: the
    receiver recovers before the carrier retries."""

    def __init__(self, app, then):
        self.inner, self.then, self.failed = WSGITransport(app), then, []

    def request(self, method, path, body, headers):
        answer = self.inner.request(method, path, body, headers)
        if path.startswith("/state/voicemail/recorded") and answer[0] >= 500:
            if not self.failed:
                self.then()
            self.failed.append(answer[0])
        return answer


# Each channel, and both ######################################################


def test_a_voicemail_is_emailed_once_to_the_business(mailbox):
    call = voicemail(office_app(**mailbox.settings))
    [mail] = mailbox.messages
    assert (mail["To"], mail["From"]) == (OFFICE, SENDER)
    assert statuses(call) == [200]


def test_the_email_carries_number_name_path_duration_and_recording(mailbox):
    call = voicemail(office_app(**mailbox.settings))
    body = mailbox.messages[0].get_content()
    recording_url = call.callbacks[0].params["RecordingUrl"]
    assert f"New voicemail from {CALLER} (Zoë Smith)." in body
    assert "Via: orders" in body
    assert "Duration: 17 seconds" in body
    assert f"Recording: {recording_url}" in body


def test_the_email_says_when_in_the_business_time_zone(mailbox):
    voicemail(office_app(**mailbox.settings, TIMEZONE="Europe/Paris"))
    body = mailbox.messages[0].get_content()
    assert ("CET" in body) or ("CEST" in body)


def test_the_email_message_id_derives_from_the_recording_sid(mailbox):
    call = voicemail(office_app(**mailbox.settings))
    sid = call.callbacks[0].params["RecordingSid"]
    assert mailbox.messages[0]["Message-ID"] == f"<voicemail.{sid}@example.com>"


def test_a_voicemail_is_posted_once(hook):
    call = voicemail(office_app(NOTIFY_URL=hook.url))
    [payload] = hook.payloads
    assert payload["from"] == CALLER
    assert payload["recording_url"] == call.callbacks[0].params["RecordingUrl"]
    assert payload["id"] == call.callbacks[0].params["RecordingSid"]
    assert payload["type"] == "voicemail"


def test_the_post_has_a_readable_text_for_slack_and_teams(hook):
    voicemail(office_app(NOTIFY_URL=hook.url))
    assert hook.payloads[0]["text"].startswith(f"New voicemail from {CALLER} (Zoë Smith).")


def test_the_post_sends_json_to_its_url_with_the_id_as_idempotency_key(hook):
    call = voicemail(office_app(NOTIFY_URL=hook.url))
    path, headers, _ = hook.posts[0]
    assert path == "/hooks/T123/secret-part"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    sid = call.callbacks[0].params["RecordingSid"]
    assert headers["Idempotency-Key"] == f"{sid}.voicemail"


def test_both_channels_get_the_voicemail(mailbox, hook):
    call = voicemail(office_app(**mailbox.settings, NOTIFY_URL=hook.url))
    assert (len(mailbox.messages), len(hook.posts)) == (1, 1)
    assert statuses(call) == [200]


@pytest.mark.parametrize(
    ("at", "keys", "dial", "via"),
    [
        (OPEN, ["1"], None, "orders"),
        (CLOSED, ["1"], None, "after hours"),
        (CLOSED, ["0"], None, "after hours"),
        (OPEN, ["0"], "no-answer", "no answer at the desk"),
        (OPEN, ["0"], "busy", "no answer at the desk"),
    ],
)
def test_the_message_says_how_the_caller_came_to_voicemail(hook, at, keys, dial, via):
    call = SimulatedCall(office_app(at, NOTIFY_URL=hook.url), from_=CALLER)
    call.start("/voice")
    for key in keys:
        call.press(key)
    if dial:
        call.dial_result(dial)
    call.record()
    assert hook.payloads[0]["via"] == via


@pytest.mark.parametrize(
    ("result", "via"), [("leave", "left the queue"), ("queue-full", "queue unavailable")]
)
def test_a_caller_from_the_queue_is_said_to_come_from_it(hook, result, via):
    call = SimulatedCall(office_app(NOTIFY_URL=hook.url), from_=CALLER)
    call.start("/voice")
    call.press("2")
    call.queue_result(result)
    call.record()
    assert hook.payloads[0]["via"] == via


def test_no_message_without_a_recording(hook):
    app = office_app(NOTIFY_URL=hook.url)
    form = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "absent"}
    assert TestApp(app).post("/state/voicemail/recorded", form).status_int == 200
    assert hook.posts == []


# Retries #####################################################################


def test_with_the_mail_server_down_the_carrier_is_told_to_retry_and_one_email_arrives():
    mailbox = Mailbox()  # not started: nothing listens on its port
    try:
        call = voicemail(OnFailure(office_app(**mailbox.settings), mailbox.start))
        assert statuses(call) == [503, 200]
        assert len(mailbox.messages) == 1
    finally:
        mailbox.stop()


def test_a_retry_carries_the_idempotency_token_and_it_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    mailbox = Mailbox()
    try:
        call = voicemail(OnFailure(office_app(**mailbox.settings), mailbox.start))
        token = call.callbacks[1].headers["I-Twilio-Idempotency-Token"]
        assert f"retry_token={token}" in caplog.text
    finally:
        mailbox.stop()


def test_a_refused_email_answers_503_and_logs_the_failure_as_a_business_event(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    with Mailbox(reply="451 4.3.0 try again later") as mailbox:
        call = voicemail(office_app(**mailbox.settings))
    assert statuses(call) == [503] * 6  # the first try and the carrier's 5 retries
    failed = lines_of(caplog, "delivery-failed")
    assert failed[0].name == logs.BUSINESS
    assert event_fields(failed[0].getMessage())["channel"] == "email"


def test_one_channel_failing_fails_the_callback_and_the_other_is_not_sent_again(hook):
    mailbox = Mailbox()  # down
    call = voicemail(office_app(**mailbox.settings, NOTIFY_URL=hook.url))
    assert statuses(call) == [503] * 6
    assert len(hook.posts) == 1  # the POST took it on the first try: the retries skip it


@pytest.mark.parametrize("status", [500, 302, 404])
def test_a_post_answered_with_anything_but_2xx_fails_the_callback(status):
    with Hook(status=status) as hook:
        call = voicemail(office_app(NOTIFY_URL=hook.url))
    assert call.callbacks[0].status == 503


def test_a_slow_post_is_cut_off_at_the_deadline():
    with Hook(delay=3) as hook:
        app = TestApp(office_app(deadline=0.5, NOTIFY_URL=hook.url))
        form = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed"}
        started = time.monotonic()
        response = app.post("/state/voicemail/recorded", form, expect_errors=True)
        took = time.monotonic() - started
    assert response.status_int == 503
    assert took < 2.5


def test_a_slow_post_inside_the_deadline_is_delivered():
    with Hook(delay=0.3) as hook:
        call = voicemail(office_app(deadline=2, NOTIFY_URL=hook.url))
    assert statuses(call) == [200]


def test_a_delivery_and_the_logs_wait_end_inside_the_carriers_15_seconds():
    assert DEADLINE + logs.BUSINESS_WAIT < 15


# The transcript ##############################################################


def test_the_transcript_follows_in_the_voicemails_email_thread(mailbox):
    settings = {**mailbox.settings, "TRANSCRIBE": "true"}
    voicemail(office_app(**settings), transcript="Please call me back")
    first, second = mailbox.messages
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    assert second["Subject"] == "Re: " + first["Subject"]
    assert '"Please call me back"' in second.get_content()


def test_the_transcript_carries_the_voicemails_id_to_the_post(hook):
    app = office_app(NOTIFY_URL=hook.url, TRANSCRIBE="true")
    voicemail(app, transcript="Please call me back")
    first, second = hook.payloads
    assert (second["id"], second["type"]) == (first["id"], "transcript")
    assert second["transcript"] == "Please call me back"
    assert second["from"] == CALLER


def test_a_failed_transcription_still_reaches_the_thread(hook):
    call = SimulatedCall(office_app(NOTIFY_URL=hook.url, TRANSCRIBE="true"), from_=CALLER)
    call.start("/voice")
    call.press("1")
    call.record(transcript="", transcription_status="failed")
    assert hook.payloads[1]["transcribed"] is False


# Refusals ####################################################################


def test_a_callback_failing_its_signature_sends_nothing(mailbox, hook):
    app = TestApp(office_app(**mailbox.settings, NOTIFY_URL=hook.url, TWILIO_AUTH_TOKEN=TOKEN))
    form = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed"}
    response = app.post("/state/voicemail/recorded", form, expect_errors=True)
    assert response.status_int == 403
    assert (mailbox.messages, hook.posts) == ([], [])


def test_a_signed_voicemail_is_delivered(hook):
    call = voicemail(office_app(NOTIFY_URL=hook.url, TWILIO_AUTH_TOKEN=TOKEN), auth_token=TOKEN)
    assert statuses(call) == [200]
    assert len(hook.posts) == 1


def test_the_log_never_shows_the_post_urls_path(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    url = f"http://{HOST}:{free_port()}/hooks/secret-part"  # nothing listens there
    voicemail(office_app(NOTIFY_URL=url))
    assert "secret-part" not in caplog.text
    assert lines_of(caplog, "delivery-failed")


# Submission servers: STARTTLS, TLS from the start, a login ##################

ODD_PASSWORD = "p/a#s?s@w"  # what a URL would read as a path, a fragment, a query, a host
# The email channel's client is made without its host, so smtplib wraps TLS for the host ''
# and every TLS exchange fails ("check_hostname requires server_hostname") before a login.


SELF_SIGNED = (
    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    " -addext subjectAltName=IP:127.0.0.1"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and the settings that make this process trust it."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [*SELF_SIGNED.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, cert


@pytest.mark.parametrize("password", ["s3cret", ODD_PASSWORD])
@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_mail_goes_over_tls_with_a_login(certificate, monkeypatch, mode, password):
    server_context, cert = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate, as a CA
    with Mailbox(tls=server_context, mode=mode, login=("office", password)) as mailbox:
        call = voicemail(office_app(**mailbox.settings))  # the password as is in SMTP_URL
    assert statuses(call) == [200]
    assert mailbox.logins == [("office", password)]
    assert len(mailbox.messages) == 1


def test_a_wrong_password_fails_the_callback_and_is_never_shown(certificate, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    server_context, cert = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    wrong = "wr/ong#pa?ss@word"
    with Scripted(tls=server_context, login=("office", "s3cret")) as mailbox:
        settings = mailbox.settings | {"SMTP_URL": f"smtp://office:{wrong}@{HOST}:{mailbox.port}"}
        call = voicemail(office_app(**settings))
    assert call.callbacks[0].status == 503
    assert mailbox.messages == []
    assert mailbox.logins[0] == ("office", wrong)  # it was read whole, and refused
    said = caplog.text + "".join(seen.body for seen in call.callbacks)
    reason = event_fields(lines_of(caplog, "delivery-failed")[0].getMessage())["reason"]
    assert "535" in reason
    for fragment in ("wr/ong", "pa?ss", "ss@word", "ong#pa"):
        assert fragment not in said


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_a_certificate_nobody_vouches_for_is_refused(certificate, caplog, mode):
    caplog.set_level(logging.INFO, logger="phonetree")
    server_context, _ = certificate  # not trusted: no SSL_CERT_FILE
    with Mailbox(tls=server_context, mode=mode, login=("office", "s3cret")) as mailbox:
        call = voicemail(office_app(**mailbox.settings))
    assert call.callbacks[0].status == 503
    assert mailbox.logins == []
    reason = event_fields(lines_of(caplog, "delivery-failed")[0].getMessage())["reason"]
    assert "CERTIFICATE_VERIFY_FAILED" in reason


# One deadline for the whole exchange, whatever the server does ###############

MAIL_TO = {"NOTIFY_EMAIL": OFFICE, "MAIL_FROM": SENDER}


def message(id="RE1") -> Message:
    when = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
    return Message(id=id, kind="voicemail", subject="Voicemail", text="A message.", when=when)


def deliver_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name.startswith("deliver-")}


@pytest.mark.parametrize(
    "every", [None, 3.0, 0.1], ids=["never-greets", "a-byte-every-3s", "a-byte-every-0.1s"]
)
@pytest.mark.parametrize("channel", ["email", "post"])
def test_a_server_that_never_finishes_answering_is_left_at_the_deadline(channel, every):
    before = deliver_threads()
    with Silent(every) as server:
        environ = {"SMTP_URL": server.smtp_url, **MAIL_TO} if channel == "email" else {}
        environ |= {"NOTIFY_URL": server.url} if channel == "post" else {}
        delivery = Delivery.from_config(Config.from_environ(environ), deadline=0.5)
        started = time.monotonic()
        outcome = delivery.deliver(message())
        took = time.monotonic() - started
        assert (outcome.taken, list(outcome.failed)) == ([], [channel])
        assert took < 0.5 + 1.5  # at the deadline, not at the server's pace
        assert deliver_threads() - before == set()
        assert sockets_to(server.port) == set()
        assert server.wait_closed() == 0
        assert server.accepted == 1


def test_a_silent_mail_server_fails_the_callback_in_time_and_leaves_nothing_open():
    before = deliver_threads()
    with Silent(every=0.1) as server:
        app = office_app(deadline=0.2, SMTP_URL=server.smtp_url, **MAIL_TO)
        started = time.monotonic()
        call = voicemail(app)
        took = time.monotonic() - started
        assert statuses(call) == [503] * 6
        assert took < 6 * (0.2 + 1.5)
        assert deliver_threads() - before == set()
        assert sockets_to(server.port) == set()
        assert server.wait_closed() == 0


# Recipients: one refused for now, one refused for good ######################

TWO = "a@example.com, b@example.com"


def test_a_recipient_refused_for_now_is_sent_to_again_and_alone_on_the_retry():
    with Scripted(refuse={"b@example.com": "450 4.2.1 mailbox busy, try later"}) as server:
        app = office_app(**{**server.settings, "NOTIFY_EMAIL": TWO})
        call = voicemail(OnFailure(app, server.refuse.clear))
    assert statuses(call) == [503, 200]
    assert server.envelopes == [["a@example.com"], ["b@example.com"]]


def test_a_recipient_refused_for_good_is_reported_and_the_others_get_the_message(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    with Scripted(refuse={"b@example.com": "550 5.1.1 no such user"}) as server:
        call = voicemail(office_app(**{**server.settings, "NOTIFY_EMAIL": TWO}))
    assert statuses(call) == [200]  # retrying cannot help: a person must fix the address
    assert server.envelopes == [["a@example.com"]]
    [line] = lines_of(caplog, "delivery-refused")
    assert line.name == logs.BUSINESS
    fields = event_fields(line.getMessage())
    assert (fields["channel"], fields["to"]) == ("email", "b***@example.com")
    assert fields["reason"].startswith("550")
    assert "b@example.com" not in caplog.text


def test_a_recipient_refused_for_now_then_for_good_is_reported_and_the_callback_succeeds(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    with Scripted(refuse={"b@example.com": "450 4.2.1 mailbox busy, try later"}) as server:
        app = office_app(**{**server.settings, "NOTIFY_EMAIL": TWO})
        gone = {"b@example.com": "550 5.1.1 no such user"}
        call = voicemail(OnFailure(app, lambda: server.refuse.update(gone)))
    assert server.envelopes == [["a@example.com"]]
    assert statuses(call) == [503, 200]
    [line] = lines_of(caplog, "delivery-refused")
    assert event_fields(line.getMessage())["to"] == "b***@example.com"


def test_every_recipient_refused_for_good_is_no_delivery():
    refuse = {"a@example.com": "550 no", "b@example.com": "550 no"}
    with Scripted(refuse=refuse) as server:
        call = voicemail(office_app(**{**server.settings, "NOTIFY_EMAIL": TWO}))
    assert call.callbacks[0].status == 503
    assert server.envelopes == []


# Copies kept rare, and the same id on each ###################################


def test_a_slow_mail_server_still_delivers_within_the_deadline():
    # Seven replies (greeting, EHLO, MAIL, RCPT, DATA, the data's end, QUIT), 1.5 s each.
    with Scripted(delay=1.5) as server:
        call = voicemail(office_app(**server.settings))
    assert statuses(call) == [200]
    assert len(server.messages) == 1


@pytest.mark.parametrize("quit_reply", ["500 5.0.0 something broke", None], ids=["500", "silent"])
def test_a_message_taken_stays_taken_whatever_the_server_answers_to_quit(monkeypatch, quit_reply):
    monkeypatch.setattr(email, "QUIT_SECONDS", 0.2)  # how long a QUIT's answer is waited for
    with Scripted(quit_reply=quit_reply) as server:
        started = time.monotonic()
        call = voicemail(office_app(**server.settings))
        took = time.monotonic() - started
    assert statuses(call) == [200]
    assert len(server.messages) == 1
    assert took < DEADLINE / 2  # a silent QUIT is given up on, not waited for to the deadline


def test_a_subject_with_line_breaks_is_sent_on_one_line(mailbox):
    settings = Config.from_environ(mailbox.settings)
    subject = "Voicemail from Zoë\r\nBcc: evil@example.com\u2028X"
    sent = replace(message(), subject=subject)
    assert Delivery.from_config(settings).deliver(sent).complete
    [mail] = mailbox.messages
    assert mail["Subject"] == "Voicemail from Zoë Bcc: evil@example.com X"
    assert mail["Bcc"] is None


def test_a_retry_for_the_post_does_not_email_again_and_every_copy_has_one_id():
    with Mailbox() as mailbox, Hook(status=500) as hook:
        app = office_app(**mailbox.settings, NOTIFY_URL=hook.url)
        call = voicemail(OnFailure(app, lambda: setattr(hook, "status", 200)))
    assert statuses(call) == [503, 200]
    [mail] = mailbox.messages
    [(_, headers, payload)] = hook.posts
    sid = call.callbacks[0].params["RecordingSid"]
    assert mail["Message-ID"] == f"<voicemail.{sid}@example.com>"
    assert (payload["id"], headers["Idempotency-Key"]) == (sid, f"{sid}.voicemail")


def test_a_callback_sent_again_to_the_same_process_sends_nothing_again(mailbox, hook):
    call = voicemail(office_app(**mailbox.settings, NOTIFY_URL=hook.url))
    first = call.callbacks[0]
    again = call.send_callback(first.url, first.params)
    assert again.status == 200  # (a copy would have been sent before this answer)
    assert (len(mailbox.messages), len(hook.posts)) == (1, 1)


def test_a_callback_served_again_by_another_replica_sends_copies_with_the_same_ids(mailbox, hook):
    settings = {**mailbox.settings, "NOTIFY_URL": hook.url, "SECRET_KEY": "shared by replicas"}
    replicas = [office_app(**settings), office_app(**settings)]
    call = voicemail(replicas)  # webhooks alternate between the two
    first = call.callbacks[0]
    call.send_callback(first.url, first.params)  # served by the other replica
    sid = first.params["RecordingSid"]
    assert [mail["Message-ID"] for mail in mailbox.wait_for(2)] == [
        f"<voicemail.{sid}@example.com>"
    ] * 2
    assert [headers["Idempotency-Key"] for _, headers, _ in hook.posts] == [f"{sid}.voicemail"] * 2
    assert [payload["from"] for payload in hook.payloads] == [CALLER] * 2


def test_memory_forgets_a_delivery_after_its_time():
    now = [0.0]
    memory = Memory(size=10, seconds=3600, clock=lambda: now[0])
    memory.add("RE1.voicemail", "email")
    now[0] = 3599.0
    assert memory.has("RE1.voicemail", "email")
    assert not memory.has("RE1.voicemail", "post")
    now[0] = 3601.0
    assert not memory.has("RE1.voicemail", "email")


def test_memory_keeps_the_newest_deliveries_when_full():
    memory = Memory(size=2, seconds=3600, clock=lambda: 0.0)
    for number in range(3):
        memory.add(f"RE{number}.voicemail", "email")
    assert [memory.has(f"RE{n}.voicemail", "email") for n in range(3)] == [False, True, True]


# Secrets: a password in a URL is used, and never shown #######################


def test_a_user_and_password_in_notify_url_are_sent_as_basic_authentication(hook, caplog):
    caplog.set_level(logging.DEBUG, logger="phonetree")
    url = hook.url.replace("http://", "http://user:pa%2Fss@")
    call = voicemail(office_app(NOTIFY_URL=url))
    assert statuses(call) == [200]
    [(path, headers, _)] = hook.posts
    assert path == "/hooks/T123/secret-part"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"user:pa/ss").decode()
    assert "pa/ss" not in caplog.text
    assert "pa%2Fss" not in caplog.text


def test_a_failing_post_with_a_password_shows_it_nowhere(caplog):
    caplog.set_level(logging.DEBUG, logger="phonetree")
    with Hook(status=401) as hook:
        url = hook.url.replace("http://", "http://user:pa%2Fss@")
        call = voicemail(office_app(NOTIFY_URL=url))
    assert statuses(call) == [503] * 6
    said = caplog.text + "".join(seen.body for seen in call.callbacks)
    assert "answered 401" in caplog.text
    assert ("pa/ss" not in said) and ("pa%2Fss" not in said)


@pytest.mark.parametrize(
    ("raw", "server"),
    [
        (
            f"smtp://me:{ODD_PASSWORD}@mail.example.com:587",
            MailServer("mail.example.com", 587, False, "me", ODD_PASSWORD),
        ),
        (
            "smtps://me@x.com:a@b/c#d?e@mail.example.com",
            MailServer("mail.example.com", 465, True, "me@x.com", "a@b/c#d?e"),
        ),
        (
            "smtp://me:p%2Fw%40x@[::1]:2525",
            MailServer("::1", 2525, False, "me", "p/w@x"),
        ),
    ],
)
def test_smtp_url_reads_any_password(raw, server):
    assert smtp_url(raw) == server
    assert "a@b" not in repr(smtp_url(raw)) and ODD_PASSWORD not in repr(smtp_url(raw))


@pytest.mark.parametrize(
    ("name", "raw", "problem"),
    [
        (
            "SMTP_URL",
            f"smtp://me:{ODD_PASSWORD}@mail.example.com:notaport",
            "SMTP_URL='smtp://***@...': the host is not host or host:port; expected "
            "smtp://user:pass@host:587, smtps://user:pass@host:465 or smtp://host:25",
        ),
        (
            "SMTP_URL",
            f"smtp://{ODD_PASSWORD}@mail.example.com:587",
            "SMTP_URL='smtp://***@mail.example.com:587': give both a user and a password, or "
            "neither; expected smtp://user:pass@host:587, smtps://user:pass@host:465 or "
            "smtp://host:25",
        ),
        (
            "SMTP_URL",
            f"imap://me:{ODD_PASSWORD}@mail.example.com",
            "SMTP_URL='imap://***@mail.example.com': expected smtp://user:pass@host:587, "
            "smtps://user:pass@host:465 or smtp://host:25",
        ),
        (
            "NOTIFY_URL",
            f"https://me:{ODD_PASSWORD}@hooks.example.com/T1/secret",
            "NOTIFY_URL='https://***@hooks.example.com/...': has @ or # where a URL cannot: "
            "write / ? # and @ of a user or password as %2F %3F %23 %40; expected an https "
            "URL, e.g. https://hooks.slack.com/services/...",
        ),
        (
            "NOTIFY_URL",
            "https://me:pa/ss@hooks.example.com/T1/secret",
            "NOTIFY_URL='https://***@hooks.example.com/...': has @ or # where a URL cannot: "
            "write / ? # and @ of a user or password as %2F %3F %23 %40; expected an https "
            "URL, e.g. https://hooks.slack.com/services/...",
        ),
        (
            "NOTIFY_URL",
            "https://me:pa?ss@hooks.example.com/T1/secret",
            "NOTIFY_URL='https://***@hooks.example.com/...': expected an https URL, e.g. "
            "https://hooks.slack.com/services/...",
        ),
    ],
)
def test_a_wrong_url_with_a_password_is_one_line_without_it(name, raw, problem):
    environ = {"SMTP_URL": "smtp://relay.example.com:25", **MAIL_TO, name: raw}
    with pytest.raises(ConfigError) as caught:
        Config.from_environ(environ)
    assert str(caught.value) == problem


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("SMTP_URL", "smtp://me:pw@[::1"),
        ("SMTP_URL", "smtp://["),
        ("SMTP_URL", "smtp://me:p[w@mail.example.com:notaport"),
        ("NOTIFY_URL", "https://hooks[.example.com/T1"),
        ("NOTIFY_URL", "https://[::1/T1"),
        ("NOTIFY_URL", "https://me:pw@[/T1"),
    ],
)
def test_a_stray_bracket_is_one_line_and_no_traceback(monkeypatch, name, raw):
    for variable in LEFT_OUT:
        monkeypatch.delenv(variable, raising=False)
    environ = {"SMTP_URL": "smtp://relay.example.com:25", **MAIL_TO, name: raw}
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as caught:
        load_app(office.TREE)
    [line] = str(caught.value.code).splitlines()
    assert line.startswith(f"phonetree: cannot start: {name}=")
    assert "pw" not in line


# The log never holds up a delivery ###########################################


@pytest.fixture
def stuck_log(monkeypatch, request):
    """The business's log on a stream whose writes block, as on a pipe nobody reads."""
    monkeypatch.setattr(logs, "BUSINESS_WAIT", 0.2)  # how long a line is waited for
    stream = StuckStream()
    install(monkeypatch, request, stream)
    yield stream
    stream.free.set()


def test_with_the_log_stuck_a_voicemail_is_still_emailed_and_answered_200(stuck_log, mailbox):
    call = voicemail(office_app(**mailbox.settings))
    assert statuses(call) == [200]
    assert len(mailbox.messages) == 1
    assert stuck_log.getvalue() == ""  # the line is still waiting to be written


def test_with_the_log_stuck_and_no_channel_the_carrier_is_told_to_retry(stuck_log):
    app = TestApp(office_app())
    form = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed"}
    response = app.post("/state/voicemail/recorded", form, expect_errors=True)
    assert response.status_int == 503  # the log was the only place it could go


# The caller hears the truth ##################################################

THANKS = office.WORDS[EN]["thanks"].format(digits=spoken(CALLER.lstrip("+")))
DECLINED = office.WORDS[EN]["declined"]


def ask_to_be_called_back(app):
    """Queue at the help desk, ask to be called back, confirm the caller ID."""
    call = SimulatedCall(app, from_=CALLER)
    call.start("/voice")
    call.press("2")
    call.hold(position=1, queue_time=90)
    call.press("2")
    call.press("1")
    return call


def test_with_the_mail_server_down_and_the_post_up_the_caller_is_thanked(hook):
    down = Mailbox()  # not started
    call = ask_to_be_called_back(office_app(**down.settings, NOTIFY_URL=hook.url))
    assert call.last_heard == [THANKS]
    assert call.outcome == ("hangup",)
    assert hook.payloads[0]["number"] == CALLER.lstrip("+")


def test_with_every_channel_down_the_caller_hears_it_was_not_taken():
    down = Mailbox()
    call = ask_to_be_called_back(office_app(**down.settings, NOTIFY_URL=down_url()))
    assert call.last_heard[0] == DECLINED
    assert THANKS not in call.heard
    assert call.outcome == ("record",)  # out of the queue, to leave a message instead


def test_with_every_channel_up_the_caller_is_thanked(mailbox, hook):
    call = ask_to_be_called_back(office_app(**mailbox.settings, NOTIFY_URL=hook.url))
    assert call.last_heard == [THANKS]
    assert mailbox.messages[0]["Subject"] == f"Call back {CALLER.lstrip('+')}"


def down_url() -> str:
    return f"http://{HOST}:{free_port()}/hooks/T123/secret-part"


# Odd values from the carrier #################################################

FAR_FUTURE = "Fri, 31 Dec 9999 23:59:59 -2359"


def recording_callback(call, **params):
    """Send the Record's status callback, as the carrier would, with ``params`` changed."""
    record = call.document.find("Record")
    url = urljoin(call.public_url, record.get("recordingStatusCallback"))
    sid = "RE" + "f" * 32
    sent = {
        "AccountSid": call.params["AccountSid"],
        "CallSid": call.params["CallSid"],
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/Recordings/{sid}",
        "RecordingStatus": "completed",
        "RecordingDuration": "4",
        **params,
    }
    return call.send_callback(url, sent)


def test_a_recording_time_no_clock_can_hold_still_reaches_the_business(hook):
    call = SimulatedCall(office_app(NOTIFY_URL=hook.url), from_=CALLER)
    call.start("/voice")
    call.press("1")
    answered = recording_callback(call, RecordingStartTime=FAR_FUTURE)
    assert answered.status == 200
    [payload] = hook.payloads
    assert payload["sent_time"] == FAR_FUTURE
    assert payload["when"] == "2026-11-24T10:00:00-05:00"  # the office's clock instead
    assert f"the carrier sent {FAR_FUTURE!r}" in payload["text"]


NAME_WITH_BREAKS = "Zoë\r\nBcc: evil@example.com\nX"
LINE_STARTS = ("New voicemail from ", "When: ", "Via: ", "Duration: ", "Recording: ")


def test_a_caller_name_with_line_breaks_cannot_add_headers_or_lines(mailbox, hook):
    app = office_app(**mailbox.settings, NOTIFY_URL=hook.url)
    call = SimulatedCall(app, from_=CALLER, params={"CallerName": NAME_WITH_BREAKS})
    call.start("/voice")
    call.press("1")
    call.record()
    assert statuses(call) == [200]
    [mail] = mailbox.messages
    assert mail["Subject"] == f"Voicemail from {CALLER} (Zoë Bcc: evil@example.com X), orders"
    assert mail["Bcc"] is None
    assert mail["To"] == OFFICE
    for text in (mail.get_content(), hook.payloads[0]["text"]):
        lines = text.strip().splitlines()  # any character that breaks a line counts
        assert [line.startswith(LINE_STARTS) for line in lines] == [True] * len(LINE_STARTS)
        assert lines[0] == f"New voicemail from {CALLER} (Zoë Bcc: evil@example.com X)."
    assert hook.payloads[0]["caller_name"] == NAME_WITH_BREAKS  # as sent, in its JSON field


def test_voicemails_of_two_calls_without_a_recording_sid_both_reach_the_business(hook):
    app = TestApp(office_app(NOTIFY_URL=hook.url))
    for call in ("CA1", "CA2"):
        form = {
            "CallSid": call,
            "RecordingStatus": "completed",
            "RecordingUrl": f"https://r/{call}",
        }
        app.post("/state/voicemail/recorded", form, expect_errors=True)
    assert [payload["call_sid"] for payload in hook.payloads] == ["CA1", "CA2"]
