"""What infra/ declares, read from its files with python-hcl2: the inventory of the issue that
asked for it (file names and identifiers those who know the earlier deployment look for),
and the places where the Terraform must agree with the app's code (handlers, table keys,
the secret's keys, the origin header, the security headers, the calls the roles allow).
This is how the edge (CloudFront, ACM, WAF, Route53), which moto cannot stand in for, is
checked; test_apply_moto.py applies the rest."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from stellarr import lambda_handler
from stellarr.api.http_surface import UI_POLICY
from stellarr.api.origin_verify import HEADER
from stellarr.domain.trending import NAME_PATTERNS
from stellarr.settings import SETTINGS_VARIABLES
from stellarr.store.dynamodb.codec import PK, SK, TTL
from stellarr_testing.paths import PACKAGE_ROOT, REPO_ROOT
from stellarr_testing.terraform import BACKEND_SETUP, INFRA, Configuration, load_configuration

Block = dict[str, Any]


@pytest.fixture(scope="module")
def infra() -> Configuration:
    return load_configuration(INFRA)


@pytest.fixture(scope="module")
def backend_setup() -> Configuration:
    return load_configuration(BACKEND_SETUP)


def one(blocks: list[Block]) -> Block:
    [block] = blocks
    return block


def test_each_file_holds_what_its_name_says(infra: Configuration) -> None:
    where = {
        name: {(section, kind) for section, kind, _ in held} for name, held in infra.files.items()
    }
    assert set(where) == {
        "main.tf",
        "lambda.tf",
        "frontend.tf",
        "dynamodb.tf",
        "secrets.tf",
        "waf.tf",
        "variables.tf",
        "outputs.tf",
    }
    assert {kind for section, kind in where["lambda.tf"] if section == "resource"} == {
        "aws_lambda_function",
        "aws_lambda_alias",
        "aws_lambda_function_url",
        "aws_lambda_permission",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_event_rule",
        "aws_cloudwatch_event_target",
    }
    assert {kind for section, kind in where["dynamodb.tf"]} == {"aws_dynamodb_table"}
    assert ("resource", "aws_cloudfront_distribution") in where["frontend.tf"]
    assert ("resource", "aws_acm_certificate") in where["frontend.tf"]
    assert ("resource", "aws_route53_record") in where["frontend.tf"]
    assert ("resource", "aws_wafv2_web_acl") in where["waf.tf"]
    assert ("resource", "aws_secretsmanager_secret") in where["secrets.tf"]
    assert {section for section, _ in where["variables.tf"]} == {"variable"}
    assert {section for section, _ in where["outputs.tf"]} == {"output"}


def test_main_has_the_providers_and_the_pinned_aws_provider(infra: Configuration) -> None:
    terraform = one(infra.terraform)
    assert one(terraform["required_providers"])["aws"] == {
        "source": "hashicorp/aws",
        "version": "~> 5.100",
    }
    # The configuration writes secrets through write-only attributes (1.11).
    assert terraform["required_version"] == ">= 1.11"
    assert one(terraform["backend"]) == {"s3": {}}
    regions = {provider.get("alias"): provider["region"] for provider in infra.providers}
    assert regions == {None: "${var.aws_region}", "us_east_1": "us-east-1"}


# --- lambda.tf -----------------------------------------------------------------------------


def test_the_api_function(infra: Configuration) -> None:
    api = infra.resource("aws_lambda_function", "api")
    assert infra.locals["lambda_runtime"] == "python3.12"
    assert infra.locals["lambda_architecture"] == "arm64"
    assert (api["runtime"], api["architectures"]) == (
        "${local.lambda_runtime}",
        ["${local.lambda_architecture}"],
    )
    assert (api["memory_size"], api["timeout"], api["publish"]) == (512, 30, True)
    assert api["handler"] == "stellarr.lambda_handler.handler"
    snap_start = one(api["dynamic"])["snap_start"]
    assert one(snap_start["content"]) == {"apply_on": "PublishedVersions"}
    assert snap_start["for_each"] == "${var.enable_snap_start ? [1] : []}"
    # The code, the layers and the live version are `stellarr deploy`'s.
    ignored = set(one(api["lifecycle"])["ignore_changes"])
    assert {"filename", "source_code_hash", "s3_key", "layers"} <= ignored
    assert "layers" not in api  # the Apprise layer goes only where NOTIFY_URLS is set


def test_the_handlers_named_exist_in_the_package(infra: Configuration) -> None:
    for name in ("api", "cache_warmer"):
        module, _, function = infra.resource("aws_lambda_function", name)["handler"].rpartition(".")
        assert module == "stellarr.lambda_handler"
        assert callable(getattr(lambda_handler, function))


def test_the_live_alias_and_its_function_url(infra: Configuration) -> None:
    alias = infra.resource("aws_lambda_alias", "live")
    assert alias["name"] == "live"
    assert alias["function_version"] == "${aws_lambda_function.api.version}"
    assert one(alias["lifecycle"])["ignore_changes"] == ["function_version"]
    url = infra.resource("aws_lambda_function_url", "api")
    assert url["qualifier"] == "${aws_lambda_alias.live.name}"
    assert url["authorization_type"] == "NONE"
    for name, action in (
        ("function_url", "lambda:InvokeFunctionUrl"),
        ("function_url_invoke", "lambda:InvokeFunction"),
    ):
        permission = infra.resource("aws_lambda_permission", name)
        assert (permission["action"], permission["qualifier"]) == (
            action,
            "${aws_lambda_alias.live.name}",
        )


def test_the_cache_warmer_and_its_schedule(infra: Configuration) -> None:
    warmer = infra.resource("aws_lambda_function", "cache_warmer")
    assert (warmer["memory_size"], warmer["timeout"]) == (128, 60)
    assert warmer["handler"] == "stellarr.lambda_handler.cache_warmer"
    rule = infra.resource("aws_cloudwatch_event_rule", "cache_warmer")
    assert rule["schedule_expression"] == "rate(24 hours)"
    target = infra.resource("aws_cloudwatch_event_target", "cache_warmer")
    assert target["arn"] == "${aws_lambda_function.cache_warmer.arn}"
    permission = infra.resource("aws_lambda_permission", "cache_warmer_schedule")
    assert permission["principal"] == "events.amazonaws.com"
    assert permission["source_arn"] == "${aws_cloudwatch_event_rule.cache_warmer.arn}"


def test_the_log_groups_keep_fourteen_and_seven_days(infra: Configuration) -> None:
    api = infra.resource("aws_cloudwatch_log_group", "api")
    warmer = infra.resource("aws_cloudwatch_log_group", "cache_warmer")
    assert (api["name"], api["retention_in_days"]) == ("/aws/lambda/${local.name}-api", 14)
    assert (warmer["name"], warmer["retention_in_days"]) == (
        "/aws/lambda/${local.name}-cache-warmer",
        7,
    )
    assert infra.resource("aws_lambda_function", "api")["function_name"] == "${local.name}-api"


def statements(infra: Configuration, document: str) -> dict[str, tuple[list[str], list[str]]]:
    body = infra.data[("aws_iam_policy_document", document)]
    return {s["sid"]: (s["actions"], s["resources"]) for s in body["statement"]}


def dynamodb_calls() -> set[str]:
    """The operations stellarr.aws.dynamodb sends; a transaction's actions need the item
    actions they stand for."""
    source = (PACKAGE_ROOT / "src" / "stellarr" / "aws" / "dynamodb.py").read_text()
    calls = set(re.findall(r'self\.call\("(\w+)"', source))
    if "TransactWriteItems" in calls:
        calls = (calls - {"TransactWriteItems"}) | {
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "ConditionCheckItem",
        }
    return calls


def test_the_roles_allow_exactly_what_the_code_calls(infra: Configuration) -> None:
    api = statements(infra, "api")
    assert set(api) == {"WriteOwnLogs", "UseTable", "ReadAppSecret"}
    actions, resources = api["UseTable"]
    assert {a.removeprefix("dynamodb:") for a in actions} == dynamodb_calls()
    assert resources == ["${aws_dynamodb_table.app.arn}"]
    assert api["ReadAppSecret"] == (
        ["secretsmanager:GetSecretValue"],
        ["${aws_secretsmanager_secret.app.arn}"],
    )
    assert api["WriteOwnLogs"] == (
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        ["${aws_cloudwatch_log_group.api.arn}:*"],
    )
    warmer = statements(infra, "cache_warmer")
    assert set(warmer) == {"WriteOwnLogs", "WriteTrendingLists", "ReadAppSecret"}
    assert warmer["WriteTrendingLists"] == (
        ["s3:PutObject"],
        '${formatlist("${aws_s3_bucket.trending.arn}/%s", local.home_list_patterns)}',
    )
    # Inline policies, one per role.
    for role in ("api", "cache_warmer"):
        policy = infra.resource("aws_iam_role_policy", role)
        assert policy["policy"] == f"${{data.aws_iam_policy_document.{role}.json}}"


def test_the_environment_names_only_variables_the_app_reads(infra: Configuration) -> None:
    from stellarr.settings import KNOWN_VARIABLES

    written: set[str] = set()
    for name in ("common_environment", "api_environment", "cache_warmer_environment"):
        value = infra.locals[name]
        # A map written out, or an expression (merge, a for over a map) as text.
        names = value if isinstance(value, dict) else re.findall(r"\b([A-Z][A-Z0-9_]+) =", value)
        written |= set(names)
    assert written == {
        "STORE",
        "DYNAMODB_TABLE",
        "APP_SECRET_ARN",
        "PUBLIC_URL",
        "TRUSTED_PROXIES",
        "VAPID_SUBJECT",
        "TRENDING_S3_BUCKET",
        "TRENDING_LOCALES",
    }
    assert written <= set(KNOWN_VARIABLES)


# --- dynamodb.tf ---------------------------------------------------------------------------


def test_the_table_has_the_apps_keys(infra: Configuration) -> None:
    table = infra.resource("aws_dynamodb_table", "app")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert (table["hash_key"], table["range_key"]) == (PK, SK)
    assert {(a["name"], a["type"]) for a in table["attribute"]} == {(PK, "S"), (SK, "N")}
    assert one(table["ttl"]) == {"attribute_name": TTL, "enabled": True}
    assert one(table["point_in_time_recovery"]) == {"enabled": True}
    assert one(table["server_side_encryption"]) == {"enabled": True}


# --- secrets.tf ----------------------------------------------------------------------------


def test_the_secret_is_written_once_with_keys_the_app_reads(infra: Configuration) -> None:
    version = infra.resource("aws_secretsmanager_secret_version", "app")
    # Write-only, from ephemeral values, at a version that never changes: no plan makes the
    # values again and none is in the state.
    assert "secret_string" not in version and version["secret_string_wo_version"] == 1
    keys = set(re.findall(r"\b([A-Z][A-Z0-9_]+) =", version["secret_string_wo"]))
    assert keys == {
        "APP_SECRET_KEY",
        "PRESHARED_PASSWORD",
        "FEED_TOKEN",
        "PLEX_WEBHOOK_TOKEN",
        "ORIGIN_VERIFY_SECRET",
        "TMDB_READ_TOKEN",
        "TMDB_API_KEY",
        "ADMIN_PASSWORD",
        "NOTIFY_URLS",
    }
    assert keys <= set(SETTINGS_VARIABLES)
    # VAPID keys are the deploy command's (`stellarr gen-vapid`), never a plan's.
    assert "VAPID" not in version["secret_string_wo"]
    generated = {
        name for kind, name in infra.ephemeral if kind == "aws_secretsmanager_random_password"
    }
    assert generated == {
        "app_secret_key",
        "preshared_password",
        "feed_token",
        "plex_webhook_token",
        "origin_verify_secret",
    }
    # A data source would draw new values at every plan.
    assert not any(kind == "aws_secretsmanager_random_password" for kind, _ in infra.data)
    for name in (
        "tmdb_read_token",
        "tmdb_api_key",
        "preshared_password",
        "admin_password",
        "notify_urls",
    ):
        variable = infra.variables[name]
        assert variable["sensitive"] is True and variable["ephemeral"] is True, name


def test_cloudfront_sends_the_secrets_origin_header(infra: Configuration) -> None:
    assert infra.locals["origin_verify_header"] == HEADER
    assert "ORIGIN_VERIFY_SECRET" in infra.locals["origin_verify_secret"]
    api = origins(infra)["lambda-api"]
    assert one(api["custom_header"]) == {
        "name": "${local.origin_verify_header}",
        "value": "${local.origin_verify_secret}",
    }


# --- frontend.tf ---------------------------------------------------------------------------


def distribution(infra: Configuration) -> Block:
    return infra.resource("aws_cloudfront_distribution", "site")


def origins(infra: Configuration) -> dict[str, Block]:
    return {origin["origin_id"]: origin for origin in distribution(infra)["origin"]}


def test_the_buckets_are_private_encrypted_and_versioned(infra: Configuration) -> None:
    for name in ("frontend", "trending", "deploy"):
        assert (("aws_s3_bucket", name)) in infra.resources
    assert infra.locals["buckets"] == {
        "frontend": "${aws_s3_bucket.frontend}",
        "trending": "${aws_s3_bucket.trending}",
        "deploy": "${aws_s3_bucket.deploy}",
    }
    for kind in (
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_policy",
    ):
        assert infra.resource(kind, "all")["for_each"] == "${local.buckets}", kind
    block = infra.resource("aws_s3_bucket_public_access_block", "all")
    assert all(block[flag] is True for flag in ("block_public_acls", "block_public_policy"))
    assert all(block[flag] is True for flag in ("ignore_public_acls", "restrict_public_buckets"))
    encryption = infra.resource("aws_s3_bucket_server_side_encryption_configuration", "all")
    assert one(one(one(encryption["rule"])["apply_server_side_encryption_by_default"]).items()) == (
        "sse_algorithm",
        "AES256",
    )
    versioning = infra.resource("aws_s3_bucket_versioning", "all")
    assert one(versioning["versioning_configuration"]) == {"status": "Enabled"}
    rule = one(infra.resource("aws_s3_bucket_lifecycle_configuration", "all")["rule"])
    assert one(rule["noncurrent_version_expiration"]) == {
        "noncurrent_days": "${local.noncurrent_days[each.key]}"
    }
    assert one(rule["abort_incomplete_multipart_upload"]) == {"days_after_initiation": 7}
    # CloudFront reads the web app's and the lists' buckets, this distribution only.
    policy = infra.data[("aws_iam_policy_document", "bucket")]
    cloudfront = one(policy["dynamic"])["statement"]
    content = one(cloudfront["content"])
    assert content["actions"] == ["s3:GetObject"]
    assert one(content["condition"])["values"] == ["${aws_cloudfront_distribution.site[0].arn}"]
    assert 'each.key != "deploy"' in cloudfront["for_each"]


def test_the_home_lists_the_warmer_writes_are_the_ones_served_and_granted(
    infra: Configuration,
) -> None:
    assert tuple(infra.locals["home_list_patterns"]) == NAME_PATTERNS
    served = {b["path_pattern"] for b in distribution(infra)["ordered_cache_behavior"]}
    assert {f"/{pattern}" for pattern in NAME_PATTERNS} <= served


def test_the_origins_and_their_access(infra: Configuration) -> None:
    found = origins(infra)
    assert set(found) == {"s3-frontend", "s3-trending", "lambda-api"}
    assert found["s3-frontend"]["origin_access_control_id"] == (
        "${aws_cloudfront_origin_access_control.frontend[0].id}"
    )
    assert found["s3-trending"]["origin_access_control_id"] == (
        "${aws_cloudfront_origin_access_control.trending[0].id}"
    )
    custom = one(found["lambda-api"]["custom_origin_config"])
    assert custom["origin_protocol_policy"] == "https-only"
    assert custom["origin_ssl_protocols"] == ["TLSv1.2"]
    for name in ("frontend", "trending"):
        control = infra.resource("aws_cloudfront_origin_access_control", name)
        assert (control["signing_behavior"], control["signing_protocol"]) == ("always", "sigv4")


ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
NEVER_CACHED = "${local.caching_disabled_policy_id}"
# path -> (origin, methods, cache policy): the behaviour table of docs/deploy-aws.md.
HOME_LIST = ("s3-trending", ["GET", "HEAD"], "${aws_cloudfront_cache_policy.trending[0].id}")
BEHAVIOURS = {
    "/trending-*.json": HOME_LIST,
    "/popular-*.json": HOME_LIST,
    "/upcoming-*.json": HOME_LIST,
    "/api/*": ("lambda-api", ALL_METHODS, NEVER_CACHED),
    "/webhook/*": ("lambda-api", ALL_METHODS, NEVER_CACHED),
    "/sync/*": ("lambda-api", ALL_METHODS, NEVER_CACHED),
    "/list/*": ("lambda-api", ["GET", "HEAD"], "${aws_cloudfront_cache_policy.feeds[0].id}"),
    "/rss/*": ("lambda-api", ["GET", "HEAD"], "${aws_cloudfront_cache_policy.feeds[0].id}"),
}


def methods(value: Any, infra: Configuration) -> list[str]:
    return infra.locals["all_methods"] if value == "${local.all_methods}" else list(value)


def test_the_behaviours(infra: Configuration) -> None:
    site = distribution(infra)
    found = {b["path_pattern"]: b for b in site["ordered_cache_behavior"]}
    assert "dynamic" not in site  # every behaviour written out, as in the table
    assert set(found) == set(BEHAVIOURS)
    for path, (origin, allowed, cache) in BEHAVIOURS.items():
        behaviour = found[path]
        assert behaviour["target_origin_id"] == origin, path
        assert methods(behaviour["allowed_methods"], infra) == allowed, path
        assert behaviour["cache_policy_id"] == cache, path
        assert behaviour["viewer_protocol_policy"] == "redirect-to-https", path
        assert behaviour["compress"] is True, path
        assert "function_association" not in behaviour, path  # the SPA rewrite: default only
        assert behaviour["response_headers_policy_id"] == (
            "${aws_cloudfront_response_headers_policy.security[0].id}"
        )
        if origin == "lambda-api":
            # Everything the viewer sent but Host, which a Function URL must see as its own.
            assert behaviour["origin_request_policy_id"] == (
                "${local.all_viewer_except_host_policy_id}"
            )
    default = one(site["default_cache_behavior"])
    assert default["target_origin_id"] == "s3-frontend"
    assert default["cache_policy_id"] == "${aws_cloudfront_cache_policy.frontend[0].id}"
    assert default["compress"] is True
    assert one(default["function_association"]) == {
        "event_type": "viewer-request",
        "function_arn": "${aws_cloudfront_function.spa_rewrite[0].arn}",
    }
    # AWS's managed policies by their documented IDs: Managed-CachingDisabled and
    # Managed-AllViewerExceptHostHeader.
    assert infra.locals["caching_disabled_policy_id"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert infra.locals["all_viewer_except_host_policy_id"] == (
        "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    )


def test_no_error_response_rewrites_the_apis_answers(infra: Configuration) -> None:
    assert "custom_error_response" not in distribution(infra)
    text = "\n".join(path.read_text() for path in INFRA.glob("*.tf"))
    assert "custom_error_response" not in re.sub(r"#.*", "", text)


def ttl(infra: Configuration, name: str) -> tuple[int, int, int, str]:
    policy = infra.resource("aws_cloudfront_cache_policy", name)
    keys = one(policy["parameters_in_cache_key_and_forwarded_to_origin"])
    query = one(keys["query_strings_config"])["query_string_behavior"]
    return policy["min_ttl"], policy["default_ttl"], policy["max_ttl"], query


def test_the_cache_times(infra: Configuration) -> None:
    # The web app: an hour unless its own headers say otherwise (hashed files, index.html).
    assert ttl(infra, "frontend") == (0, 3600, 31536000, "none")
    assert ttl(infra, "trending") == (0, 3600, 3600, "none")
    assert ttl(infra, "feeds") == (0, 300, 300, "all")  # 5 minutes, ?token= in the key
    keys = one(
        infra.resource("aws_cloudfront_cache_policy", "feeds")[
            "parameters_in_cache_key_and_forwarded_to_origin"
        ]
    )
    assert keys["enable_accept_encoding_gzip"] is True  # the app's own gzip passes through


def test_the_security_headers_are_the_apps(infra: Configuration) -> None:
    config = one(
        infra.resource("aws_cloudfront_response_headers_policy", "security")[
            "security_headers_config"
        ]
    )
    hsts = one(config["strict_transport_security"])
    assert hsts["access_control_max_age_sec"] >= 31536000 and hsts["override"] is True
    csp = one(config["content_security_policy"])
    assert csp["content_security_policy"] == UI_POLICY
    assert csp["override"] is False  # the app's stricter policy on API answers stays
    assert one(config["content_type_options"]) == {"override": True}
    assert one(config["frame_options"])["frame_option"] == "DENY"
    assert one(config["referrer_policy"])["referrer_policy"] == "no-referrer"


def test_certificate_dns_and_ipv6(infra: Configuration) -> None:
    certificate = infra.resource("aws_acm_certificate", "site")
    assert certificate["provider"] == "${aws.us_east_1}"
    assert certificate["validation_method"] == "DNS"
    assert infra.resource("aws_acm_certificate_validation", "site")["provider"] == (
        "${aws.us_east_1}"
    )
    records = {
        name: body for (kind, name), body in infra.resources.items() if kind == "aws_route53_record"
    }
    assert {records["site_a"]["type"], records["site_aaaa"]["type"]} == {"A", "AAAA"}
    for name in ("site_a", "site_aaaa"):
        assert one(records[name]["alias"])["name"] == (
            "${aws_cloudfront_distribution.site[0].domain_name}"
        )
    site = distribution(infra)
    assert site["is_ipv6_enabled"] is True
    certificate_use = one(site["viewer_certificate"])
    assert certificate_use["ssl_support_method"] == "sni-only"
    assert certificate_use["minimum_protocol_version"] == "TLSv1.2_2021"


def node() -> str | None:
    found = shutil.which("node")
    bundled = REPO_ROOT / ".cache" / "node" / "bin" / "node"
    return found or (str(bundled) if bundled.is_file() else None)


@pytest.mark.skipif(node() is None, reason="no node to run the CloudFront Function with")
def test_the_spa_rewrite_serves_index_for_the_apps_routes_only(infra: Configuration) -> None:
    code = INFRA / "spa-rewrite.js"
    assert infra.resource("aws_cloudfront_function", "spa_rewrite")["code"] == (
        '${file("${path.module}/spa-rewrite.js")}'
    )
    cases = {
        "/": "/index.html",
        "/requests": "/index.html",
        "/title/movie/603": "/index.html",
        "/v1.2/route": "/index.html",
        "/index.html": "/index.html",
        "/_app/immutable/entry/start.BdE3x.js": "/_app/immutable/entry/start.BdE3x.js",
        "/manifest.webmanifest": "/manifest.webmanifest",
        "/favicon.svg": "/favicon.svg",
    }
    script = (
        "const fs = require('fs');"
        f"const source = fs.readFileSync({str(code)!r}, 'utf8');"
        "const handler = new Function(source + '; return handler;')();"
        f"const uris = {list(cases)!r};"
        "console.log(JSON.stringify(uris.map(u => handler({request: {uri: u}}).uri)));"
    )
    result = subprocess.run(
        [str(node()), "-e", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert dict(zip(cases, json.loads(result.stdout), strict=True)) == cases


# --- waf.tf --------------------------------------------------------------------------------


def test_the_web_acl(infra: Configuration) -> None:
    acl = infra.resource("aws_wafv2_web_acl", "site")
    assert acl["count"] == "${var.enable_edge && var.enable_waf ? 1 : 0}"
    assert (acl["scope"], acl["provider"]) == ("CLOUDFRONT", "${aws.us_east_1}")
    rules = {rule["name"]: one(rule["statement"]) for rule in acl["rule"]}
    auth = one(rules["rate-limit-auth"]["rate_based_statement"])
    match = one(one(auth["scope_down_statement"])["byte_match_statement"])
    assert (match["search_string"], match["positional_constraint"]) == ("/api/auth", "STARTS_WITH")
    assert auth["limit"] == "${var.waf_auth_rate_limit}"
    assert one(rules["rate-limit-all"]["rate_based_statement"])["limit"] == "${var.waf_rate_limit}"
    managed = {
        one(statement["managed_rule_group_statement"])["name"]
        for statement in rules.values()
        if "managed_rule_group_statement" in statement
    }
    assert managed == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    logging = infra.resource("aws_wafv2_web_acl_logging_configuration", "site")
    condition = one(one(one(logging["logging_filter"])["filter"])["condition"])
    assert one(condition["action_condition"]) == {"action": "BLOCK"}
    assert one(logging["logging_filter"])["default_behavior"] == "DROP"
    redacted = [next(iter(field)) for field in logging["redacted_fields"]]
    assert "query_string" in redacted  # feed and webhook tokens
    assert distribution(infra)["web_acl_id"] == (
        "${var.enable_waf ? aws_wafv2_web_acl.site[0].arn : null}"
    )


# --- variables.tf, outputs.tf, backend-setup/ -----------------------------------------------


def test_every_variable_is_described_typed_and_the_free_form_ones_validated(
    infra: Configuration,
) -> None:
    for name, variable in infra.variables.items():
        assert variable.get("description") and variable.get("type"), name
    validated = {name for name, variable in infra.variables.items() if "validation" in variable}
    assert validated >= {
        "aws_region",
        "project_name",
        "domain_name",
        "hosted_zone_name",
        "waf_rate_limit",
        "waf_auth_rate_limit",
        "cloudfront_price_class",
        "trending_locales",
        "vapid_subject",
        "preshared_password",
        "admin_password",
    }
    assert infra.variables["enable_waf"]["default"] is False
    assert infra.variables["enable_edge"]["default"] is True
    assert infra.variables["enable_snap_start"]["default"] is True


def test_the_outputs_are_exactly_the_listed_ones(infra: Configuration) -> None:
    assert set(infra.outputs) == {
        "website_url",
        "cloudfront_distribution_id",
        "frontend_bucket_name",
        "lambda_function_name",
        "lambda_deployment_bucket",
        "lambda_function_url",
        "dynamodb_table_name",
        "app_secret_arn",
        "cache_warmer_function_name",
    }
    for name, output in infra.outputs.items():
        assert output.get("description"), name
        assert not output.get("sensitive"), name  # no output holds a secret


def test_backend_setup_keeps_the_state_safe(backend_setup: Configuration) -> None:
    bucket = backend_setup.resource("aws_s3_bucket", "state")
    assert one(bucket["lifecycle"])["prevent_destroy"] is True
    versioning = backend_setup.resource("aws_s3_bucket_versioning", "state")
    assert one(versioning["versioning_configuration"]) == {"status": "Enabled"}
    encryption = backend_setup.resource(
        "aws_s3_bucket_server_side_encryption_configuration", "state"
    )
    assert "sse_algorithm" in str(encryption)
    block = backend_setup.resource("aws_s3_bucket_public_access_block", "state")
    assert all(block[f] is True for f in ("block_public_acls", "block_public_policy"))
    # The lock is S3's own: Terraform 1.11 deprecates the DynamoDB lock table.
    assert not [kind for kind, _ in backend_setup.resources if kind == "aws_dynamodb_table"]
    assert "use_lockfile = true" in backend_setup.outputs["backend_config"]["value"]
    assert set(backend_setup.outputs) == {"state_bucket", "backend_config"}


def test_the_example_variables_are_the_real_ones(infra: Configuration) -> None:
    example = (INFRA / "terraform.tfvars.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([a-z_]+)\s*=", example, flags=re.MULTILINE))
    assert named <= set(infra.variables)
    required = {name for name, variable in infra.variables.items() if "default" not in variable}
    assert required <= named


def test_git_keeps_local_state_and_secrets_out() -> None:
    ignored = (INFRA / ".gitignore").read_text(encoding="utf-8").split()
    assert {"*.tfstate", "terraform.tfvars", "backend.hcl", ".terraform/"} <= set(ignored)


def test_the_docs_walkthrough_names_real_files() -> None:
    doc = (PACKAGE_ROOT / "docs" / "deploy-aws.md").read_text(encoding="utf-8")
    for name in re.findall(r"infra/([\w./-]+\.(?:tf|js|toml|example|hcl))", doc):
        if name != "backend.hcl":  # written by the walkthrough itself
            assert (INFRA / name).is_file(), name
