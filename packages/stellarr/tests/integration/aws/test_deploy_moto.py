"""`stellarr deploy` against moto in server mode, with Terraform's outputs from a file (or a
stand-in `terraform` that records its calls): what lands where, what a second run keeps,
what --dry-run, --backend and --frontend leave alone, and that no secret is printed."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from stellarr import cli
from stellarr.clients.vapid import VapidKey
from stellarr_testing.aws_deploy import (
    FOREIGN_LAYER,
    INITIAL_SECRET,
    DeployTarget,
    invalidated_paths,
    invalidations,
    layer_names,
    live,
    make_dist,
    make_target,
    make_web_build,
    objects,
    printed_secrets,
    secret_values,
    sha256_b64,
    wrong_cache_control,
)


def deploy(
    target: DeployTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    dist = tmp_path / "dist"
    if not dist.exists():
        make_dist(dist)
    web = tmp_path / "web"
    if not web.exists():
        make_web_build(web)
    outputs = target.write_outputs(tmp_path / "outputs.json")
    argv = ["deploy", "--outputs", str(outputs), "--no-build", "--dist", str(dist)]
    code = cli.main([*argv, "--web-dir", str(web), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_deploy_puts_everything_in_place_and_a_second_keeps_the_vapid_key(
    target: DeployTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    function = target.value("lambda_function_name")
    code, out, err = deploy(target, tmp_path, capsys)
    assert code == 0, err

    # The app secret: a VAPID key added, what was there kept.
    values = secret_values(target)
    key = VapidKey.parse(values["VAPID_PRIVATE_KEY"])
    assert {k: values[k] for k in INITIAL_SECRET} == INITIAL_SECRET
    assert f"wrote a new VAPID key (public key {key.public_b64})" in out

    # The function: this zip's code behind `live`, on a version published by this deploy,
    # with the native layer; no Apprise layer (NOTIFY_URLS unset); the operator's layer kept.
    published = live(target)
    assert published["Version"] != "1"
    assert published["CodeSha256"] == sha256_b64(tmp_path / "dist" / "lambda.zip")
    assert layer_names(published) == [f"{function}-native", FOREIGN_LAYER]
    assert f"layer {function}-apprise: not attached (NOTIFY_URLS is unset)" in out
    assert "alias live points at it" in out
    deploy_bucket = target.value("lambda_deployment_bucket")
    keys = [o["Key"] for o in target.client("s3").list_objects_v2(Bucket=deploy_bucket)["Contents"]]
    digest = hashlib.sha256((tmp_path / "dist" / "lambda.zip").read_bytes()).hexdigest()
    assert f"lambda/{digest}.zip" in keys
    # The warmer: the same code, the default layers, and one run.
    warmer = target.client("lambda").get_function_configuration(
        FunctionName=target.value("cache_warmer_function_name")
    )
    assert warmer["CodeSha256"] == published["CodeSha256"]
    assert layer_names(warmer) == [f"{function}-native"]
    assert "ran once (status 200)" in out

    # The web app: cache headers by kind, content types, no .gz copies, Swagger UI.
    stored = objects(target)
    assert sorted(stored) == sorted(
        [
            "_app/immutable/assets/app.Ef34Gh.css",
            "_app/immutable/entry/app.Ab12Cd.js",
            "_app/version.json",
            "api-docs/swagger-ui-bundle.js",
            "api-docs/swagger-ui.css",
            "index.html",
            "manifest.webmanifest",
            "service-worker.js",
        ]
    )
    assert wrong_cache_control(stored) == []
    assert stored["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert stored["_app/immutable/entry/app.Ab12Cd.js"]["ContentType"] == "text/javascript"
    assert stored["manifest.webmanifest"]["ContentType"] == "application/manifest+json"
    assert invalidated_paths(target) == [["/*"]]
    assert out.strip().endswith("deploy: done: https://requests.example.com")
    # Every step says what it did, and no secret appears.
    assert printed_secrets(target, out + err) == []

    # Again: the key stays, the layer is reused, nothing unchanged is uploaded twice.
    code, again, err = deploy(target, tmp_path, capsys)
    assert code == 0, err
    assert secret_values(target)["VAPID_PRIVATE_KEY"] == values["VAPID_PRIVATE_KEY"]
    assert f"keeps its VAPID key (public key {key.public_b64})" in again
    assert f"layer {function}-native: version 1 already holds this build" in again
    assert "uploaded 0 hashed files" in again and "8 unchanged" in again
    assert live(target)["CodeSha256"] == published["CodeSha256"]
    assert len(invalidations(target)) == 2


def test_a_new_build_moves_live_to_a_new_version(
    target: DeployTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(target, tmp_path, capsys, "--backend")[0] == 0
    first = live(target)
    make_dist(tmp_path / "dist", generation="2")

    code, out, err = deploy(target, tmp_path, capsys, "--backend")

    assert code == 0, err
    second = live(target)
    assert int(second["Version"]) > int(first["Version"])
    assert second["CodeSha256"] == sha256_b64(tmp_path / "dist" / "lambda.zip")
    assert second["CodeSha256"] != first["CodeSha256"]
    assert f"published version {second['Version']}; alias live points at it" in out


@pytest.mark.parametrize("where", ["environment", "secret"])
def test_the_apprise_layer_goes_only_where_notify_urls_is_set(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    target = make_target(aws_env, **{where: {"NOTIFY_URLS": "ntfy://stellarr-topic"}})
    function = target.value("lambda_function_name")

    code, out, err = deploy(target, tmp_path, capsys, "--backend")

    assert code == 0, err
    assert layer_names(live(target)) == [f"{function}-native", f"{function}-apprise", FOREIGN_LAYER]
    assert f"layer {function}-apprise: attached (NOTIFY_URLS is set)" in out
    assert "ntfy://stellarr-topic" not in out  # a NOTIFY_URLS entry holds tokens
    warmer = target.client("lambda").get_function_configuration(
        FunctionName=target.value("cache_warmer_function_name")
    )
    assert layer_names(warmer) == [f"{function}-native"]


def test_dry_run_says_every_step_and_changes_nothing(
    target: DeployTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = live(target)

    code, out, err = deploy(target, tmp_path, capsys, "--dry-run")

    assert code == 0, err
    lines = out.splitlines()
    assert sum(line.startswith("deploy: would ") for line in lines) >= 7
    assert lines[-1] == "deploy: dry run: nothing was changed"
    assert "VAPID_PRIVATE_KEY" not in secret_values(target)
    assert live(target) == before
    assert objects(target) == {}
    assert invalidations(target) == []


def test_backend_alone_and_frontend_alone(
    target: DeployTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = live(target)
    code, out, err = deploy(target, tmp_path, capsys, "--frontend")
    assert code == 0, err
    assert live(target) == before
    assert "VAPID_PRIVATE_KEY" not in secret_values(target)
    assert "index.html" in objects(target) and len(invalidations(target)) == 1

    code, out, err = deploy(target, tmp_path, capsys, "--backend")
    assert code == 0, err
    assert live(target)["Version"] != before["Version"]
    assert len(invalidations(target)) == 1  # no second invalidation
    assert "web app" not in out


def test_without_an_edge_the_web_app_is_uploaded_and_nothing_invalidated(
    target: DeployTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What infra/ outputs with enable_edge = false: a CDN of the operator's own in front.
    target.outputs["cloudfront_distribution_id"]["value"] = ""
    code, out, err = deploy(target, tmp_path, capsys, "--frontend", "--dry-run")
    assert code == 0, err
    assert "nothing to invalidate" in out and "would invalidate" not in out
    code, out, err = deploy(target, tmp_path, capsys, "--frontend")
    assert code == 0, err
    assert "index.html" in objects(target)
    assert "nothing to invalidate" in out and ": invalidation" not in out


def fake_terraform(folder: Path, outputs: Path, log: Path) -> Path:
    """A `terraform` that records its arguments and prints the outputs for `output -json`."""
    folder.mkdir()
    script = folder / "terraform"
    script.write_text(
        f'#!/bin/sh\necho "$*" >> "{log}"\ncase "$*" in *"output -json"*) cat "{outputs}" ;; esac\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def test_terraform_is_applied_then_read_unless_skipped(
    target: DeployTarget,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    infra = tmp_path / "infra"
    infra.mkdir()
    log = tmp_path / "terraform.log"
    outputs = target.write_outputs(tmp_path / "outputs.json")
    bin_dir = fake_terraform(tmp_path / "bin", outputs, log)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    dist, web = make_dist(tmp_path / "dist"), make_web_build(tmp_path / "web")
    common = ["deploy", "--infra", str(infra), "--no-build", "--dist", str(dist)]
    common += ["--web-dir", str(web), "--frontend"]

    assert cli.main(common) == 0
    assert log.read_text().splitlines() == [
        f"-chdir={infra} init -input=false",
        f"-chdir={infra} apply -input=false -auto-approve",
        f"-chdir={infra} output -json -no-color",
    ]
    assert f"deploy: terraform: applied {infra}" in capsys.readouterr().out

    log.unlink()
    assert cli.main([*common, "--skip-tf"]) == 0
    assert log.read_text().splitlines() == [f"-chdir={infra} output -json -no-color"]

    # Where backend-setup's settings were written, init is given them.
    log.unlink()
    (infra / "backend.hcl").write_text('bucket = "state"\n')
    assert cli.main(common) == 0
    assert log.read_text().splitlines()[0] == (
        f"-chdir={infra} init -input=false -backend-config=backend.hcl"
    )


def test_what_cannot_work_is_one_line_and_exit_2(
    target: DeployTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = {k: v for k, v in target.outputs.items() if k != "app_secret_arn"}
    (tmp_path / "outputs.json").write_text(json.dumps(partial))
    code = cli.main(["deploy", "--outputs", str(tmp_path / "outputs.json"), "--no-build"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("stellarr deploy: Terraform's outputs lack app_secret_arn;")
    assert err.count("\n") == 1

    empty = tmp_path / "empty-dist"
    empty.mkdir()
    target.write_outputs(tmp_path / "outputs.json")
    argv = ["deploy", "--outputs", str(tmp_path / "outputs.json"), "--no-build", "--backend"]
    code = cli.main([*argv, "--dist", str(empty)])
    err = capsys.readouterr().err
    assert code == 2 and "lambda-package.json: run `make lambda`" in err
