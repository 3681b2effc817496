"""Inference in this process: fetch the segment, run the converter, store the result.

Object URIs are resolved through the ObjectStore, so the same request works whether the
segment lives in a folder (read in place) or in S3 (downloaded to a temporary folder).

Only the pipeline's own key shapes are accepted, since the container writes what it is
told to: a convert reads `segments/<job>/<i>_<n>.mp4` (or, with a span, a stretch of
`input/<job>/source.<ext>`) and writes `segments/<job>/<i>.mp4` (output bucket) of the request's
job; a pre-pass reads `input/<job>/source.<ext>` and writes nothing but
`jobs/<job>/preview.png` of that job. `params.model` is a model's name in `model_dir`
(engine.model_names), never a path.
Anything else is InvalidInput (400 from the server), refused before anything is read; a
span that names no keyframe of the source is InvalidInput too, once the source says so."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stereospot.converters import Converter
from stereospot.engine.model_names import ModelNameError, with_model_path
from stereospot.errors import InvalidInput
from stereospot.jobs import keys
from stereospot.logs import event
from stereospot.media.span import SpanNotFound
from stereospot.ports import ObjectRef, ObjectStore, Progress, SegmentRequest

log = logging.getLogger("stereospot.inference")


class InProcessInference:
    def __init__(
        self, objects: ObjectStore, converter: Converter, model_dir: Path | None = None
    ) -> None:
        """model_dir: where named models are found (STEREOSPOT_MODEL_DIR); None: none are."""
        self.objects = objects
        self.converter = converter
        self.model_dir = model_dir

    def _params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if params.get("model") is None:
            return dict(params)
        if self.model_dir is None:
            raise InvalidInput("this inference server has no model folder")
        try:
            return with_model_path(params, self.model_dir)
        except ModelNameError as exc:
            raise InvalidInput(str(exc)) from None

    def _fetch(self, uri: str, folder: Path, name: str) -> Path:
        ref = self.objects.ref(uri)
        local = self.objects.local_path(ref)
        if local is not None and local.is_file():
            return local
        path = folder / name
        self.objects.get_file(ref, path)
        return path

    def _check_convert(self, request: SegmentRequest) -> ObjectRef:
        source = self.objects.ref(request.input_uri)
        if request.span is not None:
            whole = keys.parse_source(source.key) if source.bucket == "input" else None
            if whole is None or whole.job_id != request.job_id:
                raise InvalidInput("input_uri is not this job's source")
        else:
            segment = keys.parse_segment(source.key) if source.bucket == "input" else None
            if segment is None or (segment.job_id, segment.index) != (
                request.job_id,
                request.index,
            ):
                raise InvalidInput("input_uri is not a segment of this job")
        output = self.objects.ref(request.output_uri)
        expected = keys.output_segment_key(request.job_id, request.index)
        if output.bucket != "output" or output.key != expected:
            raise InvalidInput("output_uri is not this segment's output")
        return output

    def _check_prepass(self, source_uri: str, preview_uri: str | None) -> None:
        source = self.objects.ref(source_uri)
        parsed = keys.parse_source(source.key) if source.bucket == "input" else None
        if parsed is None:
            raise InvalidInput("input_uri is not a job's source")
        if preview_uri:
            preview = self.objects.ref(preview_uri)
            if preview.bucket != "output" or preview.key != keys.preview_key(parsed.job_id):
                raise InvalidInput("output_uri is not this job's preview")

    def convert(self, request: SegmentRequest, progress: Progress) -> Mapping[str, Any]:
        output = self._check_convert(request)
        params = self._params(request.params)
        # Written where the store can take the file by a rename, not a copy.
        staging = self.objects.staging()
        with tempfile.TemporaryDirectory(prefix="stereospot-seg-", dir=staging) as tmp:
            folder = Path(tmp)
            src = self._fetch(request.input_uri, folder, "in.mp4")
            dst = folder / "out.mp4"
            try:
                report = self.converter.convert(src, dst, params, progress, span=request.span)
            except SpanNotFound as exc:
                raise InvalidInput(f"span: {exc}") from None
            self.objects.adopt_file(output, dst)
        return dict(report)

    def prepass(
        self, source_uri: str, params: Mapping[str, Any], preview_uri: str | None = None
    ) -> Mapping[str, Any] | None:
        self._check_prepass(source_uri, preview_uri)
        params = self._params(params)
        with tempfile.TemporaryDirectory(prefix="stereospot-pre-") as tmp:
            folder = Path(tmp)
            suffix = source_uri.rsplit(".", 1)[-1]
            src = self._fetch(source_uri, folder, f"source.{suffix}")
            normalisation = self.converter.prepass(src, params)
            if preview_uri:
                self._preview(src, {**params, "normalisation": normalisation}, preview_uri, folder)
            return normalisation

    def _preview(
        self, src: Path, params: Mapping[str, Any], preview_uri: str, folder: Path
    ) -> None:
        # Made with the job's own normalisation, so the still shows the depth every segment
        # will get. A preview is a nicety: failing to make one never fails the job.
        stereo, depth = folder / "preview.png", folder / "depth.png"
        try:
            if not self.converter.preview(src, params, stereo, depth):
                return
        except Exception as exc:  # any engine failure means no preview, never a failed job
            event(log, "no preview", level=logging.WARNING, error=repr(exc))
            return
        target = self.objects.ref(preview_uri)
        self.objects.put_file(target, stereo)
        depth_key = target.key.rsplit("/", 1)[0] + "/depth.png"
        self.objects.put_file(ObjectRef(target.bucket, depth_key), depth)
