"""AWS Lambda entry point: the same app as `stellarr serve`, behind Mangum.

Imported anywhere but Lambda, it builds nothing: the first invocation builds the app (FastAPI,
the store, the settings source), and later invocations on the same instance reuse it. On
Lambda (AWS_LAMBDA_INITIALIZATION_TYPE is set) the app is built while the runtime
initialises: no request waits for that with SnapStart or provisioned concurrency, and on
demand it costs what building on the first invocation would, except when Lambda initialises
an instance ahead of any request. Building touches no network: the secret is read and the
table reached on the first request that needs them.

The garbage collector is off while the init phase imports and builds, and what was built is
then frozen (`gc.freeze()`): building leaves some 92,000 tracked objects and frees next to
nothing, yet it would run over a hundred collections on the way; later collections skip the
frozen objects for the life of the instance. bench/lambda_lean.py measures it.

SnapStart (initialisation type `snap-start`) also warms what the first requests would load
(the TMDB client, the request and search services, one in-process request that needs no
network beyond the settings: with ORIGIN_VERIFY_SECRET in force the request carries
CloudFront's header, read from the secret, so that it passes the origin check) so that it is
in the snapshot. A snapshot is restored into many instances at once
and maybe days later, so the runtime hooks make sure nothing from before it is reused:
before the snapshot every client is closed (pooled connections would be dead, and shared);
after the restore the random generators are reseeded and the app is built again from the
environment, so credentials, secrets and connections are this instance's own.

`cache_warmer` is a second function's handler (EventBridge, daily, 128 MB): it writes the
trending lists to TRENDING_S3_BUCKET with the project's S3 client and never builds the web
app, not even during init, so it loads neither FastAPI nor Mangum.

Function URL (payload 2.0) events carry the caller in requestContext.http.sourceIp, which Mangum
passes on as the ASGI client; behind CloudFront, TRUSTED_PROXIES decides which X-Forwarded-For
hop is the real client, exactly as for `stellarr serve` behind Caddy.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
# The handler setting of the function being initialised ("module.function"), set by Lambda.
HANDLER_VARIABLE = "_HANDLER"
# Shipped with Lambda's Python runtimes, not with this package; absent everywhere else.
RUNTIME_HOOKS_MODULE = "snapshot_restore_py"
# Initialisation that no request waits for, so worth loading everything a request would.
WARMED_INITIALIZATION = frozenset({"snap-start", "provisioned-concurrency"})
# A request that runs the whole HTTP stack without reaching the store or Secrets Manager.
_WARM_UP_EVENT: dict[str, Any] = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/api/auth/params",
    "rawQueryString": "",
    "headers": {"host": "localhost", "x-forwarded-proto": "https"},
    "requestContext": {
        "http": {
            "method": "GET",
            "path": "/api/auth/params",
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "stellarr-warm-up",
        },
        "requestId": "warm-up",
        "routeKey": "$default",
        "stage": "$default",
    },
    "isBase64Encoded": False,
}

_asgi_handler: Any = None


def _build() -> Any:
    _import_fastapi_with_its_models_deferred()
    from mangum import Mangum

    from stellarr.bootstrap import app_from_environment

    return Mangum(app_from_environment(os.environ), lifespan="off")


def _import_fastapi_with_its_models_deferred() -> None:
    """Import FastAPI with pydantic's `defer_build` on for the models it defines at import.

    Those are its OpenAPI document's ~30 models and its error models; only a request for
    /api/openapi.json validates with them, and building their schemas up front cost about
    12 ms of a cold start (bench/lambda_lean.py). pydantic merges a model's config from its
    bases when the class is made, so the setting is on BaseModel only for this import; the
    app's own models, made later, are built as usual.
    """
    from pydantic import BaseModel

    config = BaseModel.model_config
    if "fastapi" in sys.modules or "defer_build" in config:
        return
    config["defer_build"] = True
    try:
        import fastapi.openapi.utils  # noqa: F401
    finally:
        del config["defer_build"]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _asgi_handler
    if _asgi_handler is None:
        _asgi_handler = _build()
    response: dict[str, Any] = _asgi_handler(event, context)
    return response


class TrendingFailed(RuntimeError):
    """Some lists failed: the invocation counts as an error, so alarms and EventBridge's
    retries see it; the lists that were written stay written."""


def cache_warmer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """EventBridge entry: one trending run to TRENDING_S3_BUCKET; returns the per-list
    summary, or raises TrendingFailed naming the lists that failed."""
    from stellarr.bootstrap import configure, warm_trending
    from stellarr.services.trending import failed

    summary = _run(warm_trending(configure(os.environ)))
    problems = failed(summary)
    if problems:
        raise TrendingFailed(f"home lists failed: {', '.join(problems)}")
    return summary


def warm_up() -> None:
    """Load what the first requests would load. The one connection it may open is the
    settings' (the secret, with APP_SECRET_ARN), read when the origin check is on."""
    services = _asgi_handler.app.state.services
    # Building them imports the TMDB client and creates it; no request is made.
    _ = services.media_requests, services.search
    _asgi_handler(_warm_up_event(services), None)


def _warm_up_event(services: Any) -> dict[str, Any]:
    """With ORIGIN_VERIFY_SECRET in force the warm-up request carries CloudFront's header,
    or the origin check would answer it before the routes it is there to load."""
    from stellarr.api.origin_verify import HEADER
    from stellarr.domain.errors import Unavailable

    try:
        accepted = _run(services.current_settings()).origin_verify_values
    except Unavailable:
        return _WARM_UP_EVENT  # answered 503 by the check: the first request reads them again
    if not accepted:
        return _WARM_UP_EVENT
    return {**_WARM_UP_EVENT, "headers": {**_WARM_UP_EVENT["headers"], HEADER.lower(): accepted[0]}}


def before_snapshot() -> None:
    _close_app()
    # The warmed app is gone (after_restore builds another): let the collector have it,
    # rather than keep it frozen in every instance restored from the snapshot.
    gc.unfreeze()
    gc.collect()


def after_restore() -> None:
    global _asgi_handler
    _reseed()
    _close_app()
    _asgi_handler = _build()


def _close_app() -> None:
    global _asgi_handler
    built, _asgi_handler = _asgi_handler, None
    if built is not None:
        _run(built.app.state.services.close())


def _run(work: Coroutine[Any, Any, T]) -> T:
    import asyncio

    # Mangum runs every invocation on this thread's loop; the clients belong to it.
    return asyncio.get_event_loop_policy().get_event_loop().run_until_complete(work)


def _reseed() -> None:
    """Give this instance its own randomness: every instance restored from one snapshot
    starts with the same generator states, so their retry jitter would move in lockstep.
    Retry policies draw from the process-wide generator, so one reseed covers them; uuid4
    (DynamoDB client tokens) and `secrets` read os.urandom on every call."""
    import random
    import ssl

    random.seed()
    # OpenSSL's generator is process memory too (TLS randoms, key shares): mix in new entropy.
    ssl.RAND_add(os.urandom(32), 32.0)


def _register_runtime_hooks() -> None:
    try:
        hooks = importlib.import_module(RUNTIME_HOOKS_MODULE)
    except ImportError:
        return  # not a Lambda Python runtime: no snapshot will be taken
    hooks.register_before_snapshot(before_snapshot)
    hooks.register_after_restore(after_restore)


def _initialise(environ: Mapping[str, str]) -> None:
    global _asgi_handler
    initialization = environ.get(INITIALIZATION_TYPE)
    if not initialization or environ.get(HANDLER_VARIABLE, "").endswith(".cache_warmer"):
        return  # not on Lambda, or the warmer's function, which has no use for the web app
    gc.disable()
    try:
        _asgi_handler = _build()
        if initialization in WARMED_INITIALIZATION:
            warm_up()
    finally:
        gc.freeze()
        gc.enable()


# The runtime only runs hooks registered while it imports the handler module.
_register_runtime_hooks()
_initialise(os.environ)
