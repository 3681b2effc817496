# Inference, by var.inference:
# - sagemaker: the stereo-inference image as an asynchronous SageMaker endpoint. Requests
#   wait in SageMaker's own queue, so the endpoint scales to 0 instances when idle: target
#   tracking on the backlog per instance sizes it, and a step policy on
#   HasBacklogWithoutCapacity wakes it from 0 (target tracking alone cannot leave 0).
# - http: the image as an ECS service (cluster.tf), found by the workers at
#   stereo-inference.<prefix>.internal (STEREOSPOT_INFERENCE_URL) through Cloud Map.

locals {
  sagemaker = local.running && var.inference == "sagemaker"
  http      = local.running && var.inference == "http"
  # Model and configuration are immutable in SageMaker: any change of what they hold makes
  # new ones, created before the old go, so their names must differ by what they hold.
  sagemaker_revision = substr(sha1(jsonencode([
    var.image_tag, var.sagemaker_instance_type, local.input_bucket, local.output_bucket,
    var.region, var.prefix, var.vpc_cidr,
  ])), 0, 8)
}

resource "aws_sagemaker_model" "inference" {
  count              = local.sagemaker ? 1 : 0
  name               = "${local.sagemaker_endpoint}-${local.sagemaker_revision}"
  execution_role_arn = aws_iam_role.sagemaker[0].arn

  primary_container {
    image = "${aws_ecr_repository.all["stereo-inference"].repository_url}:${var.image_tag}"
    mode  = "SingleModel"
    # The objects it reads and writes; no bearer token: only SageMaker can reach it.
    environment = {
      STEREOSPOT_BACKEND                    = "aws"
      STEREOSPOT_AWS_REGION                 = var.region
      STEREOSPOT_AWS_PREFIX                 = var.prefix
      STEREOSPOT_INPUT_BUCKET               = local.input_bucket
      STEREOSPOT_OUTPUT_BUCKET              = local.output_bucket
      STEREOSPOT_INFERENCE_BEHIND_SAGEMAKER = "1"
    }
  }

  # In the private subnets: S3 through the gateway endpoint.
  vpc_config {
    subnets            = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.inference[0].id]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint_configuration" "inference" {
  count = local.sagemaker ? 1 : 0
  name  = "${local.sagemaker_endpoint}-${local.sagemaker_revision}"

  production_variants {
    variant_name  = "AllTraffic"
    model_name    = aws_sagemaker_model.inference[0].name
    instance_type = var.sagemaker_instance_type
    # SageMaker wants at least one to create the endpoint; the idle policy (scaling below)
    # takes it to 0 once nothing has waited for a while.
    initial_instance_count = 1
  }

  async_inference_config {
    output_config {
      # Under the output bucket's inference/, which its lifecycle rule empties daily.
      s3_output_path  = "s3://${aws_s3_bucket.output.bucket}/inference/results/"
      s3_failure_path = "s3://${aws_s3_bucket.output.bucket}/inference/failures/"
    }

    client_config {
      max_concurrent_invocations_per_instance = 1 # one segment uses the whole GPU
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "inference" {
  count                = local.sagemaker ? 1 : 0
  name                 = local.sagemaker_endpoint
  endpoint_config_name = aws_sagemaker_endpoint_configuration.inference[0].name
}

resource "aws_appautoscaling_target" "sagemaker" {
  count              = local.sagemaker ? 1 : 0
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.inference[0].name}/variant/AllTraffic"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 0
  max_capacity       = var.sagemaker_max_instances
}

resource "aws_appautoscaling_policy" "sagemaker_backlog" {
  count              = local.sagemaker ? 1 : 0
  name               = "${local.sagemaker_endpoint}-backlog"
  service_namespace  = "sagemaker"
  resource_id        = aws_appautoscaling_target.sagemaker[0].resource_id
  scalable_dimension = aws_appautoscaling_target.sagemaker[0].scalable_dimension
  policy_type        = "TargetTrackingScaling"

  target_tracking_scaling_policy_configuration {
    target_value       = var.sagemaker_backlog_per_instance
    scale_in_cooldown  = 600
    scale_out_cooldown = 300

    customized_metric_specification {
      namespace   = "AWS/SageMaker"
      metric_name = "ApproximateBacklogSizePerInstance"
      statistic   = "Average"

      dimensions {
        name  = "EndpointName"
        value = aws_sagemaker_endpoint.inference[0].name
      }
    }
  }
}

resource "aws_appautoscaling_policy" "sagemaker_wake" {
  count              = local.sagemaker ? 1 : 0
  name               = "${local.sagemaker_endpoint}-wake"
  service_namespace  = "sagemaker"
  resource_id        = aws_appautoscaling_target.sagemaker[0].resource_id
  scalable_dimension = aws_appautoscaling_target.sagemaker[0].scalable_dimension
  policy_type        = "StepScaling"

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 300
    metric_aggregation_type = "Average"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "sagemaker_wake" {
  count               = local.sagemaker ? 1 : 0
  alarm_name          = "${local.sagemaker_endpoint}-backlog-without-capacity"
  alarm_description   = "Requests wait and no instance runs: start one."
  namespace           = "AWS/SageMaker"
  metric_name         = "HasBacklogWithoutCapacity"
  dimensions          = { EndpointName = aws_sagemaker_endpoint.inference[0].name }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [aws_appautoscaling_policy.sagemaker_wake[0].arn]
}

resource "aws_service_discovery_private_dns_namespace" "main" {
  count       = local.http ? 1 : 0
  name        = "${var.prefix}.internal"
  description = "Where the workers find the inference service."
  vpc         = aws_vpc.main[0].id
}

resource "aws_service_discovery_service" "inference" {
  count = local.http ? 1 : 0
  name  = "stereo-inference"

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.main[0].id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}
