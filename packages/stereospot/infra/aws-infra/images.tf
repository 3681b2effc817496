# A registry per image, and CodeBuild building the stereo-inference image: a GPU image with
# the pinned model inside is too big to build and push comfortably from a laptop, and the
# model's download needs the Hugging Face token kept in Secrets Manager.

resource "aws_ecr_repository" "all" {
  for_each = local.images

  name = "${var.prefix}/${each.key}"
  # A tag names one image for good: a rollout is `terraform apply -var image_tag=<new>`.
  image_tag_mutability = "IMMUTABLE"
  # Images are rebuilt from the repository at will; protection keeps them like the tables.
  force_delete = !var.deletion_protection

  image_scanning_configuration {
    scan_on_push = true
  }

  # The AWS managed key (aws/ecr): no key to pay for or to grant.
  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "all" {
  for_each   = local.images
  repository = aws_ecr_repository.all[each.key].name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Untagged images (an interrupted push) after a day."
        selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 1 }
        action       = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the last ${var.image_keep_count} images."
        selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.image_keep_count }
        action       = { type = "expire" }
      },
    ]
  })
}

resource "aws_cloudwatch_log_group" "build" {
  name              = "/aws/codebuild/${var.prefix}-stereo-inference"
  retention_in_days = var.log_retention_days
}

# Started by `stereospot ops build --codebuild` after it uploads the build context to
# s3://<build bucket>/stereo-inference.zip (this project's source, which it reads from the
# project), with IMAGE_TAG, BASE_IMAGE and BUILD_ARGS given per build; buildspec.yml says
# what the context holds.
resource "aws_codebuild_project" "inference" {
  name          = "${var.prefix}-stereo-inference"
  description   = "Builds the stereo-inference image, model included, and pushes it to ECR."
  service_role  = aws_iam_role.build.arn
  build_timeout = 90

  source {
    type      = "S3"
    location  = "${aws_s3_bucket.build.bucket}/stereo-inference.zip"
    buildspec = file("${path.module}/buildspec.yml")
  }

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_LARGE"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
    # Docker builds need it: CodeBuild runs the Docker daemon inside the build container.
    privileged_mode             = true
    image_pull_credentials_type = "CODEBUILD"

    environment_variable {
      name  = "REPOSITORY_URL"
      value = aws_ecr_repository.all["stereo-inference"].repository_url
    }

    environment_variable {
      name  = "IMAGE_TAG"
      value = "unset" # given at each start-build: tags are immutable
    }

    environment_variable {
      name  = "BASE_IMAGE"
      value = var.inference_base_image
    }

    environment_variable {
      name  = "MODEL_CREDENTIALS"
      type  = "SECRETS_MANAGER"
      value = aws_secretsmanager_secret.all["model-credentials"].arn
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.build.name
    }

    s3_logs {
      status = "DISABLED"
    }
  }
}
