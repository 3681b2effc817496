"""The Inference port's remote implementations: the container contract over HTTP, and a
SageMaker asynchronous endpoint (against a local stand-in, since moto runs nothing)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import boto3
import httpx
import pytest

from stereospot.converters import PassThrough
from stereospot.inference import inference_token
from stereospot.inference.http import HttpInference, InferenceFailed
from stereospot.inference.inprocess import InProcessInference
from stereospot.inference.sagemaker import SageMakerInference
from stereospot.inference.server import authorised
from stereospot.jobs.models import JobStatus
from stereospot.login_limit import LoginLimiter
from stereospot.media.probe import probe
from stereospot.ports import ObjectRef
from stereospot_testing.backends import Harness
from stereospot_testing.pipeline import assert_matches_source, make_app, submit
from stereospot_testing.servers import TOKEN, inference_server, sagemaker_standin
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=4, keyframes=[2.0])


def test_pipeline_through_the_http_container(harness: Harness, clip: Path) -> None:
    container = InProcessInference(harness.backend.objects, PassThrough())
    with inference_server(container) as url:
        client = HttpInference(url, TOKEN)
        assert client.ping()
        app = make_app(harness, inference=client)
        job = submit(app, clip)
        app.drain()
        assert app.service.detail("ann", job.job_id).job.status == JobStatus.COMPLETED
        assert_matches_source(app, job.job_id, clip)
        assert (
            client.prepass(
                harness.backend.objects.uri(ObjectRef("input", f"input/{job.job_id}/source.mp4")),
                {},
            )
            is None
        )
        client.close()


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_container_errors_are_answers(harness: Harness) -> None:
    container = InProcessInference(harness.backend.objects, PassThrough())
    with inference_server(container) as url:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        bad = httpx.post(
            f"{url}/invocations",
            json={"action": "convert", "input_uri": "file:///etc/passwd", "output_uri": "x"},
            headers=auth,
        )
        assert bad.status_code == 400 and "detail" in bad.json()
        dance = httpx.post(f"{url}/invocations", json={"action": "dance"}, headers=auth)
        assert dance.status_code == 400
        missing = harness.backend.objects.uri(ObjectRef("input", "segments/none.mp4"))
        gone = httpx.post(
            f"{url}/invocations",
            json={"input_uri": missing, "output_uri": missing},
            headers=auth,
        )
        assert gone.status_code == 400
        client = HttpInference(url, TOKEN)
        with pytest.raises(InferenceFailed, match="400"):
            client.prepass("s3://elsewhere/x", {})
    assert not client.ping()  # stopped
    client.close()


@pytest.mark.parametrize("harness", ["aws"], indirect=True)
def test_pipeline_through_a_sagemaker_async_endpoint(harness: Harness, clip: Path) -> None:
    settings = harness.settings
    kwargs = {"region_name": settings.aws_region, "endpoint_url": settings.aws_endpoint_url}
    s3 = boto3.client("s3", **kwargs)
    container = InProcessInference(harness.backend.objects, PassThrough())
    with sagemaker_standin(container, s3, settings.output_bucket) as (url, seen):
        runtime = boto3.client(
            "sagemaker-runtime", region_name=settings.aws_region, endpoint_url=url
        )
        inference = SageMakerInference(runtime, s3, harness.backend.objects, "stereo-ep", poll=0.05)
        app = make_app(harness, inference=inference)
        job = submit(app, clip)
        app.drain()
    assert app.service.detail("ann", job.job_id).job.status == JobStatus.COMPLETED
    assert_matches_source(app, job.job_id, clip)
    assert len(seen) == 2 + 1  # two segments and the pre-pass
    assert all(r["path"] == "/endpoints/stereo-ep/async-invocations" for r in seen)
    assert all(
        r["x-amzn-sagemaker-inputlocation"].startswith(f"s3://{settings.input_bucket}/requests/")
        for r in seen
    )
    assert harness.backend.objects.keys("input", "requests/") == []  # request files cleaned up


JOB_A, JOB_B = "a" * 32, "b" * 32


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_invocations_need_the_bearer_token(harness: Harness, clip: Path) -> None:
    objects = harness.backend.objects
    segment = ObjectRef("input", f"segments/{JOB_A}/0_1.mp4")
    objects.put_file(segment, clip)
    body = {
        "action": "convert",
        "job_id": JOB_A,
        "index": 0,
        "total": 1,
        "input_uri": objects.uri(segment),
        "output_uri": objects.uri(ObjectRef("output", f"segments/{JOB_A}/0.mp4")),
    }
    container = InProcessInference(objects, PassThrough())
    # Six wrong tokens below: more than the default login limit (tested on its own).
    with inference_server(container, limiter=LoginLimiter(max_failures=10)) as url:
        assert httpx.get(f"{url}/ping").status_code == 200  # open
        assert httpx.post(f"{url}/invocations", json=body).status_code == 401
        for header in ("Bearer wrong", f"Basic {TOKEN}", "Bearer", TOKEN):
            answer = httpx.post(f"{url}/invocations", json=body, headers={"Authorization": header})
            assert answer.status_code == 401, header
        assert objects.keys("output", f"segments/{JOB_A}/") == []
        stranger = HttpInference(url, inference_token(b"another key" * 3))
        with pytest.raises(InferenceFailed, match="401"):
            stranger.prepass(objects.uri(ObjectRef("input", f"input/{JOB_A}/source.mp4")), {})
        stranger.close()
        ok = httpx.post(
            f"{url}/invocations", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert ok.status_code == 200, ok.text
    assert objects.keys("output", f"segments/{JOB_A}/") == [f"segments/{JOB_A}/0.mp4"]


def test_an_empty_token_never_authorises() -> None:
    assert not authorised("Bearer ", "")
    assert not authorised(None, "")
    assert authorised(None, None)  # behind SageMaker only


@pytest.mark.parametrize("harness", ["local"], indirect=True)
def test_the_container_writes_only_the_requests_own_keys(harness: Harness, clip: Path) -> None:
    objects = harness.backend.objects
    segment = ObjectRef("input", f"segments/{JOB_A}/0_1.mp4")
    source = ObjectRef("input", f"input/{JOB_A}/source.mp4")
    victim = ObjectRef("output", f"jobs/{JOB_B}/final.mp4")
    objects.put_file(segment, clip)
    objects.put_file(source, clip)
    objects.put_bytes(victim, b"job B's film")
    own_output = objects.uri(ObjectRef("output", f"segments/{JOB_A}/0.mp4"))
    convert = {"action": "convert", "job_id": JOB_A, "index": 0, "total": 1}
    refused = [
        {**convert, "input_uri": objects.uri(segment), "output_uri": objects.uri(victim)},
        {  # its own final.mp4 is no segment output either
            **convert,
            "input_uri": objects.uri(segment),
            "output_uri": objects.uri(ObjectRef("output", f"jobs/{JOB_A}/final.mp4")),
        },
        {  # another job's segment output, however the request names its job
            **convert,
            "job_id": JOB_B,
            "input_uri": objects.uri(segment),
            "output_uri": objects.uri(ObjectRef("output", f"segments/{JOB_B}/0.mp4")),
        },
        {**convert, "input_uri": objects.uri(source), "output_uri": own_output},
        {  # a preview lands beside its own job's source only
            "action": "prepass",
            "input_uri": objects.uri(source),
            "output_uri": objects.uri(ObjectRef("output", f"jobs/{JOB_B}/preview.png")),
        },
        {"action": "prepass", "input_uri": objects.uri(source), "output_uri": objects.uri(victim)},
        {"action": "prepass", "input_uri": objects.uri(segment)},
        # A span is a stretch of its own job's source, and nothing else.
        {**convert, "input_uri": objects.uri(segment), "output_uri": own_output, "span": [0, None]},
        {
            **convert,
            "job_id": JOB_B,
            "input_uri": objects.uri(source),
            "output_uri": objects.uri(ObjectRef("output", f"segments/{JOB_B}/0.mp4")),
            "span": [0, None],
        },
        *(
            {**convert, "input_uri": objects.uri(source), "output_uri": own_output, "span": bad}
            for bad in (
                [0],
                [5, 5],
                [9, 2],
                ["0", None],
                [0.5, None],
                [True, None],
                "0-9",
                [2**63, None],
                [0, 2**63],
                [2**61, None],  # well formed, but no keyframe of the source is there
                [1, None],
            )
        ),
    ]
    container = InProcessInference(objects, PassThrough())
    with inference_server(container) as url:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for body in refused:
            answer = httpx.post(f"{url}/invocations", json=body, headers=auth)
            assert answer.status_code == 400, body
        assert objects.get_bytes(victim) == b"job B's film"
        assert objects.keys("output", f"jobs/{JOB_B}/") == [f"jobs/{JOB_B}/final.mp4"]
        assert objects.keys("output", f"segments/{JOB_A}/") == []
        # Its own source with a span: that segment, read in place.
        body = {**convert, "input_uri": objects.uri(source), "output_uri": own_output}
        answer = httpx.post(f"{url}/invocations", json={**body, "span": [0, None]}, headers=auth)
        assert answer.status_code == 200, answer.text
        assert answer.json()["report"]["frames"] == probe(clip).video_frames


def test_a_hung_endpoint_times_out() -> None:
    """An endpoint that accepts the connection and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    client = HttpInference(url, TOKEN, timeout=0.2)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.prepass("file:///x/input/source.mp4", {})
        except BaseException as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(timeout=60)  # a bound on a hang, not a measure of speed
    try:
        assert not caller.is_alive(), "the call is still waiting for an answer"
        assert len(outcome) == 1 and isinstance(outcome[0], InferenceFailed)
        assert "no answer" in str(outcome[0])
    finally:
        stop.set()
        acceptor.join()
        client.close()
        for connection in held:
            connection.close()
        server.close()
