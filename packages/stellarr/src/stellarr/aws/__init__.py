"""A small AWS client on httpx (no boto3 at runtime): SigV4, DynamoDB, S3, Secrets Manager."""

from stellarr.aws.credentials import Credentials
from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import (
    AwsConfigError,
    AwsError,
    AwsTransportError,
    CancellationReason,
    ConditionalCheckFailed,
    TransactionCanceled,
)
from stellarr.aws.marshal import Expr, from_attr, from_item, to_attr, to_item
from stellarr.aws.s3 import S3Client
from stellarr.aws.secrets import SecretsClient

__all__ = [
    "AwsConfigError",
    "AwsError",
    "AwsTransportError",
    "CancellationReason",
    "ConditionalCheckFailed",
    "Credentials",
    "DynamoDBClient",
    "Expr",
    "S3Client",
    "SecretsClient",
    "TransactionCanceled",
    "from_attr",
    "from_item",
    "to_attr",
    "to_item",
]
