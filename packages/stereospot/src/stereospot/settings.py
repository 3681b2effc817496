"""Every setting, declared once: its environment variable, default, parser and meaning.

`Settings.from_env()` reads and validates them all at start-up and raises SettingsError
with one line naming the variable. docs/stereospot.md lists the same table (a test checks).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stereospot.client_ip import Network, parse_networks
from stereospot.errors import SettingsError


def setting(
    env: str, default: Any, doc: str, parse: Callable[[str], Any] = str, *, secret: bool = False
) -> Any:
    # secret: kept out of repr(), so a logged Settings never shows it.
    return field(
        default=default, repr=not secret, metadata={"env": env, "doc": doc, "parse": parse}
    )


def _choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value

    return parse


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be a positive number")
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be a whole number of at least 1")
    return number


_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"(\d+)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)


def _bytes(value: str) -> int:
    """A size in bytes: `68719476736`, or with a binary unit, `64GiB`, `64G`, `500MiB`."""
    match = _SIZE.fullmatch(value)
    if not match or int(match[1]) < 1:
        raise ValueError("must be a size such as 68719476736, 64GiB or 500MiB")
    return int(match[1]) * _UNITS[match[2].lower()]


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("", "0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0")


def _optional(value: str) -> str | None:
    return value or None


_USER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def _users(value: str) -> tuple[tuple[str, str], ...]:
    """`name:token,name:token` -> ((name, token), ...); names unique, tokens 16+ characters."""
    users: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, sep, token = item.partition(":")
        if not sep or not _USER_NAME.fullmatch(name):
            raise ValueError(
                "write name:token pairs separated by commas (names: letters, digits, _ . -)"
            )
        if len(token) < 16:
            raise ValueError(f"the token of {name!r} must be at least 16 characters")
        if name in users:
            raise ValueError(f"{name!r} appears twice")
        users[name] = token
    return tuple(users.items())


DEFAULT_DATA_DIR = Path("stereospot-data")


@dataclass(frozen=True, slots=True)
class Settings:
    backend: str = setting(
        "STEREOSPOT_BACKEND", "local", "local (SQLite + a folder) or aws", _choice("local", "aws")
    )
    # RUF009: `setting` returns a dataclasses.field declaration, not a shared default.
    data_dir: Path = setting(  # noqa: RUF009
        "STEREOSPOT_DATA_DIR",
        DEFAULT_DATA_DIR,
        "local backend: folder for the database, objects and the signing key",
        Path,
    )
    segment_seconds: float = setting(
        "STEREOSPOT_SEGMENT_SECONDS",
        60.0,
        "target segment length; cuts land on the next keyframe",
        _positive,
    )
    converter: str = setting(
        "STEREOSPOT_CONVERTER",
        "auto",
        "engine, passthrough, auto (the engine when installed), or reencode (benchmarks)",
        _choice("auto", "engine", "passthrough", "reencode"),
    )
    inference: str = setting(
        "STEREOSPOT_INFERENCE",
        "inprocess",
        "where segments are converted: inprocess, http or sagemaker",
        _choice("inprocess", "http", "sagemaker"),
    )
    inference_url: str | None = setting(
        "STEREOSPOT_INFERENCE_URL",
        None,
        "http inference: base URL of the container (GET /ping, POST /invocations)",
        _optional,
    )
    sagemaker_endpoint: str | None = setting(
        "STEREOSPOT_SAGEMAKER_ENDPOINT",
        None,
        "sagemaker inference: the asynchronous endpoint's name",
        _optional,
    )
    inference_behind_sagemaker: bool = setting(
        "STEREOSPOT_INFERENCE_BEHIND_SAGEMAKER",
        False,
        "inference-server: 1 turns off the bearer token of /invocations, for a container "
        "only SageMaker can reach (it calls without our header)",
        _flag,
    )
    inference_timeout: float = setting(
        "STEREOSPOT_INFERENCE_TIMEOUT",
        3600.0,
        "longest wait for one inference answer (http read timeout, sagemaker polling); "
        "a worker stops extending a message whose handler has run twice this long",
        _positive,
    )
    visibility_timeout: float = setting(
        "STEREOSPOT_VISIBILITY_TIMEOUT",
        120.0,
        "seconds a received message stays hidden; workers extend it while they work",
        _positive,
    )
    max_receives: int = setting(
        "STEREOSPOT_MAX_RECEIVES",
        3,
        "deliveries of one message before it moves to its dead-letter queue",
        _count,
    )
    max_source_side: int = setting(
        "STEREOSPOT_MAX_SOURCE_SIDE",
        4096,
        "largest width or height of a source video, in pixels; a larger one fails its job "
        "at once, read from the headers before any frame is decoded",
        _count,
    )
    poll_seconds: float = setting(
        "STEREOSPOT_POLL_SECONDS",
        1.0,
        "how long a worker waits on an empty queue before asking again",
        _positive,
    )
    stall_seconds: float = setting(
        "STEREOSPOT_STALL_SECONDS",
        900.0,
        "a job with no progress for this long is re-driven by the reconciler",
        _positive,
    )
    lease_seconds: float = setting(
        "STEREOSPOT_LEASE_SECONDS",
        600.0,
        "the reassembler's lease on a job; it ends by itself",
        _positive,
    )
    link_seconds: int = setting(
        "STEREOSPOT_LINK_SECONDS", 3600, "how long a signed media link stays valid", _count
    )
    max_upload_bytes: int = setting(
        "STEREOSPOT_MAX_UPLOAD_BYTES",
        64 << 30,
        "the largest source one upload may hold (bytes, or 64GiB, 500MiB); more is a 413",
        _bytes,
    )
    max_stored_bytes: int = setting(
        "STEREOSPOT_MAX_STORED_BYTES",
        200 << 30,
        "what one user's jobs may hold in storage (sources, segments, results, unfinished "
        "uploads); an upload that would pass it is a 507",
        _bytes,
    )
    max_active_jobs: int = setting(
        "STEREOSPOT_MAX_ACTIVE_JOBS",
        20,
        "jobs one user may have unfinished (waiting for their upload or being converted); "
        "one more is a 429",
        _count,
    )
    upload_expiry_hours: float = setting(
        "STEREOSPOT_UPLOAD_EXPIRY_HOURS",
        24.0,
        "an upload not completed this long after it started is aborted and its parts "
        "deleted (the reconciler's sweep locally; a bucket lifecycle rule and the sweep on aws)",
        _positive,
    )
    request_head_timeout: float = setting(
        "STEREOSPOT_REQUEST_HEAD_TIMEOUT_SECONDS",
        5.0,
        "serve and inference-server: a connection that has not sent a whole request head "
        "this long after connecting (or after its next request's first byte) is closed",
        _positive,
    )
    max_connections: int | None = setting(
        "STEREOSPOT_MAX_CONNECTIONS",
        None,
        "serve and inference-server: most connections held open at once, the next answered "
        "503; unset: 4096, or the descriptor limit less 64 where that is lower",
        _count,
    )
    video_workers: int = setting(
        "STEREOSPOT_VIDEO_WORKERS", 2, "serve/convert: local video-worker threads", _count
    )
    users: tuple[tuple[str, str], ...] = setting(
        "STEREOSPOT_USERS",
        (),
        "web UI: who may log in, as name:token,name:token (tokens 16+ characters); "
        "local: unset makes one user 'local' with a token in the data folder",
        _users,
        secret=True,
    )
    session_seconds: int = setting(
        "STEREOSPOT_SESSION_SECONDS", 43200, "web UI: how long a login lasts", _count
    )
    trusted_proxies: tuple[Network, ...] = setting(
        "STEREOSPOT_TRUSTED_PROXIES",
        (),
        "web UI and inference-server: addresses or CIDR networks (comma-separated) of the "
        "proxies whose X-Forwarded-For is believed when counting failed logins; none by default",
        parse_networks,
    )
    login_max_failures: int = setting(
        "STEREOSPOT_LOGIN_MAX_FAILURES",
        5,
        "failed logins (web UI tokens, inference bearer tokens) one client (an IPv4 address, "
        "an IPv6 /64) may make in a window; then 429 with Retry-After",
        _count,
    )
    login_window_seconds: int = setting(
        "STEREOSPOT_LOGIN_WINDOW_SECONDS",
        900,
        "the window of STEREOSPOT_LOGIN_MAX_FAILURES, from a client's first failure",
        _count,
    )
    model_dir: Path = setting(  # noqa: RUF009
        "STEREOSPOT_MODEL_DIR",
        Path("models"),
        "where depth models are kept; an inference request's params.model names one in it "
        "(a name, never a path)",
        Path,
    )
    signing_key: str | None = setting(
        "STEREOSPOT_SIGNING_KEY",
        None,
        "key for signed media links; local: generated into the data folder when unset",
        _optional,
    )
    aws_region: str = setting("STEREOSPOT_AWS_REGION", "eu-west-1", "aws: region")
    aws_endpoint_url: str | None = setting(
        "STEREOSPOT_AWS_ENDPOINT_URL",
        None,
        "aws: one endpoint for every service (moto, LocalStack); unset for AWS itself",
        _optional,
    )
    aws_prefix: str = setting(
        "STEREOSPOT_AWS_PREFIX",
        "stereospot",
        "aws: prefix of the tables and queues (<prefix>-Jobs, <prefix>-chunking, ...)",
    )
    input_bucket: str = setting(
        "STEREOSPOT_INPUT_BUCKET", "stereospot-input", "aws: bucket for sources and segments"
    )
    output_bucket: str = setting(
        "STEREOSPOT_OUTPUT_BUCKET",
        "stereospot-output",
        "aws: bucket for converted segments and final files",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            name = item.metadata["env"]
            if name in env:
                try:
                    values[item.name] = item.metadata["parse"](env[name].strip())
                except ValueError as exc:
                    raise SettingsError(f"{name}={env[name]!r}: {exc}") from None
        values.update(overrides)
        return cls(**values).validated()

    def to_env(self) -> dict[str, str]:
        """The environment that recreates these settings in a child process."""
        env: dict[str, str] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            if isinstance(value, tuple):  # name:token pairs, or networks
                value = ",".join(":".join(i) if isinstance(i, tuple) else str(i) for i in value)
            env[item.metadata["env"]] = str(value)
        return env

    def validated(self) -> Settings:
        if self.inference == "http" and not self.inference_url:
            raise SettingsError("STEREOSPOT_INFERENCE=http needs STEREOSPOT_INFERENCE_URL")
        if self.inference == "sagemaker" and not self.sagemaker_endpoint:
            raise SettingsError(
                "STEREOSPOT_INFERENCE=sagemaker needs STEREOSPOT_SAGEMAKER_ENDPOINT"
            )
        if self.inference == "sagemaker" and self.backend != "aws":
            raise SettingsError("STEREOSPOT_INFERENCE=sagemaker needs STEREOSPOT_BACKEND=aws")
        # Behind SageMaker the inference server checks no token, so it needs no key (and a
        # SageMaker model's environment cannot read one from Secrets Manager).
        if self.backend == "aws" and not self.signing_key and not self.inference_behind_sagemaker:
            raise SettingsError(
                "STEREOSPOT_BACKEND=aws needs STEREOSPOT_SIGNING_KEY (shared by every web process)"
            )
        if self.signing_key is not None and len(self.signing_key) < 32:
            raise SettingsError("STEREOSPOT_SIGNING_KEY must be at least 32 characters")
        return self


def documented() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting, for the docs."""
    return [
        (f.metadata["env"], str(f.default), f.metadata["doc"]) for f in dataclasses.fields(Settings)
    ]
