"""The shared request loop: what is retried, how long it waits, which error comes out."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import httpx
import pytest

from stellarr.aws.credentials import Credentials
from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import (
    AwsError,
    AwsTransportError,
    ConditionalCheckFailed,
    TransactionCanceled,
    is_retryable,
)
from stellarr.aws.http import parse_xml_error
from stellarr.aws.marshal import Expr
from stellarr.aws.s3 import S3Client
from stellarr.aws.secrets import SecretsClient
from stellarr.retry import RetryPolicy

SECRET = "wJalrXUtnFEMI-super-secret"
TOKEN = "FwoGZXIvYXdzEJr-session-token"
CREDS = Credentials("AKIDEXAMPLE", SECRET, TOKEN)
Handler = Callable[[httpx.Request], httpx.Response]


def _error(status: int, code: str, message: str = "", **extra: object) -> httpx.Response:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message, **extra}
    return httpx.Response(status, json=body)


class Recorder:
    def __init__(self, responses: list[httpx.Response | Exception]) -> None:
        self.responses = responses
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def _dynamodb(recorder: Recorder, attempts: int = 4) -> DynamoDBClient:
    return DynamoDBClient(
        credentials=CREDS,
        region="us-east-1",
        endpoint_url="http://dynamodb.test",
        policy=RetryPolicy(attempts=attempts, base_delay=0.1, rng=random.Random(1)),
        client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        sleep=recorder.sleep,
    )


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [
        ("ThrottlingException", 400, True),
        ("ProvisionedThroughputExceededException", 400, True),
        ("RequestLimitExceeded", 400, True),
        ("SlowDown", 503, True),
        ("InternalServerError", 500, True),
        ("HTTP502", 502, True),
        ("ServiceUnavailable", 503, True),
        ("ConditionalCheckFailedException", 400, False),
        ("ValidationException", 400, False),
        ("ResourceNotFoundException", 400, False),
        ("AccessDeniedException", 400, False),
        ("TransactionCanceledException", 400, False),
    ],
)
def test_retry_classification(code: str, status: int, retryable: bool) -> None:
    assert is_retryable(code, status) is retryable


async def test_throttling_is_retried_with_policy_backoff() -> None:
    recorder = Recorder(
        [
            _error(400, "ThrottlingException", "slow down"),
            _error(400, "ProvisionedThroughputExceededException"),
            httpx.Response(200, json={"Item": {"a": {"S": "b"}}}),
        ]
    )
    client = _dynamodb(recorder)
    item = await client.get_item("t", {"pk": {"S": "x"}})
    assert item == {"a": {"S": "b"}}
    assert len(recorder.requests) == 3
    expected = RetryPolicy(attempts=4, base_delay=0.1, rng=random.Random(1))
    assert recorder.sleeps == [expected.delay(1), expected.delay(2)]
    assert 0 <= recorder.sleeps[1] <= 0.2


async def test_every_attempt_is_freshly_signed_json_1_0() -> None:
    recorder = Recorder([_error(500, "InternalServerError"), httpx.Response(200, json={})])
    await _dynamodb(recorder).put_item("t", {"pk": {"S": "x"}})
    for request in recorder.requests:
        assert request.headers["x-amz-target"] == "DynamoDB_20120810.PutItem"
        assert request.headers["content-type"] == "application/x-amz-json-1.0"
        assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID")
        assert request.headers["x-amz-security-token"] == TOKEN
        assert json.loads(request.content) == {"TableName": "t", "Item": {"pk": {"S": "x"}}}


async def test_5xx_gives_up_after_the_policy_attempts() -> None:
    recorder = Recorder([httpx.Response(503, text="") for _ in range(3)])
    with pytest.raises(AwsError) as info:
        await _dynamodb(recorder, attempts=3).get_item("t", {"pk": {"S": "x"}})
    assert info.value.status == 503
    assert info.value.code == "HTTP503"
    assert len(recorder.requests) == 3
    assert len(recorder.sleeps) == 2


async def test_retry_after_header_is_honoured() -> None:
    recorder = Recorder(
        [
            httpx.Response(503, headers={"Retry-After": "2"}, json={"__type": "Throttling"}),
            httpx.Response(200, json={}),
        ]
    )
    await _dynamodb(recorder).put_item("t", {"pk": {"S": "x"}})
    assert recorder.sleeps == [2.0]


async def test_transport_errors_are_retried_then_typed() -> None:
    recorder = Recorder([httpx.ConnectError("refused") for _ in range(2)])
    with pytest.raises(AwsTransportError) as info:
        await _dynamodb(recorder, attempts=2).get_item("t", {"pk": {"S": "x"}})
    assert info.value.code == "TransportError"
    assert info.value.status == 0
    assert len(recorder.requests) == 2


async def test_conditional_check_failure_is_typed_and_not_retried() -> None:
    recorder = Recorder([_error(400, "ConditionalCheckFailedException", "The condition failed")])
    expr = Expr()
    with pytest.raises(ConditionalCheckFailed) as info:
        await _dynamodb(recorder).put_item(
            "t", {"pk": {"S": "x"}}, condition=f"attribute_not_exists({expr.name('pk')})", expr=expr
        )
    assert info.value.code == "ConditionalCheckFailedException"
    assert info.value.status == 400
    assert len(recorder.requests) == 1
    sent = json.loads(recorder.requests[0].content)
    assert sent["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert sent["ExpressionAttributeNames"] == {"#n0": "pk"}


async def test_transaction_cancellation_carries_reasons() -> None:
    reasons = [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "no"}]
    recorder = Recorder(
        [_error(400, "TransactionCanceledException", "cancelled", CancellationReasons=reasons)]
    )
    with pytest.raises(TransactionCanceled) as info:
        await _dynamodb(recorder).transact_write([{"Put": {}}, {"Put": {}}])
    assert [r.code for r in info.value.reasons] == ["None", "ConditionalCheckFailed"]
    assert info.value.conditional_check_failed


async def test_secrets_never_appear_in_error_messages() -> None:
    # Signature errors echo the canonical request, which includes the session token.
    message = f"The Canonical String was x-amz-security-token:{TOKEN} and key {SECRET}"
    recorder = Recorder([_error(400, "InvalidSignatureException", message)])
    with pytest.raises(AwsError) as info:
        await _dynamodb(recorder).get_item("t", {"pk": {"S": "x"}})
    text = f"{info.value} {info.value!r} {info.value.message}"
    assert SECRET not in text
    assert TOKEN not in text
    assert info.value.code == "InvalidSignatureException"


async def test_non_json_error_bodies_still_give_a_code() -> None:
    recorder = Recorder([httpx.Response(400, text="<html>bad gateway</html>")])
    with pytest.raises(AwsError) as info:
        await _dynamodb(recorder).get_item("t", {"pk": {"S": "x"}})
    assert info.value.code == "HTTP400"


def test_s3_xml_errors_are_parsed() -> None:
    body = "<?xml version='1.0'?><Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>"
    assert parse_xml_error(httpx.Response(404, text=body)) == ("NoSuchBucket", "gone", ())
    assert parse_xml_error(httpx.Response(404, text=""))[0] == "NotFound"


async def test_s3_put_object_is_path_style_with_encoded_key_and_payload_hash() -> None:
    recorder = Recorder([httpx.Response(200, headers={"ETag": '"abc"'})])
    s3 = S3Client(
        credentials=CREDS,
        region="eu-west-1",
        endpoint_url="http://s3.test:9000",
        client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        sleep=recorder.sleep,
    )
    etag = await s3.put_object("bucket", "dir/my file €.json", b"{}", content_type="a/b")
    assert etag == '"abc"'
    request = recorder.requests[0]
    assert request.url.raw_path == b"/bucket/dir/my%20file%20%E2%82%AC.json"
    assert request.headers["x-amz-content-sha256"] == (
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )
    assert request.headers["content-md5"] == "mZFLkyvTelC5g8XnyQrpOw=="
    assert "content-md5" in request.headers["authorization"]


def test_s3_uses_virtual_hosts_on_aws_unless_the_bucket_has_dots() -> None:
    s3 = S3Client(credentials=CREDS, region="eu-west-1")
    assert s3.object_url("b", "k") == "https://b.s3.eu-west-1.amazonaws.com/k"
    assert s3.object_url("a.b", "k") == "https://s3.eu-west-1.amazonaws.com/a.b/k"


async def test_secret_value_is_returned_but_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    recorder = Recorder(
        [
            httpx.Response(500, json={"__type": "InternalServiceError"}),
            httpx.Response(200, json={"Name": "app", "SecretString": "hunter2-secret"}),
        ]
    )
    secrets = SecretsClient(
        credentials=CREDS,
        region="eu-west-1",
        endpoint_url="http://secrets.test",
        client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        sleep=recorder.sleep,
    )
    assert await secrets.get_secret_string("app") == "hunter2-secret"
    assert recorder.requests[0].headers["x-amz-target"] == "secretsmanager.GetSecretValue"
    assert recorder.requests[0].headers["content-type"] == "application/x-amz-json-1.1"
    assert "hunter2" not in caplog.text
    assert SECRET not in caplog.text
    assert TOKEN not in caplog.text
