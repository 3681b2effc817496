# Read by `stereospot ops terraform-output`, which writes the env file the services' settings,
# the operator commands and the smoke test use.

output "region" {
  description = "STEREOSPOT_AWS_REGION."
  value       = var.region
}

output "prefix" {
  description = "STEREOSPOT_AWS_PREFIX."
  value       = var.prefix
}

output "input_bucket" {
  description = "STEREOSPOT_INPUT_BUCKET."
  value       = aws_s3_bucket.input.bucket
}

output "output_bucket" {
  description = "STEREOSPOT_OUTPUT_BUCKET."
  value       = aws_s3_bucket.output.bucket
}

output "cluster_name" {
  description = "The ECS cluster of the services."
  value       = aws_ecs_cluster.main.name
}

output "ecr_repositories" {
  description = "Repository URL of each image."
  value       = { for name, repository in aws_ecr_repository.all : name => repository.repository_url }
}

output "service_env" {
  description = "The non-secret STEREOSPOT_* settings every service shares."
  value       = local.service_env
}

output "secret_arns" {
  description = "Secrets Manager ARN of each secret (values set by `stereospot ops set-secret`)."
  value       = { for name, secret in aws_secretsmanager_secret.all : name => secret.arn }
}

output "web_url" {
  description = "Where the web UI answers once domain_name points at the load balancer."
  value       = local.web_url
}

output "codebuild_project" {
  description = "The CodeBuild project that builds the stereo-inference image."
  value       = aws_codebuild_project.inference.name
}

output "sagemaker_endpoint" {
  description = "The asynchronous endpoint's name; null when inference is http."
  value       = var.inference == "sagemaker" ? local.sagemaker_endpoint : null
}

output "load_balancer_dns" {
  description = "DNS name of the web UI's load balancer, for domain_name's CNAME; null until image_tag is set."
  value       = local.running ? aws_lb.web[0].dns_name : null
}
