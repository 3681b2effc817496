# StereoSpot on AWS: the buckets, queues and tables the pipeline uses (names and values
# from stereospot/settings.py and stereospot/aws/inventory.py, which a test holds this
# configuration to), the images' registries and the inference image's build, and, once
# images are pushed (var.image_tag), the network, the web UI behind an HTTPS load balancer,
# the workers scaling to zero with their queues, and inference on a SageMaker asynchronous
# endpoint scaling to zero, or as an HTTP service.
#
# Files: storage.tf (buckets), queues.tf, tables.tf, secrets.tf, images.tf (ECR, CodeBuild),
# roles.tf (IAM), network.tf, cluster.tf (ECS cluster, logs, task definitions, services),
# web.tf (load balancer), scaling.tf (workers), inference.tf, gpu.tf (EC2 GPU capacity),
# variables.tf, outputs.tf. State: the bucket and table of ../aws-infra-setup.

terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Filled in by `terraform init -backend-config=backend.hcl` (backend.hcl.example).
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = var.prefix
      ManagedBy = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  prefix    = var.prefix

  # Bucket names are global: the account and the region make the defaults ours.
  input_bucket  = coalesce(var.input_bucket, "${var.prefix}-input-${local.account}-${var.region}")
  output_bucket = coalesce(var.output_bucket, "${var.prefix}-output-${local.account}-${var.region}")
  build_bucket  = "${var.prefix}-build-${local.account}-${var.region}"
  web_url       = "https://${var.domain_name}"

  # Everything that runs an image waits for the first push (variables.tf, image_tag).
  running = var.image_tag != ""

  images = toset(["web-ui", "media-worker", "video-worker", "stereo-inference"])

  sagemaker_endpoint = "${var.prefix}-stereo-inference"
  # The http inference service's name in the private DNS namespace (cluster.tf).
  inference_url = "http://stereo-inference.${var.prefix}.internal:8080"

  # The non-secret settings every service shares (settings.py reads them); the secrets
  # come from Secrets Manager through the task definitions' `secrets`.
  service_env = merge(
    {
      STEREOSPOT_BACKEND            = "aws"
      STEREOSPOT_AWS_REGION         = var.region
      STEREOSPOT_AWS_PREFIX         = var.prefix
      STEREOSPOT_INPUT_BUCKET       = local.input_bucket
      STEREOSPOT_OUTPUT_BUCKET      = local.output_bucket
      STEREOSPOT_INFERENCE          = var.inference
      STEREOSPOT_VISIBILITY_TIMEOUT = tostring(var.visibility_timeout)
      STEREOSPOT_MAX_RECEIVES       = tostring(var.max_receives)
    },
    var.inference == "sagemaker" ? { STEREOSPOT_SAGEMAKER_ENDPOINT = local.sagemaker_endpoint } : {},
    var.inference == "http" ? { STEREOSPOT_INFERENCE_URL = local.inference_url } : {},
  )
}
