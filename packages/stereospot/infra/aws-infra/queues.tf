# The stage queues of stereospot/aws/inventory.py, each with its dead-letter queue, and an
# alarm per dead-letter queue. SSE-SQS rather than SSE-KMS: S3 event notifications cannot
# be sent to a queue encrypted with the AWS managed key (aws/sqs).

locals {
  queues = toset(["chunking", "video-worker", "reassembly"])
  # The queues S3 notifications feed (storage.tf).
  notified_queues = toset(["chunking", "video-worker"])
  queue_names = merge(
    { for name, queue in aws_sqs_queue.main : name => queue.name },
    { for name, queue in aws_sqs_queue.dead : "${name}-dlq" => queue.name },
  )
}

resource "aws_sqs_queue" "dead" {
  for_each = local.queues

  name                      = "${var.prefix}-${each.key}-dlq"
  message_retention_seconds = 1209600 # 14 days: time to look at what failed
  sqs_managed_sse_enabled   = true
}

# The notified queues' policies are written with the queues, not as aws_sqs_queue_policy
# resources: the provider waits about 25 s for every queue change to propagate, and each
# extra resource in the chain adds that to every first apply.
resource "aws_sqs_queue" "main" {
  for_each = local.queues

  name                       = "${var.prefix}-${each.key}"
  visibility_timeout_seconds = var.visibility_timeout
  sqs_managed_sse_enabled    = true
  policy                     = contains(local.notified_queues, each.key) ? data.aws_iam_policy_document.from_input_bucket[each.key].json : null

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead[each.key].arn
    maxReceiveCount     = var.max_receives
  })
}

data "aws_iam_policy_document" "from_input_bucket" {
  for_each = local.notified_queues

  statement {
    sid     = "InputBucketNotifications"
    actions = ["sqs:SendMessage"]
    # The queue's own ARN, spelt out: the policy is part of the queue it names.
    resources = ["arn:${local.partition}:sqs:${var.region}:${local.account}:${var.prefix}-${each.key}"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.input.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_sns_topic" "alarms" {
  count = var.alarm_email == "" ? 0 : 1
  name  = "${var.prefix}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# A message lands here after max_receives failed deliveries; the media worker marks its
# job failed, but someone should know why.
resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each = local.queues

  alarm_name          = "${var.prefix}-${each.key}-dlq-not-empty"
  alarm_description   = "Messages in ${aws_sqs_queue.dead[each.key].name}: a ${each.key} message failed ${var.max_receives} times."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead[each.key].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = aws_sns_topic.alarms[*].arn
  ok_actions          = aws_sns_topic.alarms[*].arn
}
