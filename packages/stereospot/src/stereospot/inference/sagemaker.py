"""Inference through a SageMaker asynchronous endpoint running the container contract.

The request JSON is stored in the input bucket (under requests/, which no notification
watches), `InvokeEndpointAsync` points the endpoint at it, and SageMaker writes the
container's response to the OutputLocation (or an error to the FailureLocation) it returns.
This client polls those, calling `progress` on every poll so the worker's heartbeat and
the cancellation check keep running.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlparse

from stereospot.aws.clients import Clients, call, error_code
from stereospot.inference import prepass_body
from stereospot.ports import ObjectRef, ObjectStore, Progress, SegmentRequest
from stereospot.settings import Settings


class InferenceFailed(Exception):
    """The endpoint reported a failure; the message carries its text."""


class SageMakerInference:
    def __init__(
        self,
        runtime: Any,
        s3: Any,
        objects: ObjectStore,
        endpoint: str,
        poll: float = 5.0,
        timeout: float = 6 * 3600,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.runtime, self.s3, self.objects, self.endpoint = runtime, s3, objects, endpoint
        self.poll, self.timeout, self.sleep = poll, timeout, sleep

    @classmethod
    def from_settings(cls, settings: Settings, objects: ObjectStore) -> SageMakerInference:
        clients = Clients(settings)
        assert settings.sagemaker_endpoint is not None  # Settings.validated checks it
        return cls(
            clients.client("sagemaker-runtime"),
            clients.s3,
            objects,
            settings.sagemaker_endpoint,
            poll=settings.poll_seconds,
            timeout=settings.inference_timeout,
        )

    def _read(self, uri: str | None) -> bytes | None:
        if not uri:
            return None
        parsed = urlparse(uri)
        try:
            body = self.s3.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"]
        except self.s3.exceptions.ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise
        data: bytes = body.read()
        return data

    def _invoke(self, body: dict[str, Any], name: str, progress: Progress) -> dict[str, Any]:
        ref = ObjectRef("input", f"requests/{name}-{secrets.token_hex(4)}.json")
        self.objects.put_bytes(ref, json.dumps(body).encode())
        started = call(
            "SageMaker invoke",
            self.runtime.invoke_endpoint_async,
            EndpointName=self.endpoint,
            InputLocation=self.objects.uri(ref),
            ContentType="application/json",
            Accept="application/json",
        )
        deadline = time.monotonic() + self.timeout
        try:
            while time.monotonic() < deadline:
                output = self._read(started.get("OutputLocation"))
                if output is not None:
                    result: dict[str, Any] = json.loads(output)
                    return result
                failure = self._read(started.get("FailureLocation"))
                if failure is not None:
                    raise InferenceFailed(failure.decode(errors="replace")[:500])
                progress(0)
                self.sleep(self.poll)
            raise InferenceFailed(f"no answer from {self.endpoint} in {self.timeout:.0f}s")
        finally:
            self.objects.delete_prefix("input", ref.key)

    def convert(self, request: SegmentRequest, progress: Progress) -> Mapping[str, Any]:
        body = {"action": "convert", **request.as_dict()}
        report: Mapping[str, Any] = self._invoke(
            body, f"{request.job_id}-{request.index}", progress
        )["report"]
        progress(100)
        return report

    def prepass(
        self, source_uri: str, params: Mapping[str, Any], preview_uri: str | None = None
    ) -> Mapping[str, Any] | None:
        body = prepass_body(source_uri, params, preview_uri)
        result: Mapping[str, Any] | None = self._invoke(body, "prepass", lambda p: None)[
            "normalisation"
        ]
        return result
