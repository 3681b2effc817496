"""Which client a request came from, for counting its failed logins: X-Forwarded-For is
believed only from the proxies in STEREOSPOT_TRUSTED_PROXIES (anyone else could write it,
and so be a new client on every try). Pure: addresses in, a key out.

The same convention as Stellarr's (the products share conventions, not code).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 2001:db8::/32, 192.0.2.7` -> networks (an address is its own /32 or /128)."""
    networks = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an address or a CIDR network") from None
    return tuple(networks)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def hop_address(hop: str) -> str | None:
    """The address in one X-Forwarded-For hop, without a port or brackets
    (`198.51.100.10:4000`, `[2001:db8::1]:443`); None when the hop is not an address."""
    hop = hop.strip()
    if hop.startswith("["):
        hop = hop[1:].partition("]")[0]
    elif hop.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        hop = hop.partition(":")[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


def client_ip(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    peer = peer or "unknown"
    if not forwarded_for or not proxies or not _trusted(peer, proxies):
        return peer
    # From the right: each trusted hop vouches for the one before it; the first untrusted
    # hop is the client (anything further left is whatever the client wrote). A hop that is
    # no address identifies nobody, so the last proxy that vouched stands in for it.
    last_trusted = peer
    for hop in reversed(forwarded_for.split(",")):
        address = hop_address(hop)
        if address is None:
            return last_trusted
        if not _trusted(address, proxies):
            return address
        last_trusted = address
    return last_trusted


def limit_key(address: str) -> str:
    """What a login limit counts against: one IPv4 address, or one IPv6 /64 (a subscriber
    usually holds a whole /64 and could otherwise take a fresh address for every try)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """The login limit's key for a request from `peer` carrying `forwarded_for`."""
    return limit_key(client_ip(peer, forwarded_for, proxies))
