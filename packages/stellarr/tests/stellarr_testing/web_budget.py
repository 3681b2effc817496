"""What a browser downloads to start the web app, read from the build itself, and its
gzipped size: the 80 KB budget of the initial load (HTML + JS + CSS). Shared by the budget
test (tests/e2e/test_web_budget.py) and bench/web_budget.py.

The initial load of a route is:
- index.html (the SPA fallback every route gets);
- every script, module preload and stylesheet it links;
- the boot script's imports (SvelteKit's start and app entries);
- the route's page nodes from the app entry's route table, with the chunks and stylesheets
  Vite lists for each (`__vite__mapDeps`);
- the static imports of every JavaScript file above, transitively.
Not counted: icons, the web manifest and the service worker (fetched after start-up, and
not HTML/JS/CSS on the critical path), TMDB posters and API answers.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path

# 80 KB read strictly: 80,000 bytes, not 80 KiB.
BUDGET_BYTES = 80_000
# Level 6 is what Stellarr's own gzip and most servers' defaults use; level 9 is what a
# CDN's pre-compressed copies may use. The budget is checked at the larger, level 6.
LEVELS = (9, 6)

# `from "./x.js"`, `import "./x.js"` (static); `import("./x.js")` is dynamic and excluded.
_STATIC_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*["']([^"']+\.js)["']""")
_DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*["']([^"']+\.js)["']\s*\)""")
_MAP_DEPS_FILES = re.compile(r"m\.f\|\|\(m\.f=(\[[^\]]*\])\)")
_NODE_IMPORT = re.compile(
    r"""import\(\s*["']([^"']*/nodes/(\d+)\.[^"']+\.js)["']\s*\)\s*,\s*__vite__mapDeps\(\[([\d,\s]*)\]\)"""
)
_NODE_IMPORT_NO_DEPS = re.compile(r"""import\(\s*["']([^"']*/nodes/(\d+)\.[^"']+\.js)["']\s*\)""")
_DICTIONARY = re.compile(r"""=(\{"/[^{}]*\})""")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))
        rel = (found.get("rel") or "").split()
        if tag == "link" and found.get("href") and {"modulepreload", "stylesheet"} & set(rel):
            self.urls.append(str(found["href"]))


@dataclass(frozen=True)
class Asset:
    path: str  # URL path, e.g. /_app/immutable/entry/app.X.js
    raw: int
    gzipped: dict[int, int]  # level -> bytes


def _resolve(base: str, reference: str) -> str:
    """The URL path `reference` names from the file at URL path `base`."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), reference))


@dataclass(frozen=True)
class Build:
    """A built web app folder (packages/stellarr/src/stellarr/static/web)."""

    root: Path

    def text(self, url: str) -> str:
        return self.file(url).read_text(encoding="utf-8")

    def file(self, url: str) -> Path:
        path = (self.root / url.lstrip("/")).resolve()
        assert path.is_relative_to(self.root.resolve()) and path.is_file(), f"{url} not built"
        return path

    @cached_property
    def shell(self) -> list[str]:
        """index.html, what it links, the boot script's imports (URL paths, in order)."""
        parser = _Links()
        parser.feed(self.text("/index.html"))
        urls = ["/index.html", *parser.urls]
        for url in parser.urls:
            if url.startswith("/_app/immutable/boot."):
                urls += [_resolve(url, ref) for ref in _DYNAMIC_IMPORT.findall(self.text(url))]
        return list(dict.fromkeys(urls))

    @cached_property
    def app_entry(self) -> str:
        entries = [u for u in self.shell if re.search(r"/entry/app\.[^/]+\.js$", u)]
        assert len(entries) == 1, f"expected one app entry in {self.shell}"
        return entries[0]

    @cached_property
    def routes(self) -> dict[str, list[int]]:
        """The app entry's route table: route id -> node indices (page first)."""
        found = _DICTIONARY.search(self.text(self.app_entry))
        assert found, "no route table in the app entry"
        table: dict[str, list[int]] = json.loads(found.group(1))
        return table

    @cached_property
    def nodes(self) -> dict[int, list[str]]:
        """Node index -> the node's file and the files Vite preloads with it."""
        code = self.text(self.app_entry)
        listed = _MAP_DEPS_FILES.search(code)
        files: list[str] = json.loads(listed.group(1)) if listed else []
        nodes: dict[int, list[str]] = {}
        for ref, index, deps in _NODE_IMPORT.findall(code):
            picked = [files[int(i)] for i in deps.split(",") if i.strip()]
            nodes[int(index)] = [_resolve(self.app_entry, ref), *picked]
        for ref, index in _NODE_IMPORT_NO_DEPS.findall(code):
            nodes.setdefault(int(index), [_resolve(self.app_entry, ref)])
        return nodes

    def static_closure(self, urls: Iterable[str]) -> list[str]:
        """`urls` and every JavaScript file they import statically, transitively."""
        seen: list[str] = []
        pending = list(urls)
        while pending:
            url = pending.pop(0)
            if url in seen:
                continue
            seen.append(url)
            if url.endswith(".js"):
                pending += [_resolve(url, ref) for ref in _STATIC_IMPORT.findall(self.text(url))]
        return seen

    def initial_load(self, route: str) -> list[str]:
        """Every HTML/JS/CSS file a first visit to `route` (a route id) downloads."""
        assert route in self.routes, f"no route {route!r}; routes: {sorted(self.routes)}"
        node_files = [f for index in (0, *self.routes[route]) for f in self.nodes.get(index, [])]
        return self.static_closure([*self.shell, *node_files])

    def assets(self, urls: Iterable[str]) -> list[Asset]:
        measured = []
        for url in urls:
            data = self.file(url).read_bytes()
            sizes = {level: len(gzip.compress(data, level, mtime=0)) for level in LEVELS}
            measured.append(Asset(url, len(data), sizes))
        return measured


def total(assets: Iterable[Asset], level: int | None = None) -> int:
    """Raw bytes (level None) or gzipped bytes at `level`, each file compressed on its own
    as it travels."""
    return sum(a.raw if level is None else a.gzipped[level] for a in assets)
