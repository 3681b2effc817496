"""AWS Signature Version 4 as a pure function: same inputs, same headers, no clock or I/O.

The URL is taken exactly as it goes on the wire (already percent-encoded). S3 signs that
path verbatim; every other service signs it encoded once more, after dot-segment removal.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote, unquote_to_bytes, urlsplit

from stellarr.aws.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Hop-by-hop and tracing headers that proxies may rewrite, so signing them breaks requests.
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)
_REPLACED = frozenset({"authorization", "x-amz-date", "x-amz-security-token"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def sign(
    method: str,
    url: str,
    headers: Headers,
    body: bytes,
    *,
    region: str,
    service: str,
    credentials: Credentials,
    timestamp: datetime,
    unsigned_payload: bool = False,
) -> list[tuple[str, str]]:
    """Return the headers to send: the given ones plus Host, X-Amz-Date, token and signature."""
    pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
    is_s3 = service == "s3"
    drop = _REPLACED | {"x-amz-content-sha256"} if is_s3 else _REPLACED
    out = [(k, v) for k, v in pairs if k.lower() not in drop]
    amz_date = timestamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    out.append(("X-Amz-Date", amz_date))
    if credentials.session_token:
        out.append(("X-Amz-Security-Token", credentials.session_token))

    given_hash = next((v for k, v in pairs if k.lower() == "x-amz-content-sha256"), None)
    if unsigned_payload:
        payload_hash = UNSIGNED_PAYLOAD
    elif given_hash is not None and not is_s3:
        payload_hash = given_hash
    else:
        payload_hash = hashlib.sha256(body).hexdigest()
    if is_s3:
        # S3 refuses signed requests that do not state the payload hash in this header.
        out.append(("X-Amz-Content-SHA256", payload_hash))
    if not any(k.lower() == "host" for k, _ in out):
        out.insert(0, ("Host", host_header(url)))

    parts = urlsplit(url)
    canonical_headers, signed_headers = _canonical_headers(out)
    canonical_request = "\n".join(
        [
            method.upper(),
            canonical_uri(parts.path, double_encode=not is_s3),
            canonical_query(parts.query),
            canonical_headers,
            signed_headers,
            payload_hash,
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = signing_key(credentials.secret_access_key, amz_date[:8], region, service)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    out.append(
        (
            "Authorization",
            f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}",
        )
    )
    return out


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def canonical_uri(path: str, *, double_encode: bool) -> str:
    if not double_encode:
        return path or "/"
    return quote(remove_dot_segments(path) or "/", safe="/~")


def remove_dot_segments(path: str) -> str:
    # RFC 3986 5.2.4, plus AWS's rule that empty segments (//) collapse.
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if out:
                out.pop()
        elif segment and segment != ".":
            out.append(segment)
    if not path:
        return ""
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") and out else ""
    return lead + "/".join(out) + trail


def canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = []
    for item in query.split("&"):
        key, _, value = item.partition("=")
        # Decode then re-encode so both "a b" and "a%20b" sign the same RFC 3986 form.
        pairs.append((_rfc3986(key), _rfc3986(value)))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _rfc3986(text: str) -> str:
    return quote(unquote_to_bytes(text), safe="-_.~")


def _canonical_headers(headers: list[tuple[str, str]]) -> tuple[str, str]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        lname = name.lower().strip()
        if lname not in UNSIGNED_HEADERS:
            grouped.setdefault(lname, []).append(" ".join(value.split()))
    names = sorted(grouped)
    lines = "".join(f"{n}:{','.join(grouped[n])}\n" for n in names)
    return lines, ";".join(names)
