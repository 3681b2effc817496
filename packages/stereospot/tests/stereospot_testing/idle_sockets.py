"""Raw sockets that connect and say nothing, as a hostile client holds them: for the idle
connection tests (tests/web/ and tests/inference/test_idle_connections.py) and
bench/idle_connections.py."""

from __future__ import annotations

import resource
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

# One recv may wait this long; the loops below bound how many waits there are.
RECV_WAIT = 5.0


def address(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    assert parts.hostname is not None and parts.port is not None, base
    return parts.hostname, parts.port


def descriptor_limit(limit: int) -> Callable[[], None]:
    """A `preexec_fn` that starts the child with at most `limit` open descriptors (soft
    and hard), as a small container or a systemd unit might."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    return apply


def descriptor_limits(soft: int, hard: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    return apply


def raise_own_limit(needed: int) -> None:
    """This process will hold `needed` sockets at once: raise its own soft limit if it can."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextmanager
def idle_sockets(base: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections to `base`, opened one after another, that send nothing; all
    closed on the way out. Connecting needs no `accept` (the kernel's backlog completes the
    handshake), so this never waits on the server."""
    raise_own_limit(count)
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(address(base), timeout=10))
            sockets.append(sock)
        yield sockets


def read_to_end(sock: socket.socket, waits: int = 4) -> bytes | None:
    """Everything the server sends until it closes the connection; None if it was still
    open after `waits` reads that each waited RECV_WAIT seconds for a byte."""
    sock.settimeout(RECV_WAIT)
    received = b""
    idle = 0
    while idle < waits:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            idle += 1
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    return None


def read_response(sock: socket.socket) -> bytes:
    """One keep-alive response: its head, then as many body bytes as it announces."""
    sock.settimeout(RECV_WAIT)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, data
        body += chunk
    return head + b"\r\n\r\n" + body


def get(base: str, path: str) -> bytes | None:
    """A one-shot `GET path` over a raw socket with `Connection: close`: the whole answer
    (b"" when the server closed without one), or None when the server never closed."""
    host, port = address(base)
    try:
        sock = socket.create_connection((host, port), timeout=RECV_WAIT)
    except OSError:
        return b""
    with sock:
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
        try:
            sock.sendall(request.encode("ascii"))
        except OSError:
            return b""
        return read_to_end(sock, waits=1)


def status(answer: bytes | None) -> int | None:
    """The status code of a raw HTTP answer, None when there was none."""
    if not answer or not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer[9:12])
