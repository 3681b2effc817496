"""`stereospot ops ...`: the operator's side of the AWS deployment, in the order of
docs/aws.md: Terraform (aws-infra-setup, then aws-infra), its outputs, secrets, images to
ECR, a restart of the services, and a smoke test.

Each action prints what it did, one line per step, and never a secret. A problem with the
command line or the set-up is one line and exit 2; a failure on the way is one line and
exit 1. AWS credentials and region come from the usual places (AWS_PROFILE, the
environment, instance roles); the deployment's names from the outputs file that
`terraform-output` writes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stereospot.ops.outputs import OUTPUTS_FILE, OpsError, Outputs, UsageError

ENV_FILE = Path("stereospot-aws.env")
DEFAULT_BASE = "python:3.11-slim-bookworm"


def register(subparsers: Any) -> None:
    command: argparse.ArgumentParser = subparsers.add_parser(
        "ops", help="operate the AWS deployment (docs/aws.md)"
    )
    actions = command.add_subparsers(dest="action", required=True, metavar="ACTION")

    from stereospot.ops.terraform import default_infra

    infra = argparse.ArgumentParser(add_help=False)
    infra.add_argument(
        "--infra",
        type=Path,
        default=default_infra(),
        help="the folder holding aws-infra-setup/ and aws-infra/ (default: this checkout's)",
    )
    infra.add_argument(
        "--setup", action="store_true", help="aws-infra-setup (state bucket, lock table)"
    )
    tf_vars = argparse.ArgumentParser(add_help=False)
    tf_vars.add_argument("--var-file", type=Path, action="append", default=[], metavar="FILE")
    tf_vars.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    outputs = argparse.ArgumentParser(add_help=False)
    outputs.add_argument(
        "--outputs",
        type=Path,
        default=OUTPUTS_FILE,
        help=f"the outputs file terraform-output wrote (default {OUTPUTS_FILE})",
    )
    engine = argparse.ArgumentParser(add_help=False)
    engine.add_argument(
        "--engine", choices=("podman", "docker"), help="default: podman if installed, else docker"
    )
    images = argparse.ArgumentParser(add_help=False)
    images.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="NAME",
        help="web-ui, media-worker, video-worker or stereo-inference (default: all four)",
    )
    images.add_argument("--tag", help="image tag (default: the checkout's commit)")
    insecure = argparse.ArgumentParser(add_help=False)
    insecure.add_argument(
        "--no-tls-verify",
        action="store_true",
        help="podman: a registry over plain HTTP (a local test registry, never ECR)",
    )

    def add(
        name: str, handler: Callable[[argparse.Namespace], None], text: str, *parents: Any
    ) -> Any:
        parser = actions.add_parser(name, parents=list(parents), help=text, description=text)
        parser.set_defaults(handler=lambda args: _guarded(handler, args))
        return parser

    init = add("terraform-init", _tf_init, "terraform init (aws-infra: with backend.hcl)", infra)
    init.add_argument("--backend-config", type=Path, help="default: aws-infra/backend.hcl")
    add("terraform-plan", _tf_plan, "terraform plan", infra, tf_vars)
    apply = add(
        "terraform-apply",
        _tf_apply,
        "terraform apply; after --setup, writes aws-infra/backend.hcl",
        infra,
        tf_vars,
    )
    apply.add_argument("--auto-approve", action="store_true", help="apply without asking")
    output = add(
        "terraform-output",
        _tf_output,
        "write the outputs file and the services' env file from aws-infra's outputs",
        infra,
        outputs,
    )
    output.add_argument("--env-file", type=Path, default=ENV_FILE, help=f"(default {ENV_FILE})")
    login = add(
        "ecr-login", _ecr_login, "log podman or docker in to ECR", outputs, engine, insecure
    )
    del login
    build = add(
        "build",
        _build,
        "build the images (locally, or the inference's in CodeBuild)",
        images,
        engine,
    )
    build.add_argument(
        "--base",
        help="the images' base, a Debian-like image with python3-venv (default "
        f"{DEFAULT_BASE}; with --codebuild, Terraform's inference_base_image)",
    )
    build.add_argument(
        "--python", default="3.11", help="the base's Python, for the wheels (default 3.11)"
    )
    build.add_argument(
        "--runtime",
        choices=("cpu", "onnx-gpu", "torch-cuda"),
        default="cpu",
        help="what runs the depth model in stereo-inference (default cpu)",
    )
    build.add_argument(
        "--model-dir",
        type=Path,
        default=Path(os.environ.get("STEREOSPOT_MODEL_DIR", "models")),
        help="the models stereo-inference carries come from here (default ./models)",
    )
    build.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME",
        help="a model for stereo-inference (default: every model the folder's lock file pins)",
    )
    build.add_argument(
        "--context",
        type=Path,
        default=Path("dist/stereospot-image"),
        help="where the build context is written (default dist/stereospot-image)",
    )
    build.add_argument(
        "--codebuild",
        action="store_true",
        help="stereo-inference only: upload the context and build it in the deployment's "
        "CodeBuild project, which fetches the model with model-credentials",
    )
    build.add_argument(
        "--outputs",
        type=Path,
        default=OUTPUTS_FILE,
        help=f"--codebuild: the outputs file (default {OUTPUTS_FILE})",
    )
    add("push", _push, "push the built images to ECR", outputs, images, engine, insecure)
    secret = add(
        "set-secret", _set_secret, "put a value into one of the deployment's secrets", outputs
    )
    secret.add_argument("name", choices=("signing-key", "users", "model-credentials"))
    source = secret.add_mutually_exclusive_group(required=True)
    source.add_argument("--value-file", type=Path, help="read the value from a file (- for stdin)")
    source.add_argument("--from-env", metavar="VAR", help="read the value from a variable")
    source.add_argument("--generate", action="store_true", help="signing-key: make a random one")
    add("restart", _restart, "replace the services' tasks (after set-secret or push)", outputs)
    smoke = add(
        "smoke-test", _smoke_test, "convert a tiny generated clip and check final.mp4", outputs
    )
    smoke.add_argument(
        "--timeout", type=float, default=1800, help="seconds to wait for the job (default 1800)"
    )
    smoke.add_argument("--keep", action="store_true", help="keep the job (default: delete it)")


def _say(line: str) -> None:
    print(f"ops: {line}", flush=True)


def _guarded(handler: Callable[[argparse.Namespace], None], args: argparse.Namespace) -> int:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    from stereospot.errors import StereoSpotError

    try:
        handler(args)
    except UsageError as exc:
        print(f"stereospot ops {args.action}: {exc}", file=sys.stderr)
        return 2
    except (OpsError, StereoSpotError) as exc:
        print(f"stereospot ops {args.action}: {exc}", file=sys.stderr)
        return 1
    except ClientError as exc:
        # AWS said no: its code and the operation, never the request's parameters.
        error = exc.response.get("Error", {})
        print(
            f"stereospot ops {args.action}: AWS refused {exc.operation_name}: "
            f"{error.get('Code', '?')} ({error.get('Message', '')})",
            file=sys.stderr,
        )
        return 1
    except (BotoCoreError, Boto3Error) as exc:  # no credentials, no network, ...
        print(f"stereospot ops {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def _client(outputs: Outputs, service: str) -> Any:
    import boto3

    endpoint = os.environ.get("STEREOSPOT_AWS_ENDPOINT_URL") or None
    return boto3.session.Session(region_name=outputs.region).client(service, endpoint_url=endpoint)


def _tf_init(args: argparse.Namespace) -> None:
    from stereospot.ops import terraform

    where = terraform.folder(args.infra, args.setup)
    terraform.init(where, args.backend_config, args.setup)
    _say(f"initialised {where}")


def _tf_plan(args: argparse.Namespace) -> None:
    from stereospot.ops import terraform

    terraform.plan(
        terraform.folder(args.infra, args.setup), terraform.variables(args.var_file, args.var)
    )


def _tf_apply(args: argparse.Namespace) -> None:
    from stereospot.ops import terraform

    where = terraform.folder(args.infra, args.setup)
    terraform.apply(where, terraform.variables(args.var_file, args.var), args.auto_approve)
    _say(f"applied {where}")
    if args.setup:
        written = terraform.write_backend_config(args.infra)
        _say(f"wrote {written}: next, `stereospot ops terraform-init`")


def _tf_output(args: argparse.Namespace) -> None:
    from stereospot.ops import outputs, terraform

    if args.setup:
        raise UsageError("terraform-output reads aws-infra; aws-infra-setup's go to backend.hcl")
    found = Outputs.parse(terraform.outputs(terraform.folder(args.infra, setup=False)))
    outputs.write(found, args.outputs, args.env_file)
    _say(f"wrote {args.outputs} and {args.env_file} ({len(found.env())} settings)")


def _ecr_login(args: argparse.Namespace) -> None:
    from stereospot.ops import registry

    found = Outputs.load(args.outputs)
    hosts = registry.login(
        _client(found, "ecr"), found, registry.engine_command(args.engine), not args.no_tls_verify
    )
    _say(f"logged in to {', '.join(hosts)}")


def _build(args: argparse.Namespace) -> None:
    from stereospot.engine.fetch import read_lock
    from stereospot.ops import images, registry

    chosen = registry.chosen(args.image)
    if args.codebuild:
        if chosen != ["stereo-inference"]:
            raise UsageError(
                "--codebuild builds stereo-inference only: add --image stereo-inference"
            )
        _build_in_codebuild(args)
        return
    tag = args.tag or registry.default_tag()
    models = args.model
    if not models and "stereo-inference" in chosen:
        models = sorted(read_lock(args.model_dir))
        if not models:
            _say(f"no model pinned in {args.model_dir}: stereo-inference will carry none")
    context = images.make_context(
        args.context,
        target=images.Target(python=args.python),
        runtime=args.runtime,
        model_dir=args.model_dir,
        models=models if "stereo-inference" in chosen else [],
    )
    _say(images.context_summary(context))
    command = registry.engine_command(args.engine)
    for name in chosen:
        runtime = args.runtime if name == "stereo-inference" else "cpu"
        built = images.build_image(
            name,
            tag,
            base=args.base or DEFAULT_BASE,
            engine=command,
            context=context.path,
            runtime=runtime,
        )
        _say(f"built {built}")


def _build_in_codebuild(args: argparse.Namespace) -> None:
    from stereospot.ops import codebuild, images, registry

    found = Outputs.load(args.outputs)
    pins = codebuild.pins(args.model_dir, args.model)  # before a minute of wheels
    tag = args.tag or registry.default_tag()
    target = images.Target(python=args.python)
    context = images.make_context(args.context, target=target, runtime=args.runtime)
    _say(images.context_summary(context))
    build_id = codebuild.start(
        _client(found, "codebuild"), _client(found, "s3"), found, context.path, pins, tag, args
    )
    _say(f"CodeBuild build {build_id} started")
    status = codebuild.wait(_client(found, "codebuild"), build_id, _say)
    _say(f"CodeBuild build {build_id}: {status}; pushed stereo-inference:{tag}")


def _push(args: argparse.Namespace) -> None:
    from stereospot.ops import registry

    found = Outputs.load(args.outputs)
    tag = args.tag or registry.default_tag()
    command = registry.engine_command(args.engine)
    for remote in registry.push(found, command, args.image, tag, not args.no_tls_verify):
        _say(f"pushed {remote}")
    _say(f"deploy it: `stereospot ops terraform-apply --var image_tag={tag}`")


def _set_secret(args: argparse.Namespace) -> None:
    from stereospot.ops import secrets

    found = Outputs.load(args.outputs)
    if args.generate:
        value = secrets.generate(args.name)
    elif args.from_env:
        if args.from_env not in os.environ:
            raise UsageError(f"${args.from_env} is not set")
        value = os.environ[args.from_env]
    elif str(args.value_file) == "-":
        value = sys.stdin.read()
    else:
        try:
            value = args.value_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {args.value_file}: {exc.strerror}") from None
    version = secrets.put(_client(found, "secretsmanager"), found, args.name, value)
    _say(f"set {args.name} (version {version}); `stereospot ops restart` hands it to the services")


def _restart(args: argparse.Namespace) -> None:
    from stereospot.ops import services

    found = Outputs.load(args.outputs)
    for name in services.restart(_client(found, "ecs"), found.cluster_name):
        _say(f"replacing the tasks of {name}")


def _smoke_test(args: argparse.Namespace) -> None:
    from stereospot.ops import secrets, smoke

    found = Outputs.load(args.outputs)
    key = secrets.read(_client(found, "secretsmanager"), found, "signing-key")
    # The operator's own STEREOSPOT_* (an endpoint for moto, say) under the deployment's.
    env = {k: v for k, v in os.environ.items() if k.startswith("STEREOSPOT_")}
    env |= found.env() | {"STEREOSPOT_SIGNING_KEY": key}
    result = smoke.run(env, args.timeout, args.keep, _say)
    _say(
        f"final.mp4 of job {result.job_id}: {result.width}x{result.height}, "
        f"{result.frames} frames, {result.seconds:.0f} s from upload"
    )
    if found.web_url and found.load_balancer_dns:
        smoke.check_web(found.web_url)
        _say(f"{found.web_url}/healthz answers")
    else:
        _say("no load balancer yet (image_tag unset): the web UI was not checked")
