# The ECS cluster, the services' logs, and, once images are pushed (var.image_tag), a task
# definition and a service for web-ui, media-worker, video-worker and (inference = http)
# stereo-inference. The images' default commands run (packages/stereospot/deploy); only
# the GPU video worker, which runs the inference image, names its command.

resource "aws_ecs_cluster" "main" {
  name = var.prefix

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "service" {
  for_each          = local.images
  name              = "/ecs/${var.prefix}/${each.key}"
  retention_in_days = var.log_retention_days
}

locals {
  gpu_video = var.video_worker_launch == "ec2-gpu"
  # The variables the secrets fill in (settings.py).
  secret_env = {
    "signing-key" = "STEREOSPOT_SIGNING_KEY"
    "users"       = "STEREOSPOT_USERS"
  }
  alive_check = tolist(["CMD", "python3", "-c", "import os, sys, time; sys.exit(time.time() - os.stat('/tmp/stereospot-alive').st_mtime > 60)"])

  service_specs = {
    "web-ui" = {
      image   = "web-ui"
      command = null
      port    = 8000
      health  = tolist(["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=5)"])
      secrets = tolist(["signing-key", "users"])
      # The load balancer's nodes sit in the public subnets: their X-Forwarded-For names the
      # client the login limit counts.
      env = tomap({ STEREOSPOT_TRUSTED_PROXIES = join(",", aws_subnet.public[*].cidr_block) })
      gpu = false
    }
    "media-worker" = {
      image   = "media-worker"
      command = null
      port    = null
      health  = local.alive_check
      secrets = tolist(["signing-key"])
      env     = tomap({})
      gpu     = false
    }
    # On a GPU instance the video worker is the inference image converting in-process.
    "video-worker" = {
      image   = local.gpu_video ? "stereo-inference" : "video-worker"
      command = local.gpu_video ? tolist(["stereospot", "worker", "--role", "video", "--alive-file", "/tmp/stereospot-alive"]) : null
      port    = null
      health  = local.alive_check
      secrets = tolist(["signing-key"])
      env     = local.gpu_video ? tomap({ STEREOSPOT_INFERENCE = "inprocess" }) : tomap({})
      gpu     = local.gpu_video
    }
    "stereo-inference" = {
      image   = "stereo-inference"
      command = null
      port    = 8080
      health  = tolist(["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/ping', timeout=5)"])
      secrets = tolist(["signing-key"])
      env     = tomap({})
      gpu     = false
    }
  }
  # stereo-inference runs on ECS with inference = http only (SageMaker runs it otherwise).
  services = {
    for name, spec in local.service_specs : name => spec
    if local.running && (name != "stereo-inference" || var.inference == "http")
  }
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  count              = local.running ? 1 : 0
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = concat(["FARGATE"], aws_ecs_capacity_provider.gpu[*].name)

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_ecs_task_definition" "service" {
  for_each = local.services

  family                   = "${var.prefix}-${each.key}"
  requires_compatibilities = [each.value.gpu ? "EC2" : "FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_sizes[each.key].cpu
  memory                   = var.task_sizes[each.key].memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  dynamic "ephemeral_storage" {
    for_each = each.value.gpu ? [] : [var.task_sizes[each.key].disk]
    content {
      size_in_gib = ephemeral_storage.value
    }
  }

  # The root filesystem is read-only; temporary files (segments, the alive file) go here.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge(
    {
      name                   = each.key
      image                  = "${aws_ecr_repository.all[each.value.image].repository_url}:${var.image_tag}"
      essential              = true
      readonlyRootFilesystem = true
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
      portMappings           = each.value.port == null ? [] : [{ containerPort = each.value.port, protocol = "tcp" }]
      environment = [
        for name, value in merge(local.service_env, each.value.env) : { name = name, value = value }
      ]
      secrets = [
        for secret in each.value.secrets : {
          name      = local.secret_env[secret]
          valueFrom = aws_secretsmanager_secret.all[secret].arn
        }
      ]
      healthCheck = {
        command     = each.value.health
        interval    = 30
        timeout     = 10
        retries     = 3
        startPeriod = 120
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.service[each.key].name
          awslogs-region        = var.region
          awslogs-stream-prefix = each.key
        }
      }
      stopTimeout = 120 # a worker finishes or hands back its message
    },
    each.value.command == null ? {} : { command = each.value.command },
    each.value.gpu ? { resourceRequirements = [{ type = "GPU", value = "1" }] } : {},
  )])
}

resource "aws_ecs_service" "service" {
  for_each = local.services

  name            = each.key
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.service[each.key].arn
  # The workers start idle; scaling.tf sets every count from then on.
  desired_count          = lookup(local.fixed_counts, each.key, 0)
  launch_type            = each.value.gpu ? null : "FARGATE"
  propagate_tags         = "SERVICE"
  enable_execute_command = false

  dynamic "capacity_provider_strategy" {
    for_each = each.value.gpu ? [1] : []
    content {
      capacity_provider = aws_ecs_capacity_provider.gpu[0].name
      weight            = 1
    }
  }

  network_configuration {
    subnets          = aws_subnet.private[*].id
    assign_public_ip = false
    security_groups = [
      each.key == "web-ui" ? aws_security_group.web[0].id :
      each.key == "stereo-inference" ? aws_security_group.inference[0].id :
      aws_security_group.workers[0].id
    ]
  }

  dynamic "load_balancer" {
    for_each = each.key == "web-ui" ? [1] : []
    content {
      target_group_arn = aws_lb_target_group.web[0].arn
      container_name   = "web-ui"
      container_port   = 8000
    }
  }

  dynamic "service_registries" {
    for_each = each.key == "stereo-inference" ? [1] : []
    content {
      registry_arn = aws_service_discovery_service.inference[0].arn
    }
  }

  health_check_grace_period_seconds = each.key == "web-ui" ? 120 : null

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https, aws_ecs_cluster_capacity_providers.main]
}
