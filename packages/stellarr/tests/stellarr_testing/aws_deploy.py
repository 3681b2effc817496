"""What `terraform apply` of packages/stellarr/infra leaves for `stellarr deploy`, made in moto
(server mode) with boto3 the way an operator's Terraform would: the deployment and web app
buckets, the API function with its `live` alias on version 1, the cache warmer, the app
secret and a CloudFront distribution; with the outputs as `terraform output -json` writes
them. Also a `make lambda` dist folder and a `make web` build, small and made here, the
environment that points boto3 (in this process or a `make deploy` child) at moto, and what a
deploy left there, read back."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from stellarr_tools import lambda_package

REGION = "eu-west-1"
INITIAL_SECRET = {"APP_SECRET_KEY": "k" * 48, "PRESHARED_PASSWORD": "deploy-test-password"}
# A layer someone attached by hand (an extension, say): a deploy must leave it attached.
FOREIGN_LAYER = "someone-elses-extension"
IMMUTABLE = "public, max-age=31536000, immutable"


def aws_environment(endpoint: str) -> dict[str, str]:
    """The variables that send `stellarr deploy`'s boto3 to moto, with moto's credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": REGION,
    }


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def lambda_without_docker(endpoint: str) -> None:
    """moto answers invocations itself instead of starting a container."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config",
        data=json.dumps({"lambda": {"use_docker": False}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def client(service: str, endpoint: str) -> Any:
    region = "us-east-1" if service == "cloudfront" else REGION
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@dataclass(frozen=True)
class DeployTarget:
    endpoint: str
    outputs: dict[str, Any]  # as `terraform output -json` prints them
    foreign_layer_arn: str

    def value(self, name: str) -> str:
        value: str = self.outputs[name]["value"]
        return value

    def client(self, service: str) -> Any:
        return client(service, self.endpoint)

    def write_outputs(self, path: Path) -> Path:
        path.write_text(json.dumps(self.outputs), encoding="utf-8")
        return path


def make_target(
    endpoint: str,
    environment: dict[str, str] | None = None,
    secret: dict[str, str] | None = None,
) -> DeployTarget:
    lambda_without_docker(endpoint)
    name = f"stellarr-{uuid.uuid4().hex[:8]}"
    iam, s3, lam = client("iam", endpoint), client("s3", endpoint), client("lambda", endpoint)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buckets = {"deploy": f"{name}-deploy", "web": f"{name}-web"}
    for bucket in buckets.values():
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    placeholder = _zip({"placeholder.py": "def handler(event, context):\n    return {}\n"})
    s3.put_object(Bucket=buckets["deploy"], Key="extension.zip", Body=placeholder)
    foreign = lam.publish_layer_version(
        LayerName=FOREIGN_LAYER,
        Content={"S3Bucket": buckets["deploy"], "S3Key": "extension.zip"},
    )["LayerVersionArn"]
    functions = {"api": f"{name}-api", "warmer": f"{name}-cache-warmer"}
    for role_name, function in functions.items():
        lam.create_function(
            FunctionName=function,
            Runtime="python3.12",
            Architectures=["arm64"],
            Role=role,
            Handler="placeholder.handler",
            Code={"ZipFile": placeholder},
            Environment={"Variables": {"STORE": "dynamodb", **(environment or {})}},
            Layers=[foreign] if role_name == "api" else [],
        )
    version = lam.publish_version(FunctionName=functions["api"])["Version"]
    lam.create_alias(FunctionName=functions["api"], Name="live", FunctionVersion=version)
    secret = client("secretsmanager", endpoint).create_secret(
        Name=f"{name}-app", SecretString=json.dumps({**INITIAL_SECRET, **(secret or {})})
    )["ARN"]
    distribution = client("cloudfront", endpoint).create_distribution(
        DistributionConfig={
            "CallerReference": name,
            "Comment": name,
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "s3-frontend",
                        "DomainName": f"{buckets['web']}.s3.{REGION}.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "s3-frontend",
                "ViewerProtocolPolicy": "redirect-to-https",
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "MinTTL": 0,
            },
        }
    )["Distribution"]["Id"]
    values = {
        "website_url": "https://requests.example.com",
        "cloudfront_distribution_id": distribution,
        "frontend_bucket_name": buckets["web"],
        "lambda_function_name": functions["api"],
        "lambda_deployment_bucket": buckets["deploy"],
        "lambda_function_url": "https://abc.lambda-url.eu-west-1.on.aws/",
        "dynamodb_table_name": f"{name}-table",
        "app_secret_arn": secret,
        "cache_warmer_function_name": functions["warmer"],
    }
    outputs = {k: {"sensitive": False, "type": "string", "value": v} for k, v in values.items()}
    return DeployTarget(endpoint, outputs, foreign)


def make_dist(folder: Path, generation: str = "1") -> Path:
    """A `make lambda` output: the function, the native and the Apprise layer, and the
    manifest, each zip small (what is deployed is checked by its hash, not run)."""
    folder.mkdir(parents=True, exist_ok=True)
    zips = {
        "lambda.zip": {"stellarr/lambda_handler.py": f"GENERATION = {generation!r}\n"},
        "lambda-native-layer.zip": {"python/pydantic_core/__init__.py": "# native\n"},
        "lambda-apprise-layer.zip": {"python/apprise/__init__.py": "# apprise\n"},
    }
    for name, files in zips.items():
        (folder / name).write_bytes(_zip(files))
    # The packager's own manifest, for the layers it builds: what `make lambda` writes.
    manifest = lambda_package.manifest(lambda_package.Target(), lambda_package.LAYERS)
    (folder / "lambda-package.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


WEB_FILES = {
    "index.html": "<!doctype html><title>Stellarr</title>",
    "index.html.gz": "gzip copy, never uploaded",
    "service-worker.js": "self.addEventListener('fetch', () => {});",
    "manifest.webmanifest": '{"name": "Stellarr"}',
    "_app/version.json": '{"version": "1"}',
    "_app/immutable/entry/app.Ab12Cd.js": "export const app = 1;",
    "_app/immutable/entry/app.Ab12Cd.js.gz": "gzip copy, never uploaded",
    "_app/immutable/assets/app.Ef34Gh.css": "body { margin: 0 }",
}


def make_web_build(folder: Path) -> Path:
    for name, text in WEB_FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


# --- what a deploy left in moto --------------------------------------------------------------
def sha256_b64(path: Path) -> str:
    """A zip's SHA-256 as Lambda reports it (CodeSha256)."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def secret_values(target: DeployTarget) -> dict[str, Any]:
    secrets = target.client("secretsmanager")
    raw = secrets.get_secret_value(SecretId=target.value("app_secret_arn"))["SecretString"]
    values: dict[str, Any] = json.loads(raw)
    return values


def live(target: DeployTarget) -> dict[str, Any]:
    """The API function's configuration at the version its `live` alias points at."""
    lam = target.client("lambda")
    function = target.value("lambda_function_name")
    alias = lam.get_alias(FunctionName=function, Name="live")
    configuration: dict[str, Any] = lam.get_function_configuration(
        FunctionName=function, Qualifier=alias["FunctionVersion"]
    )
    configuration.pop("ResponseMetadata")
    return configuration


def layer_names(configuration: dict[str, Any]) -> list[str]:
    return [layer["Arn"].split(":")[6] for layer in configuration.get("Layers", [])]


def objects(target: DeployTarget) -> dict[str, dict[str, Any]]:
    """The web app's bucket: each key's HEAD answer."""
    s3 = target.client("s3")
    bucket = target.value("frontend_bucket_name")
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.head_object(Bucket=bucket, Key=o["Key"]) for o in listed}


def wrong_cache_control(stored: dict[str, dict[str, Any]]) -> list[str]:
    """Keys whose Cache-Control is not their kind's: a year for hashed files, else no-cache."""
    return [
        key
        for key, head in stored.items()
        if head["CacheControl"] != (IMMUTABLE if key.startswith("_app/immutable/") else "no-cache")
    ]


def invalidations(target: DeployTarget) -> list[dict[str, Any]]:
    cloudfront = target.client("cloudfront")
    listed = cloudfront.list_invalidations(
        DistributionId=target.value("cloudfront_distribution_id")
    )
    items: list[dict[str, Any]] = listed["InvalidationList"].get("Items", [])
    return items


def invalidated_paths(target: DeployTarget) -> list[list[str]]:
    """Each invalidation's paths."""
    cloudfront = target.client("cloudfront")
    distribution = target.value("cloudfront_distribution_id")
    return [
        cloudfront.get_invalidation(DistributionId=distribution, Id=made["Id"])["Invalidation"][
            "InvalidationBatch"
        ]["Paths"]["Items"]
        for made in invalidations(target)
    ]


def printed_secrets(target: DeployTarget, text: str) -> list[str]:
    """The app secret's values (the VAPID key a deploy wrote among them) found in text."""
    return [str(v) for v in secret_values(target).values() if str(v) and str(v) in text]
