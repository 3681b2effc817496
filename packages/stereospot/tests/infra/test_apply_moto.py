"""infra/ applied for real, against moto in server mode, as an operator applies it to AWS:
aws-infra-setup first, its outputs written into aws-infra's backend.hcl the way
backend.hcl.example says (the state then lives in moto's S3, locked in moto's DynamoDB),
then `terraform apply` of aws-infra before any image exists (image_tag empty: the data
plane, registries, roles, secrets, logs, alarms, the cluster and the build). Then the
pipeline's own AWS adapters convert one clip on what Terraform made, its resources are
compared with what provision.py makes from the same inventory, and the half that runs
images (ECS services, SageMaker, scaling, the load balancer, the network), which moto
cannot stand in for, is planned on top and its rendered values checked.

Left out of the apply by the override file, and checked from the files instead
(test_inventory.py):
- the buckets' lifecycle rules: after writing one the aws provider waits for ten identical
  reads five seconds apart (55 s a bucket, on AWS too);
- the buckets' TLS-only policies: moto evaluates a Deny whose condition does not hold as a
  denial all the same, so every object request would be refused.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from stereospot.aws import inventory
from stereospot.aws.backend import aws_backend
from stereospot.aws.provision import provision
from stereospot.jobs.models import JobStatus
from stereospot.ports import ObjectRef
from stereospot.settings import Settings
from stereospot_testing.backends import SIGNING_KEY, Harness
from stereospot_testing.pipeline import make_app, submit
from stereospot_testing.terraform import (
    ACCOUNT,
    MAIN,
    REGION,
    SETUP,
    Terraform,
    moto_backend,
    moto_provider,
    unavailable,
    working_copy,
)
from stereospot_testing.videos import make_video

pytestmark = [
    pytest.mark.aws,
    pytest.mark.skipif(unavailable() is not None, reason=str(unavailable())),
]

DOMAIN = "stereospot.example.test"
CERTIFICATE = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0123abcd"
OUTPUTS = {
    "region",
    "prefix",
    "input_bucket",
    "output_bucket",
    "cluster_name",
    "ecr_repositories",
    "service_env",
    "secret_arns",
    "web_url",
    "codebuild_project",
    "sagemaker_endpoint",
}
IMAGES = {"web-ui", "media-worker", "video-worker", "stereo-inference"}
SETUP_LEFT_OUT = (
    'resource "aws_s3_bucket_lifecycle_configuration" "state" {\n  for_each = {}\n}\n'
    'resource "aws_s3_bucket_policy" "state" {\n  for_each = {}\n}\n'
)
MAIN_LEFT_OUT = (
    "".join(
        f'resource "aws_s3_bucket_lifecycle_configuration" "{name}" {{\n  for_each = {{}}\n}}\n'
        for name in ("input", "output", "build")
    )
    + 'resource "aws_s3_bucket_policy" "all" {\n  for_each = {}\n}\n'
)


@dataclass
class Deployed:
    setup: Terraform
    setup_outputs: dict[str, Any]
    main: Terraform
    outputs: dict[str, Any]
    endpoint: str
    prefix: str

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def planned(self, name: str, *variables: str) -> dict[str, Any]:
        """Each resource's values in a plan with images (`terraform show -json`)."""
        self.main.run("plan", f"-out={name}.tfplan", f"-var=image_tag={name}",
                      f"-var=certificate_arn={CERTIFICATE}", *variables)  # fmt: skip
        shown = json.loads(self.main.run("show", "-json", f"{name}.tfplan").stdout)
        return {c["address"]: c["change"]["after"] for c in shown["resource_changes"]}


def backend_from_example(example: str, outputs: dict[str, Any]) -> str:
    """backend.hcl as its example says to write it: each value marked `# output: NAME`
    replaced with that output of aws-infra-setup."""

    def fill(match: re.Match[str]) -> str:
        return f'{match[1]}"{outputs[match[3]]}"'

    return re.sub(r'^(\w+\s*=\s*)"([^"]*)"\s*# output: (\w+)$', fill, example, flags=re.M)


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    work = tmp_path_factory.mktemp("infra")
    prefix = f"s{uuid.uuid4().hex[:7]}"

    setup = Terraform(working_copy(SETUP, work / SETUP.name), work / "home")
    (setup.folder / "moto_override.tf").write_text(
        moto_provider(moto_endpoint) + SETUP_LEFT_OUT, encoding="utf-8"
    )
    setup.run("init")
    setup.run("apply", "-auto-approve", f"-var=region={REGION}", f"-var=prefix={prefix}")
    setup_outputs = setup.outputs()

    main = Terraform(working_copy(MAIN, work / MAIN.name), work / "home")
    example = (MAIN / "backend.hcl.example").read_text(encoding="utf-8")
    (main.folder / "backend.hcl").write_text(
        backend_from_example(example, setup_outputs), encoding="utf-8"
    )
    (main.folder / "moto.hcl").write_text(moto_backend(moto_endpoint), encoding="utf-8")
    (main.folder / "moto_override.tf").write_text(
        moto_provider(moto_endpoint) + MAIN_LEFT_OUT, encoding="utf-8"
    )
    (main.folder / "terraform.tfvars").write_text(
        f'region = "{REGION}"\nprefix = "{prefix}"\ndomain_name = "{DOMAIN}"\n', encoding="utf-8"
    )
    main.run("init", "-backend-config=backend.hcl", "-backend-config=moto.hcl")
    main.run("apply", "-auto-approve")
    yield Deployed(setup, setup_outputs, main, main.outputs(), moto_endpoint, prefix)


# --- aws-infra-setup and the backend ------------------------------------------------------


def test_the_setup_outputs_are_what_backend_hcl_example_asks_for(deployed: Deployed) -> None:
    example = (MAIN / "backend.hcl.example").read_text(encoding="utf-8")
    asked = set(re.findall(r"# output: (\w+)$", example, flags=re.M))
    assert asked == set(deployed.setup_outputs) == {"state_bucket", "lock_table", "region"}
    assert deployed.setup_outputs == {
        "state_bucket": f"{deployed.prefix}-tfstate-{ACCOUNT}-{REGION}",
        "lock_table": f"{deployed.prefix}-tflock",
        "region": REGION,
    }


def test_aws_infra_keeps_its_state_in_the_setups_bucket(deployed: Deployed) -> None:
    s3 = deployed.client("s3")
    bucket = deployed.setup_outputs["state_bucket"]
    [state] = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert state["Key"] == "aws-infra/terraform.tfstate"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    dynamodb = deployed.client("dynamodb")
    table = deployed.setup_outputs["lock_table"]
    assert dynamodb.describe_table(TableName=table)["Table"]["KeySchema"] == [
        {"AttributeName": "LockID", "KeyType": "HASH"}
    ]
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


# --- aws-infra's outputs and data plane -------------------------------------------------------


def test_the_outputs_are_the_contracts(deployed: Deployed) -> None:
    outputs, prefix = deployed.outputs, deployed.prefix
    assert set(outputs) == OUTPUTS
    assert outputs["region"] == REGION and outputs["prefix"] == prefix
    assert outputs["input_bucket"] == f"{prefix}-input-{ACCOUNT}-{REGION}"
    assert outputs["output_bucket"] == f"{prefix}-output-{ACCOUNT}-{REGION}"
    assert outputs["cluster_name"] == prefix
    assert outputs["web_url"] == f"https://{DOMAIN}"
    assert outputs["codebuild_project"] == f"{prefix}-stereo-inference"
    assert outputs["sagemaker_endpoint"] == f"{prefix}-stereo-inference"
    registry = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    assert outputs["ecr_repositories"] == {name: f"{registry}/{prefix}/{name}" for name in IMAGES}
    assert set(outputs["secret_arns"]) == {"signing-key", "users", "model-credentials"}
    assert outputs["service_env"] == {
        "STEREOSPOT_BACKEND": "aws",
        "STEREOSPOT_AWS_REGION": REGION,
        "STEREOSPOT_AWS_PREFIX": prefix,
        "STEREOSPOT_INPUT_BUCKET": outputs["input_bucket"],
        "STEREOSPOT_OUTPUT_BUCKET": outputs["output_bucket"],
        "STEREOSPOT_INFERENCE": "sagemaker",
        "STEREOSPOT_SAGEMAKER_ENDPOINT": outputs["sagemaker_endpoint"],
        "STEREOSPOT_VISIBILITY_TIMEOUT": "120",
        "STEREOSPOT_MAX_RECEIVES": "3",
    }
    # The services' settings parse (with the secret ECS adds).
    settings = Settings.from_env({**outputs["service_env"], "STEREOSPOT_SIGNING_KEY": SIGNING_KEY})
    assert (settings.visibility_timeout, settings.max_receives) == (120.0, 3)


def describe(client: Any, settings: Settings) -> dict[str, Any]:
    """The tables, queues and notifications of one backend, with its names taken out."""
    dynamodb, sqs, s3 = client("dynamodb"), client("sqs"), client("s3")
    prefix = settings.aws_prefix
    found: dict[str, Any] = {}
    for table in inventory.TABLES:
        name = table.full_name(prefix)
        body = dynamodb.describe_table(TableName=name)["Table"]
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        found[table.name] = (
            body["KeySchema"],
            sorted(body["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
            sorted(
                (i["IndexName"], str(i["KeySchema"]), str(i["Projection"]))
                for i in body.get("GlobalSecondaryIndexes", [])
            ),
            body["BillingModeSummary"]["BillingMode"],
            ttl.get("AttributeName") if ttl["TimeToLiveStatus"] == "ENABLED" else None,
        )
    for queue in inventory.queues(settings):
        for name in (queue.full_name(prefix), queue.dead_letter_name(prefix)):
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
            found[name.removeprefix(prefix)] = (
                attrs["VisibilityTimeout"],
                attrs["MessageRetentionPeriod"] if name.endswith("-dlq") else None,
                int(redrive.get("maxReceiveCount", 0)),
                redrive.get("deadLetterTargetArn", "").rpartition(prefix)[2],
            )
    config = s3.get_bucket_notification_configuration(Bucket=settings.input_bucket)
    found["notifications"] = sorted(
        (
            q["QueueArn"].rpartition(prefix)[2],
            q["Events"],
            sorted((r["Name"].lower(), r["Value"]) for r in q["Filter"]["Key"]["FilterRules"]),
        )
        for q in config["QueueConfigurations"]
    )
    return found


def test_terraform_makes_what_provision_makes(deployed: Deployed) -> None:
    """Both from inventory.py, by two routes: the same keys, indexes, TTL, queues, redrive
    and notifications (lifecycle rules: test_inventory.py)."""
    made = Settings.from_env(
        {**deployed.outputs["service_env"], "STEREOSPOT_SIGNING_KEY": SIGNING_KEY}
    )
    other = f"p{uuid.uuid4().hex[:7]}"
    provisioned = Settings.from_env(
        {},
        backend="aws",
        aws_endpoint_url=deployed.endpoint,
        aws_prefix=other,
        input_bucket=f"{other}-in",
        output_bucket=f"{other}-out",
        signing_key=SIGNING_KEY,
    )
    provision(provisioned)
    by_terraform = describe(deployed.client, made)
    assert by_terraform == describe(deployed.client, provisioned)
    assert by_terraform["-chunking-dlq"][1] == str(inventory.DEAD_LETTER_RETENTION_SECONDS)


def test_the_tables_keep_point_in_time_backups(deployed: Deployed) -> None:
    dynamodb = deployed.client("dynamodb")
    for table in inventory.TABLES:
        name = table.full_name(deployed.prefix)
        backups = dynamodb.describe_continuous_backups(TableName=name)
        status = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert status["PointInTimeRecoveryStatus"] == "ENABLED", name


def test_the_buckets_are_private_encrypted_and_cors_limited(deployed: Deployed) -> None:
    s3 = deployed.client("s3")
    for bucket in (deployed.outputs["input_bucket"], deployed.outputs["output_bucket"]):
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()), bucket
        [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
        assert controls["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    [upload] = s3.get_bucket_cors(Bucket=deployed.outputs["input_bucket"])["CORSRules"]
    assert upload["AllowedMethods"] == ["PUT"] and upload["ExposeHeaders"] == ["ETag"]
    assert upload["AllowedOrigins"] == [f"https://{DOMAIN}"]


def test_the_secrets_exist_without_values(deployed: Deployed) -> None:
    secrets = deployed.client("secretsmanager")
    for name, arn in deployed.outputs["secret_arns"].items():
        assert secrets.describe_secret(SecretId=arn)["Name"] == f"{deployed.prefix}/{name}"
        with pytest.raises(secrets.exceptions.ResourceNotFoundException):
            secrets.get_secret_value(SecretId=arn)  # `stereospot ops set-secret` puts it


def test_the_registries_keep_tags_scan_and_expire(deployed: Deployed) -> None:
    ecr = deployed.client("ecr")
    names = [f"{deployed.prefix}/{image}" for image in sorted(IMAGES)]
    for repository in ecr.describe_repositories(repositoryNames=names)["repositories"]:
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
        policy = json.loads(
            ecr.get_lifecycle_policy(repositoryName=repository["repositoryName"])[
                "lifecyclePolicyText"
            ]
        )
        kept = [r["selection"] for r in policy["rules"] if r["selection"]["tagStatus"] == "any"]
        assert kept == [{"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10}]


def role_statements(deployed: Deployed, role: str) -> dict[str, tuple[set[str], set[str]]]:
    iam = deployed.client("iam")
    [name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document

    def as_set(value: str | list[str]) -> set[str]:
        return {value} if isinstance(value, str) else set(value)

    return {s["Sid"]: (as_set(s["Action"]), as_set(s["Resource"])) for s in document["Statement"]}


def test_each_service_role_reaches_only_its_queues(deployed: Deployed) -> None:
    prefix = deployed.prefix
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{prefix}-"

    def queues(role: str, sid: str) -> set[str]:
        found = role_statements(deployed, f"{prefix}-{role}-task").get(sid)
        return {r.removeprefix(arn) for r in found[1]} if found else set()

    mains = set(inventory.QUEUE_NAMES)
    dead = {f"{name}-dlq" for name in mains}
    assert queues("web-ui", "ConsumeQueues") == set()
    assert queues("web-ui", "SendToQueues") == mains  # uploads done, re-runs, retries
    assert queues("media-worker", "ConsumeQueues") == {"chunking", "reassembly"} | dead
    assert queues("media-worker", "SendToQueues") == mains
    assert queues("video-worker", "ConsumeQueues") == {"video-worker"}
    assert queues("video-worker", "SendToQueues") == {"reassembly"}
    endpoint = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{prefix}-stereo-inference"
    for role in ("media-worker", "video-worker"):  # the pre-pass, the segments
        statements = role_statements(deployed, f"{prefix}-{role}-task")
        assert statements["InvokeEndpoint"] == ({"sagemaker:InvokeEndpointAsync"}, {endpoint})
    assert "InvokeEndpoint" not in role_statements(deployed, f"{prefix}-web-ui-task")
    # The inference container runs on SageMaker here: no ECS role for it.
    roles = {r["RoleName"] for r in deployed.client("iam").list_roles()["Roles"]}
    assert f"{prefix}-stereo-inference-task" not in roles
    assert f"{prefix}-sagemaker" in roles


def test_ecs_reads_the_task_secrets_and_codebuild_the_model_token(deployed: Deployed) -> None:
    secrets = deployed.outputs["secret_arns"]
    execution = role_statements(deployed, f"{deployed.prefix}-ecs-execution")
    assert execution["ReadSecrets"] == (
        {"secretsmanager:GetSecretValue"},
        {secrets["signing-key"], secrets["users"]},
    )
    build = role_statements(deployed, f"{deployed.prefix}-codebuild")
    assert build["ReadModelCredentials"][1] == {secrets["model-credentials"]}
    registry = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{deployed.prefix}/stereo-inference"
    assert build["PushImage"][1] == {registry}


def test_logs_are_kept_thirty_days_and_dead_letters_raise_alarms(deployed: Deployed) -> None:
    groups = deployed.client("logs").describe_log_groups(
        logGroupNamePrefix=f"/ecs/{deployed.prefix}/"
    )["logGroups"]
    assert {g["logGroupName"].rpartition("/")[2]: g["retentionInDays"] for g in groups} == {
        image: 30 for image in IMAGES
    }
    alarms = deployed.client("cloudwatch").describe_alarms(AlarmNamePrefix=deployed.prefix)
    watched = {
        a["Dimensions"][0]["Value"]: (a["MetricName"], a["ComparisonOperator"], a["Threshold"])
        for a in alarms["MetricAlarms"]
    }
    assert watched == {
        f"{deployed.prefix}-{name}-dlq": (
            "ApproximateNumberOfMessagesVisible",
            "GreaterThanThreshold",
            0.0,
        )
        for name in inventory.QUEUE_NAMES
    }


def test_the_pipeline_converts_a_clip_on_what_terraform_made(
    deployed: Deployed, tmp_path: Path
) -> None:
    """The services' settings from service_env, as ECS gives them, pointed at moto, with
    the conversion in-process (moto has no SageMaker runtime) and passed through."""
    environ = {
        **deployed.outputs["service_env"],
        "STEREOSPOT_SIGNING_KEY": SIGNING_KEY,
        "STEREOSPOT_AWS_ENDPOINT_URL": deployed.endpoint,
        "STEREOSPOT_INFERENCE": "inprocess",
    }
    settings = Settings.from_env(
        environ, converter="passthrough", segment_seconds=2.0, poll_seconds=0.05
    )
    backend = aws_backend(settings)
    try:
        app = make_app(Harness("aws", settings, backend, time.time))
        clip = make_video(tmp_path / "clip.mp4", seconds=5, keyframes=[2.0, 4.0], gop=250)
        job = submit(app, clip)
        app.drain()
        detail = app.service.detail("ann", job.job_id)
        assert detail.job.status == JobStatus.COMPLETED, detail.job
        assert detail.job.segment_count == 3 and detail.final_ready
        # Every segment reached the video worker through the notification Terraform made:
        # on S3 the chunker only writes them, and S3 announces each one.
        final = ObjectRef("output", f"jobs/{job.job_id}/final.mp4")
        assert backend.objects.size(final)
    finally:
        backend.close()


def test_the_operator_commands_run_a_smoke_test_on_what_terraform_made(
    deployed: Deployed, tmp_path: Path
) -> None:
    """docs/aws.md's steps after the first apply, as an operator runs them: the outputs
    and env files from Terraform's state, the secrets set, workers started from the env
    file (in-process conversion: moto has no SageMaker runtime), and the smoke test."""
    aws = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "STEREOSPOT_AWS_ENDPOINT_URL": deployed.endpoint,
    }

    def ops(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stereospot", "ops", *args],
            capture_output=True, text=True, cwd=tmp_path, timeout=600,
            env={**deployed.main.environ(), **aws, **env},
        )  # fmt: skip

    written = ops("terraform-output", "--infra", str(deployed.main.folder.parent))
    assert written.returncode == 0, written.stderr
    env_file = (tmp_path / "stereospot-aws.env").read_text().splitlines()[1:]
    service_env = dict(line.split("=", 1) for line in env_file)
    assert service_env["STEREOSPOT_INPUT_BUCKET"] == deployed.outputs["input_bucket"]
    assert ops("set-secret", "signing-key", "--generate").returncode == 0
    (tmp_path / "users.txt").write_text("ann:a-long-enough-token-1\n")
    assert ops("set-secret", "users", "--value-file", "users.txt").returncode == 0

    arn = deployed.outputs["secret_arns"]["signing-key"]
    key = deployed.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    worker_env = {
        **service_env, **aws, "PATH": os.environ["PATH"], "STEREOSPOT_SIGNING_KEY": key,
        "STEREOSPOT_INFERENCE": "inprocess", "STEREOSPOT_POLL_SECONDS": "0.1",
    }  # fmt: skip
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "stereospot", "worker", *roles],
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for roles in (["--role", "media", "--role", "reconciler"], ["--role", "video"])
    ]
    try:
        smoke = ops("smoke-test", "--timeout", "240")
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "640x180, 48 frames" in smoke.stdout
    assert "the web UI was not checked" in smoke.stdout
    assert key not in smoke.stdout + smoke.stderr


# --- what moto cannot run, planned on top -------------------------------------------------------


def container(after: dict[str, Any], service: str) -> dict[str, Any]:
    [definition] = json.loads(
        after[f'aws_ecs_task_definition.service["{service}"]']["container_definitions"]
    )
    return dict(definition)


def test_with_images_the_services_endpoint_and_scaling_plan_as_intended(
    deployed: Deployed,
) -> None:
    after = deployed.planned("v1")
    outputs = deployed.outputs
    secrets = outputs["secret_arns"]
    for service in ("web-ui", "media-worker", "video-worker"):
        definition = container(after, service)
        assert definition["image"] == f"{outputs['ecr_repositories'][service]}:v1"
        assert "command" not in definition  # the image's default command
        env = {e["name"]: e["value"] for e in definition["environment"]}
        assert {k: v for k, v in env.items() if k in outputs["service_env"]} == outputs[
            "service_env"
        ]
        assert definition["readonlyRootFilesystem"] is True
        wanted = {"STEREOSPOT_SIGNING_KEY": secrets["signing-key"]}
        if service == "web-ui":
            wanted["STEREOSPOT_USERS"] = secrets["users"]
            # The load balancer's subnets: its nodes' X-Forwarded-For is believed.
            assert env["STEREOSPOT_TRUSTED_PROXIES"] == "10.40.0.0/24,10.40.1.0/24"
        assert {s["name"]: s["valueFrom"] for s in definition["secrets"]} == wanted
        service_after = after[f'aws_ecs_service.service["{service}"]']
        assert service_after["launch_type"] == "FARGATE"
        assert service_after["desired_count"] == (1 if service == "web-ui" else 0)
    counts = {
        name: tuple(
            after[f'aws_appautoscaling_target.service["{name}"]'][key]
            for key in ("min_capacity", "max_capacity")
        )
        for name in ("web-ui", "media-worker", "video-worker")
    }
    assert counts == {"web-ui": (1, 1), "media-worker": (0, 2), "video-worker": (0, 4)}
    steps = after['aws_appautoscaling_policy.backlog["video-worker"]'][
        "step_scaling_policy_configuration"
    ][0]["step_adjustment"]
    assert [s["scaling_adjustment"] for s in steps] == [1, 2, 3, 4]
    assert (
        after['aws_appautoscaling_policy.idle["video-worker"]'][
            "step_scaling_policy_configuration"
        ][0]["step_adjustment"][0]["scaling_adjustment"]
        == 0
    )
    model = after["aws_sagemaker_model.inference[0]"]["primary_container"][0]
    assert model["image"] == f"{outputs['ecr_repositories']['stereo-inference']}:v1"
    assert model["environment"]["STEREOSPOT_INPUT_BUCKET"] == outputs["input_bucket"]
    config = after["aws_sagemaker_endpoint_configuration.inference[0]"]
    output_config = config["async_inference_config"][0]["output_config"][0]
    assert output_config["s3_output_path"] == f"s3://{outputs['output_bucket']}/inference/results/"
    assert after["aws_sagemaker_endpoint.inference[0]"]["name"] == outputs["sagemaker_endpoint"]
    assert after["aws_appautoscaling_target.sagemaker[0]"]["min_capacity"] == 0
    assert after["aws_lb_listener.https[0]"]["certificate_arn"] == CERTIFICATE
    assert {
        address.split(".")[1] for address in after if address.startswith("aws_vpc_endpoint.")
    } == {
        'gateway["s3"]',
        'gateway["dynamodb"]',
    }
    assert "aws_nat_gateway.main[0]" in after


def test_http_inference_and_gpu_video_workers_plan_as_intended(deployed: Deployed) -> None:
    after = deployed.planned(
        "v2", "-var=inference=http", "-var=video_worker_launch=ec2-gpu", "-var=egress=endpoints"
    )
    outputs = deployed.outputs
    inference_url = f"http://stereo-inference.{deployed.prefix}.internal:8080"
    media = {e["name"]: e["value"] for e in container(after, "media-worker")["environment"]}
    assert media["STEREOSPOT_INFERENCE"] == "http"
    assert media["STEREOSPOT_INFERENCE_URL"] == inference_url
    assert "STEREOSPOT_SAGEMAKER_ENDPOINT" not in media
    assert container(after, "stereo-inference")["portMappings"][0]["containerPort"] == 8080
    assert not any(address.startswith("aws_sagemaker_") for address in after)
    # The GPU video worker: the inference image, converting in-process on EC2.
    video = container(after, "video-worker")
    assert video["image"] == f"{outputs['ecr_repositories']['stereo-inference']}:v2"
    assert video["command"][:4] == ["stereospot", "worker", "--role", "video"]
    assert video["resourceRequirements"] == [{"type": "GPU", "value": "1"}]
    env = {e["name"]: e["value"] for e in video["environment"]}
    assert env["STEREOSPOT_INFERENCE"] == "inprocess"
    service = after['aws_ecs_service.service["video-worker"]']
    assert service["capacity_provider_strategy"][0]["capacity_provider"] == f"{deployed.prefix}-gpu"
    assert after["aws_autoscaling_group.gpu[0]"]["min_size"] == 0
    # No NAT gateway: interface endpoints for what S3's and DynamoDB's gateways do not carry.
    assert "aws_nat_gateway.main[0]" not in after
    interfaces = {a.split('"')[1] for a in after if a.startswith("aws_vpc_endpoint.interface")}
    assert {"sqs", "logs", "ecr.api", "ecr.dkr", "secretsmanager", "ecs-agent"} <= interfaces
