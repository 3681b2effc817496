"""A Web Push service stand-in on 127.0.0.1, over real TLS, and the browser that uses it.

The test plays the browser (`Browser`): it makes the P-256 key pair and auth secret a
browser makes for `PushManager.subscribe()`. The service checks each message the way a
real one does (RFC 8292 VAPID: an ES256 JWT signed by the key in `k`, for our origin, not
expired, with a contact `sub`), then decrypts the body (RFC 8291, aes128gcm) with the
browser's private key, as the browser would, and records the result.

Its certificate comes from a CA generated once per test process; the app under test is
given an SSL context that trusts that CA (`trust_context`), so TLS is verified as in
production. `running_trap` is a second HTTPS server on 127.0.0.1 that must never be hit.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import os
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

from stellarr_testing.http_servers import QuietHandler, serving

MAX_VAPID_LIFETIME = 24 * 3600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- TLS ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Certificates:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes


@functools.cache
def _certificates() -> _Certificates:
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Stellarr test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    return _Certificates(
        ca.public_bytes(serialization.Encoding.PEM),
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def trust_context() -> ssl.SSLContext:
    """Verifies servers as usual, trusting only the test CA."""
    return ssl.create_default_context(cadata=_certificates().ca_pem.decode())


def _server_context() -> ssl.SSLContext:
    certs = _certificates()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain reads files only; the key never outlives this call on disk.
    with tempfile.TemporaryDirectory() as folder:
        cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        with open(cert, "wb") as handle:
            handle.write(certs.cert_pem)
        with open(key, "wb") as handle:
            handle.write(certs.key_pem)
        context.load_cert_chain(cert, key)
    return context


# --- the browser -------------------------------------------------------------------------
@dataclass
class Browser:
    """One browser profile's push subscription keys."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return _b64url(point)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """What `PushSubscription.toJSON()` gives the page."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": _b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        plain: bytes = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return plain


# --- VAPID, checked independently of the code under test ---------------------------------
class VapidRejected(Exception):
    pass


def verify_vapid(header: str, audience: str, now: float) -> tuple[str, dict[str, Any]]:
    """(public key `k`, claims) of a valid `vapid t=..., k=...` header; else VapidRejected."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidRejected(f"scheme {scheme!r}")
    fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part.strip())
    token, key = fields.get("t", ""), fields.get("k", "")
    try:
        head, claims_b64, signature_b64 = token.split(".")
        header_json = json.loads(_unb64url(head))
        claims: dict[str, Any] = json.loads(_unb64url(claims_b64))
        signature = _unb64url(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64url(key))
    except ValueError as exc:
        raise VapidRejected(f"malformed: {exc}") from None
    if header_json.get("alg") != "ES256" or len(signature) != 64:
        raise VapidRejected("not ES256")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{head}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VapidRejected("bad signature") from None
    if claims.get("aud") != audience:
        raise VapidRejected(f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or not now < exp <= now + MAX_VAPID_LIFETIME + 60:
        raise VapidRejected(f"exp {exp!r}")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https://")):
        raise VapidRejected(f"sub {sub!r}")
    return key, claims


# --- the push service --------------------------------------------------------------------
@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    vapid_key: str
    claims: dict[str, Any]
    payload: dict[str, Any]


@dataclass
class Hit:
    method: str
    path: str


@dataclass
class FakePushService:
    origin: str = ""
    browsers: dict[str, Browser] = field(default_factory=dict)
    delivered: list[Delivery] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def host(self) -> str:
        """For PUSH_ALLOWED_HOSTS."""
        return self.origin.removeprefix("https://")

    def subscribe(self, browser: Browser) -> str:
        """A new endpoint for `browser`, as the push service hands one out."""
        path = f"/wpush/v2/{secrets.token_urlsafe(24)}"
        with self.lock:
            self.browsers[path] = browser
        return self.origin + path

    def for_endpoint(self, endpoint: str) -> list[Delivery]:
        path = endpoint.removeprefix(self.origin)
        with self.lock:
            return [d for d in self.delivered if d.path == path]

    def receive(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str]]:
        with self.lock:
            self.hits.append(Hit("POST", path))
            browser = self.browsers.get(path)
            if path in self.redirects:
                return 307, {"Location": self.redirects[path]}
            if path in self.gone or browser is None:
                return 410, {}
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            key, claims = verify_vapid(lowered.get("authorization", ""), self.origin, time.time())
            if lowered.get("content-encoding") != "aes128gcm":
                raise VapidRejected("content-encoding is not aes128gcm")
            if not lowered.get("ttl", "").isdigit():
                raise VapidRejected("no TTL")
            payload = json.loads(browser.decrypt(body))
        except (VapidRejected, ValueError, http_ece.ECEException) as exc:
            with self.lock:
                self.rejected.append(f"{path}: {exc}")
            return 401 if isinstance(exc, VapidRejected) else 400, {}
        with self.lock:
            self.delivered.append(Delivery(path, lowered, key, claims, payload))
        return 201, {"Location": f"{self.origin}/m/{secrets.token_hex(8)}"}


def _handler(state: FakePushService) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            status, headers = state.receive(self.path, dict(self.headers.items()), self.body())
            self.answer(status, headers=headers)

        def do_GET(self) -> None:
            with state.lock:
                state.hits.append(Hit("GET", self.path))
            self.answer(200)

    return Handler


@contextmanager
def _serving(state: FakePushService) -> Iterator[FakePushService]:
    with serving(_handler(state), tls=_server_context()) as origin:
        state.origin = origin
        yield state


@contextmanager
def running_fake_push() -> Iterator[FakePushService]:
    with _serving(FakePushService()) as state:
        yield state


@contextmanager
def running_trap() -> Iterator[FakePushService]:
    """An HTTPS server the app must never reach: it records every request and knows no
    browser, so nothing it gets is delivered."""
    with _serving(FakePushService()) as state:
        yield state
