# Who may do what: one execution role for ECS (pull images, write logs, read the secrets
# the task definitions name), and a task role per service with the tables, queues, bucket
# actions and endpoint that service's code calls (stereospot/aws/*.py, workers/roles.py).

data "aws_iam_policy_document" "assume" {
  for_each = {
    ecs       = "ecs-tasks.amazonaws.com"
    sagemaker = "sagemaker.amazonaws.com"
    codebuild = "codebuild.amazonaws.com"
    ec2       = "ec2.amazonaws.com"
    flowlogs  = "vpc-flow-logs.amazonaws.com"
  }

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = [each.value]
    }

    # EC2 instances carry no source account; the others do.
    dynamic "condition" {
      for_each = each.key == "ec2" ? [] : [1]
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account]
      }
    }
  }
}

locals {
  queue_arns = merge(
    { for name, queue in aws_sqs_queue.main : name => queue.arn },
    { for name, queue in aws_sqs_queue.dead : "${name}-dlq" => queue.arn },
  )
  sagemaker_endpoint_arn = "arn:${local.partition}:sagemaker:${var.region}:${local.account}:endpoint/${lower(local.sagemaker_endpoint)}"

  # Each service's calls. consume: receive, delete, extend; send: send. Object actions are
  # on the bucket's objects; every service also lists the buckets and their uploads.
  read_parts = ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
  access = {
    "web-ui" = {
      # Uploads (multipart, presigned parts), download links, re-runs (a copy), deletes.
      consume = []
      send    = ["chunking", "video-worker", "reassembly"]
      input   = concat(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], local.read_parts)
      output  = concat(["s3:GetObject", "s3:DeleteObject"], local.read_parts)
      invoke  = false
    }
    "media-worker" = {
      # Chunker, reassembler, the dead-letter handlers and the reconciler (its sweeps).
      consume = ["chunking", "reassembly", "chunking-dlq", "video-worker-dlq", "reassembly-dlq"]
      send    = ["chunking", "video-worker", "reassembly"]
      input   = concat(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], local.read_parts)
      output  = concat(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], local.read_parts)
      invoke  = var.inference == "sagemaker" # the chunker's job-level pre-pass
    }
    "video-worker" = {
      # Segments in, converted segments out (or inference requests in, results out).
      consume = ["video-worker"]
      send    = ["reassembly"]
      input   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      output  = concat(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], local.read_parts)
      invoke  = var.inference == "sagemaker" && var.video_worker_launch == "fargate"
    }
    "stereo-inference" = {
      # Reads a segment or a source, writes the converted segment and the stills.
      consume = []
      send    = []
      input   = ["s3:GetObject"]
      output  = concat(["s3:GetObject", "s3:PutObject"], local.read_parts)
      invoke  = false
    }
  }
  # The inference container's own role exists where it runs: ECS (http) or SageMaker.
  task_roles = var.inference == "http" ? keys(local.access) : ["web-ui", "media-worker", "video-worker"]
}

data "aws_iam_policy_document" "task" {
  for_each = local.access

  dynamic "statement" {
    for_each = each.key == "stereo-inference" ? [] : [1]
    content {
      sid = "UseTables"
      actions = [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ]
      resources = local.table_arns
    }
  }

  dynamic "statement" {
    for_each = length(each.value.consume) > 0 ? [1] : []
    content {
      sid = "ConsumeQueues"
      actions = [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
      ]
      resources = [for name in each.value.consume : local.queue_arns[name]]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.send) > 0 ? [1] : []
    content {
      sid       = "SendToQueues"
      actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
      resources = [for name in each.value.send : local.queue_arns[name]]
    }
  }

  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [aws_s3_bucket.input.arn, aws_s3_bucket.output.arn]
  }

  statement {
    sid       = "InputObjects"
    actions   = each.value.input
    resources = ["${aws_s3_bucket.input.arn}/*"]
  }

  statement {
    sid       = "OutputObjects"
    actions   = each.value.output
    resources = ["${aws_s3_bucket.output.arn}/*"]
  }

  dynamic "statement" {
    for_each = each.value.invoke ? [1] : []
    content {
      sid       = "InvokeEndpoint"
      actions   = ["sagemaker:InvokeEndpointAsync"]
      resources = [local.sagemaker_endpoint_arn]
    }
  }
}

resource "aws_iam_role" "task" {
  for_each           = toset(local.task_roles)
  name               = "${var.prefix}-${each.key}-task"
  assume_role_policy = data.aws_iam_policy_document.assume["ecs"].json
}

resource "aws_iam_role_policy" "task" {
  for_each = toset(local.task_roles)
  name     = "${var.prefix}-${each.key}"
  role     = aws_iam_role.task[each.key].id
  policy   = data.aws_iam_policy_document.task[each.key].json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # takes no resource
  }

  statement {
    sid       = "PullImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [for repository in aws_ecr_repository.all : repository.arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for group in aws_cloudwatch_log_group.service : "${group.arn}:*"]
  }

  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.all["signing-key"].arn, aws_secretsmanager_secret.all["users"].arn]
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.prefix}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.assume["ecs"].json
}

resource "aws_iam_role_policy" "execution" {
  name   = "${var.prefix}-ecs-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# SageMaker's endpoint runs the inference image with this role: the inference container's
# objects (as on ECS), its image, and SageMaker's own logs and metrics.
data "aws_iam_policy_document" "sagemaker" {
  source_policy_documents = [data.aws_iam_policy_document.task["stereo-inference"].json]

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # takes no resource
  }

  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [aws_ecr_repository.all["stereo-inference"].arn]
  }

  statement {
    sid     = "WriteLogs"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = [
      "arn:${local.partition}:logs:${var.region}:${local.account}:log-group:/aws/sagemaker/Endpoints/${local.sagemaker_endpoint}",
      "arn:${local.partition}:logs:${var.region}:${local.account}:log-group:/aws/sagemaker/Endpoints/${local.sagemaker_endpoint}:*",
    ]
  }

  statement {
    sid       = "PutMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # takes no resource; limited to SageMaker's namespace
    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["AWS/SageMaker", "/aws/sagemaker/*"]
    }
  }

  # An endpoint in the VPC makes its network interfaces with the execution role.
  statement {
    sid       = "DescribeNetwork"
    actions   = ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
    resources = ["*"] # Describe calls take no resource
  }

  statement {
    sid = "ManageInterfaces"
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:CreateNetworkInterfacePermission",
      "ec2:DeleteNetworkInterface",
      "ec2:DeleteNetworkInterfacePermission",
    ]
    resources = [
      for kind in ["network-interface", "subnet", "security-group"] :
      "arn:${local.partition}:ec2:${var.region}:${local.account}:${kind}/*"
    ]
  }
}

resource "aws_iam_role" "sagemaker" {
  count              = var.inference == "sagemaker" ? 1 : 0
  name               = "${var.prefix}-sagemaker"
  assume_role_policy = data.aws_iam_policy_document.assume["sagemaker"].json
}

resource "aws_iam_role_policy" "sagemaker" {
  count  = var.inference == "sagemaker" ? 1 : 0
  name   = "${var.prefix}-sagemaker"
  role   = aws_iam_role.sagemaker[0].id
  policy = data.aws_iam_policy_document.sagemaker.json
}

data "aws_iam_policy_document" "build" {
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.build.arn}:*"]
  }

  statement {
    sid       = "ReadContext"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${aws_s3_bucket.build.arn}/*"]
  }

  statement {
    sid       = "LocateContext"
    actions   = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.build.arn]
  }

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # takes no resource
  }

  statement {
    sid = "PushImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.all["stereo-inference"].arn]
  }

  statement {
    sid       = "ReadModelCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.all["model-credentials"].arn]
  }
}

resource "aws_iam_role" "build" {
  name               = "${var.prefix}-codebuild"
  assume_role_policy = data.aws_iam_policy_document.assume["codebuild"].json
}

resource "aws_iam_role_policy" "build" {
  name   = "${var.prefix}-codebuild"
  role   = aws_iam_role.build.id
  policy = data.aws_iam_policy_document.build.json
}
