from __future__ import annotations

import asyncio
import time

import pytest

from stellarr.domain import challenge
from stellarr.domain.tokens import issue_token
from stellarr.services.login_keys import NEW_DERIVATIONS_PER_CLIENT_PER_MINUTE
from stellarr_testing.harness import ADMIN_PASSWORD, SECRET_KEY, USER_PASSWORD, Harness
from stellarr_testing.login import ORIGIN, login_body

from .conftest import MakeApi


async def failures(api: Harness, client: str) -> int:
    entry = await api.services.stores.keys.get(f"RATELIMIT#login:{client}", time.time())
    return entry.count if entry else 0


async def verify(api: Harness, body: dict[str, object], **kw: object) -> tuple[int, dict]:
    response = await api.client.post("/api/auth/verify", json=body, **kw)  # type: ignore[arg-type]
    return response.status_code, response.json()


async def test_params(api: Harness) -> None:
    response = await api.client.get("/api/auth/params")
    assert response.json() == {"iterations": 100000}


async def test_user_and_admin_login(api: Harness) -> None:
    status, body = await verify(api, login_body(USER_PASSWORD, "  Alice  "))
    assert status == 200
    assert (body["valid"], body["name"], body["role"]) == (True, "Alice", "user")
    assert body["token"].count(".") == 2
    status, body = await verify(api, login_body(ADMIN_PASSWORD, "Root"))
    assert (status, body["role"]) == (200, "admin")
    assert body["token"].count(".") == 3


async def test_wrong_password_stale_and_future_timestamps_are_401(api: Harness) -> None:
    now = int(time.time())
    assert (await verify(api, login_body("wrong")))[0] == 401
    # well past the edge: the exact 300 s boundary is tested in unit/test_challenge.py
    assert (await verify(api, login_body(USER_PASSWORD, timestamp=now - 310)))[0] == 401
    assert (await verify(api, login_body(USER_PASSWORD, timestamp=now + 310)))[0] == 401
    assert await failures(api, "203.0.113.7") == 3


async def test_foreign_origin_is_refused(api: Harness) -> None:
    status, body = await verify(api, login_body(USER_PASSWORD, origin="https://evil.example"))
    assert status == 401 and body["detail"] == "Origin not allowed"


async def test_origin_falls_back_to_public_url_then_to_the_request(make_api: MakeApi) -> None:
    public = await make_api(ALLOWED_ORIGINS="", PUBLIC_URL="https://req.example.com/")
    assert (await verify(public, login_body(USER_PASSWORD, origin="https://req.example.com")))[
        0
    ] == 200
    assert (await verify(public, login_body(USER_PASSWORD, origin=ORIGIN)))[0] == 401
    own = await make_api(ALLOWED_ORIGINS="", base_url="http://media.lan:8000")
    assert (await verify(own, login_body(USER_PASSWORD, origin="http://media.lan:8000")))[0] == 200
    assert (await verify(own, login_body(USER_PASSWORD, origin=ORIGIN)))[0] == 401


async def test_a_challenge_is_accepted_once(api: Harness) -> None:
    body = login_body(USER_PASSWORD)
    assert (await verify(api, body))[0] == 200
    status, answer = await verify(api, body)
    assert status == 401 and "already used" in answer["detail"]
    upper = dict(body, hash=str(body["hash"]).upper())
    assert (await verify(api, upper))[0] == 401


async def test_five_failures_lock_out_even_the_right_password(api: Harness) -> None:
    for _ in range(5):
        assert (await verify(api, login_body("wrong")))[0] == 401
    status, body = await verify(api, login_body(USER_PASSWORD))
    assert status == 429 and "Too many" in body["detail"]


async def test_lockout_happens_before_any_hashing(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        await verify(api, login_body("wrong", origin=ORIGIN))
    derivations: list[str] = []
    real = challenge.derive_key
    monkeypatch.setattr(
        challenge, "derive_key", lambda p, o, i=100_000: derivations.append(o) or real(p, o, i)
    )
    assert (await verify(api, login_body(USER_PASSWORD, origin="http://other.test")))[0] == 429
    assert derivations == []


async def test_a_good_login_does_not_wipe_earlier_failures(api: Harness) -> None:
    # "4 wrong, 1 right" must not repeat forever: the shared password would otherwise buy
    # unlimited guesses at the admin password.
    now = int(time.time())
    for _ in range(4):
        await verify(api, login_body("wrong"))
    assert (await verify(api, login_body(USER_PASSWORD, timestamp=now)))[0] == 200
    assert await failures(api, "203.0.113.7") == 4
    assert (await verify(api, login_body("wrong")))[0] == 401
    response = await api.client.post(
        "/api/auth/verify", json=login_body(USER_PASSWORD, timestamp=now - 1)
    )
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 800 < retry_after <= 900
    assert "try again in 15 minutes" in response.json()["detail"]


async def test_rate_limit_is_per_client_ip(make_api: MakeApi) -> None:
    first = await make_api(client_ip="198.51.100.1")
    for _ in range(5):
        await verify(first, login_body("wrong"))
    assert (await verify(first, login_body(USER_PASSWORD)))[0] == 429
    other = await make_api(client_ip="198.51.100.2", stores=first.services.stores)
    assert (await verify(other, login_body(USER_PASSWORD)))[0] == 200


async def test_forwarded_for_is_believed_only_from_trusted_proxies(make_api: MakeApi) -> None:
    api = await make_api(client_ip="10.0.0.2", TRUSTED_PROXIES="10.0.0.0/8")
    spoof = {"X-Forwarded-For": "1.1.1.1, 203.0.113.50"}
    for _ in range(5):
        await verify(api, login_body("wrong"), headers=spoof)
    assert await failures(api, "203.0.113.50") == 5
    assert await failures(api, "10.0.0.2") == 0
    # a client changing the spoofable left part does not escape the limit
    again = {"X-Forwarded-For": "9.9.9.9, 203.0.113.50"}
    assert (await verify(api, login_body(USER_PASSWORD), headers=again))[0] == 429

    direct = await make_api(client_ip="198.51.100.9")
    for _ in range(5):
        await verify(direct, login_body("wrong"), headers={"X-Forwarded-For": "5.5.5.5"})
    assert await failures(direct, "198.51.100.9") == 5


async def test_derived_key_is_computed_once_per_origin(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    derivations: list[str] = []
    real = challenge.derive_key
    monkeypatch.setattr(
        challenge, "derive_key", lambda p, o, i=100_000: derivations.append(o) or real(p, o, i)
    )
    now = int(time.time())
    for offset, name in enumerate(("a", "b", "c")):
        body = login_body(USER_PASSWORD, name, timestamp=now - offset)
        assert (await verify(api, body))[0] == 200
    await verify(api, login_body("wrong"))
    # admin + user key for the one origin, then only SHA-256 per attempt
    assert derivations == [ORIGIN, ORIGIN]


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
async def test_name_must_be_1_to_50_characters(api: Harness, name: str) -> None:
    status, body = await verify(api, login_body(USER_PASSWORD, name))
    assert status == 400 and "name" in body["detail"]


@pytest.mark.parametrize(
    "name",
    [
        "bob\x00",
        "bob\nadmin",
        "\x1b[31mbob",
        "bob\u202eevil",  # right-to-left override
        "bo\u200bb",  # zero-width space
        "\u3164",  # Hangul filler: a letter that renders as nothing
        "\u200b\u200b",
        " \u0301 ",  # a lone combining mark
    ],
)
async def test_names_with_control_or_invisible_characters_are_400(api: Harness, name: str) -> None:
    status, body = await verify(api, login_body(USER_PASSWORD, name))
    assert status == 400 and "name" in body["detail"]


async def test_names_may_be_any_visible_script(api: Harness) -> None:
    status, body = await verify(api, login_body(USER_PASSWORD, "Zoë 山田 مريم"))
    assert status == 200 and body["name"] == "Zoë 山田 مريم"


async def test_a_new_admin_password_revokes_admin_tokens(make_api: MakeApi) -> None:
    api = await make_api()
    admin = await api.login("root", ADMIN_PASSWORD)
    user = await api.login("alice", USER_PASSWORD)
    remove = "/api/request/movie/603"
    assert (await api.client.delete(remove, headers=admin)).status_code == 404  # admin, no row
    rotated = await make_api(stores=api.services.stores, ADMIN_PASSWORD="a brand new admin pw")
    assert (await rotated.client.delete(remove, headers=admin)).status_code == 401
    assert (await rotated.client.delete(remove, headers=user)).status_code == 404
    removed = await make_api(stores=api.services.stores, ADMIN_PASSWORD="")
    assert (await removed.client.delete(remove, headers=admin)).status_code == 401


@pytest.mark.parametrize(
    "patch",
    [
        {"hash": "ünïcødé☃" * 4},
        {"origin": "http://stellarr.test/☃"},
        {"timestamp": "soon"},
        {"timestamp": 10**30},
        {"hash": None},
    ],
)
async def test_malformed_logins_never_500(api: Harness, patch: dict[str, object]) -> None:
    status, body = await verify(api, {**login_body(USER_PASSWORD), **patch})
    assert status in (401, 422) and isinstance(body["detail"], str)


PROTECTED = [
    ("POST", "/api/search", {"query": "x"}),
    ("POST", "/api/request", {"tmdb_id": 1, "media_type": "movie"}),
    ("DELETE", "/api/request/movie/1", None),
    ("GET", "/api/requests", None),
    ("GET", "/api/library-status", None),
    ("GET", "/api/feeds", None),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
async def test_routes_need_a_valid_bearer(
    api: Harness, method: str, path: str, body: object
) -> None:
    now = int(time.time())
    good = issue_token(SECRET_KEY, "alice", "user", now)
    bad_tokens: list[str | bytes | None] = [
        None,
        "Basic abc",
        "Bearer ",
        "Bearer not-a-token",
        f"Bearer {good[:-2]}xx",
        f"Bearer {issue_token('x' * 40, 'alice', 'user', now)}",
        f"Bearer {issue_token(SECRET_KEY, 'alice', 'user', now - 31 * 86400)}",
        f"Bearer {issue_token(SECRET_KEY, 'alice', 'user', now + 3600)}",
        "Bearer ünïcødé.☃.x".encode(),
    ]
    for value in bad_tokens:
        headers = {"Authorization": value} if value else {}
        response = await api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (value, response.text)
        assert response.json()["detail"]
    ok = await api.client.request(
        method, path, json=body, headers={"Authorization": f"Bearer {good}"}
    )
    assert ok.status_code != 401


async def test_parallel_guesses_cannot_outrun_the_limit(api: Harness) -> None:
    now = int(time.time())
    bodies = [login_body("wrong", timestamp=now - i) for i in range(20)]
    statuses = sorted(s for s, _ in await asyncio.gather(*(verify(api, b) for b in bodies)))
    assert statuses.count(401) == 5 and statuses.count(429) == 15


async def test_hosts_cycled_by_a_client_cannot_force_unbounded_pbkdf2(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await make_api(ALLOWED_ORIGINS="")
    derivations: list[str] = []
    real = challenge.derive_key
    monkeypatch.setattr(
        challenge, "derive_key", lambda p, o, i=100_000: derivations.append(o) or real(p, o, i)
    )
    statuses = []
    for n in range(12):
        host = f"evil{n}.example"
        body = login_body("wrong", origin=f"http://{host}")
        statuses.append(
            (await verify(api, body, headers={"Host": host, "X-Forwarded-For": f"10.9.0.{n}"}))[0]
        )
    assert len(derivations) <= NEW_DERIVATIONS_PER_CLIENT_PER_MINUTE
    assert 429 in statuses


async def test_strangers_cannot_make_a_real_login_fail(make_api: MakeApi) -> None:
    # Default configuration: logins trust the Host header. Strangers without the password,
    # from many addresses, send made-up Hosts before and after the real user's logins.
    api = await make_api(ALLOWED_ORIGINS="", TRUSTED_PROXIES="10.0.0.0/8", client_ip="10.0.0.2")

    async def strangers(first: int) -> None:
        for n in range(first, first + 20):
            host = f"made-up-{n}.example"
            headers = {"Host": host, "X-Forwarded-For": f"198.18.{n}.1"}
            await verify(api, login_body("wrong", origin=f"http://{host}"), headers=headers)

    real = {"Host": "media.lan:8000", "X-Forwarded-For": "192.0.2.10"}
    now = int(time.time())
    await strangers(0)
    first = login_body(USER_PASSWORD, origin="http://media.lan:8000", timestamp=now)
    assert (await verify(api, first, headers=real))[0] == 200
    await strangers(100)
    again = login_body(USER_PASSWORD, origin="http://media.lan:8000", timestamp=now - 1)
    assert (await verify(api, again, headers=real))[0] == 200


async def test_huge_timestamp_is_401_not_500(api: Harness) -> None:
    body = {**login_body(USER_PASSWORD), "timestamp": 10**400}
    status, answer = await verify(api, body)
    assert status == 401 and "clock" in answer["detail"]


async def test_a_long_name_is_400(api: Harness) -> None:
    status, _ = await verify(api, login_body(USER_PASSWORD, "n" * 600))
    assert status == 400


async def test_every_forwarded_for_line_counts(make_api: MakeApi) -> None:
    api = await make_api(client_ip="10.0.0.2", TRUSTED_PROXIES="10.0.0.0/8")
    # two header lines: the client's own, then the proxy's; the proxy's line wins
    headers = [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "203.0.113.77")]
    for _ in range(5):
        await api.client.post("/api/auth/verify", json=login_body("wrong"), headers=headers)
    assert await failures(api, "203.0.113.77") == 5


async def test_an_origin_that_had_a_login_never_waits_on_a_strangers_budget(
    make_api: MakeApi,
) -> None:
    # One client spends its whole budget for new origins on made-up Hosts; its own origin,
    # proven by a login before a restart, still logs in (after the restart too).
    api = await make_api(ALLOWED_ORIGINS="", base_url="http://media.lan:8000")
    now = int(time.time())
    real = login_body(USER_PASSWORD, origin="http://media.lan:8000", timestamp=now)
    assert (await verify(api, real))[0] == 200
    restarted = await make_api(
        ALLOWED_ORIGINS="", base_url="http://media.lan:8000", stores=api.services.stores
    )
    statuses = []
    for n in range(NEW_DERIVATIONS_PER_CLIENT_PER_MINUTE // 2 + 1):  # two derivations each
        host = f"made-up-{n}.example"
        body = login_body("wrong", origin=f"http://{host}", timestamp=now - 10 - n)
        statuses.append((await verify(restarted, body, headers={"Host": host}))[0])
    assert statuses[-1] == 429  # the budget for new origins is spent
    again = login_body(USER_PASSWORD, origin="http://media.lan:8000", timestamp=now - 1)
    status, answer = await verify(restarted, again)
    assert status == 200, answer
