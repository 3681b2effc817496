"""The SSRF boundary of Web Push: which endpoint URLs pass the allow-list."""

from __future__ import annotations

import pytest

from stellarr.domain.push_endpoint import (
    DEFAULT_HOST_PATTERNS,
    EndpointRefused,
    check_endpoint,
    parse_host_patterns,
)

REAL = [
    "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh",
    "https://web.push.apple.com/QGuQyavXutnMH",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD",
]


@pytest.mark.parametrize("url", REAL)
def test_the_big_push_services_pass_by_default(url: str) -> None:
    endpoint = check_endpoint(url, DEFAULT_HOST_PATTERNS)
    assert endpoint.url == url and endpoint.port == 443
    assert endpoint.origin == "https://" + url.split("/")[2]


@pytest.mark.parametrize(
    "url",
    [
        "http://fcm.googleapis.com/fcm/send/x",
        "https://push.services.mozilla.com/wpush",  # the wildcard's suffix itself
        "https://evilpush.services.mozilla.com/x",  # not a subdomain
        "https://fcm.googleapis.com./x",
        "https://FCM.googleapis.com:443@169.254.169.254/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/x",
        "https://2130706433/x",  # 127.0.0.1 as a number
        "https://fcm.googleapis.com:99999/x",
        "https://fcm.googleapis.com/x\r\nHost: evil",
        "https://fcm.googleapis.com/ü",
        "https:///x",
        "",
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    with pytest.raises(EndpointRefused):
        check_endpoint(url, DEFAULT_HOST_PATTERNS)


def test_ip_literals_and_ports_only_when_listed_exactly() -> None:
    allowed = parse_host_patterns("127.0.0.1:8443, [::1]:9443, *.push.example.net")
    assert check_endpoint("https://127.0.0.1:8443/p", allowed).origin == "https://127.0.0.1:8443"
    assert check_endpoint("https://[::1]:9443/p", allowed).origin == "https://[::1]:9443"
    assert check_endpoint("https://a.b.push.example.net/p", allowed).host == "a.b.push.example.net"
    for url in (
        "https://127.0.0.1/p",
        "https://127.0.0.1:8444/p",
        "https://127.0.0.2:8443/p",
        "https://a.push.example.net:8443/p",
    ):
        with pytest.raises(EndpointRefused):
            check_endpoint(url, allowed)


def test_refusals_do_not_repeat_the_url() -> None:
    with pytest.raises(EndpointRefused) as caught:
        check_endpoint("https://attacker.example/secret-path-123", DEFAULT_HOST_PATTERNS)
    assert "secret-path-123" not in str(caught.value)
    assert "attacker" not in str(caught.value)
