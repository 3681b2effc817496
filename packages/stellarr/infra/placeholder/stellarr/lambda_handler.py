"""What both functions run from `terraform apply` until `stellarr deploy` ships Stellarr:
Terraform cannot build the real package (`make lambda` does), and a function cannot be made
without one. The API answers every request 503 with what to do; the warmer does nothing.

infra/placeholder/lambda.zip holds this file as stellarr/lambda_handler.py, so the handler
names are the real package's; tests/infra/test_placeholder.py rebuilds the zip from it.
"""

import json

NOT_YET = "Stellarr is not deployed yet: run `stellarr deploy` (docs/deploy-aws.md)"


def handler(event, context):
    return {
        "statusCode": 503,
        "headers": {"content-type": "application/json", "retry-after": "60"},
        "body": json.dumps({"detail": NOT_YET}),
    }


def cache_warmer(event, context):
    return {"status": NOT_YET}
