"""What a media server tells us was added to its library, whatever server it was."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from stellarr.domain.errors import BadRequest
from stellarr.domain.media_ids import MediaIds
from stellarr.domain.models import MediaType
from stellarr.domain.text import clean_text

# Real titles are far shorter; the cap keeps one hostile payload out of logs and pushes.
MAX_TITLE_LENGTH = 500
_MAX_NAME_LENGTH = 200
_YEAR_SUFFIX = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>1[89][0-9]{2}|2[01][0-9]{2})\)$", re.S)


class BadPayload(BadRequest):
    """A webhook body we cannot read; the message says what is wrong (answered with 400)."""


class ItemKind(enum.StrEnum):
    MOVIE = "movie"
    SHOW = "show"
    SEASON = "season"
    EPISODE = "episode"


@dataclass(frozen=True, slots=True)
class LibraryItem:
    """One new library item. `ids` are the item's OWN (an episode's are episode ids);
    `show_*` describe the show of a season or episode, as far as the payload tells."""

    kind: ItemKind
    title: str
    year: int | None
    ids: MediaIds
    guid: str | None = None
    show_title: str | None = None
    show_year: int | None = None
    show_ids: MediaIds = field(default_factory=MediaIds)
    show_guid: str | None = None

    @property
    def media_type(self) -> MediaType:
        return MediaType.MOVIE if self.kind is ItemKind.MOVIE else MediaType.TV


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A parsed webhook. `is_new` is true exactly when `item` is set: a new movie, show,
    season or episode. `reason` says in words why an event is not acted on."""

    source: str
    event: str
    is_new: bool
    server_name: str | None = None
    server_uuid: str | None = None
    item: LibraryItem | None = None
    reason: str | None = None


def clean_title(value: object) -> str:
    """A title as we store and show it: XML-safe, trimmed, capped; non-strings give ""."""
    if not isinstance(value, str):
        return ""
    return clean_text(value).strip()[:MAX_TITLE_LENGTH]


def clean_name(value: object) -> str | None:
    """A short label from a payload (event, server name, id), or None when absent or blank."""
    if not isinstance(value, str):
        return None
    text = clean_text(value)[:_MAX_NAME_LENGTH]
    return text if text.strip() else None


def coerce_year(value: object) -> int | None:
    """A year from an int or a numeric string; zero, junk and absurd values give None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 4):
            return None
        value = int(text)
    if isinstance(value, int) and 1800 <= value <= 9999:
        return value
    return None


def split_year_suffix(title: str) -> tuple[str, int | None]:
    """("The Paper", 2025) from "The Paper (2025)": media servers disambiguate shows so."""
    match = _YEAR_SUFFIX.match(title)
    if match is None:
        return title, None
    return match["title"], int(match["year"])
