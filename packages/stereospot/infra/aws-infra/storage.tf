# The input bucket (sources, the chunker's segments, inference requests), the output bucket
# (converted segments, final files and stills, SageMaker's results) and the bucket CodeBuild
# reads the inference image's build context from. Keys: stereospot/jobs/keys.py; rules and
# notifications: stereospot/aws/inventory.py.

resource "aws_s3_bucket" "input" {
  bucket = local.input_bucket
}

resource "aws_s3_bucket" "output" {
  bucket = local.output_bucket
}

resource "aws_s3_bucket" "build" {
  bucket        = local.build_bucket
  force_destroy = true # build contexts only, sent again by `stereospot ops build`
}

locals {
  buckets = {
    input  = aws_s3_bucket.input
    output = aws_s3_bucket.output
    build  = aws_s3_bucket.build
  }
}

resource "aws_s3_bucket_public_access_block" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# SSE-KMS with the AWS managed key (aws/s3): no key to pay for or to grant, and the bucket
# key keeps KMS requests to a few per object batch.
resource "aws_s3_bucket_server_side_encryption_configuration" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

data "aws_iam_policy_document" "tls_only" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

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

resource "aws_s3_bucket_policy" "all" {
  for_each = local.buckets
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.all]
}

# The web UI's browser sends upload parts straight to S3 (presigned UploadPart URLs) and
# reads each part's ETag to complete the upload.
resource "aws_s3_bucket_cors_configuration" "input" {
  bucket = aws_s3_bucket.input.id

  cors_rule {
    allowed_methods = ["PUT"]
    allowed_origins = [local.web_url]
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3600
  }
}

# Playback and stills from presigned GET URLs; a player asks for byte ranges.
resource "aws_s3_bucket_cors_configuration" "output" {
  bucket = aws_s3_bucket.output.id

  cors_rule {
    allowed_methods = ["GET", "HEAD"]
    allowed_origins = [local.web_url]
    allowed_headers = ["Range"]
    expose_headers  = ["Accept-Ranges", "Content-Length", "Content-Range", "ETag"]
    max_age_seconds = 3600
  }
}

# STEREOSPOT_UPLOAD_EXPIRY_HOURS (24) in whole days: abandoned uploads go even if no sweep
# runs; inference requests a worker left behind go after a day.
resource "aws_s3_bucket_lifecycle_configuration" "input" {
  bucket = aws_s3_bucket.input.id

  rule {
    id     = "abort-abandoned-uploads"
    status = "Enabled"

    filter {
      prefix = ""
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-inference-requests"
    status = "Enabled"

    filter {
      prefix = "requests/"
    }

    expiration {
      days = 1
    }
  }
}

# Converted segments live under segments/<job>/ (a literal prefix S3 can match) and are
# read once by the reassembly; SageMaker's results under inference/ once by the worker.
resource "aws_s3_bucket_lifecycle_configuration" "output" {
  bucket = aws_s3_bucket.output.id

  rule {
    id     = "abort-abandoned-uploads"
    status = "Enabled"

    filter {
      prefix = ""
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-converted-segments"
    status = "Enabled"

    filter {
      prefix = "segments/"
    }

    expiration {
      days = 1
    }
  }

  rule {
    id     = "expire-inference-results"
    status = "Enabled"

    filter {
      prefix = "inference/"
    }

    expiration {
      days = 1
    }
  }
}

resource "aws_s3_bucket_versioning" "build" {
  bucket = aws_s3_bucket.build.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "build" {
  bucket = aws_s3_bucket.build.id

  rule {
    id     = "old-build-contexts"
    status = "Enabled"

    filter {
      prefix = ""
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.build]
}

# Two rules whose filters overlap are refused by S3: segments/ never starts with input/.
resource "aws_s3_bucket_notification" "input" {
  bucket = aws_s3_bucket.input.id

  queue {
    id            = "sources-to-chunking"
    queue_arn     = aws_sqs_queue.main["chunking"].arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "input/"
  }

  queue {
    id            = "segments-to-video-worker"
    queue_arn     = aws_sqs_queue.main["video-worker"].arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "segments/"
    filter_suffix = ".mp4"
  }

  # S3 checks, when the rules are written, that it may send to each queue (whose policies
  # come with the queues).
}
