"""The AWS adapters, on boto3: DynamoDB tables, SQS queues with redrive, S3 buckets whose
event notifications feed the queues. boto3 is imported only here."""
