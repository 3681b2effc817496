"""Which Web Push endpoints Stellarr will POST to. This is an SSRF boundary: a browser
hands us a URL, and the server later sends requests to it, so only https URLs on the
push services' own hosts pass (checked when subscribing and again before every send).

A pattern is `host`, `*.suffix` (any subdomain of suffix, not suffix itself) or an IP
literal, each with an optional `:port`; without one only 443 matches. Wildcards never
match IP literals, so an address (169.254.169.254, 127.0.0.1, ...) is reachable only
when listed exactly.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "*.push.services.mozilla.com",
    "web.push.apple.com",
    "*.notify.windows.com",
)
# Real endpoints are 150 to 600 characters; the cap keeps stored rows and logs small.
MAX_ENDPOINT_LENGTH = 2048
HTTPS_PORT = 443

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


class EndpointRefused(ValueError):
    """A push endpoint Stellarr will not send to; the message says why, without the URL."""


def _ip(host: str) -> str | None:
    """The canonical text of an IP literal, None for a name."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class HostPattern:
    host: str  # a name, a suffix after "*.", or a canonical IP
    port: int
    wildcard: bool = False
    is_ip: bool = False

    @classmethod
    def parse(cls, text: str) -> HostPattern:
        raw = text.strip().lower()
        host, port = raw, HTTPS_PORT
        if raw.startswith("["):
            inside, bracket, rest = raw[1:].partition("]")
            if not bracket or (rest and not rest.startswith(":")):
                raise ValueError(f"{text.strip()!r} is not host[:port]")
            host, port = inside, _port(rest[1:], text) if rest else HTTPS_PORT
        elif raw.count(":") == 1:
            host, _, digits = raw.partition(":")
            port = _port(digits, text)
        ip = _ip(host)
        if ip is not None:
            return cls(ip, port, is_ip=True)
        wildcard = host.startswith("*.")
        name = host[2:] if wildcard else host
        if not _HOSTNAME.fullmatch(name) or (wildcard and "." not in name):
            raise ValueError(
                f"{text.strip()!r} is not a host name, *.suffix (with a dot in the suffix) "
                "or IP address, optionally with :port"
            )
        return cls(name, port, wildcard=wildcard)

    def matches(self, host: str, port: int, is_ip: bool) -> bool:
        if port != self.port or is_ip != self.is_ip:
            return False
        if self.wildcard:
            return host.endswith("." + self.host)
        return host == self.host

    def __str__(self) -> str:
        host = f"*.{self.host}" if self.wildcard else self.host
        if self.is_ip and ":" in host:
            host = f"[{host}]"
        return host if self.port == HTTPS_PORT else f"{host}:{self.port}"


def _port(digits: str, text: str) -> int:
    if not digits.isdigit() or not 1 <= int(digits) <= 65535:
        raise ValueError(f"{text.strip()!r} has no valid port")
    return int(digits)


def parse_host_patterns(raw: str) -> tuple[HostPattern, ...]:
    patterns = tuple(HostPattern.parse(part) for part in raw.split(",") if part.strip())
    if not patterns:
        raise ValueError("must name at least one push service host")
    return patterns


DEFAULT_HOST_PATTERNS = tuple(HostPattern.parse(host) for host in DEFAULT_PUSH_HOSTS)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An endpoint that passed the allow-list; only `check_endpoint` makes one."""

    url: str
    host: str
    port: int

    @property
    def origin(self) -> str:
        """VAPID's `aud`: scheme, host and a port other than 443."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}" if self.port == HTTPS_PORT else f"https://{host}:{self.port}"


def check_endpoint(url: str, allowed: tuple[HostPattern, ...]) -> Endpoint:
    if len(url) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(f"endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    if not url.isascii() or any(c.isspace() or not c.isprintable() for c in url):
        raise EndpointRefused("endpoint must be a plain ASCII URL without spaces")
    try:
        parts = urlsplit(url)
        port = parts.port or HTTPS_PORT
    except ValueError:
        raise EndpointRefused("endpoint is not a valid URL") from None
    if parts.scheme.lower() != "https":
        raise EndpointRefused("endpoint must be an https URL")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise EndpointRefused("endpoint must not carry credentials or a fragment")
    host = (parts.hostname or "").lower()
    ip = _ip(host)
    if ip is None and not _HOSTNAME.fullmatch(host):
        raise EndpointRefused("endpoint has no valid host name")
    host = ip or host
    if not any(pattern.matches(host, port, ip is not None) for pattern in allowed):
        raise EndpointRefused("endpoint is not on an allowed push service (PUSH_ALLOWED_HOSTS)")
    return Endpoint(url, host, port)
