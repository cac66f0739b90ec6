"""What the business reads: each message's text and fields, built from what the call gave, and
the email's headers as a mail client reads them."""

from datetime import datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest

from phonetree_engine.delivery import messages
from phonetree_engine.delivery.email import Email, MailServer
from phonetree_engine.delivery.post import Post, notify_url

NEW_YORK = ZoneInfo("America/New_York")
WHEN = datetime(2026, 11, 24, 10, 5, tzinfo=NEW_YORK)
CALLER = "+15551234567"


def voicemail(**changed):
    values = {
        "recording_sid": "RE1",
        "call_sid": "CA1",
        "number": CALLER,
        "name": "Zoë Smith",
        "when": WHEN,
        "via": "orders",
        "duration": 17,
        "recording_url": "https://api.twilio.com/RE1",
        **changed,
    }
    return messages.voicemail(**values)


@pytest.mark.parametrize(
    "hour, minute, said",
    [
        (0, 5, "12:05 AM"),
        (9, 0, "9:00 AM"),
        (12, 0, "12:00 PM"),
        (12, 30, "12:30 PM"),
        (23, 59, "11:59 PM"),
    ],
)
def test_the_time_is_written_as_a_person_reads_it(hour, minute, said):
    moment = datetime(2026, 11, 24, hour, minute, tzinfo=NEW_YORK)
    assert messages.spoken_time(moment) == f"Tuesday 24 November 2026, {said} EST"


def test_a_voicemail_says_who_when_how_how_long_and_where_to_listen():
    assert voicemail(details={"Account": "424242"}).text.splitlines() == [
        f"New voicemail from {CALLER} (Zoë Smith).",
        "When: Tuesday 24 November 2026, 10:05 AM EST",
        "Via: orders",
        "Account: 424242",
        "Duration: 17 seconds",
        "Recording: https://api.twilio.com/RE1",
    ]


def test_a_duration_the_carrier_sent_oddly_is_shown_as_sent():
    message = voicemail(duration=None, sent_duration="17.5s")
    assert "Duration: 17.5s (as the carrier sent it)" in message.text.splitlines()
    assert (message.fields["duration"], message.fields["sent_duration"]) == (None, "17.5s")


def test_a_time_the_carrier_sent_oddly_is_shown_beside_ours():
    message = voicemail(sent_time="Tue, 99 Nov 2026")
    line = "When: Tuesday 24 November 2026, 10:05 AM EST (the carrier sent 'Tue, 99 Nov 2026')"
    assert line in message.text.splitlines()


def test_a_name_of_spaces_is_no_name():
    assert voicemail(name="  ").text.splitlines()[0] == f"New voicemail from {CALLER}."


def test_a_transcript_the_carrier_could_not_make_says_so():
    message = messages.transcript(
        recording_sid="RE1",
        call_sid="CA1",
        number=CALLER,
        name="",
        when=WHEN,
        via="orders",
        text=None,
        recording_url="https://api.twilio.com/RE1",
    )
    assert "(The carrier could not transcribe this message.)" in message.text.splitlines()
    assert (message.fields["transcript"], message.fields["transcribed"]) == ("", False)


def test_a_callback_request_names_the_number_to_call_not_the_caller_id():
    message = messages.callback_request(
        call_sid="CA1",
        number="+15557654321",
        caller_id=CALLER,
        name="",
        when=WHEN,
        via="help desk queue",
    )
    assert message.text.splitlines()[:2] == ["Please call back +15557654321.", f"Caller: {CALLER}"]
    assert message.subject == "Call back +15557654321"


# The email, as a mail client reads its headers ###############################

EMAIL = Email(
    MailServer("mail.example.com", 587, False), "ivr@example.com", ("office@example.com",)
)


def test_the_email_is_dated_when_the_message_was_left_and_marked_automatic():
    mail = EMAIL.compose(voicemail())
    assert parsedate_to_datetime(mail["Date"]) == WHEN
    assert mail["Auto-Submitted"] == "auto-generated"  # so that no out-of-office answers it


def test_an_id_a_message_id_cannot_hold_is_written_in_one_it_can():
    mail = EMAIL.compose(voicemail(recording_sid="v2:AbC-9_x"))  # Telnyx's recording ids
    assert mail["Message-ID"] == "<voicemail.v2=3AAbC-9_x@example.com>"


# Where the POST goes ##########################################################


def test_a_post_to_an_ipv6_address_names_it_in_brackets():
    assert notify_url("https://[2001:db8::1]:8443/hooks/x").netloc == "[2001:db8::1]:8443"


def test_the_email_is_addressed_to_every_recipient():
    two = Email(EMAIL.server, "ivr@example.com", ("office@example.com", "owner@example.com"))
    assert two.compose(voicemail())["To"] == "office@example.com, owner@example.com"


def test_the_post_names_its_sender_to_the_receiver():
    # Some receivers (and the firewalls before them) refuse a request that names no agent.
    post = Post(notify_url("https://hooks.example.com/x"))
    assert post.headers(voicemail())["User-Agent"] == "phonetree"
