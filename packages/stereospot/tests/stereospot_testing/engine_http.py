"""A model server on 127.0.0.1 that can drop a transfer midway and may ignore Range."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Behaviour:
    body: bytes
    honour_range: bool = True
    cut_first_after: int | None = None  # the first transfer stops after this many bytes
    requests: list[str | None] = field(default_factory=list)  # the Range header of each GET


@contextmanager
def model_server(behaviour: Behaviour) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            asked = self.headers.get("Range")
            behaviour.requests.append(asked)
            body, start = behaviour.body, 0
            if asked and behaviour.honour_range:
                start = int(asked.removeprefix("bytes=").split("-")[0])
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            payload = body[start:]
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            cut = behaviour.cut_first_after
            if cut is not None and len(behaviour.requests) == 1:
                self.wfile.write(payload[:cut])
                self.wfile.flush()
                self.close_connection = True
                return  # the client sees the connection end before Content-Length bytes
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/model.onnx"
    finally:
        server.shutdown()
        server.server_close()
