"""The warmer of the home page's public lists (trending, popular, upcoming): `stellarr
warm-trending`, the scheduler in `serve` and the Lambda `cache_warmer` all run
`TrendingWarmer.run`.

Every (list, type, locale) is fetched and written on its own: one that fails leaves its last
good file in place and is reported, and the others are still written. TMDB calls run
concurrently, bounded, so a run costs about one TMDB round trip, not one per page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, Self

from stellarr.aws.errors import AwsError
from stellarr.domain.errors import StellarrError
from stellarr.domain.trending import every_list, file_name, listings, render, tmdb_path

if TYPE_CHECKING:
    from stellarr.settings import Config

log = logging.getLogger(__name__)

# The 24 calls of a default run (6 lists x 4 locales x 1 page) at once, within the TMDB
# client's pool of 32 so that searches running meanwhile still get a connection.
TMDB_CALLS_AT_ONCE = 24

Summary = dict[str, dict[str, Any]]


class TrendingSource(Protocol):
    async def home_list(self, path: str, language: str, page: int = 1) -> dict[str, Any]: ...


class Destination(Protocol):
    """Where the files go: the data folder, or an S3 bucket."""

    async def put(self, name: str, body: bytes) -> None: ...


@dataclass(frozen=True)
class FileOutcome:
    status: str  # "ok" or "failed"
    items: int = 0
    bytes: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"status": self.status, "items": self.items, "bytes": self.bytes}
        if self.error:
            shown["error"] = self.error
        return shown


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class TrendingWarmer:
    def __init__(
        self,
        tmdb: TrendingSource,
        destination: Destination,
        locales: Sequence[str],
        pages: int,
        *,
        clock: Callable[[], datetime] = utcnow,
        calls_at_once: int = TMDB_CALLS_AT_ONCE,
    ) -> None:
        self.destination = destination
        self.locales = tuple(locales)
        self._tmdb = tmdb
        self._pages = pages
        self._clock = clock
        self._calls_at_once = calls_at_once

    @classmethod
    def for_config(cls, tmdb: TrendingSource, destination: Destination, config: Config) -> Self:
        return cls(tmdb, destination, config.trending_locales, config.trending_pages)

    @property
    def names(self) -> list[str]:
        return [file_name(*each) for each in every_list(self.locales)]

    async def run(self) -> Summary:
        """Fetch and write every list;
        `{"<list>-<type>-<locale>": {"status","items","bytes"}}`."""
        gate = asyncio.Semaphore(self._calls_at_once)
        generated_at = self._clock()
        lists = list(every_list(self.locales))
        outcomes = await asyncio.gather(*(self._one(*each, gate, generated_at) for each in lists))
        summary: Summary = {}
        for each, outcome in zip(lists, outcomes, strict=True):
            name = file_name(*each)
            summary[name.removesuffix(".json")] = outcome.to_json()
            if outcome.status == "ok":
                log.info("home list %s: %d items, %d bytes", name, outcome.items, outcome.bytes)
            else:
                log.warning(
                    "home list %s failed, the last good file stays: %s", name, outcome.error
                )
        return summary

    async def _one(
        self,
        list_name: str,
        kind: str,
        locale: str,
        gate: asyncio.Semaphore,
        generated_at: datetime,
    ) -> FileOutcome:
        path = tmdb_path(list_name, kind)

        async def page(number: int) -> dict[str, Any]:
            async with gate:
                return await self._tmdb.home_list(path, locale, number)

        try:
            # return_exceptions: the other pages finish and are collected, never left as
            # "exception was never retrieved" tasks.
            pages = await asyncio.gather(
                *(page(n) for n in range(1, self._pages + 1)), return_exceptions=True
            )
            fetched: list[dict[str, Any]] = []
            for outcome in pages:
                if isinstance(outcome, BaseException):
                    raise outcome
                fetched.append(outcome)
            results = listings(kind, fetched)
            body = render(results, generated_at)
            await self.destination.put(file_name(list_name, kind, locale), body)
        except (StellarrError, AwsError, OSError) as exc:
            # Each of these says what failed without credentials (see their modules).
            return FileOutcome("failed", error=str(exc) or type(exc).__name__)
        return FileOutcome("ok", len(results), len(body))


def failed(summary: Summary) -> list[str]:
    return [name for name, outcome in summary.items() if outcome["status"] != "ok"]
