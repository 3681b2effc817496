"""The web app's budget: the initial load of every route (HTML + JS + CSS, each file
gzipped as it travels) stays within 80 KB. Sizes, not times: the same build always gives
the same bytes, so this never flakes. bench/web_budget.py prints the same figures with the
time to a usable search page."""

from __future__ import annotations

import pytest
from e2e.web_app import require_build

from stellarr.bootstrap import PACKAGED_WEB
from stellarr_testing.web_budget import BUDGET_BYTES, Build, total


@pytest.fixture(scope="module")
def build() -> Build:
    require_build()
    return Build(PACKAGED_WEB)


def test_the_initial_load_is_read_from_the_build(build: Build) -> None:
    # The parse must see what a browser fetches, or the budget below would pass on too little.
    shell = build.shell
    assert shell[0] == "/index.html"
    assert any(u.startswith("/_app/immutable/boot.") for u in shell), shell
    assert any("/entry/start." in u for u in shell) and any("/entry/app." in u for u in shell)
    assert any(u.endswith(".css") for u in shell), shell
    assert {"/", "/login", "/requests"} <= set(build.routes), build.routes
    for route, nodes in build.routes.items():
        load = build.initial_load(route)
        assert all(any(f"/nodes/{n}." in u for u in load) for n in (0, *nodes)), (route, load)
        # Static imports are followed: every chunk a loaded file imports is loaded too.
        assert build.static_closure(load) == load


def test_every_route_loads_within_80_kb_gzipped(build: Build) -> None:
    over = {}
    for route in build.routes:
        assets = build.assets(build.initial_load(route))
        size = total(assets, level=6)
        if size > BUDGET_BYTES:
            biggest = sorted(assets, key=lambda a: -a.gzipped[6])[:5]
            over[route] = (size, [(a.path, a.gzipped[6]) for a in biggest])
    assert over == {}, f"initial load over {BUDGET_BYTES} bytes gzipped: {over}"
