"""The inference container contract (SageMaker-compatible): `GET /ping` answers 200 when
the container can take work; `POST /invocations` takes a JSON request and answers JSON.

Request:  {"action": "convert", "input_uri": ..., "output_uri": ..., "params": {...},
           "job_id": ..., "index": n, "total": N}
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
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException
from fastapi.concurrency import run_in_threadpool

from stereospot.errors import InvalidInput, NotFound
from stereospot.ports import Inference, SegmentRequest


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
        request = SegmentRequest(
            job_id=str(body.get("job_id", "")),
            index=int(body.get("index", 0)),
            total=int(body.get("total", 1)),
            input_uri=str(body["input_uri"]),
            output_uri=str(body.get("output_uri", "")),
            params=params,
        )
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


def create_app(inference: Inference, *, token: str | None) -> FastAPI:
    """token: the bearer token /invocations demands; None only behind SageMaker."""
    app = FastAPI(title="StereoSpot inference", docs_url=None, redoc_url=None)

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/invocations")
    async def invocations(
        body: dict[str, Any], authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        if not authorised(authorization, token):
            raise HTTPException(401, "missing or wrong bearer token")
        try:
            return await run_in_threadpool(invoke, inference, body)
        except (InvalidInput, NotFound) as exc:
            raise HTTPException(400, str(exc)) from None
        except Exception as exc:
            raise HTTPException(500, f"conversion failed: {exc}") from None

    return app
