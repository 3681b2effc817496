"""Typed AWS errors. Messages come from AWS or from us, never with credentials in them."""

from __future__ import annotations

from dataclasses import dataclass

# Codes the SDKs treat as throttling; retried with backoff like a 5xx.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
MAX_MESSAGE_LENGTH = 500


class AwsConfigError(ValueError):
    """Credentials, region or endpoint missing or unusable; the message says which variable."""


class AwsError(Exception):
    """An AWS call failed; `code` is AWS's error code (e.g. ResourceNotFoundException)."""

    def __init__(self, code: str, message: str = "", status: int = 0) -> None:
        self.code = code
        self.message = message[:MAX_MESSAGE_LENGTH]
        self.status = status
        super().__init__(f"{code} (HTTP {status}): {self.message}" if status else code)

    @property
    def retryable(self) -> bool:
        return is_retryable(self.code, self.status)


class AwsTransportError(AwsError):
    """No HTTP response at all (connection refused, timeout); status is 0."""

    @property
    def retryable(self) -> bool:
        return True


class ConditionalCheckFailed(AwsError):
    pass


@dataclass(frozen=True, slots=True)
class CancellationReason:
    code: str
    message: str = ""


class TransactionCanceled(AwsError):
    """One reason per transaction item, in request order; code "None" means that item was fine."""

    def __init__(
        self, code: str, message: str, status: int, reasons: tuple[CancellationReason, ...]
    ) -> None:
        super().__init__(code, message, status)
        self.reasons = reasons

    @property
    def conditional_check_failed(self) -> bool:
        return any(r.code == "ConditionalCheckFailed" for r in self.reasons)


def is_retryable(code: str, status: int) -> bool:
    return code in THROTTLING_CODES or code in TRANSIENT_CODES or status in TRANSIENT_STATUSES


def error_for(
    code: str, message: str, status: int, reasons: tuple[CancellationReason, ...] = ()
) -> AwsError:
    if code == "ConditionalCheckFailedException":
        return ConditionalCheckFailed(code, message, status)
    if code == "TransactionCanceledException":
        return TransactionCanceled(code, message, status, reasons)
    return AwsError(code, message, status)
