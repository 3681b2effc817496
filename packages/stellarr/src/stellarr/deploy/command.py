"""`stellarr deploy`: the command line, and the steps in order.

    terraform apply (unless --skip-tf), then its outputs
    backend:  make lambda; VAPID key into the secret once; zips to the deployment bucket;
              layers; function code; a version; the `live` alias; the warmer's code; one run
    frontend: make web; the build into the web app's bucket; a CloudFront invalidation

--backend or --frontend does one half (both by default). --dry-run says what each step
would do and touches nothing: no terraform apply, no build, no AWS call (the outputs come
from --outputs, or from `terraform output -json`, which only reads). Problems with the
command line or the set-up are one line and exit 2; a failure on the way is one line and
exit 1. No secret is printed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from stellarr.deploy import backend, frontend, outputs
from stellarr.deploy.outputs import DeployError, TerraformOutputs, UsageError
from stellarr.deploy.package import LambdaPackage

EXIT_USAGE = 2
EXIT_FAILED = 1
PACKAGE = Path(__file__).resolve().parent.parent  # src/stellarr


def checkout() -> Path | None:
    """The repository this Stellarr runs from (the folder with uv.lock), if any."""
    for folder in PACKAGE.parents:
        if (folder / "uv.lock").is_file() and (folder / "scripts" / "bootstrap.sh").is_file():
            return folder
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    root = checkout()
    infra = root / "packages" / "stellarr" / "infra" if root else Path("infra")
    parser.add_argument(
        "--skip-tf",
        action="store_true",
        help="do not run terraform apply; read the outputs of the last apply",
    )
    parser.add_argument("--backend", action="store_true", help="only the Lambda side")
    parser.add_argument("--frontend", action="store_true", help="only the web app side")
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be done; change nothing"
    )
    parser.add_argument(
        "--outputs",
        type=Path,
        help="Terraform's outputs as `terraform output -json` writes them, instead of asking "
        "terraform (implies --skip-tf)",
    )
    parser.add_argument("--infra", type=Path, default=infra, help=f"(default {infra})")
    dist = root / "dist" if root else Path("dist")
    parser.add_argument(
        "--dist", type=Path, default=dist, help=f"where make lambda writes (default {dist})"
    )
    web = PACKAGE / "static" / "web"
    parser.add_argument(
        "--web-dir", type=Path, default=web, help=f"the web app's build (default {web})"
    )
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="deploy the zips in --dist and the build in --web-dir as they are",
    )
    parser.add_argument(
        "--region",
        default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        help="AWS region (AWS_REGION)",
    )


def _say(line: str) -> None:
    print(f"deploy: {line}", flush=True)


def _clients(region: str | None) -> tuple[backend.AwsClients, Any]:
    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError:
        raise UsageError(
            "stellarr deploy needs boto3: `uv sync --extra deploy` in a checkout, or "
            "`pip install 'stellarr[deploy]'`"
        ) from None
    if not region:
        raise UsageError("no AWS region: set AWS_REGION or pass --region")
    session = boto3.session.Session(region_name=region)
    clients = backend.AwsClients(
        session.client("lambda"), session.client("s3"), session.client("secretsmanager")
    )
    # CloudFront is global; its API lives in us-east-1.
    return clients, session.client("cloudfront", region_name="us-east-1")


def build_lambda(dist: Path) -> None:
    try:
        # A build tool of the checkout (tools/), not part of the stellarr package.
        lambda_package = importlib.import_module("stellarr_tools.lambda_package")
    except ImportError:
        raise UsageError(
            "building the Lambda package needs a checkout's tools (`make lambda` installs "
            "them); or pass --no-build with the zips in --dist"
        ) from None
    _say(f"building the Lambda package into {dist} (make lambda)...")
    for name, (zipped, _) in lambda_package.build(dist).items():
        _say(f"built {name} ({zipped / 1e6:.2f} MB)")


def build_web(web_dir: Path) -> None:
    root = checkout()
    if root is None or web_dir != PACKAGE / "static" / "web":
        raise UsageError(
            "building the web app needs a checkout (`make web`); or pass --no-build "
            "with the build in --web-dir"
        )
    _say("building the web app (make web)...")
    bootstrap = ["bash", str(root / "scripts" / "bootstrap.sh"), "web"]  # as `make web`
    result = subprocess.run(bootstrap, cwd=root, check=False)  # noqa: S603 (fixed argv)
    if result.returncode != 0:
        raise DeployError("make web failed (its output is above)")


def _outputs(args: argparse.Namespace) -> TerraformOutputs:
    if args.dry_run:
        if not (args.skip_tf or args.outputs):
            _say(f"would run terraform init and apply in {args.infra}")
        try:
            return outputs.read(args.infra, args.outputs)
        except DeployError as exc:
            _say(f"(no Terraform outputs to show: {exc}; names below are the outputs')")
            return TerraformOutputs(
                **{name: f"<{name}>" for name in TerraformOutputs.__dataclass_fields__}
            )
    if not (args.skip_tf or args.outputs):
        outputs.apply(args.infra, _say)
    return outputs.read(args.infra, args.outputs)


def deploy(args: argparse.Namespace) -> None:
    both = not (args.backend or args.frontend)
    do_backend, do_frontend = args.backend or both, args.frontend or both
    found = _outputs(args)
    if args.dry_run:
        if do_backend:
            package = LambdaPackage.read(args.dist) if args.no_build else None
            backend.plan_backend(found, package, _say)
        if do_frontend:
            frontend.plan_frontend(found, args.web_dir, args.no_build, _say)
        _say("dry run: nothing was changed")
        return
    # Both builds before anything ships: a web build that fails leaves the old code live.
    if not args.no_build:
        if do_backend:
            build_lambda(args.dist)
        if do_frontend:
            build_web(args.web_dir)
    clients, cloudfront = _clients(args.region)
    if do_backend:
        backend.deploy_backend(clients, found, LambdaPackage.read(args.dist), _say)
    if do_frontend:
        frontend.sync(clients.s3, found, args.web_dir, _say)
        frontend.invalidate(cloudfront, found, _say)
    if found.website_url:
        _say(f"done: {found.website_url}")
    else:
        _say("done")


def run(args: argparse.Namespace) -> int:
    try:
        deploy(args)
    except UsageError as exc:
        print(f"stellarr deploy: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    except DeployError as exc:
        print(f"stellarr deploy: {exc}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    except Exception as exc:
        if not type(exc).__module__.startswith(("botocore", "boto3")):
            raise
        print(f"stellarr deploy: {_aws_error(exc)}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    return 0


def _aws_error(exc: Exception) -> str:
    """AWS's answer (operation, code, message), or the error's kind: a parameter validation
    message could quote a value, and values include the secret."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        operation = getattr(exc, "operation_name", "an AWS call")
        return f"{operation} failed: {error.get('Code')}: {error.get('Message', '')[:300]}"
    if type(exc).__name__ == "ParamValidationError":
        return "an AWS call was refused by boto3's parameter validation"
    return f"{type(exc).__name__}: {exc}"
