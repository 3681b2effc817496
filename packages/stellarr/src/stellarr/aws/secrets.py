"""Secrets Manager GetSecretValue; the secret never reaches a log line or an error message."""

from __future__ import annotations

from stellarr.aws.errors import AwsError
from stellarr.aws.service import AwsService


class SecretsClient(AwsService):
    SERVICE = "secretsmanager"

    async def get_secret_string(self, secret_id: str, *, version_stage: str | None = None) -> str:
        """The SecretString; AwsError (code ResourceNotFoundException, ...) otherwise."""
        request = {"SecretId": secret_id}
        if version_stage:
            request["VersionStage"] = version_stage
        response = await self._http.json_call(
            "secretsmanager.GetSecretValue", request, content_type="application/x-amz-json-1.1"
        )
        value = response.get("SecretString")
        if not isinstance(value, str):
            raise AwsError("NoSecretString", f"secret {secret_id!r} holds binary data only", 200)
        return value
