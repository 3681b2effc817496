"""A stand-in for TheTVDB v4 (api4.thetvdb.com/v4) on 127.0.0.1.

Shapes follow TheTVDB's published v4 swagger (thetvdb.github.io/v4-api): `POST /login`
takes `{"apikey"}` and answers `{"status": "success", "data": {"token"}}`; `GET
/episodes/{id}` answers `{"status": "success", "data": <EpisodeBaseRecord>}`, whose
`seriesId` is what Stellarr reads; failures are `{"status": "failure", "message", "data":
null}`. The episodes are synthetic (filed by the tests), not captures.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from stellarr_testing.http_servers import QuietHandler, serving

API_KEY = "fake-tvdb-api-key-0123456789abcdef"


def failure(message: str) -> dict[str, Any]:
    return {"status": "failure", "message": message, "data": None}


@dataclass
class FakeTVDB:
    url: str = ""
    api_key: str = API_KEY
    episodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    logins: int = 0
    # (method, path, had a bearer token the server issued)
    seen: list[tuple[str, str, bool]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.episodes.clear()
            self.tokens.clear()
            self.seen.clear()
            self.failures.clear()
            self.logins = 0

    def add_episode(
        self, episode_id: int, series_id: int, season: int = 1, number: int = 1
    ) -> None:
        record = {
            "id": episode_id,
            "seriesId": series_id,
            "name": f"Episode {number}",
            "aired": "2021-09-30",
            "runtime": 25,
            "nameTranslations": ["eng"],
            "overview": "",
            "overviewTranslations": ["eng"],
            "image": None,
            "imageType": None,
            "isMovie": 0,
            "seasons": None,
            "number": number,
            "absoluteNumber": 0,
            "seasonNumber": season,
            "lastUpdated": "2024-01-01 00:00:00",
            "finaleType": None,
            "year": "2021",
        }
        with self.lock:
            self.episodes[episode_id] = record

    def revoke_tokens(self) -> None:
        """Every token issued so far is now answered with 401, as an expired one is."""
        with self.lock:
            self.tokens.clear()

    def fail_next(self, status: int, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([status] * times)

    def respond(self, method: str, path: str, auth: str, body: bytes) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if parts[:1] == ["v4"]:
            parts = parts[1:]
        with self.lock:
            bearer = auth.removeprefix("Bearer ")
            authorised = auth.startswith("Bearer ") and bearer in self.tokens
            self.seen.append((method, "/" + "/".join(parts), authorised))
            if self.failures:
                status = self.failures.pop(0)
                return status, failure(f"failure {status}")
            if method == "POST" and parts == ["login"]:
                return self._login(body)
            if not authorised:
                return 401, failure("Unauthorized")
            if method == "GET" and len(parts) == 2 and parts[0] == "episodes":
                episode = self.episodes.get(int(parts[1])) if parts[1].isdigit() else None
                if episode is None:
                    return 404, failure("NotFoundException: episode not found")
                return 200, {"status": "success", "data": dict(episode)}
            return 404, failure("NotFoundException: no such route")

    def _login(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            sent = json.loads(body)
        except ValueError:
            return 400, failure("invalid JSON")
        if not isinstance(sent, dict) or sent.get("apikey") != self.api_key:
            return 401, failure("InvalidAPIKey: api key is not valid")
        self.logins += 1
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {"status": "success", "data": {"token": token}}


def _handler(state: FakeTVDB) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _respond(self, method: str) -> None:
            auth = self.headers.get("Authorization", "")
            status, answer = state.respond(method, urlsplit(self.path).path, auth, self.body())
            self.answer_json(status, answer)

        def do_GET(self) -> None:
            self._respond("GET")

        def do_POST(self) -> None:
            self._respond("POST")

    return Handler


@contextmanager
def running_fake_tvdb() -> Iterator[FakeTVDB]:
    state = FakeTVDB()
    with serving(_handler(state)) as origin:
        state.url = f"{origin}/v4"
        yield state
