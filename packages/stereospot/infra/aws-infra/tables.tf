# The tables of stereospot/aws/inventory.py (keys, indexes, TTL), on demand.

resource "aws_dynamodb_table" "jobs" {
  name                        = "${var.prefix}-Jobs"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "job_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "job_id"
    type = "S"
  }

  attribute {
    name = "status"
    type = "S"
  }

  attribute {
    name = "created_at"
    type = "N"
  }

  attribute {
    name = "completed_at"
    type = "N"
  }

  global_secondary_index {
    name            = "status-created_at"
    hash_key        = "status"
    range_key       = "created_at"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "status-completed_at"
    hash_key        = "status"
    range_key       = "completed_at"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "segment_completions" {
  name                        = "${var.prefix}-SegmentCompletions"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "job_id"
  range_key                   = "segment_index"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "job_id"
    type = "S"
  }

  attribute {
    name = "segment_index"
    type = "N"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "reassembly_triggered" {
  name                        = "${var.prefix}-ReassemblyTriggered"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "job_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "job_id"
    type = "S"
  }

  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

locals {
  tables = [
    aws_dynamodb_table.jobs,
    aws_dynamodb_table.segment_completions,
    aws_dynamodb_table.reassembly_triggered,
  ]
  # What the services' roles may use: the tables and the Jobs table's indexes.
  table_arns = concat(
    [for table in local.tables : table.arn],
    ["${aws_dynamodb_table.jobs.arn}/index/*"],
  )
}
