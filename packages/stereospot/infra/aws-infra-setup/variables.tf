variable "region" {
  description = "Region of the state bucket and lock table; aws-infra's region is the natural choice."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be a region name such as eu-west-1."
  }
}

variable "prefix" {
  description = "Prefix of the bucket and table names: aws-infra's prefix (STEREOSPOT_AWS_PREFIX)."
  type        = string
  default     = "stereospot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3 to 20 characters: lower-case letters, digits and '-', starting with a letter."
  }
}
