"""Implementations of the Inference port: in-process, HTTP (the SageMaker container
contract) and a SageMaker asynchronous endpoint."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any


def inference_token(signing_key: bytes) -> str:
    """The bearer token of `POST /invocations`: derived from the signing key, so the web
    processes, the workers and the container share it without another secret."""
    return hmac.new(signing_key, b"inference", hashlib.sha256).hexdigest()


def prepass_body(
    source_uri: str, params: Mapping[str, Any], preview_uri: str | None
) -> dict[str, Any]:
    """The request a remote container gets for a job's pre-pass."""
    body: dict[str, Any] = {"action": "prepass", "input_uri": source_uri, "params": dict(params)}
    if preview_uri:
        body["output_uri"] = preview_uri
    return body
