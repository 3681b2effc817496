"""`stereospot ops smoke-test`: one tiny generated clip through the deployed pipeline.

It goes in the way the web UI's uploads go (the job service over the AWS backend: a job row,
a multipart upload to the input bucket, whose S3 event wakes the media-worker), then waits
for the job to finish, fetches `final.mp4` and checks it holds the clip's frames side by
side. Workers that scaled to zero, and an inference endpoint that did, take minutes to wake:
the default wait is generous. The job is deleted afterwards unless `--keep`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from stereospot.jobs import keys
from stereospot.jobs.models import FINISHED, JobStatus
from stereospot.ops.outputs import OpsError

USER = "smoke-test"
CLIP_SIZE = (320, 180)
CLIP_SECONDS = 2
CLIP_FPS = 24


def make_clip(path: Path) -> Path:
    """A moving gradient in H.264: small, but real frames for the depth estimator."""
    import av
    import numpy as np

    width, height = CLIP_SIZE
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :].repeat(height, 0)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=CLIP_FPS, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for n in range(CLIP_SECONDS * CLIP_FPS):
            grey = ((ramp + n * 5) % 256).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.dstack([grey, grey, 255 - grey]), format="rgb24")
            frame.pts, frame.time_base = n, Fraction(1, CLIP_FPS)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@dataclass(frozen=True)
class Result:
    job_id: str
    seconds: float
    width: int
    height: int
    frames: int


def run(
    env: Mapping[str, str],
    timeout: float,
    keep: bool,
    say: Callable[[str], None],
) -> Result:
    from stereospot.bootstrap import build
    from stereospot.media.probe import probe
    from stereospot.ports import ObjectRef
    from stereospot.settings import Settings

    app = build(Settings.from_env(env))
    service = app.service
    try:
        with tempfile.TemporaryDirectory(prefix="stereospot-smoke-") as scratch:
            clip = make_clip(Path(scratch) / "smoke-test.mp4")
            started = time.monotonic()
            job = service.create_job(USER, clip.name, {"format": "full-sbs"})
            service.upload_file(USER, job.job_id, clip)
            say(f"job {job.job_id}: uploaded {clip.stat().st_size} bytes, waiting for it")
            seen = ""
            while True:
                detail = service.detail(USER, job.job_id)
                status = detail.job.status
                line = f"{status} {detail.progress}%"
                if line != seen:
                    say(f"job {job.job_id}: {line}")
                    seen = line
                if status in FINISHED:
                    break
                if time.monotonic() - started > timeout:
                    raise OpsError(
                        f"job {job.job_id} is still {status} after {timeout:.0f} s: see the "
                        "workers' logs (docs/aws.md, 'When the smoke test fails')"
                    )
                time.sleep(2)
            if status != JobStatus.COMPLETED:
                raise OpsError(f"job {job.job_id} {status}: {detail.job.error or 'no reason'}")
            final = Path(scratch) / "final.mp4"
            app.backend.objects.get_file(ObjectRef("output", keys.final_key(job.job_id)), final)
            info = probe(final)
            want = CLIP_SECONDS * CLIP_FPS
            if info.width != 2 * CLIP_SIZE[0] or info.video_frames != want:
                raise OpsError(
                    f"final.mp4 is {info.width}x{info.height} with {info.video_frames} frames; "
                    f"expected {2 * CLIP_SIZE[0]}x{CLIP_SIZE[1]} with {want}"
                )
            result = Result(
                job.job_id, time.monotonic() - started, info.width, info.height, info.video_frames
            )
            if not keep:
                service.delete(USER, job.job_id)
            return result
    finally:
        app.close()


def check_web(url: str) -> None:
    """The web UI answers its health check through the load balancer."""
    import httpx

    try:
        answer = httpx.get(f"{url.rstrip('/')}/healthz", timeout=15, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise OpsError(f"{url}/healthz did not answer: {exc}") from None
    if answer.status_code != 200:
        raise OpsError(f"{url}/healthz answered {answer.status_code}")
