from __future__ import annotations

from urllib.parse import quote

import pytest

from stellarr_testing.harness import Harness


async def expect(
    api: Harness,
    method: str,
    path: str,
    status: int,
    headers: dict[str, str] | None = None,
    **kw: object,
) -> str:
    auth = await api.login()
    response = await api.client.request(method, path, headers={**auth, **(headers or {})}, **kw)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    return detail


@pytest.mark.parametrize("media_type", ["person", "MOVIE", "", "movie#", "LIBRARY#movie"])
async def test_media_type_outside_movie_or_tv_is_422_everywhere(
    api: Harness, media_type: str
) -> None:
    await expect(api, "POST", "/api/request", 422, json={"tmdb_id": 1, "media_type": media_type})
    await expect(api, "POST", "/api/search", 422, json={"query": "x", "media_type": media_type})
    await expect(api, "GET", "/api/requests", 422, params={"media_type": media_type})
    if media_type:
        await expect(api, "DELETE", f"/api/request/{quote(media_type, safe='')}/1", 422)


@pytest.mark.parametrize("tmdb_id", [0, -1, 2**31 + 1, 10**20, "abc", 1.5])
async def test_tmdb_id_out_of_range_is_422(api: Harness, tmdb_id: object) -> None:
    await expect(api, "POST", "/api/request", 422, json={"tmdb_id": tmdb_id, "media_type": "movie"})
    await expect(api, "DELETE", f"/api/request/movie/{tmdb_id}", 422)


@pytest.mark.parametrize(
    "body",
    [
        {"query": "x" * 201},
        {"query": ""},
        {"query": "x", "page": 0},
        {"query": "x", "page": 501},
        {"query": "x", "language": "en_US; DROP"},
        {},
    ],
)
async def test_search_limits_are_422(api: Harness, body: dict[str, object]) -> None:
    await expect(api, "POST", "/api/search", 422, json=body)


async def test_validation_errors_do_not_echo_input(api: Harness) -> None:
    detail = await expect(api, "POST", "/api/search", 422, json={"query": "SECRETISH" * 30})
    assert "SECRETISH" not in detail and "query" in detail


async def test_bodies_over_one_mebibyte_are_413(api: Harness) -> None:
    big = b'{"query": "' + b"x" * (1024 * 1024) + b'"}'
    auth = await api.login()
    declared = await api.client.post(
        "/api/search", content=big, headers={**auth, "Content-Type": "application/json"}
    )
    assert declared.status_code == 413 and declared.json()["detail"]
    assert declared.headers["X-Content-Type-Options"] == "nosniff"

    async def chunks():  # type: ignore[no-untyped-def]
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    streamed = await api.client.post(
        "/api/auth/verify", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_malformed_json_is_422(api: Harness) -> None:
    await expect(
        api,
        "POST",
        "/api/request",
        422,
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )


async def test_unknown_api_paths_are_json_404(api: Harness) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = await api.client.request(method, "/api/nope/deeper")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found"}
