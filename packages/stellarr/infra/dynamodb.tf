# The app's one table (stellarr/store/dynamodb/__init__.py lists every item it holds). The
# key names are the app's own (store/dynamodb/codec.py: PK, SK, TTL), so a table made for an
# earlier Stellarr deployment keeps working.

resource "aws_dynamodb_table" "app" {
  name         = local.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "media_type"
  range_key    = "tmdb_id"

  attribute {
    name = "media_type"
    type = "S"
  }

  attribute {
    name = "tmdb_id"
    type = "N"
  }

  # Expiring keys (login limits, used challenges, Plex GUIDs) carry whole epoch seconds in
  # `ttl`; reads ignore expired items that DynamoDB has not deleted yet.
  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  # The AWS managed key (aws/dynamodb): no key to pay for or look after.
  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = var.deletion_protection
}
