"""infra/aws-infra read with python-hcl2 and held to the code: the tables, queues, bucket
rules and notifications of stereospot/aws/inventory.py (which provision.py creates from),
the settings' names and defaults, and the parts moto cannot apply (ECS, SageMaker,
Application Auto Scaling, the load balancer), checked from the files here and from a
rendered plan in test_apply_moto.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stereospot.aws import inventory
from stereospot.settings import Settings
from stereospot_testing.terraform import MAIN, SETUP, Configuration, load_configuration

Block = dict[str, Any]
DEFAULTS = Settings()
SETTINGS_ENV = {field.metadata["env"] for field in Settings.__dataclass_fields__.values()}


@pytest.fixture(scope="module")
def infra() -> Configuration:
    return load_configuration(MAIN)


def one(blocks: list[Block]) -> Block:
    [block] = blocks
    return block


def referenced_queue(expression: str) -> str:
    match = re.fullmatch(r'\$\{aws_sqs_queue\.main\["([a-z-]+)"\]\.arn\}', expression)
    assert match, expression
    return match[1]


def test_the_tables_are_the_inventorys(infra: Configuration) -> None:
    declared = {}
    for body in infra.of_kind("aws_dynamodb_table").values():
        name = body["name"].removeprefix("${var.prefix}-")
        gsis = {
            (gsi["name"], gsi["hash_key"], gsi["range_key"], gsi["projection_type"])
            for gsi in body.get("global_secondary_index", [])
        }
        ttl = one(body["ttl"]) if "ttl" in body else None
        declared[name] = (
            body["hash_key"],
            body.get("range_key"),
            {(a["name"], a["type"]) for a in body["attribute"]},
            gsis,
            ttl["attribute_name"] if ttl and ttl["enabled"] else None,
        )
        assert body["billing_mode"] == "PAY_PER_REQUEST", name
        assert one(body["point_in_time_recovery"]) == {"enabled": True}, name
        assert one(body["server_side_encryption"]) == {"enabled": True}, name
    expected = {
        table.name: (
            table.hash_key.name,
            table.range_key.name if table.range_key else None,
            {(a.name, a.type) for a in table.attributes},
            {(i.name, i.hash_key.name, i.range_key.name, "ALL") for i in table.indexes},
            table.ttl,
        )
        for table in inventory.TABLES
    }
    assert declared == expected


def test_the_queues_are_the_inventorys(infra: Configuration) -> None:
    names = re.findall(r'"([a-z-]+)"', infra.locals["queues"])
    assert tuple(names) == inventory.QUEUE_NAMES
    dead = infra.resource("aws_sqs_queue", "dead")
    main = infra.resource("aws_sqs_queue", "main")
    assert dead["name"] == "${var.prefix}-${each.key}-dlq"
    assert main["name"] == "${var.prefix}-${each.key}"
    assert dead["message_retention_seconds"] == inventory.DEAD_LETTER_RETENTION_SECONDS
    assert main["visibility_timeout_seconds"] == "${var.visibility_timeout}"
    assert "maxReceiveCount = var.max_receives" in main["redrive_policy"]
    assert "deadLetterTargetArn = aws_sqs_queue.dead[each.key].arn" in main["redrive_policy"]
    for queue in inventory.queues(DEFAULTS):
        assert infra.default("visibility_timeout") == queue.visibility_timeout
        assert infra.default("max_receives") == queue.max_receives
    assert dead["sqs_managed_sse_enabled"] is True and main["sqs_managed_sse_enabled"] is True


def test_the_notifications_are_the_inventorys_and_do_not_overlap(infra: Configuration) -> None:
    [input_bucket] = [b for b in inventory.buckets(DEFAULTS) if b.notifications]
    assert input_bucket.role == "input"
    notification = infra.resource("aws_s3_bucket_notification", "input")
    assert notification["bucket"] == "${aws_s3_bucket.input.id}"
    declared = {
        inventory.Notification(
            referenced_queue(rule["queue_arn"]),
            rule["filter_prefix"],
            rule.get("filter_suffix", ""),
        )
        for rule in notification["queue"]
    }
    assert declared == set(input_bucket.notifications)
    assert all(rule["events"] == ["s3:ObjectCreated:*"] for rule in notification["queue"])
    # S3 refuses two rules for one event type whose prefixes and suffixes could both match.
    rules = list(input_bucket.notifications)
    for index, first in enumerate(rules):
        for second in rules[index + 1 :]:
            prefixes_meet = first.prefix.startswith(second.prefix) or second.prefix.startswith(
                first.prefix
            )
            suffixes_meet = first.suffix.endswith(second.suffix) or second.suffix.endswith(
                first.suffix
            )
            assert not (prefixes_meet and suffixes_meet), (first, second)
    # Each notified queue lets S3 send, from this bucket only.
    assert set(infra.locals["notified_queues"].split('"')[1::2]) == {n.queue for n in rules}
    policy = infra.data[("aws_iam_policy_document", "from_input_bucket")]
    statement = one(policy["statement"])
    assert statement["actions"] == ["sqs:SendMessage"]
    assert one(statement["principals"])["identifiers"] == ["s3.amazonaws.com"]
    conditions = {c["variable"]: c["values"] for c in statement["condition"]}
    assert conditions["aws:SourceArn"] == ["${aws_s3_bucket.input.arn}"]


def lifecycle_rules(body: Block) -> set[inventory.LifecycleRule]:
    rules = set()
    for rule in body["rule"]:
        assert rule["status"] == "Enabled", rule
        expiration = rule.get("expiration", [{}])[0]
        abort = rule.get("abort_incomplete_multipart_upload", [{}])[0]
        rules.add(
            inventory.LifecycleRule(
                rule["id"],
                one(rule["filter"])["prefix"],
                expiration.get("days"),
                abort.get("days_after_initiation"),
            )
        )
    return rules


def test_the_bucket_lifecycle_rules_are_the_inventorys(infra: Configuration) -> None:
    for bucket in inventory.buckets(DEFAULTS):
        body = infra.resource("aws_s3_bucket_lifecycle_configuration", bucket.role)
        assert lifecycle_rules(body) == set(bucket.lifecycle), bucket.role
    # The rule the issue asked for: converted segments, under a literal prefix, go in a day.
    [output] = [b for b in inventory.buckets(DEFAULTS) if b.role == "output"]
    assert inventory.LifecycleRule("expire-converted-segments", "segments/", 1) in output.lifecycle


def test_every_bucket_is_private_encrypted_and_refuses_plain_http(infra: Configuration) -> None:
    buckets = set(infra.of_kind("aws_s3_bucket"))
    assert buckets == {"input", "output", "build"}
    for kind in (
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_policy",
    ):
        assert infra.resource(kind, "all")["for_each"] == "${local.buckets}", kind
    assert set(infra.locals["buckets"]) == buckets
    block = infra.resource("aws_s3_bucket_public_access_block", "all")
    assert all(block[flag] is True for flag in ("block_public_acls", "block_public_policy"))
    assert all(block[flag] is True for flag in ("ignore_public_acls", "restrict_public_buckets"))
    rule = one(infra.resource("aws_s3_bucket_ownership_controls", "all")["rule"])
    assert rule["object_ownership"] == "BucketOwnerEnforced"
    sse = one(infra.resource("aws_s3_bucket_server_side_encryption_configuration", "all")["rule"])
    assert one(sse["apply_server_side_encryption_by_default"])["sse_algorithm"] == "aws:kms"
    deny = one(infra.data[("aws_iam_policy_document", "tls_only")]["statement"])
    assert deny["effect"] == "Deny" and one(deny["condition"])["values"] == ["false"]


def test_cors_lets_the_web_ui_upload_parts_and_play_results(infra: Configuration) -> None:
    upload = one(infra.resource("aws_s3_bucket_cors_configuration", "input")["cors_rule"])
    assert upload["allowed_methods"] == ["PUT"]
    assert upload["allowed_origins"] == ["${local.web_url}"]
    assert upload["expose_headers"] == ["ETag"]  # the browser completes the upload with them
    play = one(infra.resource("aws_s3_bucket_cors_configuration", "output")["cors_rule"])
    assert play["allowed_methods"] == ["GET", "HEAD"]
    assert play["allowed_origins"] == ["${local.web_url}"]
    assert infra.locals["web_url"] == "https://${var.domain_name}"


def test_service_env_names_only_settings_the_code_reads(infra: Configuration) -> None:
    expression = infra.locals["service_env"]
    names = set(re.findall(r"\b(STEREOSPOT_[A-Z_]+)\s*=", expression))
    assert names == {
        "STEREOSPOT_BACKEND",
        "STEREOSPOT_AWS_REGION",
        "STEREOSPOT_AWS_PREFIX",
        "STEREOSPOT_INPUT_BUCKET",
        "STEREOSPOT_OUTPUT_BUCKET",
        "STEREOSPOT_INFERENCE",
        "STEREOSPOT_SAGEMAKER_ENDPOINT",
        "STEREOSPOT_INFERENCE_URL",
        "STEREOSPOT_VISIBILITY_TIMEOUT",
        "STEREOSPOT_MAX_RECEIVES",
    }
    written = names | set(infra.locals["secret_env"].values())
    for body in infra.of_kind("aws_sagemaker_model").values():
        written |= set(one(body["primary_container"])["environment"])
    written |= set(re.findall(r"\b(STEREOSPOT_[A-Z_]+)\s*=", str(infra.locals["service_specs"])))
    assert written <= SETTINGS_ENV, written - SETTINGS_ENV
    assert infra.default("region") == DEFAULTS.aws_region
    assert infra.default("prefix") == DEFAULTS.aws_prefix
    assert infra.default("inference") == "sagemaker"


def test_the_secrets_are_made_without_values(infra: Configuration) -> None:
    assert set(infra.locals["secrets"]) == {"signing-key", "users", "model-credentials"}
    assert infra.resource("aws_secretsmanager_secret", "all")["name"] == "${var.prefix}/${each.key}"
    assert not infra.of_kind("aws_secretsmanager_secret_version")
    assert infra.locals["secret_env"] == {
        "signing-key": "STEREOSPOT_SIGNING_KEY",
        "users": "STEREOSPOT_USERS",
    }


def test_sagemaker_is_asynchronous_and_scales_from_and_to_zero(infra: Configuration) -> None:
    config = infra.resource("aws_sagemaker_endpoint_configuration", "inference")
    output = one(one(config["async_inference_config"])["output_config"])
    # Under the output bucket's inference/, which a lifecycle rule empties.
    assert output["s3_output_path"].startswith("s3://${aws_s3_bucket.output.bucket}/inference/")
    assert output["s3_failure_path"].startswith("s3://${aws_s3_bucket.output.bucket}/inference/")
    target = infra.resource("aws_appautoscaling_target", "sagemaker")
    assert (target["min_capacity"], target["scalable_dimension"]) == (
        0,
        "sagemaker:variant:DesiredInstanceCount",
    )
    tracking = infra.resource("aws_appautoscaling_policy", "sagemaker_backlog")
    metric = one(
        one(tracking["target_tracking_scaling_policy_configuration"])[
            "customized_metric_specification"
        ]
    )
    assert metric["metric_name"] == "ApproximateBacklogSizePerInstance"
    wake = infra.resource("aws_cloudwatch_metric_alarm", "sagemaker_wake")
    assert wake["metric_name"] == "HasBacklogWithoutCapacity"
    assert wake["alarm_actions"] == ["${aws_appautoscaling_policy.sagemaker_wake[0].arn}"]
    step = one(
        infra.resource("aws_appautoscaling_policy", "sagemaker_wake")[
            "step_scaling_policy_configuration"
        ]
    )
    assert step["adjustment_type"] == "ChangeInCapacity"
    model = infra.resource("aws_sagemaker_model", "inference")
    environment = one(model["primary_container"])["environment"]
    assert environment["STEREOSPOT_INFERENCE_BEHIND_SAGEMAKER"] == "1"


def test_the_workers_scale_on_their_queues_down_to_zero(infra: Configuration) -> None:
    scaling = infra.locals["worker_scaling"]
    assert scaling["media-worker"]["backlog"] == ["chunking", "reassembly"]
    assert scaling["video-worker"]["backlog"] == ["video-worker"]
    # The media worker handles every dead-letter queue and runs the reconciler: it stays up
    # while any queue has work.
    assert set(scaling["media-worker"]["idle"]) == set(inventory.QUEUE_NAMES)
    assert {q.removesuffix("-dlq") for q in scaling["media-worker"]["dead"]} == set(
        inventory.QUEUE_NAMES
    )
    target = infra.resource("aws_appautoscaling_target", "service")
    assert "lookup(local.fixed_counts, each.key, 0)" in target["min_capacity"]
    assert set(infra.locals["fixed_counts"]) == {"web-ui", "stereo-inference"}
    service = infra.resource("aws_ecs_service", "service")
    assert service["desired_count"] == "${lookup(local.fixed_counts, each.key, 0)}"
    assert one(service["lifecycle"])["ignore_changes"] == ["desired_count"]
    idle = infra.resource("aws_cloudwatch_metric_alarm", "idle")
    assert idle["treat_missing_data"] == "breaching"  # an idle queue stops reporting
    metrics = str(infra.locals["depth_metrics"])
    assert "ApproximateNumberOfMessagesVisible" in metrics
    assert "ApproximateNumberOfMessagesNotVisible" in metrics


def test_the_web_ui_is_behind_https_with_the_load_balancer_trusted(infra: Configuration) -> None:
    https = infra.resource("aws_lb_listener", "https")
    assert (https["port"], https["protocol"], https["certificate_arn"]) == (
        443,
        "HTTPS",
        "${var.certificate_arn}",
    )
    redirect = one(one(infra.resource("aws_lb_listener", "http")["default_action"])["redirect"])
    assert (redirect["protocol"], redirect["status_code"]) == ("HTTPS", "HTTP_301")
    group = infra.resource("aws_lb_target_group", "web")
    assert one(group["health_check"])["path"] == "/healthz"
    assert group["port"] == 8000
    web = infra.locals["service_specs"]["web-ui"]
    assert "STEREOSPOT_TRUSTED_PROXIES" in web["env"]
    assert "aws_subnet.public[*].cidr_block" in web["env"]
    assert infra.resource("aws_lb", "web")["subnets"] == "${aws_subnet.public[*].id}"


def test_s3_and_dynamodb_never_pay_for_nat(infra: Configuration) -> None:
    gateway = infra.resource("aws_vpc_endpoint", "gateway")
    assert gateway["vpc_endpoint_type"] == "Gateway"
    assert "s3" in gateway["for_each"] and "dynamodb" in gateway["for_each"]
    assert gateway["route_table_ids"] == ["${aws_route_table.private[0].id}"]


def test_the_state_setup_has_a_private_versioned_bucket_and_a_lock_table() -> None:
    setup = load_configuration(SETUP)
    assert set(setup.outputs) == {"state_bucket", "lock_table", "region"}
    versioning = one(
        setup.resource("aws_s3_bucket_versioning", "state")["versioning_configuration"]
    )
    assert versioning["status"] == "Enabled"
    lock = setup.resource("aws_dynamodb_table", "lock")
    assert lock["hash_key"] == "LockID"  # what the S3 backend writes
    assert one(lock["point_in_time_recovery"]) == {"enabled": True}
    deny = one(setup.data[("aws_iam_policy_document", "state")]["statement"])
    assert deny["effect"] == "Deny"
    assert one(deny["condition"])["variable"] == "aws:SecureTransport"


def test_the_buildspec_builds_the_inference_target_with_what_it_is_given(
    infra: Configuration,
) -> None:
    yaml = pytest.importorskip("yaml")
    spec = yaml.safe_load((MAIN / "buildspec.yml").read_text(encoding="utf-8"))
    commands = [c for phase in spec["phases"].values() for c in phase.get("commands", [])]
    script = next(c for c in commands if "<<'FETCH'" in c)
    fetch = script.split("\n", 1)[1].rsplit("FETCH", 1)[0]
    compile(fetch, "buildspec fetch", "exec")
    # The names it imports are still stereospot's.
    [imports] = [line for line in fetch.splitlines() if line.startswith("from stereospot")]
    exec(imports, {})
    # Every variable it reads is the project's, CodeBuild's own, or given per build.
    project = one(infra.resource("aws_codebuild_project", "inference")["environment"])
    given = {variable["name"] for variable in project["environment_variable"]}
    read = set(re.findall(r"\$\{?([A-Z_]+)", "\n".join(commands)))
    assert read <= given | {"AWS_REGION", "BUILD_ARGS"}, read - given
    assert {"IMAGE_TAG", "REPOSITORY_URL", "MODEL_CREDENTIALS", "BASE_IMAGE"} <= read
    credentials = next(
        v for v in project["environment_variable"] if v["name"] == "MODEL_CREDENTIALS"
    )
    assert credentials["type"] == "SECRETS_MANAGER"
    build = next(c for c in commands if c.startswith("docker build"))
    target = re.search(r"--target (\S+)", build)
    assert target and target[1] == "stereo-inference"
    # The context's Dockerfile (deploy/Dockerfile, copied in by `stereospot ops build`).
    dockerfile = (MAIN.parents[1] / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM \S+ AS stereo-inference$", dockerfile, flags=re.M)
    assert project["privileged_mode"] is True  # Docker inside CodeBuild
