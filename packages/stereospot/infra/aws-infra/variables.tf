# --- Where, and what names ---------------------------------------------------------------

variable "region" {
  description = "AWS region of everything here (STEREOSPOT_AWS_REGION)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be a region name such as eu-west-1."
  }
}

variable "prefix" {
  description = "STEREOSPOT_AWS_PREFIX: tables <prefix>-Jobs, queues <prefix>-chunking, secrets <prefix>/signing-key, ..."
  type        = string
  default     = "stereospot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3 to 20 characters: lower-case letters, digits and '-', starting with a letter."
  }
}

variable "input_bucket" {
  description = "STEREOSPOT_INPUT_BUCKET; empty: <prefix>-input-<account>-<region>."
  type        = string
  default     = ""
}

variable "output_bucket" {
  description = "STEREOSPOT_OUTPUT_BUCKET; empty: <prefix>-output-<account>-<region>."
  type        = string
  default     = ""
}

variable "domain_name" {
  description = "Host name of the web UI (stereospot.example.com): the browser's origin for the buckets' CORS rules, and web_url."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.domain_name))
    error_message = "domain_name must be a lower-case host name such as stereospot.example.com, without https:// or a path."
  }
}

# --- Rolling out images ------------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the images in ECR (`stereospot ops push` prints it). Empty until the first push: then only buckets, queues, tables, secrets, registries, roles and the build exist, and nothing that runs an image (network, load balancer, services, endpoint) is made or billed."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$", var.image_tag))
    error_message = "image_tag must be an image tag (letters, digits, _ . -; at most 128), or empty."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name, in this region: the load balancer's HTTPS listener. Needed once image_tag is set."
  type        = string
  default     = ""

  validation {
    condition     = var.image_tag == "" || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:...) once image_tag is set."
  }
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of domain_name; when set, an alias record points domain_name at the load balancer. Empty: point it yourself (a CNAME to the load balancer's DNS name)."
  type        = string
  default     = ""
}

# --- Inference -----------------------------------------------------------------------------

variable "inference" {
  description = "sagemaker: an asynchronous SageMaker endpoint scaling to zero; http: the inference container as an ECS service (STEREOSPOT_INFERENCE)."
  type        = string
  default     = "sagemaker"

  validation {
    condition     = contains(["sagemaker", "http"], var.inference)
    error_message = "inference must be sagemaker or http."
  }
}

variable "video_worker_launch" {
  description = "fargate: the video worker runs on Fargate (no GPU) and calls the inference; ec2-gpu: it runs the inference image on EC2 GPU instances, converting in-process."
  type        = string
  default     = "fargate"

  validation {
    condition     = contains(["fargate", "ec2-gpu"], var.video_worker_launch)
    error_message = "video_worker_launch must be fargate or ec2-gpu."
  }
}

variable "sagemaker_instance_type" {
  description = "Instance type of the SageMaker endpoint (a GPU type; the account needs its quota for asynchronous inference)."
  type        = string
  default     = "ml.g5.xlarge"
}

variable "sagemaker_max_instances" {
  description = "Most instances the SageMaker endpoint scales to; it scales to 0 when idle."
  type        = number
  default     = 1

  validation {
    condition     = var.sagemaker_max_instances >= 1
    error_message = "sagemaker_max_instances must be at least 1."
  }
}

variable "sagemaker_backlog_per_instance" {
  description = "Queued requests per endpoint instance that target tracking aims for."
  type        = number
  default     = 4
}

variable "gpu_instance_type" {
  description = "EC2 instance type of the GPU capacity provider (video_worker_launch = ec2-gpu)."
  type        = string
  default     = "g5.xlarge"
}

variable "inference_base_image" {
  description = "BASE build argument of the inference image in CodeBuild when a build names none: an image of the Python the wheels are made for (a CUDA one for RUNTIME=onnx-gpu; see deploy/Dockerfile)."
  type        = string
  default     = "public.ecr.aws/docker/library/python:3.11-slim-bookworm"
}

# --- Queues and scaling -------------------------------------------------------------------

variable "visibility_timeout" {
  description = "STEREOSPOT_VISIBILITY_TIMEOUT of every queue, in seconds; workers extend it while they work."
  type        = number
  default     = 120
}

variable "max_receives" {
  description = "STEREOSPOT_MAX_RECEIVES: deliveries of one message before its dead-letter queue."
  type        = number
  default     = 3
}

variable "web_ui_count" {
  description = "Web UI tasks (always on: the load balancer needs one to answer); later changes go through Application Auto Scaling's fixed minimum and maximum."
  type        = number
  default     = 1
}

variable "media_worker_max" {
  description = "Most media-worker tasks (chunking, reassembly, dead letters, reconciler); 0 when every queue is empty."
  type        = number
  default     = 2
}

variable "video_worker_max" {
  description = "Most video-worker tasks (or GPU instances with ec2-gpu); 0 when its queue is empty."
  type        = number
  default     = 4
}

variable "messages_per_task" {
  description = "Queue depth (waiting + in flight) one worker task is given; more starts another, up to the maximum."
  type        = number
  default     = 2

  validation {
    condition     = var.messages_per_task >= 1
    error_message = "messages_per_task must be at least 1."
  }
}

variable "idle_minutes" {
  description = "Minutes a worker's queues must stay empty before its tasks go to 0."
  type        = number
  default     = 15
}

variable "task_sizes" {
  description = "CPU units, memory (MiB) and Fargate ephemeral disk (GiB, 21-200) of each task. The media worker holds a whole source while it cuts it: its disk bounds the largest upload."
  type        = map(object({ cpu = number, memory = number, disk = number }))
  default = {
    "web-ui"           = { cpu = 512, memory = 1024, disk = 21 }
    "media-worker"     = { cpu = 1024, memory = 4096, disk = 100 }
    "video-worker"     = { cpu = 1024, memory = 4096, disk = 30 }
    "stereo-inference" = { cpu = 4096, memory = 16384, disk = 30 }
  }
}

variable "inference_tasks" {
  description = "Tasks of the inference service when inference = http (on Fargate, CPU only)."
  type        = number
  default     = 1
}

# --- Network, logs, alarms, retention ---------------------------------------------------------

variable "vpc_cidr" {
  description = "The VPC's range; STEREOSPOT_TRUSTED_PROXIES of the web UI is its public subnets (the load balancer's)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "egress" {
  description = "How private tasks reach SQS, ECR, CloudWatch Logs, Secrets Manager and SageMaker: nat (one NAT gateway) or endpoints (interface endpoints, no internet). S3 and DynamoDB go through free gateway endpoints either way. See network.tf for the costs."
  type        = string
  default     = "nat"

  validation {
    condition     = contains(["nat", "endpoints"], var.egress)
    error_message = "egress must be nat or endpoints."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the services' logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "alarm_email" {
  description = "Address the dead-letter alarms are mailed to (an SNS subscription to confirm); empty: alarms without a topic."
  type        = string
  default     = ""
}

variable "image_keep_count" {
  description = "Images each ECR repository keeps; older ones are deleted."
  type        = number
  default     = 10
}

variable "deletion_protection" {
  description = "Refuse to delete the tables and the load balancer (turn off before `terraform destroy`)."
  type        = bool
  default     = true
}

variable "secret_recovery_days" {
  description = "Days a deleted secret can be restored (0 deletes at once)."
  type        = number
  default     = 7
}
