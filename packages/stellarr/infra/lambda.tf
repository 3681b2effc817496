# The two functions, both running the package `make lambda` builds once `stellarr deploy`
# has shipped it:
# - api: the app (stellarr.lambda_handler.handler) behind a Function URL on the `live`
#   alias, with SnapStart on its published versions;
# - cache_warmer: the home page's lists (trending, popular, upcoming), written to the
#   trending bucket once a day
#   (stellarr.lambda_handler.cache_warmer; it never loads the web app).
#
# Who owns what: Terraform owns each function's configuration (runtime, memory, timeout,
# role, environment, SnapStart), the alias, the URL, the schedule and the permissions.
# `stellarr deploy` owns the code and the layers: it uploads the package to the deployment
# bucket, attaches the layers `make lambda` built (the Apprise layer only where NOTIFY_URLS
# is set: the notify_urls variable writes it into the secret), publishes a version and moves
# `live` to it.
# So Terraform creates the functions from a placeholder package (placeholder/: it answers
# 503 "not deployed yet") and then ignores their code, their layers and the version `live`
# points at: `terraform apply` needs no build, and never undoes a deploy.

locals {
  lambda_runtime      = "python3.12"
  lambda_architecture = "arm64"

  # What both functions read (docs/configuration.md); their secrets come from the secret.
  common_environment = {
    STORE          = "dynamodb"
    DYNAMODB_TABLE = aws_dynamodb_table.app.name
    APP_SECRET_ARN = aws_secretsmanager_secret.app.arn
    PUBLIC_URL     = local.site_url
  }

  api_environment = {
    for key, value in merge(local.common_environment, {
      # Only CloudFront reaches the function (ORIGIN_VERIFY_SECRET), so its origin-facing
      # addresses are the proxies whose X-Forwarded-For is believed: the login limit then
      # counts each viewer, not each edge server.
      TRUSTED_PROXIES = var.enable_edge ? join(",", sort(data.aws_ec2_managed_prefix_list.cloudfront[0].entries[*].cidr)) : null
      VAPID_SUBJECT   = var.vapid_subject
    }) : key => value if value != null
  }

  cache_warmer_environment = merge(local.common_environment, {
    TRENDING_S3_BUCKET = aws_s3_bucket.trending.bucket
    TRENDING_LOCALES   = join(",", var.trending_locales)
  })
}

# CloudFront's addresses towards origins, as AWS publishes them (IPv4: CloudFront reaches
# a Function URL over IPv4).
data "aws_ec2_managed_prefix_list" "cloudfront" {
  count = var.enable_edge ? 1 : 0
  name  = "com.amazonaws.global.cloudfront.origin-facing"
}

# --- The API function ---------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/lambda/${local.name}-api"
  retention_in_days = 14
}

resource "aws_lambda_function" "api" {
  function_name = "${local.name}-api"
  description   = "Stellarr: the API, the feeds and the webhooks (behind CloudFront)."
  role          = aws_iam_role.api.arn
  runtime       = local.lambda_runtime
  architectures = [local.lambda_architecture]
  handler       = "stellarr.lambda_handler.handler"
  memory_size   = 512
  timeout       = 30
  filename      = local.placeholder_package
  # Every change of configuration becomes a version: SnapStart snapshots versions only.
  publish = true

  environment {
    variables = local.api_environment
  }

  dynamic "snap_start" {
    for_each = var.enable_snap_start ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  lifecycle {
    # The code and the layers are `stellarr deploy`'s (above).
    ignore_changes = [filename, source_code_hash, s3_bucket, s3_key, s3_object_version, layers]
  }

  depends_on = [aws_cloudwatch_log_group.api, aws_iam_role_policy.api]
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  description      = "The version the Function URL serves; `stellarr deploy` moves it."
  function_name    = aws_lambda_function.api.function_name
  function_version = aws_lambda_function.api.version

  lifecycle {
    ignore_changes = [function_version]
  }
}

# Public, because Plex, Radarr and Sonarr cannot sign requests (origin access control for
# Lambda URLs would need SigV4 on every POST body); the app refuses every request that lacks
# CloudFront's X-Origin-Verify header, so nothing reaches the API around CloudFront and WAF.
resource "aws_lambda_function_url" "api" {
  function_name      = aws_lambda_function.api.function_name
  qualifier          = aws_lambda_alias.live.name
  authorization_type = "NONE"
  invoke_mode        = "BUFFERED"
}

resource "aws_lambda_permission" "function_url" {
  statement_id           = "FunctionUrlInvokeUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.api.function_name
  qualifier              = aws_lambda_alias.live.name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Function URLs made since October 2025 also need lambda:InvokeFunction. AWS's own statement
# narrows it with the condition lambda:InvokedViaFunctionUrl, which the aws provider 5.x
# cannot express (6.x: invoked_via_function_url = true). It is on the `live` alias only, and
# what it would let a caller with AWS credentials send straight to the function meets the
# same origin check as the URL.
resource "aws_lambda_permission" "function_url_invoke" {
  statement_id  = "FunctionUrlInvokeFunction"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  qualifier     = aws_lambda_alias.live.name
  principal     = "*"
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api" {
  name               = "${local.name}-api"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

# Exactly the calls the app makes (stellarr/aws/dynamodb.py): a transaction's Put, Update,
# Delete and ConditionCheck need the item actions; DescribeTable and CreateTable are for
# local emulators only and are not granted.
data "aws_iam_policy_document" "api" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.api.arn}:*"]
  }

  statement {
    sid = "UseTable"
    actions = [
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]
    resources = [aws_dynamodb_table.app.arn]
  }

  statement {
    sid       = "ReadAppSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.app.arn]
  }
}

resource "aws_iam_role_policy" "api" {
  name   = "${local.name}-api"
  role   = aws_iam_role.api.id
  policy = data.aws_iam_policy_document.api.json
}

# --- The cache warmer ---------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "cache_warmer" {
  name              = "/aws/lambda/${local.name}-cache-warmer"
  retention_in_days = 7
}

resource "aws_lambda_function" "cache_warmer" {
  function_name = "${local.name}-cache-warmer"
  description   = "Stellarr: writes the trending lists to the trending bucket, daily."
  role          = aws_iam_role.cache_warmer.arn
  runtime       = local.lambda_runtime
  architectures = [local.lambda_architecture]
  handler       = "stellarr.lambda_handler.cache_warmer"
  memory_size   = 128
  timeout       = 60
  filename      = local.placeholder_package

  environment {
    variables = local.cache_warmer_environment
  }

  lifecycle {
    ignore_changes = [filename, source_code_hash, s3_bucket, s3_key, s3_object_version, layers]
  }

  depends_on = [aws_cloudwatch_log_group.cache_warmer, aws_iam_role_policy.cache_warmer]
}

resource "aws_iam_role" "cache_warmer" {
  name               = "${local.name}-cache-warmer"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "cache_warmer" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.cache_warmer.arn}:*"]
  }

  # The lists only (stellarr/domain/trending.py names them <list>-<type>-<locale>.json).
  statement {
    sid       = "WriteTrendingLists"
    actions   = ["s3:PutObject"]
    resources = formatlist("${aws_s3_bucket.trending.arn}/%s", local.home_list_patterns)
  }

  # For the TMDB credential.
  statement {
    sid       = "ReadAppSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.app.arn]
  }
}

resource "aws_iam_role_policy" "cache_warmer" {
  name   = "${local.name}-cache-warmer"
  role   = aws_iam_role.cache_warmer.id
  policy = data.aws_iam_policy_document.cache_warmer.json
}

resource "aws_cloudwatch_event_rule" "cache_warmer" {
  name                = "${local.name}-cache-warmer"
  description         = "Stellarr's trending lists, once a day."
  schedule_expression = "rate(24 hours)"
}

resource "aws_cloudwatch_event_target" "cache_warmer" {
  rule = aws_cloudwatch_event_rule.cache_warmer.name
  arn  = aws_lambda_function.cache_warmer.arn

  # A failed run raises (TrendingFailed) and is tried again; a list that failed keeps its
  # last good object in the meantime.
  retry_policy {
    maximum_retry_attempts       = 2
    maximum_event_age_in_seconds = 3600
  }
}

resource "aws_lambda_permission" "cache_warmer_schedule" {
  statement_id  = "DailySchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.cache_warmer.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.cache_warmer.arn
}
