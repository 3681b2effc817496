"""Implementations of the Inference port: in-process, HTTP (the SageMaker container
contract) and a SageMaker asynchronous endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def prepass_body(
    source_uri: str, params: Mapping[str, Any], preview_uri: str | None
) -> dict[str, Any]:
    """The request a remote container gets for a job's pre-pass."""
    body: dict[str, Any] = {"action": "prepass", "input_uri": source_uri, "params": dict(params)}
    if preview_uri:
        body["output_uri"] = preview_uri
    return body
