"""The keys of Web Push: our VAPID key pair (RFC 8292) and a browser's subscription keys
(RFC 8291). Parsing is strict, and errors never repeat key material."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from stellarr.domain.tokens import b64url
from stellarr.domain.tokens import b64url_decode as lenient_b64url_decode

# A VAPID JWT may live up to 24 hours (RFC 8292 section 2); 12 leaves room for clock skew.
TOKEN_LIFETIME_SECONDS = 12 * 3600
P256_POINT_LENGTH = 65  # 0x04 || X || Y
AUTH_SECRET_LENGTH = 16
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")

KEY_HELP = (
    "must be a P-256 private key: the base64url value that `stellarr gen-vapid` prints, "
    "or a PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)"
)


def b64url_decode(text: str) -> bytes:
    """Base64url with or without padding; ValueError for anything else (the tokens' own
    decoder would drop stray characters, which a key must not have)."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    try:
        return lenient_b64url_decode(text.rstrip("="))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def _decode_any_base64(text: str) -> bytes:
    if _B64URL.fullmatch(text):
        return b64url_decode(text)
    if _B64.fullmatch(text):
        return base64.b64decode(text, validate=True)
    raise ValueError(KEY_HELP)


@dataclass(frozen=True)
class VapidKey:
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls) -> VapidKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def parse(cls, raw: str) -> VapidKey:
        """base64url raw 32-byte scalar, PEM (PKCS#8 or SEC1; `\\n` escapes allowed, as a
        one-line .env value needs) or base64 DER; ValueError(KEY_HELP) otherwise."""
        text = raw.strip().replace("\\n", "\n")
        try:
            if text.startswith("-----BEGIN"):
                key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
            else:
                data = _decode_any_base64("".join(text.split()))
                if len(data) == 32:
                    key = ec.derive_private_key(int.from_bytes(data, "big"), ec.SECP256R1())
                else:
                    key = serialization.load_der_private_key(data, password=None)
        except (ValueError, TypeError, UnicodeEncodeError, binascii.Error):
            raise ValueError(KEY_HELP) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise ValueError(KEY_HELP)
        return cls(key)

    @property
    def private_b64(self) -> str:
        return b64url(self.private_key.private_numbers().private_value.to_bytes(32, "big"))

    @property
    def public_b64(self) -> str:
        """What browsers pass as `applicationServerKey`: the uncompressed point."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def authorization(self, audience: str, subject: str, now: int) -> str:
        """The `Authorization: vapid t=<JWT>, k=<public key>` header for one push service."""
        from py_vapid import Vapid02  # type: ignore[import-untyped]

        # no-strict: the subject was validated by Settings (py_vapid's own check refuses
        # an https subject with a port or a path, both valid in RFC 8292).
        vapid = Vapid02(self.private_key, conf={"no-strict": True})
        claims = {"aud": audience, "exp": now + TOKEN_LIFETIME_SECONDS, "sub": subject}
        header: str = vapid.sign(claims)["Authorization"]
        return header


def parse_private_key(raw: str) -> str:
    """Settings' parser for VAPID_PRIVATE_KEY: the canonical base64url scalar."""
    return VapidKey.parse(raw).private_b64


@dataclass(frozen=True, slots=True)
class SubscriptionKeys:
    """A browser's keys, canonical base64url without padding."""

    p256dh: str
    auth: str

    @classmethod
    def parse(cls, p256dh: str, auth: str) -> SubscriptionKeys:
        try:
            point = b64url_decode(p256dh.strip())
        except ValueError:
            raise ValueError("keys.p256dh is not base64url") from None
        if len(point) != P256_POINT_LENGTH or point[0] != 4:
            raise ValueError("keys.p256dh must be an uncompressed P-256 point (65 bytes)")
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError:
            raise ValueError("keys.p256dh is not a point on the P-256 curve") from None
        try:
            secret = b64url_decode(auth.strip())
        except ValueError:
            raise ValueError("keys.auth is not base64url") from None
        if len(secret) != AUTH_SECRET_LENGTH:
            raise ValueError(f"keys.auth must be {AUTH_SECRET_LENGTH} bytes")
        return cls(b64url(point), b64url(secret))
