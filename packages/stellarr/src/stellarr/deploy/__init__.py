"""`stellarr deploy`: Stellarr onto the AWS that packages/stellarr/infra describes.

Runs on the operator's machine, from a checkout, with boto3 (the `deploy` extra); none of it
is in the Lambda package. docs/deploy-aws.md walks through it.
"""

from stellarr.deploy.command import add_arguments, run

__all__ = ["add_arguments", "run"]
