# The secrets, made empty: `stereospot ops set-secret` puts their values, which therefore
# never pass through a plan or the state. A task cannot start before its secrets have one.

locals {
  secrets = {
    "signing-key"       = "STEREOSPOT_SIGNING_KEY: signs media links and derives the inference token (32+ characters)."
    "users"             = "STEREOSPOT_USERS: who may log in to the web UI, as name:token,name:token."
    "model-credentials" = "A Hugging Face token CodeBuild uses to fetch the pinned depth model."
  }
}

resource "aws_secretsmanager_secret" "all" {
  for_each = local.secrets

  name                    = "${var.prefix}/${each.key}"
  description             = each.value
  recovery_window_in_days = var.secret_recovery_days
}
