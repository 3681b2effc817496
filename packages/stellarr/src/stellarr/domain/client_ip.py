"""Which address a request really came from, believing X-Forwarded-For only from proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def rate_limit_key(address: str) -> str:
    """The unit a login limit applies to: one IPv4 address, or one IPv6 /64 (a single
    subscriber usually holds a whole /64 and could otherwise rotate through it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


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
    # Walk from the right: each trusted hop vouches for the one before it; the first
    # untrusted hop is the client (anything further left is client-controlled). A hop that
    # is no address identifies nobody, so the last proxy that vouched stands in for it.
    last_trusted = peer
    for hop in reversed(forwarded_for.split(",")):
        address = hop_address(hop)
        if address is None:
            return last_trusted
        if not _trusted(address, proxies):
            return address
        last_trusted = address
    return last_trusted


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address; a name that is not an address is not loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
