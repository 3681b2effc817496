# Application Auto Scaling owns every service's task count. The web UI and the http
# inference service keep a fixed count; the workers follow their queues' depth (messages
# waiting plus in flight, so a task is not taken from a message it is working on) and go
# to 0 when their queues have been empty for var.idle_minutes.
#
# Step scaling, not target tracking: target tracking multiplies the running count, so it
# can never leave 0. One alarm sets the count from the depth (ExactCapacity steps of
# var.messages_per_task messages), another sets 0 once everything is empty.
#
# The media worker also handles the dead-letter queues and runs the reconciler, so it
# wakes for dead letters and stays up while any queue, the video queue included, holds
# something. SQS's metrics come every minute, but a queue idle for six hours may take up
# to fifteen minutes to report again: the first job after a quiet night starts late.

locals {
  fixed_counts = { "web-ui" = var.web_ui_count, "stereo-inference" = var.inference_tasks }
  worker_scaling = {
    "media-worker" = {
      max     = var.media_worker_max
      backlog = ["chunking", "reassembly"]
      dead    = ["chunking-dlq", "video-worker-dlq", "reassembly-dlq"]
      idle    = ["chunking", "video-worker", "reassembly"]
    }
    "video-worker" = {
      max     = var.video_worker_max
      backlog = ["video-worker"]
      dead    = []
      idle    = ["video-worker"]
    }
  }
  workers = local.running ? local.worker_scaling : {}
}

resource "aws_appautoscaling_target" "service" {
  for_each = local.services

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.service[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = lookup(local.fixed_counts, each.key, 0)
  max_capacity       = lookup(local.fixed_counts, each.key, try(local.worker_scaling[each.key].max, 0))
}

resource "aws_appautoscaling_policy" "backlog" {
  for_each = local.workers

  name               = "${var.prefix}-${each.key}-backlog"
  service_namespace  = "ecs"
  resource_id        = aws_appautoscaling_target.service[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.service[each.key].scalable_dimension
  policy_type        = "StepScaling"

  step_scaling_policy_configuration {
    adjustment_type         = "ExactCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    # Step n covers depths ((n-1)*m, n*m]: n tasks (the alarm's threshold is 0; the
    # half-messages put the whole-number depths on the right side of each bound).
    dynamic "step_adjustment" {
      for_each = range(1, each.value.max + 1)
      content {
        metric_interval_lower_bound = step_adjustment.value == 1 ? 0 : (step_adjustment.value - 1) * var.messages_per_task + 0.5
        metric_interval_upper_bound = step_adjustment.value == each.value.max ? null : step_adjustment.value * var.messages_per_task + 0.5
        scaling_adjustment          = step_adjustment.value
      }
    }
  }
}

resource "aws_appautoscaling_policy" "idle" {
  for_each = local.workers

  name               = "${var.prefix}-${each.key}-idle"
  service_namespace  = "ecs"
  resource_id        = aws_appautoscaling_target.service[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.service[each.key].scalable_dimension
  policy_type        = "StepScaling"

  step_scaling_policy_configuration {
    adjustment_type         = "ExactCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_upper_bound = 0
      scaling_adjustment          = 0
    }
  }
}

locals {
  # One metric per queue and kind, for the alarms' sums: waiting and in-flight messages of
  # the working queues, waiting ones of the dead-letter queues.
  depth_metrics = {
    for name, spec in local.workers : name => {
      backlog = concat(
        [for queue in spec.backlog : { queue = queue, metric = "ApproximateNumberOfMessagesVisible" }],
        [for queue in spec.backlog : { queue = queue, metric = "ApproximateNumberOfMessagesNotVisible" }],
        [for queue in spec.dead : { queue = queue, metric = "ApproximateNumberOfMessagesVisible" }],
      )
      idle = concat(
        [for queue in spec.idle : { queue = queue, metric = "ApproximateNumberOfMessagesVisible" }],
        [for queue in spec.idle : { queue = queue, metric = "ApproximateNumberOfMessagesNotVisible" }],
        [for queue in spec.dead : { queue = queue, metric = "ApproximateNumberOfMessagesVisible" }],
      )
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "backlog" {
  for_each = local.workers

  alarm_name          = "${var.prefix}-${each.key}-backlog"
  alarm_description   = "Messages for ${each.key}: sets its task count from their number."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.backlog[each.key].arn]

  metric_query {
    id          = "depth"
    expression  = "SUM([${join(",", [for i, _ in local.depth_metrics[each.key].backlog : "m${i}"])}])"
    label       = "Messages for ${each.key}"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.depth_metrics[each.key].backlog
    content {
      id = "m${metric_query.key}"
      metric {
        namespace   = "AWS/SQS"
        metric_name = metric_query.value.metric
        dimensions  = { QueueName = local.queue_names[metric_query.value.queue] }
        period      = 60
        stat        = "Maximum"
      }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "idle" {
  for_each = local.workers

  alarm_name          = "${var.prefix}-${each.key}-idle"
  alarm_description   = "Nothing for ${each.key} for ${var.idle_minutes} minutes: its tasks go to 0."
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  evaluation_periods  = var.idle_minutes
  datapoints_to_alarm = var.idle_minutes
  # A queue with no messages for hours stops reporting: silence is idleness.
  treat_missing_data = "breaching"
  alarm_actions      = [aws_appautoscaling_policy.idle[each.key].arn]

  metric_query {
    id          = "depth"
    expression  = "SUM([${join(",", [for i, _ in local.depth_metrics[each.key].idle : "m${i}"])}])"
    label       = "Messages for ${each.key}, all its queues"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.depth_metrics[each.key].idle
    content {
      id = "m${metric_query.key}"
      metric {
        namespace   = "AWS/SQS"
        metric_name = metric_query.value.metric
        dimensions  = { QueueName = local.queue_names[metric_query.value.queue] }
        period      = 60
        stat        = "Maximum"
      }
    }
  }
}
