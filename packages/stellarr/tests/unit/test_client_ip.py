import ipaddress

from stellarr.domain.client_ip import client_ip

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


def test_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_ip("198.51.100.1", "1.2.3.4", PROXIES) == "198.51.100.1"
    assert client_ip("198.51.100.1", "1.2.3.4", ()) == "198.51.100.1"


def test_rightmost_untrusted_hop_behind_trusted_proxies() -> None:
    assert client_ip("10.0.0.5", "6.6.6.6, 203.0.113.9, 10.1.1.1", PROXIES) == "203.0.113.9"
    assert client_ip("fd00::1", "203.0.113.9", PROXIES) == "203.0.113.9"


def test_all_trusted_or_empty_forwarded_for() -> None:
    assert client_ip("10.0.0.5", "10.0.0.7, 10.0.0.8", PROXIES) == "10.0.0.7"
    assert client_ip("10.0.0.5", "", PROXIES) == "10.0.0.5"
    assert client_ip(None, None, PROXIES) == "unknown"


def test_rate_limits_apply_per_ipv4_address_and_per_ipv6_slash_64() -> None:
    from stellarr.domain.client_ip import rate_limit_key

    assert rate_limit_key("198.51.100.7") == "198.51.100.7"
    assert rate_limit_key("2001:db8:1:2:aaaa::1") == rate_limit_key("2001:db8:1:2:ffff::9")
    assert rate_limit_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert rate_limit_key("2001:db8:1:3::1") != rate_limit_key("2001:db8:1:2::1")
    assert rate_limit_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert rate_limit_key("unknown") == "unknown"


def test_hops_are_normalised_to_the_address_so_ports_share_one_bucket() -> None:
    assert client_ip("10.0.0.5", "198.51.100.10:4000", PROXIES) == "198.51.100.10"
    assert client_ip("10.0.0.5", "198.51.100.10:4001", PROXIES) == "198.51.100.10"
    assert client_ip("10.0.0.5", "[2001:db8::1]:443", PROXIES) == "2001:db8::1"
    assert client_ip("10.0.0.5", "[2001:DB8::1]", PROXIES) == "2001:db8::1"
    assert client_ip("10.0.0.5", "2001:db8::1", PROXIES) == "2001:db8::1"
    assert client_ip("10.0.0.5", "203.0.113.9, 10.0.0.7:8080", PROXIES) == "203.0.113.9"


def test_a_hop_that_is_no_address_is_not_a_client_identity() -> None:
    # Each made-up word would otherwise get its own fresh login-limit bucket.
    for junk in ("unknown", "_hidden", "evil.example", "1.2.3.4.5", "x" * 300):
        assert client_ip("10.0.0.5", junk, PROXIES) == "10.0.0.5"
    assert client_ip("10.0.0.5", "garbage, 10.0.0.7", PROXIES) == "10.0.0.7"
