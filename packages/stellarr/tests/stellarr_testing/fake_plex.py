"""A stand-in for a Plex Media Server on 127.0.0.1, answering the XML endpoints plexapi
(4.x) calls to list a server's libraries and read their titles:

- `GET /`                             PlexServer(url, token): the server's MediaContainer
- `GET /library`                      server.library
- `GET /library/sections`             library.sections(): one Directory per section
- `GET /library/sections/<key>/all`   section.totalViewSize() and section.search(): Video
                                      (movie) or Directory (show) elements, paged by the
                                      X-Plex-Container-Start/-Size headers or query
                                      parameters, with `<Guid id="tmdb://..."/>` children
                                      only when asked for with `includeGuids=1`, as Plex does.

Element and attribute names follow what plexapi's `_loadData` methods read (server.py,
library.py, video.py, media.py). Every request must carry the token (X-Plex-Token header or
query parameter) or gets Plex's 401 HTML page. Anything else is a 404, and every request is
recorded, so a test can tell that no title was fetched one by one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

from stellarr_testing.http_servers import QuietHandler, serving

TOKEN = "fake-plex-token-Zx81"
MACHINE_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"
UNAUTHORIZED = (
    b"<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"
)
NOT_FOUND = b"<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
# Plex's numeric search types (plexapi.utils.SEARCHTYPES) for the section types served here.
SEARCH_TYPES = {"movie": "1", "show": "2", "artist": "8"}
AGENTS = {
    "movie": ("tv.plex.agents.movie", "Plex Movie"),
    "show": ("tv.plex.agents.series", "Plex TV Series"),
    "artist": ("tv.plex.agents.music", "Plex Music"),
}

# What a Plex Media Server's `/` says about itself (besides its name and identifier).
ROOT_XML = (
    '<MediaContainer size="3" allowCameraUpload="1" allowChannelAccess="1" '
    'allowMediaDeletion="1" allowSharing="1" allowSync="1" allowTuners="1" '
    'backgroundProcessing="1" certificate="1" companionProxy="1" countryCode="gbr" '
    'diagnostics="logs,databases,streaminglogs" eventStream="1" hubSearch="1" '
    'itemClusters="1" livetv="7" mediaProviders="1" multiuser="1" myPlex="1" '
    'myPlexMappingState="mapped" myPlexSigninState="ok" myPlexSubscription="1" '
    'myPlexUsername="someone@example.com" '
    'ownerFeatures="webhooks,sync,hardware_transcoding" photoAutoTag="1" platform="Linux" '
    'platformVersion="6.1.0" pluginHost="1" readOnlyLibraries="0" '
    'requestParametersInCookie="1" streamingBrainVersion="2" sync="1" '
    'transcoderActiveVideoSessions="0" transcoderAudio="1" transcoderLyrics="1" '
    'transcoderPhoto="1" transcoderSubtitles="1" transcoderVideo="1" '
    'transcoderVideoBitrates="64,96,208,320,720,1500,2000,3000,4000,8000,10000,12000,20000" '
    'transcoderVideoQualities="0,1,2,3,4,5,6,7,8,9,10,11,12" '
    'transcoderVideoResolutions="128,128,160,240,320,480,768,720,720,1080,1080,1080,1080" '
    'updatedAt="1730000000" updater="1" version="1.41.3.9314-a0bfb8370" voiceSearch="1">'
    '<Directory count="1" key="activities" title="activities"/>'
    '<Directory count="1" key="butler" title="butler"/>'
    '<Directory count="1" key="library" title="library"/>'
    "</MediaContainer>"
)


@dataclass
class FakeItem:
    title: str
    year: int | None = None
    guids: list[str] = field(default_factory=list)  # tmdb://603, tvdb://169, imdb://tt0133093
    guid: str | None = None  # the item's own guid attribute (plex://..., or a legacy agent's)
    rating_key: int = 0


@dataclass
class FakeSection:
    key: int
    title: str
    type: str  # movie, show, artist
    items: list[FakeItem] = field(default_factory=list)


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


def default_sections() -> list[FakeSection]:
    """Real titles with their real ids, in every form a library holds them: the current
    agents' Guid children, a legacy agent's guid, ids without a TMDB one, and none at all."""
    movies = FakeSection(
        1,
        "Movies",
        "movie",
        [
            FakeItem("Batman Begins", 2005, ["imdb://tt0372784", "tmdb://272", "tvdb://233"]),
            FakeItem("The Matrix", 1999, ["imdb://tt0133093", "tmdb://603", "tvdb://169"]),
            FakeItem("Fight Club", 1999, guid="com.plexapp.agents.themoviedb://550?lang=en"),
            FakeItem(
                "The Shawshank Redemption", 1994, guid="com.plexapp.agents.imdb://tt0111161?lang=en"
            ),
            FakeItem("Holiday 2019", None, guid="local://9001"),
        ],
    )
    shows = FakeSection(
        2,
        "TV Shows",
        "show",
        [
            FakeItem(
                "Stranger Things", 2016, ["imdb://tt4574334", "tmdb://66732", "tvdb://305288"]
            ),
            FakeItem("Breaking Bad", 2008, ["imdb://tt0903747", "tmdb://1396", "tvdb://81189"]),
            FakeItem("Game of Thrones", 2011, guid="com.plexapp.agents.thetvdb://121361?lang=en"),
            FakeItem("Bluey", 2018, ["tvdb://353546"]),
        ],
    )
    uhd = FakeSection(
        3,
        "4K Movies",
        "movie",
        [FakeItem("The Matrix", 1999, ["imdb://tt0133093", "tmdb://603", "tvdb://169"])],
    )
    music = FakeSection(4, "Music", "artist", [FakeItem("Daft Punk")])
    return [movies, shows, uhd, music]


@dataclass
class FakePlex:
    url: str = ""
    token: str = TOKEN
    friendly_name: str = "Living Room"
    sections: list[FakeSection] = field(default_factory=default_sections)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._number()

    def section(self, title: str) -> FakeSection:
        return next(s for s in self.sections if s.title == title)

    def add_movies(self, count: int, first_tmdb_id: int = 900_001) -> list[int]:
        """`count` more titles in the Movies section (enough of them make plexapi page)."""
        movies = self.section("Movies")
        ids = list(range(first_tmdb_id, first_tmdb_id + count))
        with self.lock:
            movies.items.extend(
                FakeItem(f"Feature No. {i}", 2000 + i % 25, [f"tmdb://{i}", f"imdb://tt{i:08d}"])
                for i in ids
            )
            self._number()
        return ids

    def calls(self, prefix: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.startswith(prefix)]

    def _number(self) -> None:
        keys = iter(range(1000, 10**6))
        for section in self.sections:
            for item in section.items:
                item.rating_key = next(keys)

    def respond(self, path: str, query: dict[str, list[str]], headers: Any) -> tuple[int, bytes]:
        parts = [p for p in path.split("/") if p]
        if not parts:
            return 200, _xml(self._root())
        if parts == ["library"]:
            return 200, _xml(_library())
        if parts == ["library", "sections"]:
            return 200, _xml(self._sections())
        if len(parts) == 4 and parts[:2] == ["library", "sections"] and parts[3] == "all":
            section = next((s for s in self.sections if str(s.key) == parts[2]), None)
            if section is not None:
                return 200, _xml(_listing(section, query, headers))
        return 404, NOT_FOUND

    def _root(self) -> ET.Element:
        root = ET.fromstring(ROOT_XML)
        root.set("friendlyName", self.friendly_name)
        root.set("machineIdentifier", MACHINE_ID)
        return root

    def _sections(self) -> ET.Element:
        root = ET.Element(
            "MediaContainer", size=str(len(self.sections)), allowSync="0", title1="Plex Library"
        )
        for section in self.sections:
            agent, scanner = AGENTS[section.type]
            directory = ET.SubElement(
                root,
                "Directory",
                allowSync="1",
                art=f"/:/resources/{section.type}-fanart.jpg",
                composite=f"/library/sections/{section.key}/composite/1730000000",
                filters="1",
                refreshing="0",
                thumb=f"/:/resources/{section.type}.png",
                key=str(section.key),
                type=section.type,
                title=section.title,
                agent=agent,
                scanner=scanner,
                language="en-US",
                uuid=f"7c1f5d3e-0000-4000-8000-{section.key:012d}",
                updatedAt="1730000000",
                createdAt="1700000000",
                scannedAt="1730000000",
                content="1",
                directory="1",
                contentChangedAt="123456",
                hidden="0",
            )
            ET.SubElement(directory, "Location", id=str(section.key), path=f"/data/{section.title}")
        return root


def _library() -> ET.Element:
    root = ET.Element(
        "MediaContainer",
        size="3",
        allowSync="0",
        art="/:/resources/library-art.png",
        content="",
        identifier="com.plexapp.plugins.library",
        mediaTagPrefix="/system/bundle/media/flags/",
        mediaTagVersion="1730000000",
        title1="Plex Library",
        title2="",
    )
    for key, title in (
        ("sections", "Library Sections"),
        ("recentlyAdded", "Recently Added Content"),
        ("onDeck", "On Deck Content"),
    ):
        ET.SubElement(root, "Directory", key=key, title=title)
    return root


def _paging(query: dict[str, list[str]], headers: Any) -> tuple[int, int | None]:
    """Plex reads the container window from headers or from query parameters."""

    def value(name: str) -> int | None:
        raw = headers.get(name) or query.get(name, [None])[0]
        return int(raw) if raw is not None and raw.isdigit() else None

    return value("X-Plex-Container-Start") or 0, value("X-Plex-Container-Size")


def _listing(section: FakeSection, query: dict[str, list[str]], headers: Any) -> ET.Element:
    wanted_type = query.get("type", [SEARCH_TYPES[section.type]])[0]
    items = section.items if wanted_type == SEARCH_TYPES[section.type] else []
    start, size = _paging(query, headers)
    window = items[start:] if size is None else items[start : start + size]
    with_guids = query.get("includeGuids", ["0"])[0] == "1"
    root = ET.Element(
        "MediaContainer",
        size=str(len(window)),
        allowSync="1",
        art=f"/:/resources/{section.type}-fanart.jpg",
        identifier="com.plexapp.plugins.library",
        librarySectionID=str(section.key),
        librarySectionTitle=section.title,
        librarySectionUUID=f"7c1f5d3e-0000-4000-8000-{section.key:012d}",
        mediaTagPrefix="/system/bundle/media/flags/",
        mediaTagVersion="1730000000",
        thumb=f"/:/resources/{section.type}.png",
        title1=section.title,
        title2="All",
        viewGroup=section.type,
    )
    if size is not None or start:
        root.set("offset", str(start))
        root.set("totalSize", str(len(items)))
    for item in window:
        _element(root, section, item, with_guids)
    return root


def _element(parent: ET.Element, section: FakeSection, item: FakeItem, with_guids: bool) -> None:
    key = item.rating_key
    common = {
        "ratingKey": str(key),
        "guid": item.guid or f"plex://{section.type}/5d77{key:020x}",
        "type": section.type,
        "title": item.title,
        "librarySectionTitle": section.title,
        "librarySectionID": str(section.key),
        "librarySectionKey": f"/library/sections/{section.key}",
        "summary": "",
        "thumb": f"/library/metadata/{key}/thumb/1730000000",
        "addedAt": "1720000000",
        "updatedAt": "1730000000",
    }
    if item.year is not None:
        common["year"] = str(item.year)
    if section.type == "movie":
        element = ET.SubElement(parent, "Video", key=f"/library/metadata/{key}", **common)
        media = ET.SubElement(
            element,
            "Media",
            id=str(key),
            duration="7200000",
            container="mkv",
            videoCodec="h264",
            videoResolution="1080",
        )
        ET.SubElement(
            media,
            "Part",
            id=str(key),
            key=f"/library/parts/{key}/1/file.mkv",
            file=f"/data/{section.title}/{item.title}.mkv",
            size="4000000000",
        )
    else:
        leaf = (
            {"leafCount": "10", "viewedLeafCount": "0", "childCount": "1"}
            if section.type == "show"
            else {}
        )
        element = ET.SubElement(
            parent, "Directory", key=f"/library/metadata/{key}/children", **common, **leaf
        )
    if with_guids:
        for guid in item.guids:
            ET.SubElement(element, "Guid", id=guid)


def _xml(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _handler(state: FakePlex) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.answer(status, body, content_type, {"X-Plex-Protocol": "1.0"})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            with state.lock:
                state.seen.append(Seen(parts.path, query, dict(self.headers.items())))
            token = self.headers.get("X-Plex-Token") or query.get("X-Plex-Token", [""])[0]
            if token != state.token:
                self._send(401, UNAUTHORIZED, "text/html")
                return
            with state.lock:
                status, body = state.respond(parts.path, query, self.headers)
            content_type = "text/xml;charset=utf-8" if status == 200 else "text/html"
            self._send(status, body, content_type)

    return Handler


@contextmanager
def running_fake_plex() -> Iterator[FakePlex]:
    state = FakePlex()
    with serving(_handler(state)) as origin:
        state.url = origin
        yield state
