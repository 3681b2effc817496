"""ORIGIN_VERIFY_SECRET on a real `stellarr serve` over a socket: refused without the header,
answered with it, and a client that sends its whole body before reading still reads its 403
(the refusal is drained like the app's others)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from stellarr_testing.processes import running_stellarr, serve_env

SECRET = "origin-verify-over-a-socket-" + "v" * 24
TOKEN = "origin-verify-webhook-token-0123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("origin")
    env = serve_env(folder, PLEX_WEBHOOK_TOKEN=TOKEN, ORIGIN_VERIFY_SECRET=SECRET)
    with running_stellarr(env, folder) as (base, _process):
        yield base


def test_only_requests_with_the_header_are_answered(server: str) -> None:
    refused = httpx.get(f"{server}/api/health")
    assert refused.status_code == 403
    assert "X-Origin-Verify" in refused.json()["detail"]
    answered = httpx.get(f"{server}/api/health", headers={"X-Origin-Verify": SECRET})
    assert answered.status_code == 200
    assert answered.json()["status"] == "healthy"


def test_a_whole_body_sent_before_reading_still_gets_its_403(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    body = b"x" * (9 * 1024 * 1024)
    head = (
        f"POST /webhook/plex?token={TOKEN} HTTP/1.1\r\nHost: stellarr.test\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with (
        socket.create_connection((host, int(port)), timeout=60) as sock,
        sock.makefile("rb") as reader,
    ):
        sock.sendall(head)
        sock.sendall(body)
        status = int(reader.readline().split()[1])
        headers = {}
        while (line := reader.readline().decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        answer = json.loads(reader.read(int(headers["content-length"])))
        after = reader.read()
    assert status == 403 and "X-Origin-Verify" in answer["detail"]
    assert headers.get("connection") == "close"
    assert after == b""
