# What `stellarr deploy` and people read after an apply (`terraform output`). With
# enable_edge = false there is no distribution: cloudfront_distribution_id is "".

output "website_url" {
  description = "Where people open Stellarr (PUBLIC_URL of the app)."
  value       = local.site_url
}

output "cloudfront_distribution_id" {
  description = "The distribution to invalidate after the web app is uploaded (\"\" without enable_edge)."
  value       = var.enable_edge ? aws_cloudfront_distribution.site[0].id : ""
}

output "frontend_bucket_name" {
  description = "The bucket the web app's build goes to."
  value       = aws_s3_bucket.frontend.bucket
}

output "lambda_function_name" {
  description = "The API function, whose code and `live` alias `stellarr deploy` updates."
  value       = aws_lambda_function.api.function_name
}

output "lambda_deployment_bucket" {
  description = "Where `stellarr deploy` uploads the function and layer packages."
  value       = aws_s3_bucket.deploy.bucket
}

output "lambda_function_url" {
  description = "The Function URL on the `live` alias: CloudFront's origin for the API; it refuses requests without CloudFront's X-Origin-Verify header."
  value       = aws_lambda_function_url.api.function_url
}

output "dynamodb_table_name" {
  description = "The app's table (DYNAMODB_TABLE)."
  value       = aws_dynamodb_table.app.name
}

output "app_secret_arn" {
  description = "The app's secret (APP_SECRET_ARN); `stellarr deploy` writes VAPID_PRIVATE_KEY into it once."
  value       = aws_secretsmanager_secret.app.arn
}

output "cache_warmer_function_name" {
  description = "The trending lists' function, which `stellarr deploy` updates and invokes once."
  value       = aws_lambda_function.cache_warmer.function_name
}
