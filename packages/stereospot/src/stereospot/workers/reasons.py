"""What a user is told when a stage fails: a sentence about the problem, never the
server's paths. The raw text (PyAV quotes the file it was reading, the OS its path) stays
in the worker's log only."""

from __future__ import annotations

import re

import av

# An absolute path, quoted or bare: '/tmp/stereospot-chunk-x/source.mp4' -> 'source.mp4'.
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^/\\\s'\"]+)+[/\\]([^/\\\s'\"]*)")


def strip_paths(text: str) -> str:
    return _PATH.sub(lambda match: match[1] or "a folder", text)


def user_reason(error: BaseException) -> str:
    if isinstance(error, av.error.InvalidDataError):
        return "the file is not a readable video"
    if isinstance(error, av.error.FFmpegError):
        return "the video could not be decoded or encoded"
    if isinstance(error, FileNotFoundError):
        return "a file the job needs is missing on the server"
    if isinstance(error, PermissionError):
        return "the server could not open a file the job needs"
    if isinstance(error, OSError):
        return "the server could not read or write a file of the job"
    return strip_paths(str(error))[:500]
