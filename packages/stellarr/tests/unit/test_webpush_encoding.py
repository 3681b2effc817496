"""The push message body is RFC 8291's aes128gcm encoding byte for byte: the RFC's own
example reproduced exactly, and a fresh message taken apart and decrypted here from the RFC's
steps (HKDF, AES-128-GCM with cryptography's primitives), not by the library that made it."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from stellarr.clients.vapid import SubscriptionKeys
from stellarr.clients.webpush import RECORD_SIZE, encrypt
from stellarr_testing.fake_push import Browser


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def point(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def hkdf(salt: bytes, secret: bytes, info: bytes, length: int) -> bytes:
    return HKDF(hashes.SHA256(), length, salt, info).derive(secret)


# RFC 8291 section 5 (and Appendix A): every input of the example, and its body.
RFC_PLAINTEXT = "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24"
RFC_AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
RFC_UA_PUBLIC = (
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
)
RFC_SALT = "DGv6ra1nlYgDCS1FRnbzlw"
RFC_AUTH = "BTBZMqHH6r4Tts7J_aSIgg"
RFC_BODY = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS"
    "6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Q"
    "ulcy4a-fN"
)


def test_the_rfc_8291_example_is_reproduced_byte_for_byte() -> None:
    sender = ec.derive_private_key(int.from_bytes(unb64url(RFC_AS_PRIVATE), "big"), ec.SECP256R1())
    keys = SubscriptionKeys.parse(RFC_UA_PUBLIC, RFC_AUTH)

    body = encrypt(keys, unb64url(RFC_PLAINTEXT), sender=sender, salt=unb64url(RFC_SALT))

    assert b64url(body) == RFC_BODY


def decrypt_by_the_rfc(browser: Browser, body: bytes) -> tuple[bytes, bytes, int, bytes]:
    """(sender's public key, salt, record size, plaintext), following RFC 8188 section 2 and
    RFC 8291 section 3.4 step by step."""
    salt, (rs,), id_length = body[:16], struct.unpack("!L", body[16:20]), body[20]
    keyid, records = body[21 : 21 + id_length], body[21 + id_length :]
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), keyid)
    shared = browser.private_key.exchange(ec.ECDH(), sender)
    key_info = b"WebPush: info\x00" + point(browser.private_key) + keyid
    ikm = hkdf(browser.auth, shared, key_info, 32)
    cek = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    assert len(records) <= rs, "one record"
    padded = AESGCM(cek).decrypt(nonce, records, None)
    plain, delimiter = padded.rstrip(b"\x00")[:-1], padded.rstrip(b"\x00")[-1:]
    assert delimiter == b"\x02", "the last (and only) record's delimiter"
    return keyid, salt, rs, plain


def test_a_message_has_a_fresh_sender_key_and_salt_and_one_record() -> None:
    browser = Browser()
    keys = SubscriptionKeys.parse(browser.p256dh, b64url(browser.auth))
    payload = b'{"title": "Dune", "body": "is in the library"}'

    first, second = encrypt(keys, payload), encrypt(keys, payload)

    sender, salt, rs, plain = decrypt_by_the_rfc(browser, first)
    assert plain == payload
    assert rs == RECORD_SIZE == 4096
    assert len(sender) == 65 and sender[0] == 4
    # 16 salt + 4 record size + 1 id length + 65 key id, then payload + delimiter + tag.
    assert len(first) == 86 + len(payload) + 1 + 16
    other_sender, other_salt, _, _ = decrypt_by_the_rfc(browser, second)
    assert other_sender != sender and other_salt != salt
    # The browser's own decryption (the push service stand-in's) agrees.
    assert browser.decrypt(first) == payload


def test_an_empty_payload_is_refused() -> None:
    browser = Browser()
    keys = SubscriptionKeys.parse(browser.p256dh, b64url(browser.auth))
    with pytest.raises(ValueError, match="payload"):
        encrypt(keys, b"")
