"""The backend half of `stellarr deploy`, through boto3 (the `deploy` extra):

1. the app secret gets a VAPID key when it has none (never replaced: browsers' push
   subscriptions are tied to it);
2. the zips go to the deployment bucket, under their SHA-256, and each layer is published
   unless its latest version is this very zip;
3. the API function gets the new code and its layers (the default ones, and the Apprise
   layer where NOTIFY_URLS is set, in its environment or in the app secret), a version is
   published and the `live` alias (the Function URL's) moves to it;
4. the cache warmer gets the same code and default layers, and runs once.

Layers the operator attached themselves (an extension, say) stay attached. Nothing here
prints a secret's value: the VAPID public key is the one thing shown, and it is public.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stellarr.deploy.outputs import DeployError, TerraformOutputs
from stellarr.deploy.package import LambdaPackage, LayerZip, megabytes, sha256

LIVE_ALIAS = "live"
RUNTIME = "python3.12"
ARCHITECTURE = "arm64"
VAPID_KEY = "VAPID_PRIVATE_KEY"

Say = Callable[[str], None]


@dataclass(frozen=True)
class AwsClients:
    lambda_: Any
    s3: Any
    secrets: Any


def layer_name(outputs: TerraformOutputs, layer: LayerZip) -> str:
    return f"{outputs.lambda_function_name}-{layer.name}"


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    code: str = response.get("Error", {}).get("Code", "")
    return code


# --- the app secret ------------------------------------------------------------------------
def read_secret(clients: AwsClients, outputs: TerraformOutputs) -> dict[str, Any]:
    """The app secret's JSON; {} when no value was ever put in it."""
    try:
        raw = clients.secrets.get_secret_value(SecretId=outputs.app_secret_arn)["SecretString"]
    except Exception as exc:
        if _code(exc) == "ResourceNotFoundException" and "value" in str(exc).lower():
            return {}
        reason = _code(exc) or type(exc).__name__
        raise DeployError(f"cannot read the app secret: {reason}") from None
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        # Never overwrite what someone put there by hand.
        raise DeployError("the app secret is not a JSON object; fix it by hand, then deploy again")
    return values


def ensure_vapid_key(clients: AwsClients, outputs: TerraformOutputs, say: Say) -> dict[str, Any]:
    """Write a VAPID key into the app secret unless it has one; returns the secret's values."""
    from stellarr.clients.vapid import VapidKey

    values = read_secret(clients, outputs)
    existing = values.get(VAPID_KEY)
    if isinstance(existing, str) and existing.strip():
        try:
            public = VapidKey.parse(existing).public_b64
        except ValueError:
            say(f"app secret: keeps its {VAPID_KEY}, which does not parse (push stays off)")
            return values
        say(f"app secret: keeps its VAPID key (public key {public})")
        return values
    key = VapidKey.generate()
    values = {**values, VAPID_KEY: key.private_b64}
    clients.secrets.put_secret_value(
        SecretId=outputs.app_secret_arn, SecretString=json.dumps(values)
    )
    say(f"app secret: wrote a new VAPID key (public key {key.public_b64})")
    return values


# --- code and layers -----------------------------------------------------------------------
def upload(clients: AwsClients, bucket: str, key: str, path: Any, say: Say) -> None:
    clients.s3.upload_file(str(path), bucket, key)
    say(f"uploaded {path.name} ({megabytes(path)}) to s3://{bucket}/{key}")


def publish_layer(clients: AwsClients, outputs: TerraformOutputs, layer: LayerZip, say: Say) -> str:
    """The ARN of a layer version holding exactly this zip: the latest, or a new one."""
    name = layer_name(outputs, layer)
    digest = sha256(layer.path)
    try:
        versions = clients.lambda_.list_layer_versions(LayerName=name).get("LayerVersions", [])
    except Exception as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
        versions = []
    for version in versions:
        if version.get("Description") == f"sha256:{digest}":
            arn: str = version["LayerVersionArn"]
            say(f"layer {name}: version {version['Version']} already holds this build")
            return arn
    key = f"layers/{name}/{digest}.zip"
    upload(clients, outputs.lambda_deployment_bucket, key, layer.path, say)
    published = clients.lambda_.publish_layer_version(
        LayerName=name,
        Description=f"sha256:{digest}",
        Content={"S3Bucket": outputs.lambda_deployment_bucket, "S3Key": key},
        CompatibleRuntimes=[RUNTIME],
        CompatibleArchitectures=[ARCHITECTURE],
    )
    say(f"layer {name}: published version {published['Version']}")
    arn = published["LayerVersionArn"]
    return arn


def wanted_layers(
    package: LambdaPackage, settings: dict[str, str], secret: dict[str, Any]
) -> list[tuple[LayerZip, str]]:
    """(layer, why) for each layer this function gets."""
    chosen = []
    for layer in package.layers:
        if layer.default:
            chosen.append((layer, "every function"))
        elif layer.needed_by and (settings.get(layer.needed_by) or secret.get(layer.needed_by)):
            chosen.append((layer, f"{layer.needed_by} is set"))
    return chosen


def _layer_of(arn: str) -> str:
    # arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION
    parts = arn.split(":")
    return parts[6] if len(parts) > 7 else arn


def update_function(
    clients: AwsClients,
    function: str,
    code: tuple[str, str],
    layers: list[str],
    ours: set[str],
    say: Say,
) -> dict[str, Any]:
    """New code from s3 (bucket, key), then the layers: ours as given, others kept."""
    lam = clients.lambda_
    bucket, key = code
    lam.update_function_code(FunctionName=function, S3Bucket=bucket, S3Key=key)
    lam.get_waiter("function_updated_v2").wait(FunctionName=function)
    current: dict[str, Any] = lam.get_function_configuration(FunctionName=function)
    theirs = [x["Arn"] for x in current.get("Layers", []) if _layer_of(x["Arn"]) not in ours]
    attached = [*layers, *theirs]
    if [x["Arn"] for x in current.get("Layers", [])] != attached:
        lam.update_function_configuration(FunctionName=function, Layers=attached)
        lam.get_waiter("function_updated_v2").wait(FunctionName=function)
        current = lam.get_function_configuration(FunctionName=function)
    shown = ", ".join(_layer_of(arn) + ":" + arn.rsplit(":", 1)[-1] for arn in attached)
    say(f"function {function}: new code, layers {shown or 'none'}")
    return current


def move_live_alias(clients: AwsClients, function: str, code_sha: str, say: Say) -> str:
    lam = clients.lambda_
    version: str = lam.publish_version(FunctionName=function, CodeSha256=code_sha)["Version"]
    try:
        lam.update_alias(FunctionName=function, Name=LIVE_ALIAS, FunctionVersion=version)
    except Exception as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
        lam.create_alias(FunctionName=function, Name=LIVE_ALIAS, FunctionVersion=version)
    say(f"function {function}: published version {version}; alias {LIVE_ALIAS} points at it")
    return version


def invoke_warmer(clients: AwsClients, outputs: TerraformOutputs, say: Say) -> bool:
    """One run of the cache warmer; False (and a line saying why) when it failed."""
    answer = clients.lambda_.invoke(
        FunctionName=outputs.cache_warmer_function_name,
        InvocationType="RequestResponse",
        Payload=b"{}",
    )
    payload = answer["Payload"].read().decode("utf-8", "replace")
    name = outputs.cache_warmer_function_name
    if answer.get("FunctionError"):
        try:
            error = json.loads(payload)
            reason = f"{error.get('errorType')}: {error.get('errorMessage')}"
        except (ValueError, AttributeError):
            reason = answer["FunctionError"]
        say(f"cache warmer {name}: the run failed ({reason[:300]}); the deploy goes on")
        return False
    say(f"cache warmer {name}: ran once (status {answer.get('StatusCode')})")
    return True


def deploy_backend(
    clients: AwsClients, outputs: TerraformOutputs, package: LambdaPackage, say: Say
) -> None:
    secret = ensure_vapid_key(clients, outputs, say)
    digest = sha256(package.function)
    code = (outputs.lambda_deployment_bucket, f"lambda/{digest}.zip")
    upload(clients, *code, package.function, say)
    api = clients.lambda_.get_function_configuration(FunctionName=outputs.lambda_function_name)
    settings = api.get("Environment", {}).get("Variables", {})
    ours = {layer_name(outputs, layer) for layer in package.layers}
    chosen = wanted_layers(package, settings, secret)
    arns = {layer.name: publish_layer(clients, outputs, layer, say) for layer, _ in chosen}
    for layer, why in chosen:
        say(f"layer {layer_name(outputs, layer)}: attached ({why})")
    for layer in package.layers:
        if layer.name not in arns:
            say(f"layer {layer_name(outputs, layer)}: not attached ({layer.needed_by} is unset)")
    configured = update_function(
        clients, outputs.lambda_function_name, code, list(arns.values()), ours, say
    )
    move_live_alias(clients, outputs.lambda_function_name, configured["CodeSha256"], say)
    defaults = [arns[layer.name] for layer, _ in chosen if layer.default]
    update_function(clients, outputs.cache_warmer_function_name, code, defaults, ours, say)
    invoke_warmer(clients, outputs, say)


def plan_backend(outputs: TerraformOutputs, package: LambdaPackage | None, say: Say) -> None:
    """What deploy_backend would do, from what is known without asking AWS."""
    say(f"would write a VAPID key into {outputs.app_secret_arn} if it has none (never replace)")
    if package is None:
        say("would build dist/lambda.zip and its layers (make lambda)")
        layers: tuple[LayerZip, ...] = ()
    else:
        say(
            f"would upload {package.function.name} ({megabytes(package.function)}) to "
            f"s3://{outputs.lambda_deployment_bucket}/lambda/"
        )
        layers = package.layers
    for layer in layers:
        when = "every function" if layer.default else f"only if {layer.needed_by} is set"
        say(
            f"would publish layer {layer_name(outputs, layer)} from {layer.path.name} "
            f"unless its latest version is that zip; attached: {when}"
        )
    say(
        f"would update {outputs.lambda_function_name}'s code and layers, publish a version "
        f"and point alias {LIVE_ALIAS} at it"
    )
    say(f"would update {outputs.cache_warmer_function_name}'s code and run it once")
