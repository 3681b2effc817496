"""The one composition root: settings -> adapters -> services -> workers.

The CLI commands, the web app and the tests all build through `build`; tests pass their
own backend, clock, converter or inference through the same function.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stereospot.converters import Converter, choose
from stereospot.ports import Backend, Inference
from stereospot.secretfile import read_or_create
from stereospot.service import JobService
from stereospot.settings import Settings
from stereospot.workers.context import Context
from stereospot.workers.roles import Runnable, drain, workers


@dataclass
class App:
    settings: Settings
    backend: Backend
    ctx: Context
    service: JobService
    converter: Converter | None
    _extra_close: list[Callable[[], None]] = field(default_factory=list)

    def workers(self, role: str, count: int = 1) -> list[Runnable]:
        return workers(self.ctx, role, count)

    def local_workers(
        self, video: int | None = None, processes: bool = True, quiet: bool = False
    ) -> list[Runnable]:
        """Every role on this machine: what `serve` and `convert` run. Video workers are
        child processes (PyAV holds the GIL) unless `processes` is False."""
        count = video or self.settings.video_workers
        if processes and self.settings.inference == "inprocess":
            from stereospot.workers.processes import VideoProcesses

            video_workers: list[Runnable] = [VideoProcesses(self.settings, count, quiet)]
        else:
            video_workers = self.workers("video", count)
        return [*self.workers("media"), *video_workers, *self.workers("reconciler")]

    def drain(self) -> int:
        """Process every queue until all are empty (tests, deterministic)."""
        return drain([*self.workers("media"), *self.workers("video")])

    def close(self) -> None:
        for close in self._extra_close:
            close()
        self.backend.close()


def make_backend(settings: Settings, clock: Callable[[], float] = time.time) -> Backend:
    if settings.backend == "aws":
        from stereospot.aws.backend import aws_backend

        return aws_backend(settings)
    from stereospot.local.backend import local_backend

    return local_backend(settings, clock)


def make_inference(settings: Settings, backend: Backend, converter: Converter | None) -> Inference:
    if settings.inference == "http":
        from stereospot.inference import inference_token
        from stereospot.inference.http import HttpInference

        assert settings.inference_url is not None  # Settings.validated checks it
        token = inference_token(signing_key(settings))
        return HttpInference(settings.inference_url, token, timeout=settings.inference_timeout)
    if settings.inference == "sagemaker":
        from stereospot.inference.sagemaker import SageMakerInference

        return SageMakerInference.from_settings(settings, backend.objects)
    from stereospot.inference.inprocess import InProcessInference

    return InProcessInference(
        backend.objects, converter or choose(settings.converter), settings.model_dir
    )


def signing_key(settings: Settings) -> bytes:
    """The configured key, or (local backend) one generated on first run and kept, 0600,
    in the data folder, so links survive restarts without a weak shipped default."""
    if settings.signing_key:
        return settings.signing_key.encode()
    key = read_or_create(Path(settings.data_dir) / "signing.key", lambda: secrets.token_hex(32))
    return key.encode()


def build(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    backend: Backend | None = None,
    converter: Converter | None = None,
    inference: Inference | None = None,
    link_base: str = "/media",
) -> App:
    backend = backend or make_backend(settings, clock)
    if inference is None and settings.inference == "inprocess":
        converter = converter or choose(settings.converter)
    inference = inference or make_inference(settings, backend, converter)
    ctx = Context(settings=settings, backend=backend, inference=inference, clock=clock)
    service = JobService(ctx, signing_key(settings), link_base)
    return App(settings, backend, ctx, service, converter)
