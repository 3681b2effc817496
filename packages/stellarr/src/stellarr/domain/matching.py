"""Which pending request a library item fulfils.

Ids first (TMDB, then TheTVDB, then IMDb); a title is the last resort and must be
unambiguous: one pending candidate of that media type, same year when both years are known.

Title normalisation (`normalise_title`): NFKC and case folding; letters, digits and combining
marks of every script are kept and everything else separates words. Decisions:
- accents are folded for Latin, Greek and Cyrillic ("Amélie" = "Amelie", Cyrillic yo = ie), where
  sources disagree about them; marks of other scripts (kana voicing, Indic vowel signs,
  Thai vowels) are part of the letter and kept;
- apostrophes vanish rather than split words ("Schindler's" = "Schindlers");
- "&" reads as "and"; digits of any script become ASCII digits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from stellarr.domain.media_ids import MediaIds
from stellarr.domain.models import MediaRequest, MediaType, RequestStatus

_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\u02bb`\u00b4\uff07")
# Below this code point the base letter is Latin, IPA, Greek or Cyrillic: accents fold away.
_FOLD_MARKS_BELOW = 0x0530


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", title).casefold())
    out: list[str] = []
    fold_marks = True
    for char in text:
        category = unicodedata.category(char)
        if category == "Nd":
            out.append(str(unicodedata.decimal(char)))
            fold_marks = True
        elif category[0] in "LN":
            out.append(char)
            fold_marks = ord(char) < _FOLD_MARKS_BELOW
        elif category[0] == "M":
            if not fold_marks:
                out.append(char)
        elif char in _APOSTROPHES:
            continue
        elif char == "&":
            out.append(" and ")
            fold_marks = True
        else:
            out.append(" ")
            fold_marks = True
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


def _pending(requests: Sequence[MediaRequest], media_type: MediaType) -> list[MediaRequest]:
    return [r for r in requests if r.status is RequestStatus.PENDING and r.media_type is media_type]


def match_by_ids(
    pending: Sequence[MediaRequest], media_type: MediaType, ids: MediaIds
) -> tuple[MediaRequest, str] | None:
    """The first pending request sharing an id, trying TMDB, then TheTVDB, then IMDb."""
    candidates = _pending(pending, media_type)
    if ids.tmdb is not None:
        for request in candidates:
            if request.tmdb_id == ids.tmdb:
                return request, "tmdb"
    if ids.tvdb is not None:
        for request in candidates:
            if request.tvdb_id == ids.tvdb:
                return request, "tvdb"
    if ids.imdb is not None:
        wanted = ids.imdb.strip().lower()
        for request in candidates:
            if request.imdb_id is not None and request.imdb_id.strip().lower() == wanted:
                return request, "imdb"
    return None


def match_by_title(
    pending: Sequence[MediaRequest], media_type: MediaType, title: str, year: int | None
) -> MediaRequest | None:
    """The only pending request with this title (and year, when both are known), or None."""
    wanted = normalise_title(title)
    if not wanted:
        return None
    found = [
        request
        for request in _pending(pending, media_type)
        if normalise_title(request.title) == wanted
        and (year is None or request.year is None or request.year == year)
    ]
    return found[0] if len(found) == 1 else None
