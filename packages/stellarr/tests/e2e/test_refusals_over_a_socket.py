"""A refusal reaches a client that sends its whole body before it reads, over a real socket
to a real `stellarr serve`, as most HTTP libraries do: the 413 of an oversized body and the
401 of a wrong token (answered before the body is read) are followed by `Connection: close`,
and the server reads and drops what follows, up to a bound, before it closes."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from stellarr_testing.processes import running_stellarr, serve_env

TOKEN = "socket-refusals-token-0123456789abcdef"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("refusals")
    env = serve_env(folder, PLEX_WEBHOOK_TOKEN=TOKEN)
    with running_stellarr(env, folder) as (base, _process):
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def send_whole_then_read(
    server: tuple[str, int], target: str, body: bytes
) -> tuple[int, dict[str, str], object, bytes]:
    """(status, headers, JSON body, what came after the answer) of a request read only
    after it was written whole."""
    head = (
        f"POST {target} HTTP/1.1\r\nHost: stellarr.test\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(server, timeout=60) as sock, sock.makefile("rb") as reader:
        sock.sendall(head)
        sock.sendall(body)
        status = int(reader.readline().split()[1])
        headers = {}
        while (line := reader.readline().decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        answer = json.loads(reader.read(int(headers["content-length"])))
        assert headers.get("connection") == "close", headers
        after = reader.read()  # returns at the server's close
    return status, headers, answer, after


@pytest.mark.parametrize(
    ("target", "size", "status", "detail"),
    [
        (f"/webhook/plex?token={TOKEN}", 11 * MIB, 413, "Request body over 10485760 bytes"),
        ("/webhook/plex?token=not-the-token", 9 * MIB, 401, "Wrong webhook token"),
        ("/webhook/jellyfin", 9 * MIB, 401, "This URL needs ?token=<PLEX_WEBHOOK_TOKEN>"),
        ("/sync/library?media_type=movie&token=nope", 30 * MIB, 401, "Wrong webhook token"),
    ],
)
def test_a_client_that_sends_its_whole_body_reads_the_refusal(
    server: tuple[str, int], target: str, size: int, status: int, detail: str
) -> None:
    got_status, _headers, answer, after = send_whole_then_read(server, target, b"x" * size)
    assert (got_status, answer) == (status, {"detail": detail})
    # It said it would close, and closed, with nothing more to say.
    assert after == b""


def test_what_follows_a_refusal_is_read_only_up_to_a_bound(server: tuple[str, int]) -> None:
    """A body with no end (chunked) after a 401: the server drains at most its bound, then
    closes, so sending fails long before this client would stop on its own."""
    limit = 512 * MIB
    chunk = b"%x\r\n" % MIB + b"x" * MIB + b"\r\n"
    sent = 0
    with socket.create_connection(server, timeout=60) as sock:
        sock.sendall(
            b"POST /webhook/plex?token=wrong HTTP/1.1\r\nHost: stellarr.test\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        with pytest.raises((BrokenPipeError, ConnectionResetError)):  # once the server closed
            while sent < limit:
                sock.sendall(chunk)
                sent += MIB
    assert sent < limit
