"""What `stereospot serve` tells a person once it listens: the address to open and how to
log in. Plain lines on stderr, beside the JSON log, because the first thing a new user
needs is not a log event. The token file is named; the token never is (secrets stay out
of every log)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import uvicorn

WILDCARDS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - recognised, not bound


def address(host: str, port: int) -> str:
    """The URL to type: a wildcard host is no address a browser can open."""
    if host in WILDCARDS:
        return f"http://localhost:{port}/ (or this machine's address: it listens on all)"
    name = f"[{host}]" if ":" in host else host
    return f"http://{name}:{port}/"


def login_lines(url: str, user: str, token_file: Path | None) -> list[str]:
    if token_file is None:
        return [
            f"StereoSpot is ready: open {url}",
            "  Log in with a name and token from STEREOSPOT_USERS.",
        ]
    return [
        f"StereoSpot is ready: open {url}",
        f"  Name:  {user}",
        f"  Token: in {token_file} (on this machine: cat {token_file})",
    ]


class AnnouncingServer(uvicorn.Server):
    """Prints its lines once the port is listening, not before: with the port taken,
    nothing should send a browser to an address that answers for another program."""

    def __init__(self, config: uvicorn.Config, lines: list[str]) -> None:
        super().__init__(config)
        self.lines = lines

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print("\n".join(self.lines), file=sys.stderr, flush=True)
