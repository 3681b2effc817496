"""What a Plex Media Server holds, read with plexapi for `stellarr plex-sync`.

plexapi is imported only when a server is opened: `stellarr serve` never needs it, and it
reads its own config file and sets up logging at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

from stellarr.domain.media_ids import MediaIds, ids_from_guids, ids_from_legacy_guid
from stellarr.domain.models import MediaType

# Plex's own section types and the Stellarr media type each one fills.
SYNCED_TYPES = {"movie": MediaType.MOVIE, "show": MediaType.TV}
PAGE_SIZE = 100
TIMEOUT_SECONDS = 30
T = TypeVar("T")


class PlexError(Exception):
    """One line that says why Plex could not be read."""


@dataclass(frozen=True, slots=True)
class Section:
    key: int
    title: str
    plex_type: str  # movie, show, artist, photo

    @property
    def media_type(self) -> MediaType | None:
        return SYNCED_TYPES.get(self.plex_type)


@dataclass(frozen=True, slots=True)
class PlexItem:
    title: str
    year: int | None
    ids: MediaIds


def item_ids(guid_ids: list[str], legacy_guid: str | None) -> MediaIds:
    """The ids of a listed item: its `Guid` children (Plex's current agents), completed by
    the `guid` attribute that items matched by a legacy agent carry instead."""
    ids = ids_from_guids(guid_ids)
    if legacy_guid:
        ids = ids.merged(ids_from_legacy_guid(legacy_guid))
    return ids


class PlexLibrary:
    """An open connection to one Plex Media Server."""

    def __init__(self, server: Any, token: str) -> None:
        self._server = server
        self._token = token

    @classmethod
    def open(cls, url: str, token: str) -> PlexLibrary:
        def connect() -> Any:
            from plexapi.server import PlexServer

            return PlexServer(url, token, timeout=TIMEOUT_SECONDS)  # type: ignore[no-untyped-call]

        return cls(_translated(connect, token), token)

    @property
    def name(self) -> str:
        return str(self._server.friendlyName or "Plex")

    def sections(self) -> list[Section]:
        def load() -> list[Section]:
            return [
                Section(int(s.key), str(s.title), str(s.type))
                for s in self._server.library.sections()
            ]

        return _translated(load, self._token)

    def count(self, section: Section) -> int:
        """How many titles a section holds (one small request: Plex sends no items)."""
        plex_section = self._plex_section(section)
        return _translated(
            lambda: int(
                plex_section.totalViewSize(libtype=section.plex_type, includeCollections=False) or 0
            ),
            self._token,
        )

    def items(self, section: Section, on_page: Callable[[int], None]) -> Iterator[PlexItem]:
        """Every title in a section, a page at a time, with its ids from `includeGuids`.
        Pages run until a short one, whatever the count said: titles added meanwhile count."""
        plex_section = self._plex_section(section)
        start = 0
        while True:
            page = _translated(partial(self._page, plex_section, section, start), self._token)
            for item in page:
                # Without this, reading an attribute Plex left out (no Guid, no year) makes
                # plexapi fetch the whole item: one more request per such title.
                item._autoReload = False
                guids = [str(g.id) for g in item.guids if g.id]
                yield PlexItem(
                    title=str(item.title or ""),
                    year=item.year if isinstance(item.year, int) else None,
                    ids=item_ids(guids, item.guid),
                )
            on_page(len(page))
            if len(page) < PAGE_SIZE:
                return
            start += len(page)

    @staticmethod
    def _page(plex_section: Any, section: Section, start: int) -> Any:
        return plex_section.search(
            libtype=section.plex_type,
            container_start=start,
            container_size=PAGE_SIZE,
            maxresults=PAGE_SIZE,
            includeGuids=True,
        )

    def _plex_section(self, section: Section) -> Any:
        return _translated(lambda: self._server.library.sectionByID(section.key), self._token)


def _translated(call: Callable[[], T], token: str) -> T:
    """Run a plexapi call; its errors (requests', plexapi's, a reply that is not Plex XML)
    become one PlexError line that never shows the token."""
    import requests
    from plexapi.exceptions import BadRequest, NotFound, Unauthorized

    try:
        return call()
    except Unauthorized:
        raise PlexError("Plex refused the token (401): check --plex-token / PLEX_TOKEN") from None
    except requests.exceptions.Timeout:
        raise PlexError(f"Plex did not answer within {TIMEOUT_SECONDS} s") from None
    except requests.exceptions.RequestException as exc:
        raise PlexError(f"cannot reach Plex: {redacted(_reason(exc), token)}") from None
    except (BadRequest, NotFound) as exc:
        # plexapi's text is "(404) not_found; <url> <the whole body>": the body can be a page.
        status_and_url = " ".join(str(exc).split(" ", 3)[:3])
        raise PlexError(f"Plex answered {redacted(status_and_url, token)}") from None
    except ParseError:
        raise PlexError("the answer was not Plex XML: is --plex-url a Plex Media Server?") from None


def _reason(exc: Exception) -> str:
    # requests nests the socket error several levels deep; its innermost text is the reason
    # a person can act on ("Connection refused", "Name or service not known").
    while exc.__context__ is not None and isinstance(exc.__context__, Exception):
        exc = exc.__context__
    return str(exc).strip() or type(exc).__name__


def redacted(text: str, token: str | None) -> str:
    """`text` without `token` (Plex's and Stellarr's tokens must never reach a message)."""
    return text.replace(token, "***") if token else text
