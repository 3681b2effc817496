# Run once per AWS account and region, before the main configuration: the S3 bucket that
# keeps Terraform's state, and locks it. Its own state stays local (terraform.tfstate in
# this folder; keep it, or import the bucket again).
#
# The lock is S3's own (use_lockfile: a conditional write of <key>.tflock next to the
# state), not a DynamoDB table: Terraform 1.11, which the main configuration requires,
# deprecates the table (`dynamodb_table` warns at every init) and will drop it.
#
#   terraform init
#   terraform apply -var aws_region=eu-west-1
#   terraform output -raw backend_config > ../backend.hcl
#
# then, in ../: terraform init -backend-config=backend.hcl (docs/deploy-aws.md).

terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project   = var.project_name
      ManagedBy = "terraform"
    }
  }
}

variable "aws_region" {
  description = "Region of the state bucket (the main configuration's region is a good choice)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name like eu-west-1 or us-east-1."
  }
}

variable "project_name" {
  description = "Prefix of the bucket's and the table's names; the same as the main configuration's."
  type        = string
  default     = "stellarr"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project_name))
    error_message = "project_name must be 3 to 20 characters: lower-case letters, digits and '-', starting with a letter."
  }
}

data "aws_caller_identity" "current" {}

locals {
  state_bucket = "${var.project_name}-tfstate-${data.aws_caller_identity.current.account_id}-${var.aws_region}"
  state_key    = "${var.project_name}/terraform.tfstate"
}

resource "aws_s3_bucket" "state" {
  bucket = local.state_bucket

  # The state holds the secret's values (../secrets.tf): losing it is losing track of
  # everything, so Terraform refuses to delete it.
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "old-state-versions"
    status = "Enabled"

    # The whole bucket.
    filter {
      prefix = ""
    }

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

data "aws_iam_policy_document" "state" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state.json

  depends_on = [aws_s3_bucket_public_access_block.state]
}

output "state_bucket" {
  description = "The bucket that keeps the main configuration's state."
  value       = aws_s3_bucket.state.bucket
}

output "backend_config" {
  description = "The main configuration's backend settings: write them to ../backend.hcl."
  value       = <<-EOT
    bucket       = "${aws_s3_bucket.state.bucket}"
    key          = "${local.state_key}"
    region       = "${var.aws_region}"
    use_lockfile = true
    encrypt      = true
  EOT
}
