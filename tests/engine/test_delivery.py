"""Every message reaches the business, exactly once: real SMTP and HTTP receivers."""

import logging
import ssl
import subprocess
import time

import pytest
from webtest import TestApp

from phonetree import make_app
from phonetree_engine import delivery, logs
from phonetree_engine.settings import Config
from phonetree_tools.caller import SimulatedCall, WSGITransport
from tests.conftest import CLOSED, OPEN
from tests.receivers import OFFICE, SENDER, Hook, Mailbox

CALLER = "+15551234567"
TOKEN = "secret-token"


def tree(at=OPEN, **environ):
    return make_app(Config.from_environ(environ), clock=lambda: at)


def voicemail(app, keys=("1",), transcript=None, **options):
    """Call, press ``keys`` to reach voicemail, leave a 17 s message; return the call."""
    call = SimulatedCall(app, from_=CALLER, params={"CallerName": "Zoë Smith"}, **options)
    call.start("/voice")
    for key in keys:
        call.press(key)
    call.record(duration=17, transcript=transcript)
    return call


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture
def hook():
    with Hook() as receiver:
        yield receiver


# Each channel, and both ######################################################


def test_a_voicemail_is_emailed_once_to_the_business(mailbox):
    call = voicemail(tree(**mailbox.settings))
    [mail] = mailbox.messages
    assert (mail["To"], mail["From"]) == (OFFICE, SENDER)
    assert call.callbacks[-1].status == 200


def test_the_email_carries_number_name_path_duration_and_recording(mailbox):
    call = voicemail(tree(**mailbox.settings))
    body = mailbox.messages[0].get_content()
    recording_url = call.callbacks[0].params["RecordingUrl"]
    assert f"New voicemail from {CALLER} (Zoë Smith)." in body
    assert "Via: sales" in body
    assert "Duration: 17 seconds" in body
    assert f"Recording: {recording_url}" in body


def test_the_email_says_when_in_the_business_time_zone(mailbox):
    voicemail(tree(**mailbox.settings, TIMEZONE="Europe/Paris"))
    body = mailbox.messages[0].get_content()
    assert ("CET" in body) or ("CEST" in body)


def test_the_email_message_id_derives_from_the_recording_sid(mailbox):
    call = voicemail(tree(**mailbox.settings))
    sid = call.callbacks[0].params["RecordingSid"]
    assert mailbox.messages[0]["Message-ID"] == f"<voicemail.{sid}@example.com>"


def test_a_voicemail_is_posted_once_to_the_webhook(hook):
    call = voicemail(tree(NOTIFY_URL=hook.url))
    [payload] = hook.payloads
    assert payload["from"] == CALLER
    assert payload["recording_url"] == call.callbacks[0].params["RecordingUrl"]
    assert payload["id"] == call.callbacks[0].params["RecordingSid"]
    assert payload["type"] == "voicemail"


def test_the_webhook_has_a_readable_text_for_slack_and_teams(hook):
    voicemail(tree(NOTIFY_URL=hook.url))
    assert hook.payloads[0]["text"].startswith(f"New voicemail from {CALLER} (Zoë Smith).")


def test_the_webhook_posts_json_to_its_url(hook):
    voicemail(tree(NOTIFY_URL=hook.url))
    path, headers, _ = hook.posts[0]
    assert path == "/hooks/T123/secret-part"
    assert headers["Content-Type"] == "application/json; charset=utf-8"


def test_both_channels_get_the_voicemail(mailbox, hook):
    call = voicemail(tree(**mailbox.settings, NOTIFY_URL=hook.url))
    assert (len(mailbox.messages), len(hook.posts)) == (1, 1)
    assert call.callbacks[-1].status == 200


@pytest.mark.parametrize(
    ("at", "keys", "dial", "path"),
    [
        (OPEN, ["1"], None, "sales"),
        (CLOSED, ["1"], None, "after hours"),
        (CLOSED, ["0"], None, "after hours"),
        (OPEN, ["0"], "no-answer", "no answer at reception"),
        (OPEN, ["0"], "busy", "no answer at reception"),
    ],
)
def test_the_message_says_how_the_caller_came_to_voicemail(hook, at, keys, dial, path):
    call = SimulatedCall(tree(at, NOTIFY_URL=hook.url), from_=CALLER)
    call.start("/voice")
    for key in keys:
        call.press(key)
    if dial:
        call.dial_result(dial)
    call.record()
    assert hook.payloads[0]["path"] == path


@pytest.mark.parametrize(
    ("result", "path"),
    [("leave", "left the support queue"), ("queue-full", "support queue unavailable")],
)
def test_a_caller_from_the_queue_is_said_to_come_from_it(hook, result, path):
    call = SimulatedCall(tree(NOTIFY_URL=hook.url), from_=CALLER)
    call.start("/voice")
    call.press("2")
    call.queue_result(result)
    call.record()
    assert hook.payloads[0]["path"] == path


def test_no_message_without_a_recording(hook):
    app = tree(NOTIFY_URL=hook.url)
    form = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "absent"}
    assert TestApp(app).post("/state/voicemail/recorded", form).status_int == 200
    assert hook.posts == []


# Exactly once ################################################################


class BringsBack:
    """A transport that starts the mail server after the first failed recording callback."""

    def __init__(self, app, mailbox):
        self.inner, self.mailbox = WSGITransport(app), mailbox

    def request(self, method, path, body, headers):
        answer = self.inner.request(method, path, body, headers)
        failed = path.startswith("/state/voicemail/recorded") and answer[0] >= 500
        if failed and self.mailbox.controller is None:
            self.mailbox.start()
        return answer


def test_with_the_mail_server_down_twilio_is_told_to_retry_and_one_email_arrives():
    mailbox = Mailbox()  # not started: nothing listens on its port
    try:
        app = tree(**mailbox.settings)
        call = voicemail(BringsBack(app, mailbox))
        assert [seen.status for seen in call.callbacks] == [503, 200]
        assert len(mailbox.messages) == 1
    finally:
        mailbox.stop()


def test_a_retry_carries_the_idempotency_token_and_it_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    mailbox = Mailbox()
    try:
        call = voicemail(BringsBack(tree(**mailbox.settings), mailbox))
        token = call.callbacks[1].headers["I-Twilio-Idempotency-Token"]
        assert f"retry_token={token}" in caplog.text
    finally:
        mailbox.stop()


def test_a_refused_email_answers_503_and_logs_the_failure_as_a_business_event(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    with Mailbox(reply="451 4.3.0 try again later") as mailbox:
        call = voicemail(tree(**mailbox.settings))
    assert {seen.status for seen in call.callbacks} == {503}
    assert len(call.callbacks) == 6  # the first try and Twilio's 5 retries
    failed = [r for r in caplog.records if r.getMessage().startswith("delivery-failed")]
    assert failed[0].name == logs.BUSINESS
    assert "channel=email" in failed[0].getMessage()


def test_one_channel_failing_fails_the_callback_though_the_other_took_it(hook):
    mailbox = Mailbox()  # down
    call = voicemail(tree(**mailbox.settings, NOTIFY_URL=hook.url))
    assert call.callbacks[0].status == 503
    assert hook.posts  # the receiver dedupes the repeats by id


def test_a_webhook_answering_an_error_fails_the_callback():
    with Hook(status=500) as hook:
        call = voicemail(tree(NOTIFY_URL=hook.url))
    assert call.callbacks[0].status == 503


def test_a_repeated_callback_gives_the_same_message_id_and_id(mailbox, hook):
    call = voicemail(tree(**mailbox.settings, NOTIFY_URL=hook.url))
    first = call.callbacks[0]
    call.send_callback(first.url, first.params)
    ids = {mail["Message-ID"] for mail in mailbox.wait_for(2)}
    assert (len(mailbox.messages), len(ids)) == (2, 1)
    assert {payload["id"] for payload in hook.wait_for(2)} == {first.params["RecordingSid"]}


def test_a_slow_webhook_is_cut_off_within_the_bound(monkeypatch):
    monkeypatch.setattr(delivery, "TIMEOUT", 0.5)
    with Hook(delay=3) as hook:
        app = TestApp(tree(NOTIFY_URL=hook.url))
        form = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed"}
        started = time.monotonic()
        response = app.post("/state/voicemail/recorded", form, expect_errors=True)
        took = time.monotonic() - started
    assert response.status_int == 503
    assert took < 2.5


def test_a_slow_webhook_inside_the_bound_is_delivered(monkeypatch):
    monkeypatch.setattr(delivery, "TIMEOUT", 2)
    with Hook(delay=0.3) as hook:
        call = voicemail(tree(NOTIFY_URL=hook.url))
    assert call.callbacks[0].status == 200


def test_every_channel_is_bounded_well_inside_twilios_15_seconds():
    assert delivery.TIMEOUT <= 5


# The transcript ##############################################################


def test_the_transcript_follows_in_the_voicemails_email_thread(mailbox):
    voicemail(tree(**mailbox.settings, TRANSCRIBE="true"), transcript="Please call me back")
    first, second = mailbox.messages
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    assert second["Subject"] == "Re: " + first["Subject"]
    assert '"Please call me back"' in second.get_content()


def test_the_transcript_carries_the_voicemails_id_to_the_webhook(hook):
    voicemail(tree(NOTIFY_URL=hook.url, TRANSCRIBE="true"), transcript="Please call me back")
    first, second = hook.payloads
    assert (second["id"], second["type"]) == (first["id"], "transcript")
    assert second["transcript"] == "Please call me back"
    assert second["from"] == CALLER


def test_a_failed_transcription_still_reaches_the_thread(hook):
    app = tree(NOTIFY_URL=hook.url, TRANSCRIBE="true")
    call = SimulatedCall(app, from_=CALLER)
    call.start("/voice")
    call.press("1")
    call.record(transcript="", transcription_status="failed")
    assert hook.payloads[1]["transcribed"] is False


# Refusals ####################################################################


def test_a_callback_failing_its_signature_sends_nothing(mailbox, hook):
    app = TestApp(tree(**mailbox.settings, NOTIFY_URL=hook.url, TWILIO_AUTH_TOKEN=TOKEN))
    form = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed"}
    response = app.post("/state/voicemail/recorded", form, expect_errors=True)
    assert response.status_int == 403
    assert (mailbox.messages, hook.posts) == ([], [])


def test_a_signed_voicemail_is_delivered(hook):
    call = voicemail(tree(NOTIFY_URL=hook.url, TWILIO_AUTH_TOKEN=TOKEN), auth_token=TOKEN)
    assert call.callbacks[0].status == 200
    assert len(hook.posts) == 1


def test_the_log_never_shows_the_webhook_path_or_smtp_password(caplog):
    caplog.set_level(logging.INFO, logger="phonetree")
    app = tree(NOTIFY_URL="http://127.0.0.1:9/hooks/secret-part")  # nothing listens there
    voicemail(app)
    assert "secret-part" not in caplog.text
    assert "delivery-failed" in caplog.text


# Submission servers: STARTTLS, TLS from the start, a login ##################


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and the settings that make this process trust it."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, cert


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_mail_goes_over_tls_with_a_login(certificate, monkeypatch, mode):
    server_context, cert = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate, as a CA
    with Mailbox(tls=server_context, mode=mode, login=("office", "s3cret")) as mailbox:
        call = voicemail(tree(**mailbox.settings))
    assert call.callbacks[0].status == 200
    assert mailbox.logins == [("office", "s3cret")]
    assert len(mailbox.messages) == 1


def test_a_wrong_password_fails_the_callback(certificate, monkeypatch):
    server_context, cert = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with Mailbox(tls=server_context, login=("office", "s3cret")) as mailbox:
        settings = mailbox.settings | {"SMTP_URL": f"smtp://office:wrong@127.0.0.1:{mailbox.port}"}
        call = voicemail(tree(**settings))
    assert call.callbacks[0].status == 503
    assert mailbox.messages == []


def test_a_certificate_nobody_vouches_for_is_refused(certificate):
    server_context, _ = certificate  # not trusted: no SSL_CERT_FILE
    with Mailbox(tls=server_context, login=("office", "s3cret")) as mailbox:
        call = voicemail(tree(**mailbox.settings))
    assert call.callbacks[0].status == 503
    assert mailbox.logins == []
