"""`stereospot inference-server` has the same guards as `serve` (stereospot.server): a
connection over STEREOSPOT_MAX_CONNECTIONS is answered 503 at once, and silent ones are
closed after STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS. A real process, raw sockets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stereospot_testing.idle_sockets import get, idle_sockets, read_to_end, status
from stereospot_testing.web_server import free_port


@contextmanager
def inference_server_process(tmp_path: Path, **settings: str) -> Iterator[str]:
    """`stereospot inference-server` on a free port; yields its URL once /ping answers."""
    port = free_port()
    env = {
        **os.environ,
        "STEREOSPOT_BACKEND": "local",
        "STEREOSPOT_DATA_DIR": str(tmp_path / "data"),
        "STEREOSPOT_CONVERTER": "passthrough",
        **settings,
    }
    with (tmp_path / "inference.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "stereospot", "inference-server", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                assert process.poll() is None, (tmp_path / "inference.log").read_text()
                if status(get(url, "/ping")) == 200:
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError("stereospot inference-server did not answer /ping")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_inference_server_caps_connections_and_closes_silent_ones(tmp_path: Path) -> None:
    settings = {"STEREOSPOT_MAX_CONNECTIONS": "4", "STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS": "2"}
    with inference_server_process(tmp_path, **settings) as url, idle_sockets(url, 5) as sockets:
        # The fifth is over the cap: a 503 and closed, without a byte sent.
        assert status(read_to_end(sockets[-1])) == 503
        # The four held ones are closed once the head timeout passes; then /ping answers.
        assert [read_to_end(sock) for sock in sockets[:4]] == [b""] * 4
        assert status(get(url, "/ping")) == 200
