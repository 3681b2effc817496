# Buckets (the web app, the trending lists, the deployment packages), the certificate, DNS
# and the CloudFront distribution that puts the web app, the lists and the API on one origin.
#
#   behaviour            origin        cache
#   default              s3-frontend   1 h; /index.html for the app's routes (spa-rewrite.js)
#   /trending-*.json     s3-trending   1 h (also /popular-*.json, /upcoming-*.json)
#   /api/* /webhook/* /sync/*  lambda-api  none; every method
#   /list/* /rss/*       lambda-api    5 min; the query string (?token=) in the key
#
# No custom_error_response: it would apply to every behaviour and turn the API's JSON 403
# and 404 answers into the web app's index.html.

# --- Buckets: private, public access blocked, encrypted, versioned -------------------------
# Everything in them is made again by `stellarr deploy` and the warmer, so `terraform destroy`
# may empty them (force_destroy); the state bucket (backend-setup/) is the one kept.

resource "aws_s3_bucket" "frontend" {
  bucket        = "${local.name}-frontend-${local.bucket_suffix}"
  force_destroy = true
}

resource "aws_s3_bucket" "trending" {
  bucket        = "${local.name}-trending-${local.bucket_suffix}"
  force_destroy = true
}

resource "aws_s3_bucket" "deploy" {
  bucket        = "${local.name}-deploy-${local.bucket_suffix}"
  force_destroy = true
}

locals {
  # The home page's lists the warmer writes (stellarr/domain/trending.py: NAME_PATTERNS);
  # the bucket keeps nothing else, and CloudFront and the warmer reach only these.
  home_list_patterns = ["trending-*.json", "popular-*.json", "upcoming-*.json"]
  buckets = {
    frontend = aws_s3_bucket.frontend
    trending = aws_s3_bucket.trending
    deploy   = aws_s3_bucket.deploy
  }
  # Old versions kept this many days: an open tab may still load the last build's files;
  # a deployment package may be rolled back to.
  noncurrent_days = {
    frontend = 30
    trending = 7
    deploy   = 30
  }
}

resource "aws_s3_bucket_public_access_block" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "all" {
  for_each = local.buckets
  bucket   = each.value.id

  rule {
    id     = "old-versions-and-uploads"
    status = "Enabled"

    # The whole bucket.
    filter {
      prefix = ""
    }

    noncurrent_version_expiration {
      noncurrent_days = local.noncurrent_days[each.key]
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.all]
}

# Every bucket: requests over plain HTTP are refused. The web app's and the lists' buckets:
# CloudFront, and only this distribution, reads them (origin access control).
data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = var.enable_edge && each.key != "deploy" ? [1] : []
    content {
      sid     = "CloudFrontReads"
      actions = ["s3:GetObject"]
      # The lists only, from the trending bucket.
      resources = (each.key == "trending"
        ? formatlist("${each.value.arn}/%s", local.home_list_patterns)
      : ["${each.value.arn}/*"])

      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [aws_cloudfront_distribution.site[0].arn]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "all" {
  for_each = local.buckets
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.all]
}

# --- Certificate and DNS ---------------------------------------------------------------------

data "aws_route53_zone" "site" {
  count        = var.enable_edge ? 1 : 0
  name         = var.hosted_zone_name
  private_zone = false
}

resource "aws_acm_certificate" "site" {
  count             = var.enable_edge ? 1 : 0
  provider          = aws.us_east_1
  domain_name       = var.domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "certificate_validation" {
  count           = var.enable_edge ? 1 : 0
  zone_id         = data.aws_route53_zone.site[0].zone_id
  name            = tolist(aws_acm_certificate.site[0].domain_validation_options)[0].resource_record_name
  type            = tolist(aws_acm_certificate.site[0].domain_validation_options)[0].resource_record_type
  records         = [tolist(aws_acm_certificate.site[0].domain_validation_options)[0].resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "site" {
  count                   = var.enable_edge ? 1 : 0
  provider                = aws.us_east_1
  certificate_arn         = aws_acm_certificate.site[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation[0].fqdn]
}

resource "aws_route53_record" "site_a" {
  count   = var.enable_edge ? 1 : 0
  zone_id = data.aws_route53_zone.site[0].zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_cloudfront_distribution.site[0].domain_name
    zone_id                = aws_cloudfront_distribution.site[0].hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "site_aaaa" {
  count   = var.enable_edge ? 1 : 0
  zone_id = data.aws_route53_zone.site[0].zone_id
  name    = var.domain_name
  type    = "AAAA"

  alias {
    name                   = aws_cloudfront_distribution.site[0].domain_name
    zone_id                = aws_cloudfront_distribution.site[0].hosted_zone_id
    evaluate_target_health = false
  }
}

# --- CloudFront ------------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "frontend" {
  count                             = var.enable_edge ? 1 : 0
  name                              = "${local.name}-frontend"
  description                       = "CloudFront reads the web app's bucket."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_access_control" "trending" {
  count                             = var.enable_edge ? 1 : 0
  name                              = "${local.name}-trending"
  description                       = "CloudFront reads the trending lists' bucket."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_function" "spa_rewrite" {
  count   = var.enable_edge ? 1 : 0
  name    = "${local.name}-spa-rewrite"
  comment = "The web app's routes get /index.html (default behaviour only)."
  runtime = "cloudfront-js-2.0"
  publish = true
  code    = file("${path.module}/spa-rewrite.js")
}

# The web app: hashed files are uploaded with a year's max-age and index.html with no-cache
# (`stellarr deploy`), which CloudFront honours between these bounds.
resource "aws_cloudfront_cache_policy" "frontend" {
  count       = var.enable_edge ? 1 : 0
  name        = "${local.name}-frontend"
  min_ttl     = 0
  default_ttl = 3600
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_cache_policy" "trending" {
  count       = var.enable_edge ? 1 : 0
  name        = "${local.name}-trending"
  min_ttl     = 0
  default_ttl = 3600
  max_ttl     = 3600

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# Radarr and Sonarr poll the feeds; five minutes of edge cache keyed by the whole query
# string (each ?token= its own entry), and the app's own gzip: Accept-Encoding is
# normalised into the key and forwarded.
resource "aws_cloudfront_cache_policy" "feeds" {
  count       = var.enable_edge ? 1 : 0
  name        = "${local.name}-feeds"
  min_ttl     = 0
  default_ttl = 300
  max_ttl     = 300

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true

    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

# AWS's managed policies, by their documented IDs (the same in every account):
# Managed-CachingDisabled, and Managed-AllViewerExceptHostHeader, which sends the origin
# everything the viewer sent except Host (a Function URL answers its own host name only).
locals {
  caching_disabled_policy_id       = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  all_viewer_except_host_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
}

# The headers `stellarr serve` sends itself (stellarr/api/http_surface.py), for what S3
# serves. Where the app already sent one (its stricter policy on API answers), the app's
# stays; HSTS is CloudFront's everywhere.
resource "aws_cloudfront_response_headers_policy" "security" {
  count = var.enable_edge ? 1 : 0
  name  = "${local.name}-security-headers"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = false
      override                   = true
    }

    content_security_policy {
      content_security_policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https://image.tmdb.org; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
      override                = false
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = false
    }

    referrer_policy {
      referrer_policy = "no-referrer"
      override        = false
    }
  }
}

locals {
  # https://<id>.lambda-url.<region>.on.aws/ -> the host name.
  function_url_host = split("/", aws_lambda_function_url.api.function_url)[2]

  all_methods = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
}

resource "aws_cloudfront_distribution" "site" {
  count               = var.enable_edge ? 1 : 0
  comment             = "Stellarr: ${var.domain_name}"
  enabled             = true
  is_ipv6_enabled     = true
  http_version        = "http2and3"
  price_class         = var.cloudfront_price_class
  aliases             = [var.domain_name]
  default_root_object = "index.html"
  web_acl_id          = var.enable_waf ? aws_wafv2_web_acl.site[0].arn : null

  origin {
    origin_id                = "s3-frontend"
    domain_name              = aws_s3_bucket.frontend.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.frontend[0].id
  }

  origin {
    origin_id                = "s3-trending"
    domain_name              = aws_s3_bucket.trending.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.trending[0].id
  }

  origin {
    origin_id   = "lambda-api"
    domain_name = local.function_url_host

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
      origin_read_timeout    = 30
    }

    # The app answers 403 without it (ORIGIN_VERIFY_SECRET); CloudFront replaces any
    # header of this name a viewer sends.
    custom_header {
      name  = local.origin_verify_header
      value = local.origin_verify_secret
    }
  }

  default_cache_behavior {
    target_origin_id           = "s3-frontend"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.frontend[0].id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.spa_rewrite[0].arn
    }
  }

  # The home page's lists, one behaviour per name in local.home_list_patterns.
  ordered_cache_behavior {
    path_pattern               = "/trending-*.json"
    target_origin_id           = "s3-trending"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.trending[0].id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  ordered_cache_behavior {
    path_pattern               = "/popular-*.json"
    target_origin_id           = "s3-trending"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.trending[0].id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  ordered_cache_behavior {
    path_pattern               = "/upcoming-*.json"
    target_origin_id           = "s3-trending"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.trending[0].id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  # The API: never cached, every method.
  ordered_cache_behavior {
    path_pattern               = "/api/*"
    target_origin_id           = "lambda-api"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = local.all_methods
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_disabled_policy_id
    origin_request_policy_id   = local.all_viewer_except_host_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  ordered_cache_behavior {
    path_pattern               = "/webhook/*"
    target_origin_id           = "lambda-api"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = local.all_methods
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_disabled_policy_id
    origin_request_policy_id   = local.all_viewer_except_host_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  ordered_cache_behavior {
    path_pattern               = "/sync/*"
    target_origin_id           = "lambda-api"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = local.all_methods
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_disabled_policy_id
    origin_request_policy_id   = local.all_viewer_except_host_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  # The feeds Radarr and Sonarr poll: 5 minutes, keyed by the query string.
  ordered_cache_behavior {
    path_pattern               = "/list/*"
    target_origin_id           = "lambda-api"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.feeds[0].id
    origin_request_policy_id   = local.all_viewer_except_host_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  ordered_cache_behavior {
    path_pattern               = "/rss/*"
    target_origin_id           = "lambda-api"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.feeds[0].id
    origin_request_policy_id   = local.all_viewer_except_host_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = aws_acm_certificate_validation.site[0].certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}
