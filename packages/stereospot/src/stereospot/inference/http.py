"""Inference over HTTP: a client of the container contract in inference/server.py.

The call blocks for as long as the segment takes, up to `timeout` seconds without an answer
(STEREOSPOT_INFERENCE_TIMEOUT); the worker's heartbeat thread keeps the message hidden
meanwhile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from stereospot.inference import prepass_body
from stereospot.ports import Progress, SegmentRequest


class InferenceFailed(Exception):
    """The endpoint answered with an error; the message says what it said."""


class HttpInference:
    def __init__(
        self,
        base_url: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 3600.0,
    ) -> None:
        # A segment may take many minutes, but a hung endpoint must not hold the worker and
        # its message for ever; connecting must be quick.
        limits = httpx.Timeout(timeout, connect=min(10.0, timeout))
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=limits,
            transport=transport,
            headers={"Authorization": f"Bearer {token}"},
        )

    def ping(self) -> bool:
        try:
            return self.client.get("/ping", timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    def _invoke(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.post("/invocations", json=body)
        except httpx.TimeoutException:
            read = self.client.timeout.read
            raise InferenceFailed(f"no answer from the inference endpoint in {read:.0f}s") from None
        except httpx.HTTPError as exc:
            raise InferenceFailed(f"inference endpoint unreachable: {exc}") from None
        if response.status_code != 200:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise InferenceFailed(f"inference endpoint {response.status_code}: {str(detail)[:300]}")
        data: dict[str, Any] = response.json()
        return data

    def convert(self, request: SegmentRequest, progress: Progress) -> Mapping[str, Any]:
        progress(0)
        report: Mapping[str, Any] = self._invoke({"action": "convert", **request.as_dict()})[
            "report"
        ]
        progress(100)
        return report

    def prepass(
        self, source_uri: str, params: Mapping[str, Any], preview_uri: str | None = None
    ) -> Mapping[str, Any] | None:
        body = prepass_body(source_uri, params, preview_uri)
        result: Mapping[str, Any] | None = self._invoke(body)["normalisation"]
        return result

    def close(self) -> None:
        self.client.close()
