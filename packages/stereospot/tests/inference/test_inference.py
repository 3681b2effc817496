"""The Inference port's remote implementations: the container contract over HTTP, and a
SageMaker asynchronous endpoint (against a local stand-in, since moto runs nothing)."""

from __future__ import annotations

from pathlib import Path

import boto3
import httpx
import pytest

from stereospot.converters import PassThrough
from stereospot.inference.http import HttpInference, InferenceFailed
from stereospot.inference.inprocess import InProcessInference
from stereospot.inference.sagemaker import SageMakerInference
from stereospot.jobs.models import JobStatus
from stereospot.ports import ObjectRef
from stereospot_testing.backends import Harness
from stereospot_testing.pipeline import assert_matches_source, make_app, submit
from stereospot_testing.servers import inference_server, sagemaker_standin
from stereospot_testing.videos import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=4, keyframes=[2.0])


def test_pipeline_through_the_http_container(harness: Harness, clip: Path) -> None:
    container = InProcessInference(harness.backend.objects, PassThrough())
    with inference_server(container) as url:
        client = HttpInference(url)
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
        bad = httpx.post(
            f"{url}/invocations",
            json={"action": "convert", "input_uri": "file:///etc/passwd", "output_uri": "x"},
        )
        assert bad.status_code == 400 and "detail" in bad.json()
        assert httpx.post(f"{url}/invocations", json={"action": "dance"}).status_code == 400
        missing = harness.backend.objects.uri(ObjectRef("input", "segments/none.mp4"))
        gone = httpx.post(f"{url}/invocations", json={"input_uri": missing, "output_uri": missing})
        assert gone.status_code == 400
        client = HttpInference(url)
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
