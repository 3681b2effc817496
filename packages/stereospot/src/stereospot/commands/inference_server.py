"""`stereospot inference-server`: the SageMaker-compatible container contract
(GET /ping, POST /invocations) around the in-process converter. Port 8080, as SageMaker
expects; 127.0.0.1 unless --host says otherwise (a container passes --host 0.0.0.0).
/invocations needs the bearer token derived from the signing key, unless
STEREOSPOT_INFERENCE_BEHIND_SAGEMAKER=1 (see stereospot.inference.server)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from stereospot.errors import StereoSpotError


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser(
        "inference-server", help="serve the inference container contract"
    )
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8080)
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here, not with the module: every command's module is imported to build the
    # parser, and FastAPI alone would add some 0.17 s to `convert` and to each worker.
    from stereospot.bootstrap import make_backend, signing_key
    from stereospot.converters import choose
    from stereospot.inference import inference_token
    from stereospot.inference.inprocess import InProcessInference
    from stereospot.inference.server import create_app
    from stereospot.login_limit import LoginLimiter
    from stereospot.settings import Settings

    try:
        settings = Settings.from_env()
        backend = make_backend(settings)
        inference = InProcessInference(
            backend.objects, choose(settings.converter), settings.model_dir
        )
        token = (
            None if settings.inference_behind_sagemaker else inference_token(signing_key(settings))
        )
    except StereoSpotError as exc:
        print(f"stereospot inference-server: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from stereospot.server import config, prepare

    # Before the port opens: the connection cap is sized from the raised descriptor limit.
    guard = prepare(settings.request_head_timeout, settings.max_connections)
    logins = LoginLimiter(settings.login_max_failures, settings.login_window_seconds)
    app = create_app(
        inference, token=token, limiter=logins, trusted_proxies=settings.trusted_proxies
    )
    server = uvicorn.Server(config(app, guard, host=args.host, port=args.port))
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how one stops it
            server.run()
    finally:
        backend.close()
    return 0
