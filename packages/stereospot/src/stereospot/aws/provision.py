"""Create the tables, queues (with redrive to their dead-letter queues), buckets and S3
event notifications a backend needs. For moto and development accounts; production uses
infra/stereospot (Terraform) with the same names."""

from __future__ import annotations

import json
import math
from typing import Any

from stereospot.aws.clients import Clients
from stereospot.settings import Settings

QUEUES = ("chunking", "video-worker", "reassembly")


def _table(clients: Clients, name: str, keys: list[tuple[str, str, str]], **extra: Any) -> None:
    client = clients.dynamodb.meta.client
    client.create_table(
        TableName=f"{clients.settings.aws_prefix}-{name}",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": n, "KeyType": k} for n, _, k in keys],
        AttributeDefinitions=extra.pop("attributes", [])
        + [{"AttributeName": n, "AttributeType": t} for n, t, _ in keys],
        **extra,
    )


def _gsi(name: str, sort: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": "status", "KeyType": "HASH"},
            {"AttributeName": sort, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def abandoned_uploads_rule(settings: Settings) -> dict[str, Any]:
    """S3 aborts a multipart upload left unfinished this many whole days after it began,
    even if no sweep ever runs (the sweep itself goes by the hour)."""
    days = max(1, math.ceil(settings.upload_expiry_hours / 24))
    return {
        "Rules": [
            {
                "ID": "abort-abandoned-uploads",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
            }
        ]
    }


def provision(settings: Settings) -> None:
    clients = Clients(settings)
    _table(
        clients,
        "Jobs",
        [("job_id", "S", "HASH")],
        attributes=[
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "N"},
            {"AttributeName": "completed_at", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            _gsi("status-created_at", "created_at"),
            _gsi("status-completed_at", "completed_at"),
        ],
    )
    _table(
        clients, "SegmentCompletions", [("job_id", "S", "HASH"), ("segment_index", "N", "RANGE")]
    )
    _table(clients, "ReassemblyTriggered", [("job_id", "S", "HASH")])
    clients.dynamodb.meta.client.update_time_to_live(
        TableName=f"{settings.aws_prefix}-ReassemblyTriggered",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
    )
    arns: dict[str, str] = {}
    for name in QUEUES:
        dead = clients.sqs.create_queue(QueueName=clients.queue_name(f"{name}-dlq"))["QueueUrl"]
        dead_arn = clients.sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
        redrive = {
            "deadLetterTargetArn": dead_arn["Attributes"]["QueueArn"],
            "maxReceiveCount": str(settings.max_receives),
        }
        url = clients.sqs.create_queue(
            QueueName=clients.queue_name(name),
            Attributes={
                "VisibilityTimeout": str(int(settings.visibility_timeout)),
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]
        attrs = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        arns[name] = attrs["Attributes"]["QueueArn"]
    for bucket in (settings.input_bucket, settings.output_bucket):
        clients.s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region}
        )
        clients.s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration=abandoned_uploads_rule(settings)
        )

    def rule(prefix: str, queue: str) -> dict[str, Any]:
        return {
            "QueueArn": arns[queue],
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
        }

    clients.s3.put_bucket_notification_configuration(
        Bucket=settings.input_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [rule("input/", "chunking"), rule("segments/", "video-worker")]
        },
    )
    # S3 announces a new configuration with an s3:TestEvent on each queue; workers would
    # skip it, but a fresh backend should start with empty queues.
    for name in ("chunking", "video-worker"):
        url = clients.sqs.get_queue_url(QueueName=clients.queue_name(name))["QueueUrl"]
        clients.sqs.purge_queue(QueueUrl=url)
