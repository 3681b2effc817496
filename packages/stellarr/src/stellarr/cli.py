"""Command line: `stellarr serve`, `warm-trending`, `start-afresh`, `gen-vapid`, `plex-sync`
and `deploy`.

Every problem found before the server starts is one line on stderr and exit status 2,
never a traceback: the person reading it is setting Stellarr up, not debugging it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging.config
import os
import socket
import sys
from collections.abc import Sequence

from stellarr.bootstrap import Deployment, configure
from stellarr.deploy import add_arguments as add_deploy_arguments
from stellarr.deploy import run as run_deploy
from stellarr.domain.client_ip import is_loopback
from stellarr.plex_sync import add_arguments as add_plex_sync_arguments
from stellarr.plex_sync import run as run_plex_sync
from stellarr.settings import SettingsError

EXIT_CONFIG = 2
EXIT_FAILED = 1


class StartupError(Exception):
    """One line that says what is wrong and how to fix it."""


def _fail(message: str) -> int:
    print(f"stellarr: {message}", file=sys.stderr, flush=True)
    return EXIT_CONFIG


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {port} on {host} is already in use; pick another with "
                    f"`make run PORT={port + 1}` (or `stellarr serve --port {port + 1}`)"
                ) from None
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _port(raw: str) -> int:
    port = int(raw) if raw.isdigit() else -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a TCP port (1 to 65535)")
    return port


async def _open_store(deployment: Deployment) -> None:
    """Open (and migrate) the store once before serving, so that a lost or unwritable
    database is a clear refusal instead of a traceback from the server's start-up."""
    from stellarr.bootstrap import build_stores
    from stellarr.domain.errors import StoreError

    stores = build_stores(deployment.config, deployment.environment)
    try:
        await stores.database.open()
        await stores.database.check_writable()
    except StoreError as exc:
        raise StartupError(str(exc)) from None
    finally:
        await stores.database.close()


def _warnings(deployment: Deployment, host: str) -> list[str]:
    from stellarr.bootstrap import ui_is_built

    lines = list(deployment.notices)
    if deployment.config.static_dir is None and not ui_is_built():
        lines.append(
            "The web app is not built, so only the API, the feeds and /api/docs answer: "
            "`make run` builds it (or `make web`)."
        )
    if not is_loopback(host) and deployment.config.app_secret_arn is None:
        settings = asyncio.run(deployment.settings.get())
        if not settings.login_origins():
            lines.append(
                f"Warning: listening on {host} without PUBLIC_URL or ALLOWED_ORIGINS, so logins "
                "trust the Host header people send. Set PUBLIC_URL to the address people use."
            )
    return lines


def serve(args: argparse.Namespace) -> int:
    try:
        deployment = configure(os.environ)
        _check_port(args.host, args.port)
        asyncio.run(_open_store(deployment))
    except SettingsError as exc:
        return _fail(f"configuration error: {exc}")
    except StartupError as exc:
        return _fail(str(exc))
    import uvicorn

    from stellarr import server
    from stellarr.bootstrap import build_app
    from stellarr.logs import log_config

    for line in _warnings(deployment, args.host):
        # stdout on purpose, not a log line: a generated password is shown this once.
        print(f"\n  {line}\n", flush=True)
    app = build_app(
        deployment.config,
        deployment.settings,
        environ=deployment.environment,
        # An S3 deployment has its own schedule (EventBridge, cron) and nothing here to
        # serve; without TMDB there is nothing to fetch (the start-up notice says so once).
        schedule_trending=deployment.config.trending_s3_bucket is None
        and asyncio.run(deployment.settings.get()).tmdb_configured,
        # A server keeps running after it answers, so notifications need not hold it up.
        detach_background=True,
    )
    # Before the port opens: the connection cap is sized from the raised descriptor limit.
    guard = server.prepare(
        deployment.config.request_head_timeout, deployment.config.max_connections
    )
    config = server.config(
        app,
        guard,
        host=args.host,
        port=args.port,
        log_config=log_config(deployment.config.log_level),
        proxy_headers=False,  # X-Forwarded-For is judged by TRUSTED_PROXIES, not uvicorn
        server_header=False,
        access_log=args.access_log,
    )
    running = uvicorn.Server(config)
    # Uvicorn raises a caught Ctrl+C again once it has shut down; that is how one stops it.
    with contextlib.suppress(KeyboardInterrupt):
        running.run()
    return 0 if running.started else EXIT_FAILED


def warm_trending(args: argparse.Namespace) -> int:
    """Write the trending lists once; the summary goes to stdout, one log line per list to
    stderr; exit 1 when a list failed (its last good file stays)."""
    try:
        deployment = configure(os.environ)
        if deployment.config.app_secret_arn is None:
            settings = asyncio.run(deployment.settings.get())
            if not settings.tmdb_configured:
                raise SettingsError("TMDB is not configured: set TMDB_READ_TOKEN or TMDB_API_KEY")
        from stellarr.bootstrap import warm_trending as run
        from stellarr.logs import log_config
        from stellarr.services.trending import failed

        logging.config.dictConfig(log_config(deployment.config.log_level))
        summary = asyncio.run(run(deployment))
    except SettingsError as exc:
        return _fail(f"configuration error: {exc}")
    print(json.dumps(summary, indent=2), flush=True)
    return EXIT_FAILED if failed(summary) else 0


def start_afresh(args: argparse.Namespace) -> int:
    """Forget that the data folder held a database, so `serve` creates a new, empty one."""
    from stellarr.settings import Config
    from stellarr.store.sqlite import marker_path

    try:
        config = Config.from_mapping(configure_environment())
    except SettingsError as exc:
        return _fail(f"configuration error: {exc}")
    path = config.database_path
    if path.exists() and path.stat().st_size > 0:
        return _fail(f"{path} still holds a database; move it away first if you mean it")
    marker_path(path).unlink(missing_ok=True)
    print(f"stellarr: the next `stellarr serve` creates a new, empty {path}")
    return 0


def gen_vapid(args: argparse.Namespace) -> int:
    """Print a fresh VAPID key pair: the private key to set, the public one for reference
    (browsers get it from /api/push/vapid-public-key)."""
    from stellarr.clients.vapid import VapidKey

    key = VapidKey.generate()
    if args.json:
        print(json.dumps({"VAPID_PRIVATE_KEY": key.private_b64, "public_key": key.public_b64}))
    else:
        print(f"VAPID_PRIVATE_KEY={key.private_b64}")
        print(f"# public key (served to browsers): {key.public_b64}")
    return 0


def configure_environment() -> dict[str, str]:
    from stellarr.environment import merged_environment

    return merged_environment(os.environ)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="stellarr", description="Stellarr media requests")
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the web server")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=_port, default=8000)
    run.add_argument("--no-access-log", dest="access_log", action="store_false")
    run.set_defaults(handler=serve)
    warm = commands.add_parser(
        "warm-trending", help="fetch TMDB's trending lists into the data folder or S3 once"
    )
    warm.set_defaults(handler=warm_trending)
    afresh = commands.add_parser(
        "start-afresh", help="after losing the database: let serve start with an empty one"
    )
    afresh.set_defaults(handler=start_afresh)
    vapid = commands.add_parser("gen-vapid", help="print a new VAPID key pair for web push")
    vapid.add_argument("--json", action="store_true", help="as JSON, for a Secrets Manager secret")
    vapid.set_defaults(handler=gen_vapid)
    plex_sync = commands.add_parser(
        "plex-sync", help="make Stellarr's library what Plex holds (see docs/library-sync.md)"
    )
    add_plex_sync_arguments(plex_sync)
    plex_sync.set_defaults(handler=run_plex_sync)
    deploy = commands.add_parser(
        "deploy",
        help="deploy to AWS: terraform apply, the Lambda package, the web app "
        "(see docs/deploy-aws.md; needs the `deploy` extra)",
        description="Deploy Stellarr to the AWS that packages/stellarr/infra describes: "
        "terraform apply, then the Lambda package (a new version behind the `live` alias, "
        "the VAPID key written into the app secret once, one cache-warmer run), then the "
        "web app (to its bucket, with cache headers) and a CloudFront invalidation.",
    )
    add_deploy_arguments(deploy)
    deploy.set_defaults(handler=run_deploy)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.handler(args)
    return code
