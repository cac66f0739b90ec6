"""Every carrier's webhooks, verified its own way: the office walked on Twilio, SignalWire, Telnyx
and Somleng, signed as each signs, behind a TLS proxy's headers; anything else refused."""

import base64
import re
import time
from urllib.parse import urlencode

import pytest
from webtest import TestApp

from phonetree_engine.carriers import telnyx
from phonetree_engine.carriers.twilio import UUID
from phonetree_engine.settings import Config, ConfigError
from phonetree_engine.web import make_app, unsigned_refused
from phonetree_tools.caller import SimulatedCall
from phonetree_tools.carriers import Signer, call_id, telnyx_keys
from tests.conftest import OPEN
from tests.engine.trees import office

SEED, PUBLIC = telnyx_keys()
OTHER_SEED, _ = telnyx_keys()
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ivr.example.com"}
PUBLIC_URL = "https://ivr.example.com"
SETTINGS = {
    "twilio": {"TWILIO_AUTH_TOKEN": "twilio-token"},
    "signalwire": {"PROVIDER": "signalwire", "SIGNALWIRE_SIGNING_KEY": "PSK_signing_key"},
    "telnyx": {"PROVIDER": "telnyx", "TELNYX_PUBLIC_KEY": PUBLIC, "SECRET_KEY": "shared"},
    "somleng": {"PROVIDER": "somleng", "TWILIO_AUTH_TOKEN": "somleng-token"},
}
KEYS = {
    "twilio": {"auth_token": "twilio-token"},
    "signalwire": {"key": "PSK_signing_key"},
    "telnyx": {"key": SEED},
    "somleng": {"auth_token": "somleng-token"},
}


def app_for(carrier, **more):
    return make_app(office.TREE, {**SETTINGS[carrier], **more}, clock=lambda: OPEN)


def caller(app, carrier, validate=None, **options):
    options = {**KEYS[carrier], **options}
    return SimulatedCall(
        app,
        carrier=carrier,
        public_url=PUBLIC_URL,
        headers=PROXY,
        validate=validate,
        **options,
    )


@pytest.mark.parametrize("carrier", list(SETTINGS))
def test_each_carrier_walks_the_tree_signed_behind_a_tls_proxy(carrier, validate):
    call = caller(app_for(carrier), carrier, validate)
    call.start("/voice")
    call.press("3")
    assert call.last_heard[0] == "The office opens Mon+Tue+Wed+Thu+Fri 09:00-18:00."
    call.press("9")  # back to the menu
    call.press("1")  # orders, then voicemail
    call.record(duration=7)
    assert call.last_heard == ["Your message is saved. Goodbye."]
    assert [answer.status for answer in call.callbacks] == [200]
    assert all(request.status == 200 for request in call.requests)


@pytest.mark.parametrize("carrier", list(SETTINGS))
def test_each_carriers_call_ids_are_accepted_and_logged_whole(carrier, caplog):
    call = caller(app_for(carrier), carrier)
    with caplog.at_level("INFO", logger="phonetree"):
        call.start("/voice")
    sid = call.params["CallSid"]
    assert any(f"call={sid} " in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("carrier", ["signalwire", "telnyx", "somleng"])
def test_a_twilio_signed_request_is_refused_by_another_carrier(carrier):
    app = TestApp(app_for(carrier))
    body = {"CallSid": call_id("twilio"), "From": "+15551230000"}
    headers = Signer("twilio", "twilio-token").headers("http://localhost/voice", body, b"")
    app.post("/voice", body, headers=headers, status=403)


@pytest.mark.parametrize("carrier", list(SETTINGS))
def test_a_tampered_body_is_refused(carrier):
    app = TestApp(app_for(carrier))
    params = {"CallSid": call_id(carrier), "From": "+15551230000", "Digits": "1"}
    body = urlencode(params).encode()
    signer = Signer(carrier, KEYS[carrier].get("key") or KEYS[carrier]["auth_token"])
    headers = signer.headers("http://localhost/state/menu/exit", params, body)
    tampered = urlencode({**params, "Digits": "0"})
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    app.post("/state/menu/exit", tampered, headers={**headers, **form}, status=403)
    app.post("/state/menu/exit", body, headers={**headers, **form}, status=200)


@pytest.mark.parametrize(
    "carrier, header",
    [
        ("twilio", "X-Twilio-Signature"),
        ("signalwire", "X-SignalWire-Signature"),
        ("somleng", "X-Twilio-Signature"),
    ],
)
def test_a_signature_that_is_not_ascii_is_refused_as_unsigned(carrier, header, caplog):
    app = TestApp(app_for(carrier))
    with caplog.at_level("WARNING", logger="phonetree"):
        app.post("/voice", {"CallSid": "CA1"}, headers={header: "s\u00e9"}, status=403)
    assert [r.getMessage() for r in caplog.records] == ["refused path=/voice"]


def telnyx_post(app, body: bytes, stamp: int, seed=SEED, sent: bytes | None = None):
    """POST ``sent`` (default ``body``) with Telnyx's signature of ``body``."""
    signature = Signer("telnyx", seed).private.sign(str(stamp).encode() + b"|" + body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "telnyx-timestamp": str(stamp),
        "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
    }
    return app.post("/voice", sent or body, headers=headers, expect_errors=True)


def test_telnyx_refuses_another_keys_signature_and_an_old_timestamp():
    app = TestApp(app_for("telnyx"))
    body = urlencode({"CallSid": call_id("telnyx"), "From": "+15551230000"}).encode()
    now = int(time.time())
    assert telnyx_post(app, body, now).status_int == 200
    assert telnyx_post(app, body, now, seed=OTHER_SEED).status_int == 403
    assert telnyx_post(app, body, now - 600).status_int == 403  # ten minutes old: a replay
    assert telnyx_post(app, body, now + 600).status_int == 403
    assert telnyx_post(app, body, now, sent=body + b"&Digits=1").status_int == 403


def test_telnyx_refuses_a_signature_that_is_not_base64_or_a_stamp_that_is_not_a_number():
    app = TestApp(app_for("telnyx"))
    body = b"CallSid=v2%3Aabc&From=%2B15551230000"
    base = {"Content-Type": "application/x-www-form-urlencoded"}
    app.post("/voice", body, headers={**base, "telnyx-timestamp": "soon",
             "telnyx-signature-ed25519": "AAAA"}, status=403)  # fmt: skip
    app.post("/voice", body, headers={**base, "telnyx-timestamp": str(int(time.time())),
             "telnyx-signature-ed25519": "not base64!"}, status=403)  # fmt: skip


def test_an_unknown_provider_stops_start_up_naming_provider():
    with pytest.raises(ConfigError) as error:
        Config.from_environ({"PROVIDER": "plivo"})
    assert str(error.value).splitlines() == [
        "PROVIDER='plivo': expected one of twilio, signalwire, telnyx, somleng"
    ]


@pytest.mark.parametrize(
    ("carrier", "key"),
    [
        ("twilio", "TWILIO_AUTH_TOKEN"),
        ("signalwire", "SIGNALWIRE_SIGNING_KEY"),
        ("telnyx", "TELNYX_PUBLIC_KEY"),
        ("somleng", "TWILIO_AUTH_TOKEN"),
    ],
)
def test_the_refusal_to_run_unsigned_names_the_carriers_key(carrier, key):
    message = unsigned_refused(Config(provider=carrier))
    assert f"PROVIDER={carrier} and {key}" in message


def test_a_telnyx_public_key_that_is_not_one_is_refused_in_one_line():
    with pytest.raises(ConfigError) as error:
        Config.from_environ({"PROVIDER": "telnyx", "TELNYX_PUBLIC_KEY": "c2hvcnQ="})
    assert str(error.value).splitlines() == [
        "TELNYX_PUBLIC_KEY='c2hvcnQ=': expected a 32-byte Ed25519 key in base64, not 5 bytes"
    ]


def test_callback_urls_ask_twilio_alone_for_retries():
    for carrier, fragment in (("twilio", "#rc=5&rp=5xx,ct,rt"), ("somleng", ""), ("telnyx", "")):
        call = caller(app_for(carrier), carrier)
        call.start("/voice")
        call.press("1")
        record = call.document.find("Record")
        url = record.get("recordingStatusCallback")
        assert url.endswith(fragment) if fragment else "#" not in url, carrier


def test_telnyx_hears_silence_through_a_redirect_and_transcribes_its_own_way():
    app = app_for("telnyx", TRANSCRIBE="true")
    call = caller(app, "telnyx")  # (TeXML, not Twilio's schema: Record's attributes differ)
    call.start("/voice")
    gather = call.document.find("Gather")
    assert gather.get("actionOnEmptyResult") is None
    assert gather.get("speechTimeout") is None  # Telnyx reads seconds, not "auto"
    redirect = call.document.find("Redirect")
    assert redirect.text == gather.get("action")
    call.silence()  # Telnyx falls through to the Redirect, as silence at the menu
    menu = "Office menu. Orders: 1. Help desk: 2. Hours: 3. Again: 9. Front desk: 0."
    assert call.last_heard == ["Nothing was pressed.", menu]
    call.press("1")
    record = call.document.find("Record")
    assert record.get("transcription") == "true"
    assert record.get("transcriptionCallback")
    assert record.get("transcribe") is None


def test_telnyx_gives_a_say_in_another_language_a_voice_that_speaks_it():
    app = app_for("telnyx", LANGUAGES="en-US,fr-CA")
    call = caller(app, "telnyx")
    call.start("/voice")
    says = call.document.iter("Say")
    voices = {say.get("language"): say.get("voice") for say in says}
    assert voices == {"en-US": None, "fr-CA": "alice"}


@pytest.mark.parametrize("carrier, title", [("telnyx", "Telnyx"), ("signalwire", "SignalWire")])
def test_a_voice_the_carrier_lacks_stops_start_up_naming_it(carrier, title):
    with pytest.raises(Exception) as error:
        app_for(carrier, VOICE="Google.en-US-Standard-C")
    assert f"VOICE: 'Google.en-US-Standard-C' is not a voice of {title}" in str(error.value)


def test_a_verb_the_carrier_lacks_stops_start_up_naming_the_state():
    from twilio.twiml.voice_response import Hangup, Pay

    from phonetree_engine import State

    tree = office.tree(goodbye=State(lambda call: [Pay(), Hangup()]))
    with pytest.raises(Exception) as error:
        make_app(tree, SETTINGS["telnyx"], clock=lambda: OPEN)
    assert "state 'goodbye': uses <Pay>, which Telnyx's markup does not have" in str(error.value)
    make_app(tree, SETTINGS["twilio"], clock=lambda: OPEN)  # Twilio has it


def test_a_callback_telnyx_sends_to_its_failover_url_is_delivered(caplog):
    from tests.receivers import Hook

    with Hook(status=500) as hook:
        app = app_for("telnyx", NOTIFY_URL=hook.url)
        call = caller(app, "telnyx", failover_url=f"{PUBLIC_URL}/fallback")
        call.start("/voice")
        call.press("1")
        with caplog.at_level("INFO"):
            call.record()
    # The app keeps the message to try again; the carrier got a 200.
    assert [answer.status for answer in call.callbacks] == [200]
    assert any("recording" in r.getMessage() for r in caplog.records)


def test_the_dialect_names_what_telnyx_lacks():
    assert {"Pay", "Client", "Room"} <= telnyx.DIALECT.lacks


def test_the_simulated_caller_refuses_an_unknown_carrier():
    with pytest.raises(ValueError, match="expected one of twilio, signalwire, telnyx, somleng"):
        SimulatedCall(app_for("twilio"), carrier="plivo", key="k")


def test_somleng_does_not_retry_and_the_app_tries_again_itself():
    from tests.receivers import Hook

    with Hook(status=503) as hook:
        app = app_for("somleng", NOTIFY_URL=hook.url)
        call = caller(app, "somleng")
        call.start("/voice")
        call.press("1")
        call.record()
        assert [answer.status for answer in call.callbacks] == [200]  # sent once, answered 200
        later = app.config["phonetree.engine"].setup.delivery.later
        assert later is not None and len(later) == 1  # waiting to be tried again


def test_twilio_retries_a_failed_callback_itself():
    from tests.receivers import Hook

    with Hook(status=503) as hook:
        app = app_for("twilio", NOTIFY_URL=hook.url)
        call = caller(app, "twilio")
        call.start("/voice")
        call.press("1")
        call.record()
        assert [answer.status for answer in call.callbacks] == [503] * 6
        assert app.config["phonetree.engine"].setup.delivery.later is None


@pytest.mark.parametrize("carrier", list(SETTINGS))
def test_the_terminal_caller_plays_each_carrier_signed(carrier):
    import io

    from phonetree_tools import terminal

    app = app_for(carrier)
    out = io.StringIO()
    assert terminal.run(app, keys="3", clock="open", stdout=out) == 0
    assert "heard: The office opens Mon+Tue+Wed+Thu+Fri 09:00-18:00." in out.getvalue()


def test_a_telnyx_public_key_with_a_stray_character_is_refused_at_start_up():
    stray = PUBLIC[:10] + "!" + PUBLIC[10:]  # pasted with a character too many
    with pytest.raises(ConfigError, match="expected the base64 public key"):
        Config.from_environ({"PROVIDER": "telnyx", "TELNYX_PUBLIC_KEY": stray})


def test_the_tools_leave_an_unsigned_telnyx_app_unsigned():
    from phonetree_tools import playing

    app = make_app(office.TREE, {"PROVIDER": "telnyx"}, clock=lambda: OPEN)
    config = app.config["phonetree.engine"].config
    assert playing.signing(app, config) == {"carrier": "telnyx"}
    assert app.config["phonetree.webhooks"].carrier is None  # still unsigned, as configured


@pytest.mark.parametrize("carrier", ["signalwire", "telnyx", "somleng"])
def test_the_simulated_carrier_gives_recordings_ids_of_its_own_shape(carrier):
    from phonetree_tools.carriers import recording_id

    assert re.fullmatch(UUID, recording_id(carrier))
