"""`stereospot ops build --image stereo-inference --codebuild`: the inference image built
in the deployment's CodeBuild project, next to ECR.

The build context is made here, as for a local build (wheels, StereoSpot's wheel, the
Dockerfile) but without model files: only the model folder's lock file goes along. The
project's buildspec (infra/aws-infra/buildspec.yml) fetches the model with the
`model-credentials` secret, checks it against those pins, builds the `stereo-inference`
target and pushes it. The zip goes where the project reads its source from, which
CodeBuild's own description of the project says.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from stereospot.engine.fetch import LOCK_FILE, Pin, read_lock, write_lock
from stereospot.ops.outputs import OpsError, Outputs, UsageError

POLL_SECONDS = 10.0


def source_location(codebuild: Any, project: str) -> tuple[str, str]:
    """(bucket, key) of the project's S3 source."""
    found = codebuild.batch_get_projects(names=[project])["projects"]
    if not found:
        raise OpsError(f"no CodeBuild project {project}: apply aws-infra first")
    source = found[0]["source"]
    if source.get("type") != "S3" or "/" not in source.get("location", ""):
        raise OpsError(f"the CodeBuild project {project} does not read its source from S3")
    bucket, key = source["location"].split("/", 1)
    return bucket, key


def pins(model_dir: Path, names: Sequence[str]) -> dict[str, Pin]:
    """The pins the build fetches: `names`' (default all) from the model folder's lock
    file. The files stay here; CodeBuild fetches them and checks their checksums."""
    pinned = read_lock(model_dir)
    missing = sorted(set(names) - set(pinned))
    chosen = {name: pin for name, pin in pinned.items() if not names or name in names}
    if missing or not chosen:
        raise UsageError(
            f"{model_dir / LOCK_FILE} does not pin {', '.join(missing) or 'any model'}: "
            f"`stereospot models fetch NAME --dir {model_dir}` pins one there "
            "(CodeBuild then fetches that same commit)"
        )
    return chosen


def start(
    codebuild: Any,
    s3: Any,
    outputs: Outputs,
    context: Path,
    chosen: dict[str, Pin],
    tag: str,
    args: argparse.Namespace,
) -> str:
    if not outputs.codebuild_project:
        raise UsageError("the outputs name no CodeBuild project (codebuild_project)")
    write_lock(context / "models", chosen)
    bucket, key = source_location(codebuild, outputs.codebuild_project)
    with tempfile.TemporaryDirectory() as scratch:
        archive = shutil.make_archive(str(Path(scratch) / "context"), "zip", context)
        s3.upload_file(archive, bucket, key)
    overrides = {"IMAGE_TAG": tag, "BUILD_ARGS": f"--build-arg RUNTIME={args.runtime}"}
    if args.base:
        overrides["BASE_IMAGE"] = args.base
    started = codebuild.start_build(
        projectName=outputs.codebuild_project,
        environmentVariablesOverride=[
            {"name": name, "value": value, "type": "PLAINTEXT"} for name, value in overrides.items()
        ],
    )
    return str(started["build"]["id"])


def wait(codebuild: Any, build_id: str, say: Callable[[str], None]) -> str:
    """Until the build ends; its status, or OpsError when it did not succeed."""
    seen = ""
    while True:
        (build,) = codebuild.batch_get_builds(ids=[build_id])["builds"]
        status, phase = build["buildStatus"], build.get("currentPhase", "")
        if f"{status} {phase}" != seen:
            seen = f"{status} {phase}"
            say(f"CodeBuild build {build_id}: {phase.lower() or status.lower()}")
        if status != "IN_PROGRESS":
            break
        time.sleep(POLL_SECONDS)
    if status != "SUCCEEDED":
        logs = build.get("logs", {}).get("deepLink", "its CloudWatch logs")
        raise OpsError(f"CodeBuild build {build_id} ended {status}: see {logs}")
    return str(status)
