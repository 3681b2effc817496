"""Inference in this process: fetch the segment, run the converter, store the result.

Object URIs are resolved through the ObjectStore, so the same request works whether the
segment lives in a folder (read in place) or in S3 (downloaded to a temporary folder)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stereospot.converters import Converter
from stereospot.ports import ObjectStore, Progress, SegmentRequest


class InProcessInference:
    def __init__(self, objects: ObjectStore, converter: Converter) -> None:
        self.objects = objects
        self.converter = converter

    def _fetch(self, uri: str, folder: Path, name: str) -> Path:
        ref = self.objects.ref(uri)
        local = self.objects.local_path(ref)
        if local is not None and local.is_file():
            return local
        path = folder / name
        self.objects.get_file(ref, path)
        return path

    def convert(self, request: SegmentRequest, progress: Progress) -> Mapping[str, Any]:
        output = self.objects.ref(request.output_uri)
        with tempfile.TemporaryDirectory(prefix="stereospot-seg-") as tmp:
            folder = Path(tmp)
            src = self._fetch(request.input_uri, folder, "in.mp4")
            dst = folder / "out.mp4"
            report = self.converter.convert(src, dst, request.params, progress)
            self.objects.put_file(output, dst)
        return dict(report)

    def prepass(self, source_uri: str, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
        with tempfile.TemporaryDirectory(prefix="stereospot-pre-") as tmp:
            suffix = source_uri.rsplit(".", 1)[-1]
            src = self._fetch(source_uri, Path(tmp), f"source.{suffix}")
            return self.converter.prepass(src, params)
