# One JSON secret, read by both functions through APP_SECRET_ARN (stellarr/secret_settings.py):
# every key is a setting of docs/configuration.md, and a rotation reaches warm instances
# within 5 minutes.
#
# Its values are made once. The first apply writes them through a write-only attribute:
# generated ones come from ephemeral random passwords and the operator's from ephemeral
# variables, so the resource keeps none of them in a plan or the state, and no later plan
# makes them again (the version below never changes). With the edge on, the data source
# below reads the secret back for CloudFront's header, and the state then holds its values. `stellarr deploy` adds VAPID_PRIVATE_KEY once
# (`stellarr gen-vapid`); people change values in the secret itself afterwards.
#
# Keys written here: APP_SECRET_KEY, PRESHARED_PASSWORD, FEED_TOKEN, PLEX_WEBHOOK_TOKEN and
# ORIGIN_VERIFY_SECRET (generated); TMDB_READ_TOKEN, TMDB_API_KEY, ADMIN_PASSWORD and
# NOTIFY_URLS (when given). Others the app reads from it when present: TVDB_API_KEY,
# PLEX_SERVER_NAME, PLEX_SERVER_UUID, VAPID_PRIVATE_KEY, ORIGIN_VERIFY_SECRET_PREVIOUS.

resource "aws_secretsmanager_secret" "app" {
  name                    = "${local.name}/app"
  description             = "Stellarr's settings that are secrets (a JSON object; docs/configuration.md)."
  recovery_window_in_days = 7
}

# Letters and digits only: every generated value also travels in a URL or a header.
ephemeral "aws_secretsmanager_random_password" "app_secret_key" {
  password_length     = 64
  exclude_punctuation = true
}

ephemeral "aws_secretsmanager_random_password" "preshared_password" {
  password_length     = 20
  exclude_punctuation = true
}

ephemeral "aws_secretsmanager_random_password" "feed_token" {
  password_length     = 32
  exclude_punctuation = true
}

ephemeral "aws_secretsmanager_random_password" "plex_webhook_token" {
  password_length     = 32
  exclude_punctuation = true
}

ephemeral "aws_secretsmanager_random_password" "origin_verify_secret" {
  password_length     = 48
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string_wo = jsonencode({
    for key, value in {
      APP_SECRET_KEY       = ephemeral.aws_secretsmanager_random_password.app_secret_key.random_password
      PRESHARED_PASSWORD   = coalesce(var.preshared_password, ephemeral.aws_secretsmanager_random_password.preshared_password.random_password)
      FEED_TOKEN           = ephemeral.aws_secretsmanager_random_password.feed_token.random_password
      PLEX_WEBHOOK_TOKEN   = ephemeral.aws_secretsmanager_random_password.plex_webhook_token.random_password
      ORIGIN_VERIFY_SECRET = ephemeral.aws_secretsmanager_random_password.origin_verify_secret.random_password
      TMDB_READ_TOKEN      = var.tmdb_read_token
      TMDB_API_KEY         = var.tmdb_api_key
      ADMIN_PASSWORD       = var.admin_password
      NOTIFY_URLS          = var.notify_urls
    } : key => value if value != null
  })
  # Written when this number changes, never otherwise: it stays 1.
  secret_string_wo_version = 1
}

# CloudFront must send the secret's current ORIGIN_VERIFY_SECRET: read at every plan, so
# after a rotation (docs/deploy-aws.md) the next apply moves the header to the new value.
# Reading it puts the secret's values in the state, like the header itself: keep the state
# bucket (backend-setup/) as private as the secret.
data "aws_secretsmanager_secret_version" "app" {
  count     = var.enable_edge ? 1 : 0
  secret_id = aws_secretsmanager_secret_version.app.secret_id
}

locals {
  origin_verify_secret = var.enable_edge ? jsondecode(data.aws_secretsmanager_secret_version.app[0].secret_string)["ORIGIN_VERIFY_SECRET"] : null
}
