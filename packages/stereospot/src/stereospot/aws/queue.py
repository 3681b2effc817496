"""SQS queues; each main queue's redrive policy (set by provision.py) moves a message to
its dead-letter queue after `max_receives` deliveries."""

from __future__ import annotations

import math

from stereospot.aws.clients import Clients, call, error_code
from stereospot.errors import StoreError
from stereospot.ports import Message


class SQSQueue:
    def __init__(self, clients: Clients, name: str, visibility: float) -> None:
        self.name = name
        self.sqs = clients.sqs
        self.visibility = visibility
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            result = call("SQS get_queue_url", self.sqs.get_queue_url, QueueName=self.name)
            self._url = str(result["QueueUrl"])
        return self._url

    def send(self, body: str, delay: float = 0) -> str:
        result = call(
            "SQS send",
            self.sqs.send_message,
            QueueUrl=self.url,
            MessageBody=body,
            DelaySeconds=min(int(delay), 900),
        )
        return str(result["MessageId"])

    def receive(self, max_messages: int = 1, wait: float = 0) -> list[Message]:
        result = call(
            "SQS receive",
            self.sqs.receive_message,
            QueueUrl=self.url,
            MaxNumberOfMessages=max(1, min(max_messages, 10)),
            # Rounded up: a zero wait on an empty queue would make the worker loop spin.
            WaitTimeSeconds=max(0, min(math.ceil(wait), 20)),
            VisibilityTimeout=int(self.visibility),
            AttributeNames=["ApproximateReceiveCount"],
        )
        return [
            Message(
                m["MessageId"],
                m["ReceiptHandle"],
                m["Body"],
                int(m.get("Attributes", {}).get("ApproximateReceiveCount", 1)),
            )
            for m in result.get("Messages", [])
        ]

    def delete(self, receipt: str) -> None:
        try:
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=receipt)
        except Exception as exc:  # a stale receipt: the message went back; it will return
            if "ReceiptHandle" not in str(exc) and "NonExistent" not in str(exc):
                raise StoreError(f"SQS delete: {exc}") from exc

    def extend(self, receipt: str, seconds: float) -> None:
        try:
            self.sqs.change_message_visibility(
                QueueUrl=self.url, ReceiptHandle=receipt, VisibilityTimeout=int(seconds)
            )
        except self.sqs.exceptions.ClientError as exc:
            code = error_code(exc)
            if "ReceiptHandle" not in code and "MessageNotInflight" not in code:
                raise StoreError(f"SQS extend: {code}") from exc

    def depth(self) -> int:
        attrs = call(
            "SQS attributes",
            self.sqs.get_queue_attributes,
            QueueUrl=self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(
            attrs["ApproximateNumberOfMessagesNotVisible"]
        )

    def purge(self) -> None:
        call("SQS purge", self.sqs.purge_queue, QueueUrl=self.url)
