"""Command line: `stellarr serve`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from stellarr.settings import Settings, SettingsError, load_settings


def _banner(settings: Settings) -> None:
    # stdout on purpose, not a log line: this is the one time the password is shown.
    if settings.generated_password:
        print(
            "\n"
            "  Stellarr generated a shared password for this installation:\n\n"
            f"      {settings.preshared_password}\n\n"
            f"  It is kept in {settings.password_file}.\n"
            "  Set PRESHARED_PASSWORD to choose your own.\n",
            flush=True,
        )
    elif settings.password_file is not None:
        print(f"Shared password: see {settings.password_file}", flush=True)


def serve(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"stellarr: configuration error: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from stellarr.bootstrap import build_app
    from stellarr.logs import log_config

    _banner(settings)
    app = build_app(settings)  # settings already loaded above, so errors print cleanly
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=log_config(settings.log_level),
        proxy_headers=False,  # X-Forwarded-For is judged by TRUSTED_PROXIES, not uvicorn
        server_header=False,
        access_log=args.access_log,
    )
    return 0


def lambda_package(args: argparse.Namespace) -> int:
    from stellarr.lambda_package import main

    return main(args.dist)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="stellarr", description="Stellarr media requests")
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the web server")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--no-access-log", dest="access_log", action="store_false")
    run.set_defaults(handler=serve)
    package = commands.add_parser("lambda-package", help="build dist/lambda.zip and layer.zip")
    package.add_argument("--dist", type=Path, default=Path("dist"))
    package.set_defaults(handler=lambda_package)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.handler(args)
    return code
