"""deploy/Caddyfile read as text, on every machine (test_caddy.py runs a real Caddy only
where one is installed): its blocks balance, every path goes to the app, and both of
Caddy's logs drop query strings, where the feed and webhook tokens travel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stellarr_testing.paths import PACKAGE_ROOT

CADDYFILE = PACKAGE_ROOT / "deploy" / "Caddyfile"
DROP_QUERY = 'request>uri regexp "[?].*" ""'


@dataclass
class Block:
    head: str
    lines: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def child(self, head: str) -> Block:
        found = [b for b in self.blocks if b.head == head]
        assert len(found) == 1, (head, [b.head for b in self.blocks])
        return found[0]

    def everything(self) -> list[str]:
        """Every line and block head below this block, in order."""
        out = list(self.lines)
        for block in self.blocks:
            out += [block.head, *block.everything()]
        return out


def parse(text: str) -> Block:
    """Caddyfile blocks by their braces; comments and blank lines left out."""
    root = Block("")
    stack = [root]
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if line == "}":
            assert len(stack) > 1, "a closing brace with no block open"
            stack.pop()
        elif line.endswith("{"):
            block = Block(line[:-1].strip())
            stack[-1].blocks.append(block)
            stack.append(block)
        else:
            stack[-1].lines.append(line)
    assert len(stack) == 1, f"unclosed block: {stack[-1].head!r}"
    return root


CONFIG = parse(CADDYFILE.read_text(encoding="utf-8"))


def test_the_snippet_drops_every_query_string_from_the_logged_uri() -> None:
    snippet = CONFIG.child("(no-query-strings)")
    assert DROP_QUERY in snippet.everything()
    pattern = re.compile(r"[?].*")
    assert pattern.sub("", "/list/radarr?token=secret&page=2") == "/list/radarr"


def test_both_logs_use_it() -> None:
    assert "import no-query-strings" in CONFIG.child("").child("log default").lines
    site = CONFIG.child("{$DOMAIN}")
    assert "import no-query-strings" in site.child("log").lines


def test_the_site_hands_every_path_to_the_app() -> None:
    site = CONFIG.child("{$DOMAIN}")
    # One catch-all proxy: no matcher, handle or route that could leave a path out
    # (/webhook and /sync went missing in the stack this replaces).
    assert site.lines == ["reverse_proxy {$STELLARR_UPSTREAM:stellarr:8000}"]
    assert [b.head for b in site.blocks] == ["log"]
    assert not any(line.startswith(("handle", "route", "@")) for line in site.everything())
