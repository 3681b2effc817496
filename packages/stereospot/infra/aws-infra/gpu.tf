# video_worker_launch = "ec2-gpu": Fargate has no GPU, so the video worker runs on EC2 GPU
# instances of an ECS capacity provider: the ECS-optimised GPU AMI, an Auto Scaling group
# from 0 that ECS managed scaling grows when the video worker's service wants a task and
# shrinks when it has none (scaling.tf still sets the service's count from its queue).

locals {
  gpu = local.running && local.gpu_video
}

data "aws_ssm_parameter" "gpu_ami" {
  count = local.gpu ? 1 : 0
  name  = "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id"
}

resource "aws_iam_role" "gpu" {
  count              = local.gpu ? 1 : 0
  name               = "${var.prefix}-gpu-instance"
  assume_role_policy = data.aws_iam_policy_document.assume["ec2"].json
}

# The ECS agent's own calls (register, poll, report), as AWS defines them.
resource "aws_iam_role_policy_attachment" "gpu" {
  count      = local.gpu ? 1 : 0
  role       = aws_iam_role.gpu[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_instance_profile" "gpu" {
  count = local.gpu ? 1 : 0
  name  = "${var.prefix}-gpu-instance"
  role  = aws_iam_role.gpu[0].name
}

resource "aws_launch_template" "gpu" {
  count                  = local.gpu ? 1 : 0
  name_prefix            = "${var.prefix}-gpu-"
  image_id               = data.aws_ssm_parameter.gpu_ami[0].value
  instance_type          = var.gpu_instance_type
  vpc_security_group_ids = [aws_security_group.workers[0].id]
  user_data              = base64encode("#!/bin/bash\necho ECS_CLUSTER=${aws_ecs_cluster.main.name} >> /etc/ecs/ecs.config\n")

  iam_instance_profile {
    arn = aws_iam_instance_profile.gpu[0].arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1 # tasks use their own role, never the instance's
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = 100
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }
}

resource "aws_autoscaling_group" "gpu" {
  count                 = local.gpu ? 1 : 0
  name                  = "${var.prefix}-gpu"
  min_size              = 0
  max_size              = var.video_worker_max
  vpc_zone_identifier   = aws_subnet.private[*].id
  protect_from_scale_in = true # ECS decides which instance goes (managed termination protection)

  launch_template {
    id      = aws_launch_template.gpu[0].id
    version = aws_launch_template.gpu[0].latest_version
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_ecs_capacity_provider" "gpu" {
  count = local.gpu ? 1 : 0
  name  = "${var.prefix}-gpu"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.gpu[0].arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 2
    }
  }
}
