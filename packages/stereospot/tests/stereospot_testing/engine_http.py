"""A Hugging Face Hub on 127.0.0.1, answering `resolve` the way huggingface.co does for a
file kept in Git LFS: the repository URL redirects (302) to a content URL on another origin
(as the hub's CDN is; a second server here), and carries the
commit (`X-Repo-Commit`), the file's SHA-256 (`X-Linked-Etag`) and size (`X-Linked-Size`);
the content URL honours Range and may drop the first transfer midway. Unknown repositories,
revisions and files get the hub's 404s with their `X-Error-Code`."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


@dataclass
class Hub:
    # {repo_id: {commit: {path in repo: bytes}}}, and {repo_id: {branch: commit}}
    files: dict[str, dict[str, dict[str, bytes]]] = field(default_factory=dict)
    refs: dict[str, dict[str, str]] = field(default_factory=dict)
    lie_about: set[str] = field(default_factory=set)  # commits whose served bytes differ
    cut_first_after: int | None = None  # the first content transfer stops after this many
    gets: list[str | None] = field(default_factory=list)  # the Range header of each GET

    def publish(self, repo: str, commit: str, path: str, body: bytes, branch: str = "main") -> None:
        self.files.setdefault(repo, {}).setdefault(commit, {})[path] = body
        self.refs.setdefault(repo, {})[branch] = commit


@contextmanager
def hub_server(hub: Hub) -> Iterator[str]:
    blobs: dict[str, bytes] = {}
    cdn_url = ""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def do_GET(self) -> None:
            self._answer(head=False)

        def _answer(self, *, head: bool) -> None:
            path = unquote(self.path.split("?", 1)[0])
            if path.startswith("/cdn/"):
                self._content(path.removeprefix("/cdn/"), head)
                return
            owner, _, rest = path.lstrip("/").partition("/")
            repo_name, _, rest = rest.partition("/resolve/")
            repo = f"{owner}/{repo_name}"
            revision, _, file = rest.partition("/")
            if repo not in hub.files:
                self._error(404, "RepoNotFound")
                return
            commit = hub.refs[repo].get(revision, revision)
            if commit not in hub.files[repo]:
                self._error(404, "RevisionNotFound")
                return
            body = hub.files[repo][commit].get(file)
            if body is None:
                self._error(404, "EntryNotFound")
                return
            sha = hashlib.sha256(body).hexdigest()
            # The same size with one byte changed: only a checksum can tell.
            served = bytes([body[0] ^ 1]) + body[1:] if commit in hub.lie_about else body
            blobs[sha] = served
            self.send_response(302)
            self.send_header("X-Repo-Commit", commit)
            self.send_header("X-Linked-Etag", f'"{sha}"')
            self.send_header("X-Linked-Size", str(len(body)))
            self.send_header("ETag", f'"{hashlib.sha1(body).hexdigest()}"')
            self.send_header("Location", f"{cdn_url}/cdn/{sha}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _content(self, sha: str, head: bool) -> None:
            body = blobs.get(sha)
            if body is None:
                self._error(404, "EntryNotFound")
                return
            asked = self.headers.get("Range")
            if not head:
                hub.gets.append(asked)
            start = int(asked.removeprefix("bytes=").split("-")[0]) if asked else 0
            if start:
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            payload = body[start:]
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("ETag", f'"{sha}"')
            self.end_headers()
            if head:
                return
            cut = hub.cut_first_after
            if cut is not None and len(hub.gets) == 1:
                self.wfile.write(payload[:cut])
                self.wfile.flush()
                self.close_connection = True
                return  # the client sees the connection end before Content-Length bytes
            self.wfile.write(payload)

        def _error(self, status: int, code: str) -> None:
            self.send_response(status)
            self.send_header("X-Error-Code", code)
            self.send_header("X-Error-Message", f"{code} (fake hub)")
            self.send_header("Content-Length", "0")
            self.end_headers()

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in ("hub", "cdn")]
    cdn_url = f"http://127.0.0.1:{servers[1].server_address[1]}"
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{servers[0].server_address[1]}"
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
