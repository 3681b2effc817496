# The three values of ../aws-infra/backend.hcl (bucket, dynamodb_table, region).

output "state_bucket" {
  description = "The bucket that keeps aws-infra's state."
  value       = aws_s3_bucket.state.bucket
}

output "lock_table" {
  description = "The DynamoDB table that locks aws-infra's state."
  value       = aws_dynamodb_table.lock.name
}

output "region" {
  description = "The region of both."
  value       = var.region
}
