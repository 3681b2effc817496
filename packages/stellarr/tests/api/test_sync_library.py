"""POST /sync/library on every store adapter: validation, duplicates, replace or add, the
requests it fulfils, and an atomic replace under a concurrent reader."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from stellarr.domain.models import MediaType, RequestStatus
from stellarr.store.sqlite import sqlite_stores
from stellarr_testing.asgi_driver import drive, http_scope
from stellarr_testing.fake_notify import FakeNotifyTarget
from stellarr_testing.harness import ADMIN_PASSWORD, Harness
from stellarr_testing.webhooks import TOKEN, seed

from .conftest import MakeApi


async def sync(
    api: Harness,
    items: Any,
    media_type: str = "movie",
    clear: str | None = None,
    token: str | None = TOKEN,
) -> Any:
    params = {"media_type": media_type}
    if clear is not None:
        params["clear"] = clear
    if token is not None:
        params["token"] = token
    body = items if isinstance(items, bytes) else json.dumps(items).encode()
    return await api.client.post(
        "/sync/library", params=params, content=body, headers={"content-type": "application/json"}
    )


def done(synced: int, marked: int, media_type: str = "movie") -> dict[str, object]:
    return {
        "status": "success",
        "synced": synced,
        "marked_as_added": marked,
        "media_type": media_type,
    }


async def test_add_then_replace(hooks: Harness) -> None:
    store = hooks.services.store
    first = await sync(hooks, [{"tmdb_id": 3}, {"tmdb_id": "1"}, {"tmdb_id": 3, "title": "x"}])
    assert first.json() == done(2, 0)
    assert await store.library_ids(MediaType.MOVIE) == [1, 3]
    added = await sync(hooks, [{"tmdb_id": 2}], clear="false")
    assert added.json() == done(1, 0)
    assert await store.library_ids(MediaType.MOVIE) == [1, 2, 3]
    replaced = await sync(hooks, [{"tmdb_id": 9}, {"tmdb_id": 8}], clear="true")
    assert replaced.json() == done(2, 0)
    assert await store.library_ids(MediaType.MOVIE) == [8, 9]
    emptied = await sync(hooks, [], clear="true")
    assert emptied.json() == done(0, 0)
    assert await store.library_ids(MediaType.MOVIE) == []


async def test_media_types_are_kept_apart(hooks: Harness) -> None:
    await seed(hooks, MediaType.MOVIE, 66732, "A film with a show's id")
    response = await sync(hooks, [{"tmdb_id": 66732}], media_type="tv", clear="true")
    assert response.json() == done(1, 0, "tv")
    assert await hooks.services.store.library_ids(MediaType.TV) == [66732]
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == []
    request = await hooks.services.store.get_request(MediaType.MOVIE, 66732)
    assert request is not None and request.status is RequestStatus.PENDING


async def test_requests_are_marked_by_tmdb_tvdb_or_imdb_id(
    notifying_hooks: Harness, notify_target: FakeNotifyTarget
) -> None:
    api = notifying_hooks
    await seed(api, MediaType.TV, 66732, "Stranger Things")
    await seed(api, MediaType.TV, 1399, "Game of Thrones", tvdb_id=121361)
    await seed(api, MediaType.TV, 1396, "Breaking Bad", imdb_id="tt0903747")
    await seed(api, MediaType.TV, 4242, "Not in the library", tvdb_id=1, imdb_id="tt0000001")
    before = len(notify_target.messages())
    items = [
        {"tmdb_id": 66732},
        {"tmdb_id": 500001, "tvdb_id": 121361},  # another TMDB id, the request's TVDB id
        {"tmdb_id": 500002, "imdb_id": "tt0903747", "tvdb_id": None},
    ]
    response = await sync(api, items, media_type="tv", clear="true")
    assert response.json() == done(3, 3, "tv")
    store = api.services.store
    statuses = {r.tmdb_id: r.status for r in await store.list_requests(MediaType.TV)}
    assert statuses == {
        66732: RequestStatus.ADDED,
        1399: RequestStatus.ADDED,
        1396: RequestStatus.ADDED,
        4242: RequestStatus.PENDING,
    }
    # A request matched by another id enters the library under its own TMDB id too.
    assert await store.library_ids(MediaType.TV) == [1396, 1399, 66732, 500001, 500002]
    titles = sorted(m.body["message"] for m in notify_target.messages()[before:])
    assert len(titles) == 3 and all("has been added to the library" in t for t in titles)

    again = await sync(api, items, media_type="tv", clear="true")
    assert again.json() == done(3, 0, "tv")
    assert len(notify_target.messages()) - before == 3


@pytest.mark.parametrize(
    ("items", "detail"),
    [
        ([{"tmdb_id": 1}, {"tmdb_id": 0}], "item 1: tmdb_id"),
        ([{"tmdb_id": 1}, {"title": "no id"}], "item 1: tmdb_id"),
        ([{"tmdb_id": True}], "item 0: tmdb_id"),
        ([{"tmdb_id": 1.5}], "item 0: tmdb_id"),
        ([{"tmdb_id": -4}], "item 0: tmdb_id"),
        ([{"tmdb_id": 2**31 + 1}], "item 0: tmdb_id"),
        ([{"tmdb_id": "12a"}], "item 0: tmdb_id"),
        ([{"tmdb_id": 1}, {"tmdb_id": 2}, {"tmdb_id": 3, "tvdb_id": "abc"}], "item 2: tvdb_id"),
        ([{"tmdb_id": 1, "imdb_id": "0133093"}], "item 0: imdb_id"),
        ([{"tmdb_id": 1, "imdb_id": 133093}], "item 0: imdb_id"),
        ([{"tmdb_id": 1, "title": 5}], "item 0: title"),
        ([{"tmdb_id": 1}, "603"], "item 1: must be an object"),
        ([None], "item 0: must be an object"),
        ([[603]], "item 0: must be an object"),
        ({"tmdb_id": 1}, "JSON array"),
        ("603", "JSON array"),
        ([{"tmdb_id": i} for i in range(1, 100_002)], "at most 100000 items"),
    ],
)
async def test_each_item_is_validated_and_the_first_bad_index_named(
    hooks: Harness, items: Any, detail: str
) -> None:
    response = await sync(hooks, items, clear="true")
    assert response.status_code == 422, response.text
    assert detail in response.json()["detail"]
    assert await hooks.services.store.library_ids(MediaType.MOVIE) == []


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"media_type": "person"}, 422),
        ({"media_type": ""}, 422),
        ({"clear": "maybe"}, 422),
        ({"token": None}, 401),
        ({"token": "wrong"}, 401),
    ],
)
async def test_parameters_and_token(
    hooks: Harness, params: dict[str, str | None], status: int
) -> None:
    arguments: dict[str, Any] = {"media_type": "movie", "clear": "true", "token": TOKEN}
    arguments.update(params)
    response = await sync(hooks, [{"tmdb_id": 1}], **arguments)
    assert response.status_code == status
    assert response.json()["detail"]
    assert TOKEN not in response.text


async def test_the_token_is_checked_before_the_body(make_api: MakeApi, hooks: Harness) -> None:
    assert (await sync(hooks, b"{not json", token="wrong")).status_code == 401
    assert (await sync(hooks, b"{not json")).status_code == 400
    # Nesting deeper than the JSON decoder recurses is bad input too, not a crash.
    nested = await sync(hooks, b"[" * 100_000 + b"]" * 100_000)
    assert (nested.status_code, nested.json()) == (400, {"detail": "The body is not valid JSON"})
    unset = await make_api()
    refused = await sync(unset, [{"tmdb_id": 1}])
    assert (refused.status_code, refused.json()) == (403, {"detail": "webhook not configured"})


async def test_body_limit_is_32_mib_for_this_route(hooks: Harness) -> None:
    padded = [{"tmdb_id": 1, "title": "x" * 900}] * 2500  # ~2.3 MB, over the 1 MiB default
    assert (await sync(hooks, padded)).json() == done(1, 0)
    huge = b"[" + b" " * (32 * 1024 * 1024) + b"]"
    response = await sync(hooks, huge)
    assert response.status_code == 413


@pytest.mark.parametrize("value", [b"{}", b"[]", b"1", b'""'])
async def test_a_body_of_many_tiny_values_is_refused_while_it_arrives(
    hooks: Harness, value: bytes
) -> None:
    """`[{},{},...]` in 32 MiB would be ten million objects once parsed: counted as it
    arrives, it is refused after about a megabyte, and never parsed."""
    chunk = (value + b",") * (1024 * 1024 // (len(value) + 1))
    query = f"media_type=movie&clear=true&token={TOKEN}"
    scope = http_scope("POST", "/sync/library", query, [("transfer-encoding", "chunked")])
    exchange = await drive(hooks.app, scope, [b"[", *[chunk] * 6, value + b"]"])
    assert exchange.status == 422
    assert exchange.json()["detail"].startswith("at most 100000 items per sync")
    assert exchange.pulled_before_answer is not None and exchange.pulled_before_answer <= 4


async def test_a_library_of_100000_titles(make_api_with: MakeApi, tmp_path: Path) -> None:
    api = await make_api_with(stores=sqlite_stores(tmp_path / "big.db"), PLEX_WEBHOOK_TOKEN=TOKEN)
    await seed(api, MediaType.MOVIE, 77777, "Somewhere in there")
    items = [
        {"tmdb_id": i, "imdb_id": f"tt{i:07d}", "title": f"Film {i}"} for i in range(1, 100_001)
    ]
    response = await sync(api, items, clear="true")
    assert response.json() == done(100_000, 1)
    assert len(await api.services.store.library_ids(MediaType.MOVIE)) == 100_000


async def test_a_replace_is_atomic_for_concurrent_readers(hooks: Harness) -> None:
    store = hooks.services.store
    auth = await hooks.login("admin", ADMIN_PASSWORD)
    old = list(range(1, 2001))
    new = list(range(5001, 7001))
    assert (await sync(hooks, [{"tmdb_id": i} for i in old], clear="true")).status_code == 200

    replace = asyncio.create_task(sync(hooks, [{"tmdb_id": i} for i in new], clear="true"))
    seen: list[list[int]] = []
    while not replace.done():
        seen.append(await store.library_ids(MediaType.MOVIE))
        status = await hooks.client.get("/api/library-status", headers=auth)
        seen.append(status.json()["library"].get("movie", []))
    assert (await replace).json() == done(2000, 0)
    seen.append(await store.library_ids(MediaType.MOVIE))
    assert len(seen) >= 3
    assert all(ids in (old, new) for ids in seen), {len(ids) for ids in seen}
    assert seen[-1] == new
