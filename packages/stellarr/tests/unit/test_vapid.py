"""VAPID keys, subscription keys and the push settings: strict parsing, clear errors that
never repeat a key, and headers a push service accepts."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from stellarr import cli
from stellarr.bootstrap import configure
from stellarr.clients.vapid import KEY_HELP, SubscriptionKeys, VapidKey, b64url
from stellarr.services.push import push_subject
from stellarr.settings import Settings, SettingsError
from stellarr_testing.fake_push import Browser, VapidRejected, verify_vapid

STRONG = "s" * 40
BASE = {"APP_SECRET_KEY": STRONG, "PRESHARED_PASSWORD": "pw-for-tests"}


def settings(**values: str) -> Settings:
    return Settings.from_mapping({**BASE, **values})


def test_every_accepted_form_gives_the_same_key() -> None:
    key = VapidKey.generate()
    private = key.private_key
    pkcs8 = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    sec1 = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forms = [
        key.private_b64,
        key.private_b64 + "=",  # padded
        f"  {key.private_b64}\n",
        pkcs8,
        sec1,
        pkcs8.replace("\n", "\\n"),  # a PEM squeezed onto one .env line
        base64.b64encode(der).decode(),
        b64url(der),
    ]
    for form in forms:
        parsed = VapidKey.parse(form)
        assert (parsed.private_b64, parsed.public_b64) == (key.private_b64, key.public_b64)
    assert len(base64.urlsafe_b64decode(key.public_b64 + "=")) == 65


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not a key at all",
        b64url(b"\x01" * 31),
        b64url(b"\x00" * 32),  # zero is no private key
        b64url(b"\xff" * 32),  # past the curve order
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode(),
    ],
)
def test_bad_keys_get_one_clear_error_without_the_value(raw: str) -> None:
    with pytest.raises(ValueError) as caught:
        VapidKey.parse(raw)
    assert str(caught.value) == KEY_HELP
    with pytest.raises(SettingsError) as refused:
        settings(VAPID_PRIVATE_KEY=raw or " ")
    message = str(refused.value)
    assert message.startswith("VAPID_PRIVATE_KEY must be a P-256 private key")
    assert "\n" not in message
    lines = raw.strip().splitlines()
    key_material = lines[1] if raw.startswith("-----") else raw.strip()
    if key_material:
        assert key_material not in message


def test_settings_keep_the_canonical_key_and_never_show_it() -> None:
    key = VapidKey.generate()
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    loaded = settings(VAPID_PRIVATE_KEY=pem, NOTIFY_URLS="ntfy://ntfy.sh/secret-topic")
    assert loaded.vapid_private_key == key.private_b64
    assert key.private_b64 not in repr(loaded) and "secret-topic" not in repr(loaded)


def test_authorization_header_is_a_valid_vapid_token() -> None:
    key = VapidKey.generate()
    header = key.authorization("https://fcm.googleapis.com", "mailto:a@example.com", 1_700_000_000)
    k, claims = verify_vapid(header, "https://fcm.googleapis.com", 1_700_000_000)
    assert k == key.public_b64
    assert claims["sub"] == "mailto:a@example.com"
    assert 1_700_000_000 < claims["exp"] <= 1_700_000_000 + 24 * 3600
    other = VapidKey.generate().public_b64
    forged = header.replace(key.public_b64, other)
    with pytest.raises(VapidRejected, match="signature"):
        verify_vapid(forged, "https://fcm.googleapis.com", 1_700_000_000)
    with pytest.raises(VapidRejected, match="aud"):
        verify_vapid(header, "https://web.push.apple.com", 1_700_000_000)


def test_subscription_keys_are_checked_and_made_canonical() -> None:
    browser = Browser()
    auth = b64url(browser.auth)
    keys = SubscriptionKeys.parse(browser.p256dh + "=", auth + "==")
    assert (keys.p256dh, keys.auth) == (browser.p256dh, auth)
    point = base64.urlsafe_b64decode(browser.p256dh + "=")
    off_curve = b64url(point[:-1] + bytes([point[-1] ^ 1]))
    for p256dh, a, reason in [
        (off_curve, auth, "curve"),
        (b64url(point[:33]), auth, "65 bytes"),
        ("%%%", auth, "base64url"),
        (browser.p256dh, b64url(b"x" * 15), "16 bytes"),
        (browser.p256dh, "a+b/", "base64url"),
    ]:
        with pytest.raises(ValueError, match=reason):
            SubscriptionKeys.parse(p256dh, a)


def test_push_settings_parse_and_refuse_clearly() -> None:
    loaded = settings(
        PUSH_ALLOWED_HOSTS=" fcm.googleapis.com , *.push.example.net:8443, 10.0.0.5:9443, [::1]",
        VAPID_SUBJECT="mailto:admin@example.com",
        NOTIFY_URLS="ntfy://ntfy.sh/a, mailto://u:p@example.com?to=a@x.com,b@x.com;json://h/x",
    )
    assert [str(p) for p in loaded.push_allowed_hosts] == [
        "fcm.googleapis.com",
        "*.push.example.net:8443",
        "10.0.0.5:9443",
        "[::1]",
    ]
    assert loaded.notify_urls == (
        "ntfy://ntfy.sh/a",
        "mailto://u:p@example.com?to=a@x.com,b@x.com",
        "json://h/x",
    )
    defaults = [str(p) for p in settings().push_allowed_hosts]
    assert defaults == [
        "fcm.googleapis.com",
        "*.push.services.mozilla.com",
        "web.push.apple.com",
        "*.notify.windows.com",
    ]
    for variable, value, expected in [
        ("PUSH_ALLOWED_HOSTS", "*", "PUSH_ALLOWED_HOSTS"),
        ("PUSH_ALLOWED_HOSTS", "*.com", "PUSH_ALLOWED_HOSTS"),
        ("PUSH_ALLOWED_HOSTS", "fcm.googleapis.com:0", "PUSH_ALLOWED_HOSTS"),
        ("PUSH_ALLOWED_HOSTS", "https://fcm.googleapis.com", "PUSH_ALLOWED_HOSTS"),
        ("PUSH_ALLOWED_HOSTS", " , ", "PUSH_ALLOWED_HOSTS"),
        ("VAPID_SUBJECT", "admin@example.com", "VAPID_SUBJECT must be a mailto"),
        ("VAPID_SUBJECT", "http://example.com", "VAPID_SUBJECT must be a mailto"),
        ("VAPID_SUBJECT", "mailto:admin@localhost", "VAPID_SUBJECT must be a mailto"),
        ("VAPID_SUBJECT", "https://localhost", "localhost"),
        ("NOTIFY_URLS", "ntfy://ok, not-a-url-with-token123", "NOTIFY_URLS entry 1"),
    ]:
        with pytest.raises(SettingsError, match=expected) as caught:
            settings(**{variable: value})
        if variable == "NOTIFY_URLS":
            assert "token123" not in str(caught.value)


def test_subject_defaults_to_an_https_public_url_only() -> None:
    assert push_subject(settings(VAPID_SUBJECT="https://me.example")) == "https://me.example"
    assert push_subject(settings(PUBLIC_URL="https://Req.example:8443/app")) == (
        "https://req.example:8443"
    )
    assert push_subject(settings(PUBLIC_URL="http://nas.lan:8000")) is None
    assert push_subject(settings()) is None


def test_self_hosted_generates_and_keeps_a_vapid_key(tmp_path: Path) -> None:
    env = {
        "DATABASE_PATH": str(tmp_path / "data" / "stellarr.db"),
        "ENV_FILE": str(tmp_path / "no.env"),
    }
    import asyncio

    first = asyncio.run(configure(env).settings.get())
    key_file = tmp_path / "data" / "vapid_private_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.vapid_private_key == key_file.read_text().strip()
    again = asyncio.run(configure(env).settings.get())
    assert again.vapid_private_key == first.vapid_private_key
    given = VapidKey.generate().private_b64
    chosen = asyncio.run(configure({**env, "VAPID_PRIVATE_KEY": given}).settings.get())
    assert chosen.vapid_private_key == given


def test_gen_vapid_prints_a_pair_ready_to_paste(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gen-vapid"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("VAPID_PRIVATE_KEY=")
    key = VapidKey.parse(lines[0].split("=", 1)[1])
    assert lines[1].endswith(key.public_b64)
    assert cli.main(["gen-vapid", "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    assert VapidKey.parse(pair["VAPID_PRIVATE_KEY"]).public_b64 == pair["public_key"]
    assert pair["VAPID_PRIVATE_KEY"] != key.private_b64


def test_the_printed_form_is_read_without_cryptography_and_agrees_with_the_full_parser() -> None:
    from stellarr.domain.p256 import ORDER, canonical_scalar

    for _ in range(20):
        key = VapidKey.generate()
        for form in (key.private_b64, key.private_b64 + "=", f" {key.private_b64}\n"):
            assert canonical_scalar(form) == VapidKey.parse(form).private_b64
    largest = b64url((ORDER - 1).to_bytes(32, "big"))
    assert canonical_scalar(largest) == VapidKey.parse(largest).private_b64 == largest
    # Left to the full parser, which accepts or refuses them with its own words.
    for other in (
        b64url(b"\x00" * 32),
        b64url(ORDER.to_bytes(32, "big")),
        b64url(b"\x01" * 31),
        key.private_b64[:-1] + "B",  # bits past the 256th set: another spelling
        base64.b64encode(b"\xfb" * 32).decode(),  # standard base64, not base64url
    ):
        assert canonical_scalar(other) is None


def test_reading_settings_with_a_vapid_key_loads_no_cryptography() -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from stellarr.settings import Settings\n"
        f"s = Settings.from_mapping({{**{BASE!r}, 'VAPID_PRIVATE_KEY': sys.argv[1]}})\n"
        "assert s.vapid_private_key == sys.argv[1].strip()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cryptography'))\n"
    )
    key = VapidKey.generate().private_b64
    result = subprocess.run(
        [sys.executable, "-c", script, f" {key}\n"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
