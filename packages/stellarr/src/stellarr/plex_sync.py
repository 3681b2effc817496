"""`stellarr plex-sync`: make Stellarr's library what a Plex server holds.

Reads every movie and show section with plexapi, then sends one atomic replace per media
type to `POST /sync/library`, which also marks the matching pending requests added. Titles
Plex knows no TMDB id for are counted and named, never sent: the route keys on TMDB ids.
Problems with the command line are one line and exit 2; a failure on the way (Plex, the
network, Stellarr) is one line and exit 1. The sync token is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from stellarr.domain.models import MediaType
from stellarr.plex_library import PlexError, PlexItem, PlexLibrary, Section, redacted

if TYPE_CHECKING:
    import httpx

EXIT_USAGE = 2
EXIT_FAILED = 1
MAX_ITEMS = 100_000  # what /sync/library accepts in one call
SHOWN_SKIPPED = 10
SEND_TIMEOUT_SECONDS = 120.0  # a 100,000-title replace on DynamoDB takes a while
NAMES = {MediaType.MOVIE: "movies", MediaType.TV: "tv shows"}


class UsageError(Exception):
    """The command line cannot work as given; exit 2."""


class SyncFailed(Exception):
    """Something on the way failed; exit 1."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    # Help names the variables but never shows their values: two of them are secrets.
    parser.add_argument(
        "--plex-url", default=env("PLEX_URL"), help="e.g. http://plex:32400 (PLEX_URL)"
    )
    parser.add_argument("--plex-token", default=env("PLEX_TOKEN"), help="X-Plex-Token (PLEX_TOKEN)")
    parser.add_argument(
        "--stellarr-url", default=env("STELLARR_URL"), help="Stellarr's address (STELLARR_URL)"
    )
    parser.add_argument(
        "--sync-token",
        default=env("STELLARR_SYNC_TOKEN"),
        help="Stellarr's PLEX_WEBHOOK_TOKEN (STELLARR_SYNC_TOKEN)",
    )
    parser.add_argument(
        "--library",
        action="append",
        default=[],
        metavar="TITLE",
        help="a library section to sync (repeatable; default: every movie and show section)",
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--movies-only", action="store_true", help="read and send movies only")
    only.add_argument("--tv-only", action="store_true", help="read and send TV shows only")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be sent (JSON lines), send nothing"
    )
    parser.add_argument(
        "--no-clear",
        dest="clear",
        action="store_false",
        help="add to Stellarr's library instead of replacing it",
    )
    parser.add_argument(
        "--list-libraries", action="store_true", help="list Plex's sections and exit"
    )


@dataclass
class Scan:
    """One media type's titles, gathered over its sections."""

    media_type: MediaType
    sections: list[str] = field(default_factory=list)
    scanned: int = 0
    items: dict[int, dict[str, object]] = field(default_factory=dict)  # by TMDB id
    skipped: list[PlexItem] = field(default_factory=list)

    def add(self, item: PlexItem) -> None:
        self.scanned += 1
        if item.ids.tmdb is None:
            self.skipped.append(item)
            return
        payload: dict[str, object] = {"tmdb_id": item.ids.tmdb}
        if item.ids.tvdb is not None:
            payload["tvdb_id"] = item.ids.tvdb
        if item.ids.imdb is not None:
            payload["imdb_id"] = item.ids.imdb
        if item.title:
            payload["title"] = item.title
        # The same title in two sections (or two editions) is one library entry.
        self.items.setdefault(item.ids.tmdb, payload)

    def counts(self) -> str:
        return f"scanned {self.scanned}, skipped {len(self.skipped)} (no TMDB id)"


def run(args: argparse.Namespace) -> int:
    try:
        _check_arguments(args)
        return _run(args)
    except UsageError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except (PlexError, SyncFailed) as exc:
        _say(redacted(redacted(str(exc), args.sync_token), args.plex_token))
        return EXIT_FAILED


def _run(args: argparse.Namespace) -> int:
    plex = PlexLibrary.open(args.plex_url, args.plex_token)
    sections = plex.sections()
    if args.list_libraries:
        for section in sections:
            _list(plex, section)
        return 0
    scans = _scan(plex, _chosen(sections, args))
    for scan in scans:
        _report_skipped(scan)
    if args.dry_run:
        for scan in scans:
            for payload in scan.items.values():
                print(json.dumps({"media_type": scan.media_type.value, **payload}), flush=True)
            _say(f"dry run, {scan.media_type.value}: {scan.counts()}, would send {len(scan.items)}")
        return 0
    for scan in scans:
        _refuse_to_empty(scan, args.clear)
    import httpx

    with httpx.Client(timeout=httpx.Timeout(SEND_TIMEOUT_SECONDS, connect=10.0)) as client:
        for scan in scans:
            answer = _send(client, args, scan)
            print(
                f"{scan.media_type.value}: {scan.counts()}, sent {answer['synced']}, "
                f"marked as added {answer['marked_as_added']}",
                flush=True,
            )
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    needed = [
        ("--plex-url", "PLEX_URL", args.plex_url),
        ("--plex-token", "PLEX_TOKEN", args.plex_token),
    ]
    if not (args.dry_run or args.list_libraries):
        needed += [
            ("--stellarr-url", "STELLARR_URL", args.stellarr_url),
            ("--sync-token", "STELLARR_SYNC_TOKEN", args.sync_token),
        ]
    for flag, variable, value in needed:
        if not value:
            raise UsageError(f"plex-sync needs {flag} (or {variable} in the environment)")
    for flag, value in (("--plex-url", args.plex_url), ("--stellarr-url", args.stellarr_url)):
        if value is not None and not _is_http_url(value):
            raise UsageError(f"{flag} must be an http:// or https:// address, not {value!r}")
    if args.stellarr_url:
        args.stellarr_url = args.stellarr_url.rstrip("/")


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _list(plex: PlexLibrary, section: Section) -> None:
    count = plex.count(section)
    titles = "title" if count == 1 else "titles"
    synced = "" if section.media_type else ", not synced"
    print(f"{section.title}\t{section.plex_type}\t{count} {titles}{synced}", flush=True)


def _chosen(sections: list[Section], args: argparse.Namespace) -> list[Section]:
    kinds = {MediaType.MOVIE, MediaType.TV}
    if args.movies_only:
        kinds = {MediaType.MOVIE}
    elif args.tv_only:
        kinds = {MediaType.TV}
    if args.library:
        by_title = {s.title.casefold().strip(): s for s in sections}
        chosen = []
        for title in args.library:
            section = by_title.get(title.casefold().strip())
            if section is None:
                known = ", ".join(s.title for s in sections) or "none"
                raise UsageError(f"Plex has no library named {title!r} (it has: {known})")
            if section.media_type is None:
                raise UsageError(
                    f"{section.title!r} is a Plex {section.plex_type} library; "
                    "only movie and show libraries sync"
                )
            chosen.append(section)
    else:
        chosen = [s for s in sections if s.media_type is not None]
    chosen = [s for s in chosen if s.media_type in kinds]
    if not chosen:
        wanted = " or ".join(sorted(NAMES[k] for k in kinds))
        raise UsageError(f"no Plex library of {wanted} to sync (see --list-libraries)")
    return chosen


def _scan(plex: PlexLibrary, sections: list[Section]) -> list[Scan]:
    scans = {t: Scan(t) for t in (MediaType.MOVIE, MediaType.TV)}
    for section in sections:
        assert section.media_type is not None  # _chosen keeps only synced types
        scan = scans[section.media_type]
        scan.sections.append(section.title)
        total = plex.count(section)
        bar = ProgressBar(f"Scanning {section.title}", total, sys.stderr)
        try:
            for item in plex.items(section, bar.update):
                scan.add(item)
        finally:
            bar.close()
    found = [s for s in scans.values() if s.sections]
    for scan in found:
        if len(scan.items) > MAX_ITEMS:
            raise SyncFailed(
                f"{len(scan.items)} {NAMES[scan.media_type]} is more than the {MAX_ITEMS} "
                "one sync accepts; sync some libraries at a time with --library and --no-clear"
            )
    return found


def _report_skipped(scan: Scan) -> None:
    for item in scan.skipped[:SHOWN_SKIPPED]:
        year = f" ({item.year})" if item.year else ""
        # A title is whatever someone typed into Plex: no terminal control characters.
        title = "".join(c if c.isprintable() else "?" for c in item.title)
        _say(f"skipped, no TMDB id in Plex: {title}{year}")
    if len(scan.skipped) > SHOWN_SKIPPED:
        _say(f"... and {len(scan.skipped) - SHOWN_SKIPPED} more {NAMES[scan.media_type]}")


def _refuse_to_empty(scan: Scan, clear: bool) -> None:
    # Titles scanned but none with a TMDB id is a Plex agent problem, not an empty library:
    # replacing Stellarr's library with nothing would forget everything it had.
    if clear and scan.scanned and not scan.items:
        raise SyncFailed(
            f"none of the {scan.scanned} {NAMES[scan.media_type]} in Plex has a TMDB id; "
            f"not replacing Stellarr's {scan.media_type.value} library with an empty one "
            "(refresh their metadata in Plex with a current agent)"
        )


def _send(client: httpx.Client, args: argparse.Namespace, scan: Scan) -> dict[str, Any]:
    import httpx

    params = {
        "media_type": scan.media_type.value,
        "clear": "true" if args.clear else "false",
        "token": args.sync_token,
    }
    what = f"the {scan.media_type.value} library"
    try:
        response = client.post(
            f"{args.stellarr_url}/sync/library", params=params, json=list(scan.items.values())
        )
    except httpx.TimeoutException:
        raise SyncFailed(f"Stellarr did not answer in time while syncing {what}") from None
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise SyncFailed(f"cannot reach Stellarr at {args.stellarr_url}: {reason}") from None
    body = _json(response)
    if response.status_code >= 300:
        detail = body.get("detail") if isinstance(body, dict) else None
        said = _detail_text(detail) if detail else response.reason_phrase
        raise SyncFailed(f"Stellarr refused {what} ({response.status_code}): {said}")
    if not (
        isinstance(body, dict)
        and isinstance(body.get("synced"), int)
        and isinstance(body.get("marked_as_added"), int)
    ):
        raise SyncFailed(
            f"unexpected answer from Stellarr ({response.status_code}) while syncing {what}: "
            "is --stellarr-url the address of Stellarr?"
        )
    return body


def _json(response: httpx.Response) -> object:
    try:
        body: object = response.json()
    except ValueError:
        return None
    return body


def _detail_text(detail: object) -> str:
    if isinstance(detail, str):
        return detail
    return json.dumps(detail, ensure_ascii=False)[:500]


def _say(message: str) -> None:
    print(f"stellarr: {message}", file=sys.stderr, flush=True)


class ProgressBar:
    """tqdm's bar on a terminal when tqdm is installed, a plain one otherwise; not a
    terminal (a log, a pipe) gets one line per section when it is done."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: IO[str], fancy: bool = True) -> None:
        self.label, self.total, self.stream, self.done = label, total, stream, 0
        self.tty = stream.isatty()
        self._tqdm = _tqdm(label, total, stream) if self.tty and fancy else None
        if self.tty and self._tqdm is None:
            self._draw()

    def update(self, count: int) -> None:
        self.done += count
        self.total = max(self.total, self.done)  # titles added to Plex while it is read
        if self._tqdm is not None:
            self._tqdm.update(count)
        elif self.tty:
            self._draw()

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            return
        if self.tty:
            self.stream.write("\n")
        else:
            self.stream.write(f"{self.label}: {self.done}/{self.total}\n")
        self.stream.flush()

    def _draw(self) -> None:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
        self.stream.flush()


def _tqdm(label: str, total: int, stream: IO[str]) -> Any:
    try:
        from tqdm import tqdm  # type: ignore[import-untyped]  # optional, not a dependency
    except ImportError:
        return None
    return tqdm(total=total, desc=label, file=stream, unit=" titles", leave=True)
