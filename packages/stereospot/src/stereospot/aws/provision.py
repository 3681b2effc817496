"""Create the tables, queues (with redrive to their dead-letter queues), buckets, lifecycle
rules and S3 event notifications a backend needs, as aws/inventory.py describes them. For
moto and development accounts; production applies infra/aws-infra (Terraform), which a
test holds to the same description."""

from __future__ import annotations

import json
from typing import Any

from stereospot.aws import inventory
from stereospot.aws.clients import Clients
from stereospot.settings import Settings


def _key_schema(hash_key: inventory.Attribute, range_key: inventory.Attribute | None) -> list[Any]:
    keys = [{"AttributeName": hash_key.name, "KeyType": "HASH"}]
    if range_key is not None:
        keys.append({"AttributeName": range_key.name, "KeyType": "RANGE"})
    return keys


def _create_table(clients: Clients, table: inventory.Table) -> None:
    client = clients.dynamodb.meta.client
    name = table.full_name(clients.settings.aws_prefix)
    extra: dict[str, Any] = {}
    if table.indexes:
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.hash_key, index.range_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=_key_schema(table.hash_key, table.range_key),
        AttributeDefinitions=[
            {"AttributeName": a.name, "AttributeType": a.type} for a in table.attributes
        ],
        **extra,
    )
    if table.ttl:
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl}
        )


def _create_queue(clients: Clients, queue: inventory.Queue) -> str:
    """Make the queue and its dead-letter queue; return the queue's ARN."""
    prefix = clients.settings.aws_prefix

    def arn(url: str) -> str:
        attrs = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return str(attrs["Attributes"]["QueueArn"])

    dead = clients.sqs.create_queue(
        QueueName=queue.dead_letter_name(prefix),
        Attributes={"MessageRetentionPeriod": str(inventory.DEAD_LETTER_RETENTION_SECONDS)},
    )["QueueUrl"]
    redrive = {"deadLetterTargetArn": arn(dead), "maxReceiveCount": str(queue.max_receives)}
    url = clients.sqs.create_queue(
        QueueName=queue.full_name(prefix),
        Attributes={
            "VisibilityTimeout": str(queue.visibility_timeout),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    return arn(url)


def lifecycle_configuration(bucket: inventory.Bucket) -> dict[str, Any]:
    rules = []
    for rule in bucket.lifecycle:
        body: dict[str, Any] = {
            "ID": rule.id,
            "Status": "Enabled",
            "Filter": {"Prefix": rule.prefix},
        }
        if rule.expire_days is not None:
            body["Expiration"] = {"Days": rule.expire_days}
        if rule.abort_uploads_days is not None:
            body["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": rule.abort_uploads_days
            }
        rules.append(body)
    return {"Rules": rules}


def notification_configuration(bucket: inventory.Bucket, arns: dict[str, str]) -> dict[str, Any]:
    def rule(notification: inventory.Notification) -> dict[str, Any]:
        filters = [{"Name": "prefix", "Value": notification.prefix}]
        if notification.suffix:
            filters.append({"Name": "suffix", "Value": notification.suffix})
        return {
            "QueueArn": arns[notification.queue],
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": filters}},
        }

    return {"QueueConfigurations": [rule(n) for n in bucket.notifications]}


def provision(settings: Settings) -> None:
    clients = Clients(settings)
    for table in inventory.TABLES:
        _create_table(clients, table)
    arns = {queue.name: _create_queue(clients, queue) for queue in inventory.queues(settings)}
    notified: set[str] = set()
    for bucket in inventory.buckets(settings):
        clients.s3.create_bucket(
            Bucket=bucket.name,
            CreateBucketConfiguration={"LocationConstraint": settings.aws_region},
        )
        clients.s3.put_bucket_lifecycle_configuration(
            Bucket=bucket.name, LifecycleConfiguration=lifecycle_configuration(bucket)
        )
        if bucket.notifications:
            clients.s3.put_bucket_notification_configuration(
                Bucket=bucket.name,
                NotificationConfiguration=notification_configuration(bucket, arns),
            )
            notified |= {n.queue for n in bucket.notifications}
    # S3 announces a new configuration with an s3:TestEvent on each queue; workers would
    # skip it, but a fresh backend should start with empty queues.
    for name in sorted(notified):
        url = clients.sqs.get_queue_url(QueueName=clients.queue_name(name))["QueueUrl"]
        clients.sqs.purge_queue(QueueUrl=url)
