"""Converters and stores that fail on purpose, for the fault-injection tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from stereospot.converters import PassThrough, Progress
from stereospot.ports import ObjectRef, ObjectStore


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the worker catches it, nothing is cleaned up."""


class Scripted(PassThrough):
    """A pass-through that runs `before(index_of_call, src)` first; it may raise."""

    name = "scripted"

    def __init__(self, before: Callable[[int, Path, Progress | None], None]) -> None:
        self.before = before
        self.calls = 0

    def convert(
        self, src: Path, dst: Path, params: Mapping[str, Any], progress: Progress | None = None
    ) -> Mapping[str, Any]:
        self.calls += 1
        self.before(self.calls, src, progress)
        return super().convert(src, dst, params, progress)


class CountingObjects:
    """Wraps an ObjectStore; counts writes of final files and can crash right after one."""

    def __init__(self, inner: ObjectStore, crash_after_final: bool = False) -> None:
        self.inner = inner
        self.final_writes = 0
        self.crash_after_final = crash_after_final

    def put_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        return self._count(ref, self.inner.put_file(ref, path, if_absent=if_absent))

    def adopt_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        """The folder store's move-in (workers publish through it when it exists)."""
        adopt = getattr(self.inner, "adopt_file", None)
        if adopt is None:
            return self.put_file(ref, path, if_absent=if_absent)
        return self._count(ref, bool(adopt(ref, path, if_absent=if_absent)))

    def _count(self, ref: ObjectRef, stored: bool) -> bool:
        if ref.key.endswith("/final.mp4") and stored:
            self.final_writes += 1
            if self.crash_after_final:
                self.crash_after_final = False
                raise WorkerKilled("crashed after writing final.mp4")
        return stored

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
