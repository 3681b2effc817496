"""The AWS Backend: boto3 adapters over the resources provision.py (or Terraform) made."""

from __future__ import annotations

from stereospot.aws.clients import Clients
from stereospot.aws.jobs import DynamoCompletions, DynamoJobStore, DynamoTriggers
from stereospot.aws.objects import S3ObjectStore
from stereospot.aws.queue import SQSQueue
from stereospot.ports import Backend, QueuePair, Queues
from stereospot.settings import Settings


def aws_backend(settings: Settings) -> Backend:
    clients = Clients(settings)

    def pair(name: str) -> QueuePair:
        visibility = settings.visibility_timeout
        return QueuePair(
            SQSQueue(clients, clients.queue_name(name), visibility),
            SQSQueue(clients, clients.queue_name(f"{name}-dlq"), visibility),
        )

    return Backend(
        jobs=DynamoJobStore(clients),
        completions=DynamoCompletions(clients),
        triggers=DynamoTriggers(clients),
        queues=Queues(
            chunking=pair("chunking"),
            video=pair("video-worker"),
            reassembly=pair("reassembly"),
        ),
        objects=S3ObjectStore(clients),
        close=lambda: None,
    )
