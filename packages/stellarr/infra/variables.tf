# Every input, with the checks Terraform runs before it plans anything. terraform.tfvars
# (git ignores it; terraform.tfvars.example shows one) sets them; docs/deploy-aws.md says
# which matter for a first deployment.

variable "aws_region" {
  description = "Region of the API, the table, the secret and the buckets (CloudFront, its certificate and its web ACL are global, from us-east-1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name like eu-west-1 or us-east-1."
  }
}

variable "project_name" {
  description = "Prefix of every resource name (functions, table, secret, buckets, log groups)."
  type        = string
  default     = "stellarr"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project_name))
    error_message = "project_name must be 3 to 20 characters: lower-case letters, digits and '-', starting with a letter (it becomes part of bucket names)."
  }
}

variable "domain_name" {
  description = "The host name people use, like requests.example.com: CloudFront's alias, the certificate's name, PUBLIC_URL of the app."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lower-case host name like requests.example.com (no scheme, no path, no trailing dot)."
  }
}

variable "hosted_zone_name" {
  description = "The public Route53 hosted zone that holds domain_name, like example.com. Its records (the certificate's validation, A and AAAA) are made there."
  type        = string
  default     = null

  validation {
    condition     = var.hosted_zone_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}\\.?$", coalesce(var.hosted_zone_name, "-")))
    error_message = "hosted_zone_name must be a domain like example.com."
  }

  validation {
    condition     = !var.enable_edge || var.hosted_zone_name != null
    error_message = "hosted_zone_name is needed with enable_edge: the certificate's validation record and the A and AAAA records go there."
  }
}

variable "enable_edge" {
  description = "Make the edge: CloudFront, its certificate, the DNS records and (with enable_waf) the web ACL. false makes the data plane only (the functions, the table, the secret, the buckets, the schedule): for tests against an emulator, or to put a CDN of your own in front, which must then send the X-Origin-Verify header."
  type        = bool
  default     = true
}

variable "enable_waf" {
  description = "Put a WAF web ACL in front of CloudFront: rate limits on /api/auth* and overall, AWS managed rules, blocked requests logged. About 10 USD a month before requests, so off by default."
  type        = bool
  default     = false
}

variable "waf_rate_limit" {
  description = "With enable_waf: requests one client address may make in 5 minutes, all paths together, before WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000
    error_message = "waf_rate_limit must be from 100 to 2000000000 requests per 5 minutes."
  }
}

variable "waf_auth_rate_limit" {
  description = "With enable_waf: requests to /api/auth* one client address may make in 5 minutes. The app also limits failed logins itself (RATE_LIMIT_MAX_ATTEMPTS)."
  type        = number
  default     = 100

  validation {
    condition     = var.waf_auth_rate_limit >= 10 && var.waf_auth_rate_limit <= 2000000000
    error_message = "waf_auth_rate_limit must be from 10 (WAF's minimum) to 2000000000 requests per 5 minutes."
  }
}

variable "cloudfront_price_class" {
  description = "Which CloudFront edge locations serve the site: PriceClass_100 (North America and Europe, cheapest), PriceClass_200 or PriceClass_All."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "enable_snap_start" {
  description = "SnapStart on the API function's published versions: a restored snapshot instead of a cold start. Only emulators without SnapStart need false."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the table (DynamoDB's deletion protection). Turn it off, apply, then destroy, to remove everything on purpose."
  type        = bool
  default     = true
}

variable "trending_locales" {
  description = "Languages of the trending lists the warmer writes (TRENDING_LOCALES): two-letter codes; keep en among them."
  type        = list(string)
  default     = ["en", "es", "fr", "de"]

  validation {
    condition     = length(var.trending_locales) > 0 && alltrue([for l in var.trending_locales : can(regex("^[a-z]{2}$", l))])
    error_message = "trending_locales must hold two-letter language codes like en and de."
  }
}

variable "vapid_subject" {
  description = "VAPID_SUBJECT: the contact push services see (mailto:you@example.com or an https URL). null: the app uses https://<domain_name>."
  type        = string
  default     = null

  validation {
    condition     = var.vapid_subject == null || can(regex("^(mailto:[^@\\s]+@[^@\\s]+\\.[^@\\s]+|https://[^\\s/]+.*)$", coalesce(var.vapid_subject, "-")))
    error_message = "vapid_subject must be a mailto: address or an https:// URL."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

# --- The secret's first values ------------------------------------------------------------
# Written once, into the secret only, on the first apply (secrets.tf): ephemeral, so no plan
# file holds them; with enable_edge the state does (secrets.tf reads the secret back for
# CloudFront's origin header). Later changes go into the secret itself (the Secrets
# Manager console: Retrieve secret value, Edit), never through Terraform.

variable "tmdb_read_token" {
  description = "TMDB v4 read access token (TMDB_READ_TOKEN), read on the first apply only."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "tmdb_api_key" {
  description = "TMDB v3 API key (TMDB_API_KEY), used when no read token is set; read on the first apply only."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "preshared_password" {
  description = "The password people log in with (PRESHARED_PASSWORD), read on the first apply only. null: a random one is generated into the secret."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = var.preshared_password == null || length(coalesce(var.preshared_password, "-")) >= 8
    error_message = "preshared_password must be at least 8 characters."
  }
}

variable "notify_urls" {
  description = "NOTIFY_URLS: Apprise URLs told about new and fulfilled requests (docs/notifications.md), read on the first apply only. Where NOTIFY_URLS is set, `stellarr deploy` attaches the Apprise layer to the API function; without it the function carries no Apprise at all."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "admin_password" {
  description = "The admin password (ADMIN_PASSWORD), read on the first apply only; must differ from preshared_password. null: no admin role."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = var.admin_password == null || length(coalesce(var.admin_password, "-")) >= 12
    error_message = "admin_password must be at least 12 characters."
  }

  validation {
    condition     = var.admin_password == null || coalesce(var.admin_password, "-") != coalesce(var.preshared_password, "-")
    error_message = "admin_password must differ from preshared_password (the app refuses to start otherwise)."
  }
}
