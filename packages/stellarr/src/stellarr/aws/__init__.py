"""A small AWS client on httpx (no boto3 at runtime): SigV4, DynamoDB, S3, Secrets Manager.

Import the modules themselves (stellarr.aws.dynamodb, ...): this package imports nothing, so
reading the AWS variable names does not load httpx.
"""
