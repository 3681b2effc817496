"""Small servers on 127.0.0.1 for the inference tests: our inference app under uvicorn,
and a stand-in for SageMaker's InvokeEndpointAsync (moto accepts the call but runs
nothing), which reads the request from S3, runs the container contract and writes the
answer where SageMaker would."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

import uvicorn

from stereospot.inference import inference_token
from stereospot.inference.server import create_app, invoke
from stereospot.login_limit import LoginLimiter
from stereospot.ports import Inference

TOKEN = inference_token(b"k" * 32)


@contextmanager
def inference_server(
    inference: Inference, token: str | None = TOKEN, limiter: LoginLimiter | None = None
) -> Iterator[str]:
    app = create_app(inference, token=token, limiter=limiter)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


@contextmanager
def sagemaker_standin(
    inference: Inference, s3: Any, out_bucket: str
) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """Yields (endpoint URL, the requests it received: path and headers)."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            source = urlparse(self.headers["X-Amzn-SageMaker-InputLocation"])
            ident = uuid.uuid4().hex
            out_key, fail_key = f"sm/{ident}.out", f"sm/{ident}.failure"

            def work() -> None:
                body = s3.get_object(Bucket=source.netloc, Key=source.path.lstrip("/"))["Body"]
                try:
                    answer = json.dumps(invoke(inference, json.loads(body.read())))
                    s3.put_object(Bucket=out_bucket, Key=out_key, Body=answer.encode())
                except Exception as exc:
                    s3.put_object(Bucket=out_bucket, Key=fail_key, Body=str(exc).encode())

            threading.Thread(target=work, daemon=True).start()
            payload = json.dumps({"InferenceId": ident}).encode()
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Amzn-SageMaker-OutputLocation", f"s3://{out_bucket}/{out_key}")
            self.send_header("X-Amzn-SageMaker-FailureLocation", f"s3://{out_bucket}/{fail_key}")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
