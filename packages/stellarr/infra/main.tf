# Stellarr on AWS: the API on Lambda (arm64, SnapStart) behind a Function URL that only
# answers CloudFront, the web app and the trending lists on S3 behind the same CloudFront
# distribution, one DynamoDB table, one Secrets Manager secret. docs/deploy-aws.md walks
# through it; `stellarr deploy` runs `terraform apply` here, then ships the code.
#
# Files: lambda.tf (the two functions, their roles and logs, the schedule), frontend.tf
# (buckets, certificate, DNS, CloudFront), dynamodb.tf, secrets.tf, waf.tf, variables.tf,
# outputs.tf. The state lives in the bucket that backend-setup/ makes.

terraform {
  # 1.11: write-only attributes, so the generated secret values never enter the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Filled in by `terraform init -backend-config=backend.hcl` (backend-setup/ writes it).
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}

# CloudFront takes its certificate and its web ACL from us-east-1 only.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name       = var.project_name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  site_url   = "https://${var.domain_name}"

  tags = merge(var.tags, {
    Project   = var.project_name
    ManagedBy = "terraform"
  })

  # Bucket names are global: the account and the region make them ours.
  bucket_suffix = "${local.account_id}-${var.aws_region}"

  # What the functions are created from until `stellarr deploy` ships the real package
  # (placeholder/stellarr/lambda_handler.py: every request answered 503, saying so).
  placeholder_package = "${path.module}/placeholder/lambda.zip"

  # The header CloudFront adds to every request it sends to the API, and the app requires
  # when ORIGIN_VERIFY_SECRET is set (stellarr/api/origin_verify.py).
  origin_verify_header = "X-Origin-Verify"
}
