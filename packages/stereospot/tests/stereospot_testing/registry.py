"""A container registry on 127.0.0.1 speaking the OCI distribution API, for `ops push`.

It stands in for ECR the way the tests' other servers stand in for their services: HTTP
Basic auth with the user and password ECR's token holds (`podman login` checks them on
`GET /v2/`), monolithic and chunked blob uploads, and manifests by tag. Blobs are checked
against their digests, so a push that sent the wrong bytes fails as it would on ECR.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Registry:
    user: str
    password: str
    blobs: dict[str, bytes] = field(default_factory=dict)
    manifests: dict[tuple[str, str], tuple[str, bytes]] = field(default_factory=dict)
    uploads: dict[str, bytearray] = field(default_factory=dict)
    host: str = ""

    def authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"


def _handler(registry: Registry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            headers.setdefault("Content-Length", str(len(body)))
            headers.setdefault("Docker-Distribution-API-Version", "registry/2.0")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _body(self) -> bytes:
            if "chunked" not in self.headers.get("Transfer-Encoding", ""):
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))
            # podman streams a layer's PATCH without knowing its length.
            data = bytearray()
            while size := int(self.rfile.readline().split(b";")[0], 16):
                data += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return bytes(data)

        def _route(self) -> tuple[list[str], dict[str, list[str]]] | None:
            if not registry.authorised(self.headers.get("Authorization")):
                self._body()
                self._answer(401, WWW_Authenticate='Basic realm="test"')
                return None
            url = urlsplit(self.path)
            return url.path.strip("/").split("/"), parse_qs(url.query)

        def do_GET(self) -> None:
            self._read()

        def do_HEAD(self) -> None:
            self._read()

        def _read(self) -> None:
            routed = self._route()
            if routed is None:
                return
            parts, _ = routed
            if parts == ["v2"]:
                self._answer(200, b"{}")
            elif parts[-2] == "blobs" and parts[-1] in registry.blobs:
                self._answer(200, registry.blobs[parts[-1]], Docker_Content_Digest=parts[-1])
            elif parts[-2] == "manifests":
                name = "/".join(parts[1:-2])
                found = registry.manifests.get((name, parts[-1])) or next(
                    (m for (n, _), m in registry.manifests.items()
                     if n == name and _digest(m[1]) == parts[-1]),
                    None,
                )  # fmt: skip
                if found is None:
                    self._answer(404)
                else:
                    kind, body = found
                    self._answer(200, body, Content_Type=kind, Docker_Content_Digest=_digest(body))
            else:
                self._answer(404)

        def do_POST(self) -> None:
            routed = self._route()
            if routed is None:
                return
            parts, query = routed
            data = self._body()
            name = "/".join(parts[1:-2])
            if "digest" in query:  # a monolithic upload
                self._store(query["digest"][0], data, name)
                return
            upload = uuid.uuid4().hex
            registry.uploads[upload] = bytearray(data)
            self._answer(202, Location=f"/v2/{name}/blobs/uploads/{upload}", Range="0-0")

        def do_PATCH(self) -> None:
            routed = self._route()
            if routed is None:
                return
            parts, _ = routed
            buffer = registry.uploads[parts[-1]]
            buffer += self._body()
            self._answer(
                202, Location=self.path.split("?")[0], Range=f"0-{max(len(buffer) - 1, 0)}"
            )

        def do_PUT(self) -> None:
            routed = self._route()
            if routed is None:
                return
            parts, query = routed
            data = self._body()
            if parts[-2] == "manifests":
                name = "/".join(parts[1:-2])
                kind = self.headers.get("Content-Type", "")
                registry.manifests[(name, parts[-1])] = (kind, data)
                self._answer(201, Docker_Content_Digest=_digest(data))
                return
            buffer = registry.uploads.pop(parts[-1])
            self._store(query["digest"][0], bytes(buffer + data), "/".join(parts[1:-3]))

        def _store(self, digest: str, data: bytes, name: str) -> None:
            if _digest(data) != digest:
                self._answer(400, b'{"errors":[{"code":"DIGEST_INVALID"}]}')
                return
            registry.blobs[digest] = data
            self._answer(201, Location=f"/v2/{name}/blobs/{digest}", Docker_Content_Digest=digest)

    return Handler


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def registry_server(user: str, password: str) -> Iterator[Registry]:
    registry = Registry(user, password)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(registry))
    registry.host = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield registry
    finally:
        server.shutdown()
        server.server_close()
