"""A raw HTTP/1.1 client that writes a huge request body until the server answers, to
see whether a server answers without reading a body (httpx would send it all first)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

HUGE = 300 * 1024 * 1024  # the hostile-load issue's anonymous POST /api/jobs
CHUNK = 64 * 1024


@dataclass
class Answer:
    status: int
    head: str
    body_sent: int  # bytes of the body handed to the socket when the answer's head arrived


def send_until_answered(
    url: str, method: str, path: str, headers: dict[str, str], *, chunked: bool = False
) -> Answer:
    """Write a request with a HUGE body (declared, or chunked) from one thread while this
    one waits for the answer's head; the writer stops as soon as the answer is in."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80))
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(HUGE)}
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in {**headers, **framing}.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    answered = threading.Event()
    sent = 0
    piece = b"[" * CHUNK  # the start of a JSON array, never finished
    frame = f"{CHUNK:x}\r\n".encode() + piece + b"\r\n" if chunked else piece

    def write() -> None:
        nonlocal sent
        try:
            while sent < HUGE and not answered.is_set():
                sent += CHUNK  # counted before it goes: an answer to all of it sees HUGE
                sock.sendall(frame)
            if chunked and sent >= HUGE:
                sock.sendall(b"0\r\n\r\n")  # the whole body: a server that waits for it answers
        except OSError:
            pass  # the server closed: the answer tells why

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    received = b""
    try:
        while b"\r\n\r\n" not in received:
            data = sock.recv(65536)
            if not data:
                break
            received += data
        body_sent = sent
        answered.set()
        writer.join()
    finally:
        sock.close()
    head = received.partition(b"\r\n\r\n")[0].decode("latin-1")
    status = int(head.split(" ", 2)[1]) if head else 0
    return Answer(status, head, body_sent)
