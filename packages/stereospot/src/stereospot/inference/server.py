"""The inference container contract (SageMaker-compatible): `GET /ping` answers 200 when
the container can take work; `POST /invocations` takes a JSON request and answers JSON.

Request:  {"action": "convert", "input_uri": ..., "output_uri": ..., "params": {...},
           "job_id": ..., "index": n, "total": N, "span"?: [start, end | null]}
          (with a span, input_uri is the job's source and the segment is that stretch of
          it: keyframe times in its video time base, end excluded)
       or {"action": "prepass", "input_uri": ..., "params": {...}, "output_uri"?: ...}
          (a pre-pass writes its preview stills at output_uri when one is given)
Response: {"report": {...}} or {"normalisation": {...} | null}; errors as {"detail": ...}
with 400 (bad request) or 500 (the conversion failed).

URIs are resolved through the container's own ObjectStore (s3:// on AWS, file:// for a
shared folder), so the same image serves the HTTP client and the SageMaker async endpoint.
Only the pipeline's own keys are accepted (see InProcessInference).

`POST /invocations` needs `Authorization: Bearer <inference_token(signing key)>`; 401
otherwise. Behind SageMaker (STEREOSPOT_INFERENCE_BEHIND_SAGEMAKER=1) the endpoint calls
the container itself without that header, so the check is off there: such a container must
only be reachable by SageMaker. `GET /ping` is always open.

The token is checked before a byte of the body is read, and the body is capped at
INVOCATION_LIMIT (413 beyond it). A client's wrong tokens are counted (login_limit): past
the limit it gets 429 with Retry-After, whatever token it sends. `params.model` is a
model's name (engine.model_names), never a path.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from stereospot.client_ip import Network, client_key
from stereospot.engine.model_names import ModelNameError, check_model_name
from stereospot.errors import InvalidInput, NotFound
from stereospot.login_limit import LoginLimiter
from stereospot.media.span import check_span
from stereospot.ports import Inference, SegmentRequest

# A request is a few URIs and numbers (the normalisation is a handful more): 64 KiB is
# far above any the pipeline sends.
INVOCATION_LIMIT = 64 * 1024


def parse_request(body: Any) -> tuple[str, SegmentRequest]:
    if not isinstance(body, dict):
        raise InvalidInput("the request must be a JSON object")
    action = body.get("action", "convert")
    if action not in ("convert", "prepass"):
        raise InvalidInput("action must be convert or prepass")
    try:
        params = body.get("params") or {}
        if not isinstance(params, dict):
            raise InvalidInput("params must be an object")
        if params.get("model") is not None:
            check_model_name(params["model"])
        request = SegmentRequest(
            job_id=str(body.get("job_id", "")),
            index=int(body.get("index", 0)),
            total=int(body.get("total", 1)),
            input_uri=str(body["input_uri"]),
            output_uri=str(body.get("output_uri", "")),
            params=params,
            span=None if body.get("span") is None else check_span(body["span"]),
        )
    except ModelNameError as exc:
        raise InvalidInput(str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"bad request: {exc}") from None
    if action == "convert" and not request.output_uri:
        raise InvalidInput("convert needs output_uri")
    return action, request


def invoke(inference: Inference, body: Any) -> dict[str, Any]:
    """One invocation, shared by the HTTP app and the tests' SageMaker stand-in."""
    action, request = parse_request(body)
    if action == "prepass":
        # For a prepass, output_uri (optional) is where the preview still goes.
        result = inference.prepass(request.input_uri, request.params, request.output_uri or None)
        return {"normalisation": None if result is None else dict(result)}
    return {"report": dict(inference.convert(request, lambda percent: None))}


def authorised(authorization: str | None, token: str | None) -> bool:
    """token None: no check (behind SageMaker only). An empty token never matches."""
    if token is None:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON, refused with 413 as soon as it is known to exceed `limit` bytes:
    by its Content-Length before anything is read, else while counting."""
    too_large = HTTPException(413, f"the request is larger than {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python goes
        raise HTTPException(400, "the request must be JSON") from None


def create_app(
    inference: Inference,
    *,
    token: str | None,
    limiter: LoginLimiter | None = None,
    trusted_proxies: Sequence[Network] = (),
) -> FastAPI:
    """token: the bearer token /invocations demands; None only behind SageMaker.
    limiter: counts wrong tokens per client (default: 5 per 15 minutes); trusted_proxies:
    whose X-Forwarded-For names the client (STEREOSPOT_TRUSTED_PROXIES)."""
    app = FastAPI(title="StereoSpot inference", docs_url=None, redoc_url=None)
    logins = limiter or LoginLimiter()

    def check_token(request: Request) -> None:
        if token is None:
            return
        peer = request.client.host if request.client else None
        client = client_key(peer, request.headers.get("x-forwarded-for"), trusted_proxies)
        wait = logins.attempt(client)
        if wait is not None:
            raise HTTPException(
                429, "too many wrong bearer tokens; try again later", {"Retry-After": str(wait)}
            )
        if not authorised(request.headers.get("authorization"), token):
            raise HTTPException(401, "missing or wrong bearer token")
        logins.succeeded(client)

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/invocations")
    async def invocations(request: Request) -> dict[str, Any]:
        check_token(request)  # before the body: a stranger's bytes are never read
        body = await read_json(request, INVOCATION_LIMIT)
        try:
            return await run_in_threadpool(invoke, inference, body)
        except (InvalidInput, NotFound) as exc:
            raise HTTPException(400, str(exc)) from None
        except Exception as exc:
            raise HTTPException(500, f"conversion failed: {exc}") from None

    return app
