"""The seal: what identifies a caller travels in URLs that every access log keeps, so a sealed
value must show nothing of its text, even decoded, and open only as it was sealed, by its key."""

import base64

import pytest

from phonetree_engine.seal import NONCE, TAG, Seal

KEY = b"the key every replica shares"
NUMBER = "entry=2125550100"


def raw(token: str) -> bytes:
    """A token as anyone reading an access log can decode it."""
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def changed(token: str, at: int) -> str:
    data = bytearray(raw(token))
    data[at] ^= 0x01
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()


@pytest.mark.parametrize("text", [NUMBER, "from=%2B15551234567&name=Zo%C3%AB", "9" * 80])
def test_a_sealed_value_opens_to_its_text(text):
    assert Seal(KEY).open(Seal(KEY).seal(text)) == text


@pytest.mark.parametrize("text", [NUMBER, "entry=" + "0123456789" * 8])
def test_a_sealed_value_shows_none_of_its_digits_even_decoded(text):
    decoded = raw(Seal(KEY).seal(text))
    digits = text.partition("=")[2]
    assert not any(digits[at : at + 4].encode() in decoded for at in range(len(digits) - 3))


def test_the_same_number_sealed_twice_reads_as_two_values():
    # One keystream for both would let anyone holding two URLs tell the same caller, and more.
    first, second = Seal(KEY).seal(NUMBER), Seal(KEY).seal(NUMBER)
    assert raw(first)[1 : 1 + NONCE] != raw(second)[1 : 1 + NONCE]
    assert raw(first)[1 + NONCE : -TAG] != raw(second)[1 + NONCE : -TAG]


def test_a_value_with_any_byte_changed_never_opens():
    # Version, nonce, body and tag: a one-character text, so that garbage would often decode.
    token = Seal(KEY).seal("7")
    opened = [Seal(KEY).open(changed(token, at)) for at in range(len(raw(token)))]
    assert opened == [None] * len(raw(token))


def test_a_value_sealed_with_another_key_never_opens():
    # Twenty one-character values: were the tags alike, about half would open to garbage.
    tokens = [Seal(b"someone else's key").seal(str(digit % 10)) for digit in range(20)]
    assert [Seal(KEY).open(token) for token in tokens] == [None] * 20


def test_a_sealed_value_carries_a_tag_of_128_bits():
    # A shorter tag would let a forger try its way through: 2**32 tries, not 2**128.
    assert len(raw(Seal(KEY).seal("7"))) == 1 + NONCE + 1 + 16
