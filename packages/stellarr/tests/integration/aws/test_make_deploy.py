"""`make deploy` itself, as docs/deploy-aws.md gives it, from the repository's root against
moto in server mode: the bootstrap's lambda profile, the Lambda package built into dist/
(stellarr_tools.lambda_package: arm64 wheels from PyPI, through uv's cache), the web app's
build (`make web`, which builds only when a source file is newer than the build), then the
steps test_deploy_moto.py checks with --no-build, here shipping what those builds made.

Cost: about 15 s on two cores, nearly all of it the real `make lambda` (about 12 s; about
the same with uv's cache empty, whose ~50 MB of wheels then come from PyPI, on a fast link).
It writes dist/ as a user's `make deploy` does. The web app is built only where its build is
older than its sources (`make test` has just built it); else npm's build runs first.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from stellarr.clients.vapid import VapidKey
from stellarr_testing.aws_deploy import (
    FOREIGN_LAYER,
    INITIAL_SECRET,
    DeployTarget,
    aws_environment,
    invalidated_paths,
    layer_names,
    live,
    objects,
    printed_secrets,
    secret_values,
    sha256_b64,
    wrong_cache_control,
)
from stellarr_testing.paths import PACKAGE_ROOT, REPO_ROOT

DIST = REPO_ROOT / "dist"
WEB_BUILD = PACKAGE_ROOT / "src" / "stellarr" / "static" / "web"
SWAGGER_UI = ["api-docs/swagger-ui-bundle.js", "api-docs/swagger-ui.css"]
# An outer make's (`make test`): the inner `make deploy` is the one a user types.
OUTER_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def make_deploy(
    target: DeployTarget, tmp_path: Path, args: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name not in OUTER_MAKE
    }
    # boto3 reads nothing of this machine's AWS set-up (a profile's endpoint or addressing).
    environ |= aws_environment(target.endpoint)
    environ["AWS_CONFIG_FILE"] = str(tmp_path / "no-aws-config")
    environ["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-aws-credentials")
    return subprocess.run(
        ["make", "deploy", f"ARGS={args}"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_make_deploy_builds_the_lambda_package_and_the_web_app_and_ships_them(
    target: DeployTarget, tmp_path: Path
) -> None:
    outputs = target.write_outputs(tmp_path / "outputs.json")
    started = time.time()

    result = make_deploy(target, tmp_path, f"--skip-tf --outputs {outputs}")

    out = result.stdout
    assert result.returncode == 0, out[-4000:] + result.stderr[-4000:]
    assert f"deploy: building the Lambda package into {DIST} (make lambda)..." in out
    assert "deploy: building the web app (make web)..." in out
    assert (DIST / "lambda-package.json").stat().st_mtime >= started  # built by this run
    # Both builds come before anything ships: a failed web build leaves the old code live.
    assert out.index("building the web app (make web)") < out.index("alias live points at it")

    # The app secret: a VAPID key added, what was there kept.
    values = secret_values(target)
    key = VapidKey.parse(values["VAPID_PRIVATE_KEY"])
    assert {k: values[k] for k in INITIAL_SECRET} == INITIAL_SECRET
    assert f"wrote a new VAPID key (public key {key.public_b64})" in out

    # The function: the zip just built behind `live`, on a version this deploy published.
    function = target.value("lambda_function_name")
    published = live(target)
    assert published["Version"] != "1"
    assert published["CodeSha256"] == sha256_b64(DIST / "lambda.zip")
    assert layer_names(published) == [f"{function}-native", FOREIGN_LAYER]
    assert f"published version {published['Version']}; alias live points at it" in out
    warmer = target.client("lambda").get_function_configuration(
        FunctionName=target.value("cache_warmer_function_name")
    )
    assert warmer["CodeSha256"] == published["CodeSha256"]
    assert "ran once (status 200)" in out

    # The web app: the build as it is here, no .gz copies, Swagger UI; cache headers by kind.
    built = sorted(
        path.relative_to(WEB_BUILD).as_posix()
        for path in WEB_BUILD.rglob("*")
        if path.is_file() and path.suffix not in (".gz", ".br")
    )
    stored = objects(target)
    assert sorted(stored) == sorted([*built, *SWAGGER_UI])
    assert wrong_cache_control(stored) == []
    assert [key for key in stored if key.startswith("_app/immutable/")]
    assert stored["index.html"]["CacheControl"] == "no-cache"
    assert stored["index.html"]["ContentType"] == "text/html; charset=utf-8"
    index = target.client("s3").get_object(
        Bucket=target.value("frontend_bucket_name"), Key="index.html"
    )
    assert index["Body"].read() == (WEB_BUILD / "index.html").read_bytes()
    assert invalidated_paths(target) == [["/*"]]

    assert out.strip().endswith("deploy: done: https://requests.example.com")
    assert printed_secrets(target, out + result.stderr) == []
