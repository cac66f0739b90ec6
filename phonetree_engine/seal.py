"""Sealed values: what identifies a person travels in the URLs we hand the carrier, unreadable.

The caller's number and name, and the digits a caller entered, must reach later steps of the
call (any replica may serve them), but every access log on the way (the PaaS router, a proxy,
the carrier's own debugger) keeps URLs whole. So they travel sealed: encrypted and
authenticated with a key every replica shares (``Config.seal_key``: SECRET_KEY, or derived
from the signing key), in one query value, ``sealed=``.

The construction uses the standard library alone, and is a textbook one: encrypt-then-MAC,
with HMAC-SHA256 both as the MAC and, in counter mode, as the keystream's pseudorandom function;
separate keys for each, derived from the one key; a random 96-bit nonce per value; a 128-bit tag
over version, nonce and ciphertext, compared in constant time. A value that was changed, cut,
or sealed with another key does not open (``None``), and reads as a missing value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

VERSION = b"\x01"
NONCE = 12
TAG = 16
MAX_TOKEN = 2048  # characters: a sealed value longer than this is not ours


class Seal:
    """Seals and opens short texts with one key: ``Seal(key).open(Seal(key).seal(t)) == t``."""

    def __init__(self, key: bytes):
        self.cipher_key = hmac.new(key, b"phonetree seal: encryption", hashlib.sha256).digest()
        self.mac_key = hmac.new(key, b"phonetree seal: authentication", hashlib.sha256).digest()

    def seal(self, text: str) -> str:
        nonce = secrets.token_bytes(NONCE)
        data = text.encode()
        body = _xor(data, self._stream(nonce, len(data)))
        tag = self._tag(nonce, body)
        return base64.urlsafe_b64encode(VERSION + nonce + body + tag).rstrip(b"=").decode()

    def open(self, token: str) -> str | None:
        """The sealed text, or None when it was not sealed with this key, or was changed."""
        if not token or len(token) > MAX_TOKEN or not token.isascii():
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            return None
        if len(raw) < 1 + NONCE + TAG or raw[:1] != VERSION:
            return None
        nonce, body, tag = raw[1 : 1 + NONCE], raw[1 + NONCE : -TAG], raw[-TAG:]
        if not hmac.compare_digest(tag, self._tag(nonce, body)):
            return None
        try:
            return _xor(body, self._stream(nonce, len(body))).decode()
        except UnicodeDecodeError:
            return None

    def _tag(self, nonce: bytes, body: bytes) -> bytes:
        return hmac.new(self.mac_key, VERSION + nonce + body, hashlib.sha256).digest()[:TAG]

    def _stream(self, nonce: bytes, size: int) -> bytes:
        blocks = []
        for counter in range((size + 31) // 32):
            block = nonce + counter.to_bytes(4, "big")
            blocks.append(hmac.new(self.cipher_key, block, hashlib.sha256).digest())
        return b"".join(blocks)[:size]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def sealed_size(text_size: int) -> int:
    """Characters a sealed text of ``text_size`` bytes takes in a URL."""
    raw = 1 + NONCE + text_size + TAG
    return (raw * 4 + 2) // 3
