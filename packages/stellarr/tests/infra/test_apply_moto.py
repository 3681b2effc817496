"""infra/ applied for real, against moto in server mode, the way docs/deploy-aws.md applies
it against AWS: backend-setup/ first, its `backend_config` output as backend.hcl (the state
then lives in moto's S3, locked by S3's own lock file), then `terraform apply` of the main
configuration. Then the app's own AWS code runs on what Terraform made: the API function's
environment, the table, the secret and the buckets (a request stored, a feed served, the
trending lists written); and a later `terraform plan`, after what `stellarr deploy` does
(new code, a version, the alias moved, layers, VAPID in the secret), changes nothing.

What moto cannot stand in for is left out by variables, as a person could: the edge
(enable_edge = false: CloudFront, ACM, WAF, Route53; moto answers 404 to CloudFront's
CreateCachePolicy, CreateResponseHeadersPolicy and PublishFunction, so the edge is planned
here, not applied, and its files are read in test_inventory.py) and SnapStart
(enable_snap_start = false: moto's Lambda always answers SnapStart ApplyOn None, so every
later plan would want to change it). Two things are left
out by an override file instead, and checked without moto:
- the buckets' policies: moto evaluates a statement whose condition does not hold as a Deny
  whatever its Effect (moto/iam/access_control.py, IAMPolicyStatement), so the statement that
  refuses plain HTTP would refuse every object request; the documents themselves are still
  rendered by Terraform here, and checked from the state;
- the buckets' lifecycle rules: after writing one, the aws provider waits for ten identical
  reads five seconds apart (55 s a bucket, on AWS too), which would triple this test's time;
  test_inventory.py checks them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from stellarr.api.origin_verify import HEADER
from stellarr.bootstrap import app_from_environment, configure, warm_trending
from stellarr.clients.vapid import VapidKey
from stellarr.domain.trending import LISTS
from stellarr.settings import Settings
from stellarr.store.dynamodb.codec import PK, SK, TTL
from stellarr_testing.fake_tmdb import API_KEY, FakeTMDB
from stellarr_testing.login import login_body
from stellarr_testing.stores import moto_admin
from stellarr_testing.terraform import (
    BACKEND_SETUP,
    INFRA,
    MOTO_CREDENTIALS,
    Terraform,
    provider_block,
    s3_backend_for_moto,
    unavailable,
    working_copy,
)

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))

REGION = "eu-west-1"
DOMAIN = "requests.example.test"
ADMIN_PASSWORD = "an admin password for moto"
OUTPUTS = {
    "website_url",
    "cloudfront_distribution_id",
    "frontend_bucket_name",
    "lambda_function_name",
    "lambda_deployment_bucket",
    "lambda_function_url",
    "dynamodb_table_name",
    "app_secret_arn",
    "cache_warmer_function_name",
}
GENERATED = {
    "APP_SECRET_KEY",
    "PRESHARED_PASSWORD",
    "FEED_TOKEN",
    "PLEX_WEBHOOK_TOKEN",
    "ORIGIN_VERIFY_SECRET",
}
# Override-file bodies that take out the buckets' lifecycle rules and policies (module
# docstring).
LEFT_OUT = (
    'resource "aws_s3_bucket_lifecycle_configuration" "all" {\n  for_each = {}\n}\n'
    'resource "aws_s3_bucket_policy" "all" {\n  for_each = {}\n}\n'
)
LEFT_OUT_OF_SETUP = (
    'resource "aws_s3_bucket_lifecycle_configuration" "state" {\n  count = 0\n}\n'
    'resource "aws_s3_bucket_policy" "state" {\n  count = 0\n}\n'
)


@dataclass
class Deployed:
    terraform: Terraform
    outputs: dict[str, Any]
    endpoint: str
    project: str
    state_bucket: str

    def client(self, service: str) -> Any:
        return moto_admin(service, self.endpoint, REGION)

    def secret(self) -> dict[str, str]:
        raw = self.client("secretsmanager").get_secret_value(
            SecretId=self.outputs["app_secret_arn"]
        )
        values: dict[str, str] = json.loads(raw["SecretString"])
        return values

    def function(self, name: str) -> dict[str, Any]:
        configuration: dict[str, Any] = self.client("lambda").get_function_configuration(
            FunctionName=name
        )
        return configuration

    def app_environment(self, function: str, tmp_path: Path, tmdb_url: str) -> dict[str, str]:
        """What the function runs with on Lambda, plus what points it at moto and the fake
        TMDB instead of AWS and TMDB."""
        key, secret = MOTO_CREDENTIALS
        return {
            **self.function(function)["Environment"]["Variables"],
            "AWS_ACCESS_KEY_ID": key,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_REGION": REGION,
            "DYNAMODB_ENDPOINT_URL": self.endpoint,
            "SECRETS_ENDPOINT_URL": self.endpoint,
            "S3_ENDPOINT_URL": self.endpoint,
            "TMDB_BASE_URL": tmdb_url,
            "ENV_FILE": str(tmp_path / "no.env"),
        }


def lambda_zip(path: Path, marker: str) -> Path:
    """Any package will do for moto, which never runs it; `make lambda` builds the real one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("stellarr/lambda_handler.py", f"# {marker}\n")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    work = tmp_path_factory.mktemp("infra")
    home = work / "home"
    project = f"st{uuid.uuid4().hex[:8]}"

    # 1. backend-setup/: the state bucket (locking by S3 lock file) (docs/deploy-aws.md, step 2).
    setup = Terraform(working_copy(BACKEND_SETUP, work / "backend-setup"), home)
    (setup.folder / "moto_override.tf").write_text(
        provider_block(moto_endpoint, REGION) + LEFT_OUT_OF_SETUP, encoding="utf-8"
    )
    setup.run("init")
    setup.run("apply", "-auto-approve", f"-var=aws_region={REGION}", f"-var=project_name={project}")
    backend = setup.run("output", "-raw", "backend_config").stdout

    # 2. The main configuration, its state in that bucket (steps 3 and 4).
    main = Terraform(working_copy(INFRA, work / "infra"), home)
    (main.folder / "backend.hcl").write_text(backend, encoding="utf-8")
    (main.folder / "moto-backend.hcl").write_text(
        s3_backend_for_moto(moto_endpoint), encoding="utf-8"
    )
    (main.folder / "moto_override.tf").write_text(
        provider_block(moto_endpoint, REGION)
        + provider_block(moto_endpoint, "us-east-1", alias="us_east_1")
        + LEFT_OUT,
        encoding="utf-8",
    )
    (main.folder / "terraform.tfvars").write_text(
        f'aws_region = "{REGION}"\nproject_name = "{project}"\ndomain_name = "{DOMAIN}"\n'
        "enable_edge = false\nenable_snap_start = false\n",
        encoding="utf-8",
    )
    init = main.run("init", "-backend-config=backend.hcl", "-backend-config=moto-backend.hcl")
    assert "Deprecated" not in init.stdout + init.stderr
    # The secret's first values, given on the first apply only.
    main.run(
        "apply",
        "-auto-approve",
        f"-var=tmdb_api_key={API_KEY}",
        f"-var=admin_password={ADMIN_PASSWORD}",
    )
    state_bucket = setup.outputs()["state_bucket"]
    yield Deployed(main, main.outputs(), moto_endpoint, project, state_bucket)


def test_the_outputs_are_exactly_the_listed_ones(deployed: Deployed) -> None:
    outputs = deployed.outputs
    assert set(outputs) == OUTPUTS
    project = deployed.project
    assert outputs["website_url"] == f"https://{DOMAIN}"
    assert outputs["cloudfront_distribution_id"] == ""  # enable_edge = false
    assert outputs["lambda_function_name"] == f"{project}-api"
    assert outputs["cache_warmer_function_name"] == f"{project}-cache-warmer"
    assert outputs["dynamodb_table_name"] == project
    assert outputs["frontend_bucket_name"] == f"{project}-frontend-123456789012-{REGION}"
    assert outputs["lambda_deployment_bucket"] == f"{project}-deploy-123456789012-{REGION}"
    assert outputs["lambda_function_url"].startswith("https://")
    assert outputs["app_secret_arn"].startswith(f"arn:aws:secretsmanager:{REGION}:")


def test_the_state_is_in_the_bucket_backend_setup_made(deployed: Deployed) -> None:
    s3 = deployed.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=deployed.state_bucket)["Contents"]]
    assert keys == [f"{deployed.project}/terraform.tfstate"]
    assert s3.get_bucket_versioning(Bucket=deployed.state_bucket)["Status"] == "Enabled"
    assert not (deployed.terraform.folder / "terraform.tfstate").exists()


def test_the_table_has_the_apps_keys_ttl_recovery_and_encryption(deployed: Deployed) -> None:
    dynamodb = deployed.client("dynamodb")
    name = deployed.outputs["dynamodb_table_name"]
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {
        (PK, "HASH"),
        (SK, "RANGE"),
    }
    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        (PK, "S"),
        (SK, "N"),
    }
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["AttributeName"], ttl["TimeToLiveStatus"]) == (TTL, "ENABLED")
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_every_bucket_is_private_encrypted_and_versioned(deployed: Deployed) -> None:
    s3 = deployed.client("s3")
    project = deployed.project
    for kind in ("frontend", "trending", "deploy"):
        bucket = f"{project}-{kind}-123456789012-{REGION}"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4, bucket
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        [rule] = rules["Rules"]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
        assert ownership["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    # The policies as Terraform rendered them (left out of moto: module docstring). Without
    # the edge no CloudFront reads the buckets: only the refusal of plain HTTP is there.
    show = json.loads(deployed.terraform.run("show", "-json").stdout)
    documents = {
        item["index"]: json.loads(item["values"]["json"])
        for item in show["values"]["root_module"]["resources"]
        if item["address"].startswith("data.aws_iam_policy_document.bucket[")
    }
    assert set(documents) == {"frontend", "trending", "deploy"}
    for kind, document in documents.items():
        [statement] = document["Statement"]
        assert statement["Sid"] == "DenyInsecureTransport" and statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        bucket_arn = f"arn:aws:s3:::{project}-{kind}-123456789012-{REGION}"
        assert sorted(statement["Resource"]) == [bucket_arn, f"{bucket_arn}/*"]


def test_the_secret_holds_values_the_app_accepts_written_once_and_not_in_the_state(
    deployed: Deployed,
) -> None:
    values = deployed.secret()
    assert set(values) == GENERATED | {"TMDB_API_KEY", "ADMIN_PASSWORD"}
    assert values["TMDB_API_KEY"] == API_KEY and values["ADMIN_PASSWORD"] == ADMIN_PASSWORD
    # The app starts with them: strong enough, and tokens that fit in a URL.
    settings = Settings.from_mapping(values)
    assert settings.origin_verify_values == (values["ORIGIN_VERIFY_SECRET"],)
    assert len(values["APP_SECRET_KEY"]) == 64 and len(values["FEED_TOKEN"]) == 32
    versions = deployed.client("secretsmanager").list_secret_version_ids(
        SecretId=deployed.outputs["app_secret_arn"]
    )["Versions"]
    assert len(versions) >= 1
    # Write-only: no value of the secret is in the state (the edge's data source, which
    # would read it for CloudFront, is off here).
    state = deployed.terraform.run("state", "pull").stdout
    assert all(value not in state for value in values.values())


def test_the_functions_their_alias_url_and_permissions(deployed: Deployed) -> None:
    outputs = deployed.outputs
    api = deployed.function(outputs["lambda_function_name"])
    assert (api["Runtime"], api["Architectures"], api["MemorySize"], api["Timeout"]) == (
        "python3.12",
        ["arm64"],
        512,
        30,
    )
    assert api["Handler"] == "stellarr.lambda_handler.handler"
    assert api["Environment"]["Variables"] == {
        "STORE": "dynamodb",
        "DYNAMODB_TABLE": outputs["dynamodb_table_name"],
        "APP_SECRET_ARN": outputs["app_secret_arn"],
        "PUBLIC_URL": f"https://{DOMAIN}",
    }
    warmer = deployed.function(outputs["cache_warmer_function_name"])
    assert (
        warmer["Runtime"],
        warmer["Architectures"],
        warmer["MemorySize"],
        warmer["Timeout"],
    ) == (
        "python3.12",
        ["arm64"],
        128,
        60,
    )
    assert warmer["Handler"] == "stellarr.lambda_handler.cache_warmer"
    assert warmer["Environment"]["Variables"]["TRENDING_S3_BUCKET"] == (
        f"{deployed.project}-trending-123456789012-{REGION}"
    )

    client = deployed.client("lambda")
    name = outputs["lambda_function_name"]
    alias = client.get_alias(FunctionName=name, Name="live")
    assert alias["FunctionVersion"] == "1"
    url = client.get_function_url_config(FunctionName=name, Qualifier="live")
    assert url["AuthType"] == "NONE"
    assert url["FunctionUrl"].rstrip("/") == outputs["lambda_function_url"].rstrip("/")
    assert api.get("Layers", []) == []  # the deploy command attaches them
    # Created from the placeholder package, until `stellarr deploy` ships the real one.
    placeholder = (INFRA / "placeholder" / "lambda.zip").read_bytes()
    digest = base64.b64encode(hashlib.sha256(placeholder).digest()).decode()
    assert api["CodeSha256"] == digest
    policy = json.loads(client.get_policy(FunctionName=name, Qualifier="live")["Policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    # moto adds a statement of its own when the URL is made (FunctionURLAllowPublicAccess),
    # and keeps the URL's auth type as a key of the statement rather than as a Condition.
    assert set(statements) >= {"FunctionUrlInvokeUrl", "FunctionUrlInvokeFunction"}, policy
    url_statement = statements["FunctionUrlInvokeUrl"]
    assert url_statement["Action"] == "lambda:InvokeFunctionUrl"
    assert url_statement["FunctionUrlAuthType"] == "NONE"
    assert statements["FunctionUrlInvokeFunction"]["Action"] == "lambda:InvokeFunction"
    for sid in ("FunctionUrlInvokeUrl", "FunctionUrlInvokeFunction"):
        assert statements[sid]["Principal"] == "*"
        # On the alias only, never on the function's other versions.
        assert statements[sid]["Resource"].endswith(f":function:{name}:live"), policy


def test_the_schedule_runs_the_warmer_daily(deployed: Deployed) -> None:
    events = deployed.client("events")
    rule = events.describe_rule(Name=f"{deployed.project}-cache-warmer")
    assert rule["ScheduleExpression"] == "rate(24 hours)"
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    warmer = deployed.function(deployed.outputs["cache_warmer_function_name"])
    assert target["Arn"] == warmer["FunctionArn"]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
    policy = json.loads(
        deployed.client("lambda").get_policy(FunctionName=warmer["FunctionName"])["Policy"]
    )
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == rule["Arn"]


def test_the_roles_allow_exactly_what_the_code_calls(deployed: Deployed) -> None:
    iam = deployed.client("iam")
    project = deployed.project

    def statements(role: str) -> dict[str, tuple[set[str], set[str]]]:
        document = iam.get_role_policy(RoleName=role, PolicyName=role)["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        found = {}
        for statement in document["Statement"]:
            actions, resources = statement["Action"], statement["Resource"]
            found[statement["Sid"]] = (
                {actions} if isinstance(actions, str) else set(actions),
                {resources} if isinstance(resources, str) else set(resources),
            )
        return found

    table = deployed.client("dynamodb").describe_table(TableName=project)["Table"]["TableArn"]
    secret = deployed.outputs["app_secret_arn"]
    api = statements(f"{project}-api")
    assert set(api) == {"WriteOwnLogs", "UseTable", "ReadAppSecret"}
    assert api["UseTable"] == (
        {
            f"dynamodb:{action}"
            for action in (
                "BatchWriteItem",
                "ConditionCheckItem",
                "DeleteItem",
                "GetItem",
                "PutItem",
                "Query",
                "UpdateItem",
            )
        },
        {table},
    )
    assert api["ReadAppSecret"] == ({"secretsmanager:GetSecretValue"}, {secret})
    assert api["WriteOwnLogs"][0] == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert api["WriteOwnLogs"][1] == {
        f"arn:aws:logs:{REGION}:123456789012:log-group:/aws/lambda/{project}-api:*"
    }
    warmer = statements(f"{project}-cache-warmer")
    assert set(warmer) == {"WriteOwnLogs", "WriteTrendingLists", "ReadAppSecret"}
    assert warmer["WriteTrendingLists"] == (
        {"s3:PutObject"},
        {
            f"arn:aws:s3:::{project}-trending-123456789012-{REGION}/{pattern}"
            for pattern in ("trending-*.json", "popular-*.json", "upcoming-*.json")
        },
    )
    assert warmer["ReadAppSecret"] == ({"secretsmanager:GetSecretValue"}, {secret})


def test_the_log_groups_keep_two_weeks_and_one(deployed: Deployed) -> None:
    groups = deployed.client("logs").describe_log_groups(
        logGroupNamePrefix=f"/aws/lambda/{deployed.project}-"
    )["logGroups"]
    retention = {g["logGroupName"]: g["retentionInDays"] for g in groups}
    assert retention == {
        f"/aws/lambda/{deployed.project}-api": 14,
        f"/aws/lambda/{deployed.project}-cache-warmer": 7,
    }


async def test_the_app_runs_on_what_terraform_made(
    deployed: Deployed, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    values = deployed.secret()
    env = deployed.app_environment(
        deployed.outputs["lambda_function_name"], tmp_path, fake_tmdb.url
    )
    app = app_from_environment(env)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    site = f"https://{DOMAIN}"
    try:
        async with httpx.AsyncClient(transport=transport, base_url=site) as client:
            # Around CloudFront: refused.
            assert (await client.get("/api/health")).status_code == 403
            client.headers[HEADER] = values["ORIGIN_VERIFY_SECRET"]
            assert (await client.get("/api/health")).status_code == 200
            login = await client.post(
                "/api/auth/verify", json=login_body(values["PRESHARED_PASSWORD"], origin=site)
            )
            assert login.status_code == 200, login.text
            auth = {"Authorization": f"Bearer {login.json()['token']}"}
            added = await client.post(
                "/api/request", json={"tmdb_id": 823464, "media_type": "movie"}, headers=auth
            )
            assert added.status_code == 201, added.text
            assert (await client.get("/list/radarr/tmdb")).status_code == 401
            feed = await client.get("/list/radarr/tmdb", params={"token": values["FEED_TOKEN"]})
            assert [movie["id"] for movie in feed.json()] == [823464]
    finally:
        await app.state.services.close()
    # Stored in the table Terraform made, under the app's keys.
    item = deployed.client("dynamodb").get_item(
        TableName=deployed.outputs["dynamodb_table_name"],
        Key={PK: {"S": "movie"}, SK: {"N": "823464"}},
    )["Item"]
    assert item["requested_by"] == {"S": "alice"}


async def test_the_warmer_writes_the_lists_to_the_trending_bucket(
    deployed: Deployed, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    name = deployed.outputs["cache_warmer_function_name"]
    env = deployed.app_environment(name, tmp_path, fake_tmdb.url)
    summary = await warm_trending(configure(env))
    assert {entry["status"] for entry in summary.values()} == {"ok"}
    bucket = env["TRENDING_S3_BUCKET"]
    listed = deployed.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
    keys = {o["Key"] for o in listed}
    assert keys == {
        f"{name}-{kind}-{locale}.json"
        for name, kind in LISTS
        for locale in ("en", "es", "fr", "de")
    }
    assert {"popular-tv-en.json", "upcoming-movie-de.json"} <= keys


def test_what_stellarr_deploy_changes_leaves_the_next_plan_empty(deployed: Deployed) -> None:
    """Code, layers, a new version and the alias belong to the deploy command, and so does
    VAPID_PRIVATE_KEY in the secret: Terraform must neither undo them nor write the secret
    again (its values were made once), and needs none of the first apply's secret values."""
    client = deployed.client("lambda")
    name = deployed.outputs["lambda_function_name"]
    package = lambda_zip(deployed.terraform.folder.parent / "new.zip", "a later deploy")
    client.update_function_code(FunctionName=name, ZipFile=package.read_bytes())
    layer = client.publish_layer_version(
        LayerName=f"{deployed.project}-deps",
        Content={"ZipFile": package.read_bytes()},
        CompatibleRuntimes=["python3.12"],
        CompatibleArchitectures=["arm64"],
    )
    client.update_function_configuration(FunctionName=name, Layers=[layer["LayerVersionArn"]])
    version = client.publish_version(FunctionName=name)["Version"]
    client.update_alias(FunctionName=name, Name="live", FunctionVersion=version)
    values = deployed.secret()
    vapid = {**values, "VAPID_PRIVATE_KEY": VapidKey.generate().private_b64}
    deployed.client("secretsmanager").put_secret_value(
        SecretId=deployed.outputs["app_secret_arn"], SecretString=json.dumps(vapid)
    )

    plan = deployed.terraform.run("plan", "-detailed-exitcode", check=False)
    assert plan.returncode == 0, plan.stdout[-4000:] + plan.stderr[-2000:]
    assert "No changes." in plan.stdout
    assert deployed.secret() == vapid
    assert client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == version


def test_bad_variables_stop_the_plan_with_what_to_fix(deployed: Deployed) -> None:
    plan = deployed.terraform.run(
        "plan",
        "-var=domain_name=https://Requests.Example.com/",
        "-var=project_name=Stellarr_Prod",
        '-var=trending_locales=["english"]',
        "-var=waf_auth_rate_limit=5",
        "-var=admin_password=same password",
        "-var=preshared_password=same password",
        check=False,
    )
    assert plan.returncode == 1
    for message in (
        "domain_name must be a lower-case host name",
        "project_name must be 3 to 20 characters",
        "trending_locales must hold two-letter language codes",
        "waf_auth_rate_limit must be from 10",
        "admin_password must differ from preshared_password",
    ):
        assert message in " ".join(plan.stderr.split()), (message, plan.stderr[-3000:])


def planned(deployed: Deployed, *variables: str) -> dict[str, dict[str, Any]]:
    """Each resource's planned values (`terraform show -json` of a saved plan)."""
    deployed.terraform.run("plan", "-out=edge.tfplan", *variables)
    shown = json.loads(deployed.terraform.run("show", "-json", "edge.tfplan").stdout)
    return {change["address"]: change["change"]["after"] for change in shown["resource_changes"]}


def test_the_edge_plans_on_top_with_the_secrets_header(deployed: Deployed) -> None:
    """moto cannot make the edge (it answers 404 to CloudFront's cache, response-headers and
    function calls), but it can plan it: every expression evaluated, the managed prefix list
    and the secret read, so the values CloudFront would get are checked, not just written."""
    deployed.client("route53").create_hosted_zone(
        Name="example.test", CallerReference=uuid.uuid4().hex
    )
    after = planned(
        deployed,
        "-var=enable_edge=true",
        "-var=enable_waf=true",
        "-var=hosted_zone_name=example.test",
    )
    site = after["aws_cloudfront_distribution.site[0]"]
    assert site["aliases"] == [DOMAIN] and site["is_ipv6_enabled"] is True
    origins = {origin["origin_id"]: origin for origin in site["origin"]}
    [header] = origins["lambda-api"]["custom_header"]
    # CloudFront is given the very value the app requires, read from the secret.
    assert header == {"name": HEADER, "value": deployed.secret()["ORIGIN_VERIFY_SECRET"]}
    url = deployed.outputs["lambda_function_url"]
    assert origins["lambda-api"]["domain_name"] == url.removeprefix("https://").rstrip("/")
    behaviours = {b["path_pattern"]: b for b in site["ordered_cache_behavior"]}
    assert behaviours["/api/*"]["cache_policy_id"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert behaviours["/list/*"]["origin_request_policy_id"] == (
        "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    )
    assert site["custom_error_response"] == []
    assert {after[f"aws_route53_record.site_{kind}[0]"]["type"] for kind in ("a", "aaaa")} == {
        "A",
        "AAAA",
    }
    # Behind CloudFront the login limit counts viewers: its origin-facing ranges are trusted.
    environment = after["aws_lambda_function.api"]["environment"][0]["variables"]
    ranges = environment["TRUSTED_PROXIES"].split(",")
    assert "130.176.0.0/18" in ranges and ranges == sorted(ranges)
    assert after["aws_wafv2_web_acl.site[0]"]["scope"] == "CLOUDFRONT"


def test_removing_it_all(deployed: Deployed) -> None:
    """docs/deploy-aws.md, "Removing it": deletion protection off, then destroy. Runs last:
    the tests above need what it removes."""
    off = "-var=deletion_protection=false"
    deployed.terraform.run("apply", "-auto-approve", off)
    dynamodb = deployed.client("dynamodb")
    table = deployed.outputs["dynamodb_table_name"]
    assert not dynamodb.describe_table(TableName=table)["Table"].get("DeletionProtectionEnabled")
    deployed.terraform.run("destroy", "-auto-approve", off)
    assert table not in dynamodb.list_tables()["TableNames"]
    functions = {f["FunctionName"] for f in deployed.client("lambda").list_functions()["Functions"]}
    assert not {n for n in functions if n.startswith(f"{deployed.project}-")}
    buckets = {b["Name"] for b in deployed.client("s3").list_buckets()["Buckets"]}
    # The web app's, the lists' and the packages' buckets go, objects and all; the state's stays.
    assert {b for b in buckets if b.startswith(f"{deployed.project}-")} == {deployed.state_bucket}
