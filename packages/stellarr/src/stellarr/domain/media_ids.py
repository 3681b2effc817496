"""External ids of a title (TMDB, TheTVDB, IMDb) and how media servers spell them.

Media servers send ids as ints or as strings, inside URIs in several historical forms
(`tmdb://603`, `com.plexapp.agents.themoviedb://603?lang=en`, `...thetvdb://75159/1/2`,
`...hama://tvdb-75159`). Everything here is lenient: junk gives "no id", never an error,
because one odd entry must not cost us the ids next to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from stellarr.domain.models import MAX_TMDB_ID

_DIGITS = re.compile(r"[0-9]{1,10}")
# An IMDb title id; every reader of ids (webhooks, library sync) holds them to this.
IMDB_ID = "tt[0-9]{5,12}"
_IMDB = re.compile(IMDB_ID, re.IGNORECASE)
_AGENT_PREFIX = "com.plexapp.agents."

_TMDB_SCHEMES = frozenset({"tmdb", "themoviedb"})
_TVDB_SCHEMES = frozenset({"tvdb", "thetvdb", "thetvdbdvdorder"})
_IMDB_SCHEMES = frozenset({"imdb"})


def coerce_id(value: object) -> int | None:
    """A positive numeric id from an int or a string of ASCII digits; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(text := value.strip()):
        number = int(text)
    else:
        return None
    return number if 0 < number <= MAX_TMDB_ID else None


def coerce_imdb(value: object) -> str | None:
    """An IMDb title id ("tt0133093", lower-case prefix) or None."""
    if isinstance(value, str) and _IMDB.fullmatch(text := value.strip()):
        return "tt" + text[2:]
    return None


@dataclass(frozen=True, slots=True)
class MediaIds:
    tmdb: int | None = None
    tvdb: int | None = None
    imdb: str | None = None

    def merged(self, other: MediaIds) -> MediaIds:
        """These ids, with the ones missing here taken from `other`."""
        return MediaIds(
            tmdb=self.tmdb if self.tmdb is not None else other.tmdb,
            tvdb=self.tvdb if self.tvdb is not None else other.tvdb,
            imdb=self.imdb if self.imdb is not None else other.imdb,
        )

    @property
    def empty(self) -> bool:
        return self.tmdb is None and self.tvdb is None and self.imdb is None

    def to_json(self) -> dict[str, object]:
        return {"tmdb": self.tmdb, "tvdb": self.tvdb, "imdb": self.imdb}

    @classmethod
    def from_json(cls, value: object) -> MediaIds:
        """Read back `to_json` output; a damaged cache value gives the ids that survive."""
        if not isinstance(value, dict):
            return cls()
        return cls(
            tmdb=coerce_id(value.get("tmdb")),
            tvdb=coerce_id(value.get("tvdb")),
            imdb=coerce_imdb(value.get("imdb")),
        )


def _ids_for(scheme: str, value: str) -> MediaIds:
    if scheme in _TMDB_SCHEMES:
        return MediaIds(tmdb=coerce_id(value))
    if scheme in _TVDB_SCHEMES:
        return MediaIds(tvdb=coerce_id(value))
    if scheme in _IMDB_SCHEMES:
        return MediaIds(imdb=coerce_imdb(value))
    return MediaIds()


def ids_from_legacy_guid(guid: str) -> MediaIds:
    """Ids named by one GUID URI: plain (`tmdb://603`) or a legacy Plex agent's.

    A TV agent's season or episode GUID (`...thetvdb://75159/1/2`) starts with the SERIES id,
    so that is what it yields; the caller decides whose ids they are. `plex://`, `local://`
    and unknown agents yield nothing.
    """
    if not isinstance(guid, str):
        return MediaIds()
    scheme, sep, rest = guid.strip().partition("://")
    if not sep:
        return MediaIds()
    scheme = scheme.lower()
    scheme = scheme.removeprefix(_AGENT_PREFIX)
    first = rest.split("?", 1)[0].split("#", 1)[0].split("/", 1)[0]
    if scheme == "hama":
        # HAMA (anime agent): "tvdb-75159", "tvdb2-75159" (absolute order), "tmdb-603", ...
        source, dash, first = first.partition("-")
        if not dash:
            return MediaIds()
        source = source.lower()
        scheme = "tvdb" if source.startswith("tvdb") else source
    return _ids_for(scheme, first)


def ids_from_guids(guids: Iterable[object]) -> MediaIds:
    """Ids from Plex's `Metadata.Guid` list (`[{"id": "tmdb://603"}, ...]`); first of each wins."""
    if isinstance(guids, str | bytes | dict):
        return MediaIds()
    found = MediaIds()
    for entry in guids:
        uri = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(uri, str):
            found = found.merged(ids_from_legacy_guid(uri))
    return found
