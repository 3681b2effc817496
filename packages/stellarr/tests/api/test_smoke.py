from stellarr_testing.harness import Harness


async def test_health(api: Harness) -> None:
    response = await api.client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "service": "stellarr"}


async def test_login_search_request_feed_remove(api: Harness) -> None:
    auth = await api.login()
    found = await api.client.post("/api/search", json={"query": "star trek"}, headers=auth)
    assert found.status_code == 200, found.text
    movie = next(r for r in found.json()["results"] if r["media_type"] == "movie")
    added = await api.client.post(
        "/api/request", json={"tmdb_id": movie["id"], "media_type": "movie"}, headers=auth
    )
    assert added.status_code == 201, added.text
    feed = await api.client.get("/list/radarr/tmdb")
    assert feed.json() == [{"id": movie["id"], "title": movie["title"]}]
    gone = await api.client.delete(f"/api/request/movie/{movie['id']}", headers=auth)
    assert gone.json() == {"success": True, "message": "Request removed"}
    assert (await api.client.get("/list/radarr/tmdb")).json() == []


async def test_the_schema_lists_the_media_server_routes_parameters(api: Harness) -> None:
    paths = (await api.client.get("/api/openapi.json")).json()["paths"]

    def parameters(path: str) -> dict[str, object]:
        return {
            p["name"]: p.get("schema", {}).get("enum") for p in paths[path]["post"]["parameters"]
        }

    for hook in ("/webhook/plex", "/webhook/jellyfin", "/webhook/emby"):
        assert parameters(hook) == {"token": None}
    assert parameters("/sync/library") == {
        "media_type": ["movie", "tv"],
        "clear": ["true", "false"],
        "token": None,
    }
