"""Our SigV4 signer must agree byte for byte with botocore's on randomised requests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from stellarr.aws.credentials import Credentials
from stellarr.aws.sigv4 import canonical_query, canonical_uri, sign

SEED = 20240611
CASES = 400
SERVICES = ("dynamodb", "s3", "secretsmanager")
REGIONS = ("us-east-1", "eu-west-2", "ap-southeast-1")
HOSTS = (
    "https://dynamodb.us-east-1.amazonaws.com",
    "https://bucket.s3.eu-west-2.amazonaws.com",
    "http://127.0.0.1:8000",
    "http://localhost:4566",
    "https://Secretsmanager.EU-WEST-2.amazonaws.com:443",
    "http://example.com:80",
)
PATH_CHARS = "abcXYZ019-_.~ !*'()@:$,;=&+é€日本\u00a0"
QUERY_CHARS = "abcXYZ019-_.~ !*'()/?:@&=+$,%é€"
HEADER_NAMES = (
    "Content-Type",
    "content-type",
    "X-Amz-Target",
    "x-amz-meta-Colour",
    "X-Custom",
    "x-custom",
    "Cache-Control",
    "User-Agent",
    "Content-MD5",
    "Host",
)
HEADER_VALUES = ("application/json", "  spaced   out  value ", "a\tb", "", "UPPER lower", "x,y")


def _text(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _path(rng: random.Random) -> str:
    segments = []
    for _ in range(rng.randint(0, 5)):
        roll = rng.random()
        if roll < 0.08:
            segments.append(rng.choice([".", "..", ""]))
        else:
            raw = _text(rng, PATH_CHARS, 1, 12)
            # Wire paths arrive percent-encoded, with some sub-delims left bare.
            segments.append(quote(raw, safe=rng.choice(["", "!*'()", "@:$,;=", "~"])))
    path = "/" + "/".join(segments)
    if segments and rng.random() < 0.2:
        path += "/"
    return path


def _query(rng: random.Random) -> str:
    keys = [_text(rng, QUERY_CHARS, 1, 6) for _ in range(rng.randint(1, 3))]
    pairs = []
    for _ in range(rng.randint(0, 6)):
        key = quote(rng.choice(keys), safe="-_.~")
        roll = rng.random()
        if roll < 0.15:
            pairs.append(key)  # a bare flag such as ?acl
        elif roll < 0.3:
            pairs.append(f"{key}=")
        else:
            pairs.append(f"{key}={quote(_text(rng, QUERY_CHARS, 0, 8), safe='-_.~')}")
    return "&".join(pairs)


def _headers(rng: random.Random, url: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name in rng.sample(HEADER_NAMES, rng.randint(0, 5)):
        if name == "Host":
            headers[name] = url.split("://", 1)[1].split("/", 1)[0].lower()
        else:
            headers[name] = rng.choice(HEADER_VALUES)
    return headers


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    service: str
    region: str
    credentials: Credentials
    timestamp: datetime


def _case(rng: random.Random) -> Case:
    url = rng.choice(HOSTS) + _path(rng)
    query = _query(rng)
    if query:
        url += "?" + query
    token = _text(rng, "ABCDEFabcdef0123456789+/=", 40, 120) if rng.random() < 0.5 else None
    return Case(
        method=rng.choice(["GET", "PUT", "POST", "DELETE", "HEAD"]),
        url=url,
        headers=_headers(rng, url),
        body=rng.randbytes(rng.choice([0, 0, 1, 17, 300])),
        service=rng.choice(SERVICES),
        region=rng.choice(REGIONS),
        credentials=Credentials(
            "AKIA" + _text(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 16),
            _text(rng, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789+/", 40, 40),
            token,
        ),
        timestamp=datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 400_000_000)),
    )


def _botocore_headers(case: Case, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    frozen = case.timestamp.replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: frozen)
    request = AWSRequest(
        method=case.method, url=case.url, headers=dict(case.headers), data=case.body
    )
    creds = case.credentials
    boto_creds = BotoCredentials(creds.access_key_id, creds.secret_access_key, creds.session_token)
    signer = botocore.auth.S3SigV4Auth if case.service == "s3" else botocore.auth.SigV4Auth
    signer(boto_creds, case.service, case.region).add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


def _our_headers(case: Case) -> dict[str, str]:
    signed = sign(
        case.method,
        case.url,
        case.headers,
        case.body,
        region=case.region,
        service=case.service,
        credentials=case.credentials,
        timestamp=case.timestamp,
    )
    return {k.lower(): v for k, v in signed}


def test_randomised_requests_sign_exactly_like_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(SEED)
    compared = {"s3": 0, "dynamodb": 0, "secretsmanager": 0, "token": 0}
    for number in range(CASES):
        case = _case(rng)
        ours = _our_headers(case)
        theirs = _botocore_headers(case, monkeypatch)
        context = f"case {number}: {case.method} {case.url} {case.headers}"
        assert ours["authorization"] == theirs["authorization"], context
        assert ours["x-amz-date"] == theirs["x-amz-date"], context
        assert ours.get("x-amz-security-token") == theirs.get("x-amz-security-token"), context
        assert ours.get("x-amz-content-sha256") == theirs.get("x-amz-content-sha256"), context
        compared[case.service] += 1
        compared["token"] += "x-amz-security-token" in ours
    # The seed must really exercise every service, with and without session tokens.
    assert min(compared.values()) > 50
    assert compared["token"] < CASES


def test_aws_test_suite_get_vanilla() -> None:
    # The "get-vanilla" case of AWS's published SigV4 test suite.
    signed = dict(
        sign(
            "GET",
            "https://example.amazonaws.com/",
            {},
            b"",
            region="us-east-1",
            service="service",
            credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            timestamp=datetime(2015, 8, 30, 12, 36, tzinfo=UTC),
        )
    )
    assert signed["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )
    assert signed["X-Amz-Date"] == "20150830T123600Z"
    assert signed["Host"] == "example.amazonaws.com"


def test_s3_signs_the_encoded_path_verbatim_while_others_encode_it_again() -> None:
    assert canonical_uri("/my%20key/%E2%82%AC", double_encode=False) == "/my%20key/%E2%82%AC"
    assert canonical_uri("/my%20key/%E2%82%AC", double_encode=True) == "/my%2520key/%25E2%2582%25AC"
    assert canonical_uri("/a/./b/../c//d/", double_encode=True) == "/a/c/d/"
    assert canonical_uri("", double_encode=True) == "/"


def test_query_is_sorted_and_rfc3986_encoded() -> None:
    assert canonical_query("b=2&a=1&a=0&flag") == "a=0&a=1&b=2&flag="
    assert canonical_query("k=a b&s=%2f~") == "k=a%20b&s=%2F~"
    assert canonical_query("") == ""


def test_session_token_and_s3_payload_hash_are_sent() -> None:
    creds = Credentials("AKIDEXAMPLE", "secret", "the-token")
    signed = dict(
        sign(
            "PUT",
            "https://bucket.s3.us-east-1.amazonaws.com/k",
            {"X-Amz-Content-SHA256": "stale"},
            b"hello",
            region="us-east-1",
            service="s3",
            credentials=creds,
            timestamp=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        )
    )
    assert signed["X-Amz-Security-Token"] == "the-token"
    assert signed["X-Amz-Content-SHA256"] == (
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    )
    assert "x-amz-security-token" in signed["Authorization"]
    assert "secret" not in signed["Authorization"]
