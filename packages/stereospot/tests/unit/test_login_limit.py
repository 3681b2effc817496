"""The login limit and the client it counts against, as pure functions of their inputs:
an injected clock, addresses and headers."""

from __future__ import annotations

import pytest

from stereospot.client_ip import client_ip, limit_key, parse_networks
from stereospot.errors import SettingsError
from stereospot.login_limit import LoginLimiter
from stereospot.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_fill_a_window_then_each_try_waits_for_its_end() -> None:
    clock = Clock()
    limit = LoginLimiter(max_failures=3, window_seconds=60, clock=clock)
    assert [limit.attempt("a") for _ in range(3)] == [None, None, None]
    clock.now += 20
    assert limit.attempt("a") == 40  # whole seconds until the window that began at 1000 ends
    clock.now += 39.5
    assert limit.attempt("a") == 1  # rounded up, never 0
    assert limit.failures("a") == 3  # refused tries neither count nor extend the window
    clock.now += 0.5
    assert limit.attempt("a") is None  # a new window
    assert limit.failures("a") == 1


def test_a_right_token_gives_back_only_its_own_slot() -> None:
    limit = LoginLimiter(max_failures=3, window_seconds=60, clock=Clock())
    limit.attempt("a")
    limit.attempt("a")  # two failures
    assert limit.attempt("a") is None
    limit.succeeded("a")
    assert limit.failures("a") == 2  # earlier failures stay counted
    assert limit.attempt("a") is None
    assert limit.attempt("a") == 60  # the third failure fills it


def test_parallel_tries_each_take_a_slot_before_any_is_checked() -> None:
    limit = LoginLimiter(max_failures=5, window_seconds=60, clock=Clock())
    allowed = [limit.attempt("a") is None for _ in range(1000)]
    assert allowed.count(True) == 5


def test_clients_are_counted_apart_and_forgotten_least_recent_first() -> None:
    limit = LoginLimiter(max_failures=1, window_seconds=60, clock=Clock(), tracked=2)
    assert limit.attempt("a") is None and limit.attempt("b") is None
    assert limit.attempt("a") is not None  # a is full; b is untouched by it
    assert limit.attempt("c") is None  # b, seen least recently, is forgotten
    assert limit.failures("a") == 1 and limit.failures("b") == 0


def test_a_limit_needs_a_try_and_a_window() -> None:
    for bad in ({"max_failures": 0}, {"window_seconds": 0}, {"tracked": 0}):
        with pytest.raises(ValueError):
            LoginLimiter(**bad)  # type: ignore[arg-type]


PROXIES = parse_networks("10.0.0.0/8, 2001:db8:ffff::1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "client"),
    [
        ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),  # nobody trusted: the peer
        ("203.0.113.9", "198.51.100.1", PROXIES, "203.0.113.9"),  # an untrusted peer
        ("10.0.0.2", "198.51.100.1", PROXIES, "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.1.1.1", PROXIES, "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1:5000", PROXIES, "198.51.100.1"),
        ("10.0.0.2", "[2001:db8::7]:443", PROXIES, "2001:db8::7"),
        ("2001:db8:ffff::1", "2001:db8::7", PROXIES, "2001:db8::7"),
        ("10.0.0.2", "junk, 10.1.1.1", PROXIES, "10.1.1.1"),  # no address: the proxy stands
        ("10.0.0.2", "10.1.1.1", PROXIES, "10.1.1.1"),  # all trusted: the leftmost proxy
        ("10.0.0.2", None, PROXIES, "10.0.0.2"),
        (None, None, (), "unknown"),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(
    peer: str | None, forwarded: str | None, proxies: tuple[object, ...], client: str
) -> None:
    assert client_ip(peer, forwarded, proxies) == client  # type: ignore[arg-type]


def test_ipv6_clients_are_counted_by_their_64() -> None:
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:ffff::9")
    assert limit_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1")
    assert limit_key("::ffff:198.51.100.1") == "198.51.100.1"
    assert limit_key("198.51.100.1") == "198.51.100.1"
    assert limit_key("unknown") == "unknown"


def test_trusted_proxies_setting_is_parsed_checked_and_passed_on() -> None:
    settings = Settings.from_env({"STEREOSPOT_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::1"})
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "2001:db8::1/128"]
    again = Settings.from_env(settings.to_env())  # a worker process reads the same
    assert again.trusted_proxies == settings.trusted_proxies
    assert Settings.from_env({}).trusted_proxies == ()  # nobody by default
    with pytest.raises(SettingsError, match="STEREOSPOT_TRUSTED_PROXIES"):
        Settings.from_env({"STEREOSPOT_TRUSTED_PROXIES": "10.0.0.0/8, the-balancer"})
