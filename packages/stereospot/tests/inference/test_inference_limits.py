"""The inference container under hostile load: the bearer token is checked before a byte
of the body is read, bodies are capped, wrong tokens are counted per client, and
`params.model` names a model in the model folder, never a file elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from stereospot.converters import PassThrough
from stereospot.errors import InvalidInput
from stereospot.inference.inprocess import InProcessInference
from stereospot.inference.server import INVOCATION_LIMIT
from stereospot.login_limit import LoginLimiter
from stereospot.ports import ObjectRef, SegmentRequest
from stereospot_testing.backends import Harness
from stereospot_testing.raw_http import HUGE, send_until_answered
from stereospot_testing.servers import TOKEN, inference_server
from stereospot_testing.videos import make_video

JOB = "c" * 32
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class RecordingPassThrough(PassThrough):
    """The pass-through converter, noting the params of every call it gets."""

    def __init__(self) -> None:
        self.calls: list[Mapping[str, Any]] = []

    def convert(
        self, src: Path, dst: Path, params: Any, progress: Any = None, span: Any = None
    ) -> Any:
        self.calls.append(params)
        return super().convert(src, dst, params, progress, span)

    def prepass(self, src: Path, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        self.calls.append(params)
        return None


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=1)


@pytest.fixture
def bodies(harness: Harness, clip: Path) -> dict[str, dict[str, Any]]:
    """A convert and a pre-pass request for the pipeline's own keys of job JOB."""
    objects = harness.backend.objects
    segment = ObjectRef("input", f"segments/{JOB}/0_1.mp4")
    source = ObjectRef("input", f"input/{JOB}/source.mp4")
    objects.put_file(segment, clip)
    objects.put_file(source, clip)
    output = objects.uri(ObjectRef("output", f"segments/{JOB}/0.mp4"))
    return {
        "convert": {"action": "convert", "job_id": JOB, "index": 0, "total": 1,
                    "input_uri": objects.uri(segment), "output_uri": output},
        "prepass": {"action": "prepass", "input_uri": objects.uri(source)},
    }  # fmt: skip


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_strangers_huge_body_is_refused_unread(harness: Harness) -> None:
    container = InProcessInference(harness.backend.objects, PassThrough())
    with inference_server(container) as url:
        anonymous = send_until_answered(url, "POST", "/invocations", {})
        assert anonymous.status == 401, anonymous.head
        assert anonymous.body_sent < HUGE
        for chunked in (False, True):
            over = send_until_answered(url, "POST", "/invocations", AUTH, chunked=chunked)
            assert over.status == 413, over.head
            assert over.body_sent < HUGE


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_bodies_past_the_cap_are_413_and_bad_json_400(harness: Harness) -> None:
    container = InProcessInference(harness.backend.objects, PassThrough())
    with inference_server(container) as url:
        padded = {"action": "prepass", "input_uri": "x", "pad": " " * INVOCATION_LIMIT}
        over = httpx.post(f"{url}/invocations", json=padded, headers=AUTH)
        assert over.status_code == 413 and "detail" in over.json()
        for junk in (b"{not json", b"[" * 50_000):
            bad = httpx.post(f"{url}/invocations", content=junk, headers=AUTH)
            assert bad.status_code == 400 and bad.json() == {"detail": "the request must be JSON"}


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_wrong_tokens_meet_429_with_retry_after(
    harness: Harness, bodies: dict[str, dict[str, Any]]
) -> None:
    container = InProcessInference(harness.backend.objects, PassThrough())
    limiter = LoginLimiter(max_failures=5, window_seconds=900, clock=harness.clock)
    with inference_server(container, limiter=limiter) as url:
        wrong = {"Authorization": "Bearer " + "0" * 64}
        statuses = [
            httpx.post(f"{url}/invocations", json=bodies["prepass"], headers=wrong).status_code
            for _ in range(50)
        ]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
        refused = httpx.post(f"{url}/invocations", json=bodies["prepass"], headers=AUTH)
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 900
        harness.advance(901)
        ok = httpx.post(f"{url}/invocations", json=bodies["prepass"], headers=AUTH)
        assert ok.status_code == 200, ok.text
        # Right tokens give their slots back: a busy worker never locks itself out.
        for _ in range(20):
            assert httpx.post(f"{url}/invocations", json=bodies["prepass"], headers=AUTH).is_success


PATHS = ["/etc/passwd", "../x", "../../etc/passwd", "models/x.onnx", "..", ".", ".hidden",
         "a..b", "", "x\\y", "C:x", 42, ["x"]]  # fmt: skip


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_a_model_is_a_name_never_a_path(
    harness: Harness, bodies: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny.onnx").write_bytes(b"weights")
    converter = RecordingPassThrough()
    container = InProcessInference(harness.backend.objects, converter, models)
    with inference_server(container) as url:
        for action, body in bodies.items():
            for model in PATHS:
                params = {"depth": "onnx", "model": model}
                answer = httpx.post(
                    f"{url}/invocations", json={**body, "params": params}, headers=AUTH
                )
                assert answer.status_code == 400, (action, model, answer.text)
                assert "params.model" in answer.json()["detail"]
            missing = {**body, "params": {"model": "absent.onnx"}}
            answer = httpx.post(f"{url}/invocations", json=missing, headers=AUTH)
            assert answer.status_code == 400 and "no model named" in answer.json()["detail"]
        assert converter.calls == []  # nothing was converted, so nothing was opened
        for body in bodies.values():
            named = {**body, "params": {"depth": "onnx", "model": "tiny.onnx"}}
            assert httpx.post(f"{url}/invocations", json=named, headers=AUTH).status_code == 200
    assert [call["model"] for call in converter.calls] == [str(models / "tiny.onnx")] * 2


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_workers_in_process_resolve_names_too(
    harness: Harness, bodies: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """The local pipeline calls InProcessInference without the HTTP server in between."""
    body = bodies["convert"]
    converter = RecordingPassThrough()

    def request(model: str) -> SegmentRequest:
        return SegmentRequest(JOB, 0, 1, body["input_uri"], body["output_uri"], {"model": model})

    for folder in (tmp_path, None):  # None: a server with no model folder takes no names
        container = InProcessInference(harness.backend.objects, converter, folder)
        for model in ("/etc/passwd", "../x", "x.onnx"):
            with pytest.raises(InvalidInput):
                container.convert(request(model), lambda percent: None)
            with pytest.raises(InvalidInput):
                container.prepass(bodies["prepass"]["input_uri"], {"model": model})
    assert converter.calls == []
