"""The DynamoDB backend: one table, partition key `media_type` (S), sort key `tmdb_id` (N).

The key names are those of the existing Stellarr deployments, so a table made for them keeps
working. Every item type (pk / sk):

| pk                      | sk      | what                                                    |
|-------------------------|---------|---------------------------------------------------------|
| `movie`, `tv`           | TMDB id | one request (datetimes as UTC ISO strings)              |
| `LIBRARY#<type>#G<gen>` | TMDB id | one library title in generation <gen>                   |
| `META`                  | 0       | `revision`, bumped in the same transaction as a change  |
| `META`                  | 1       | `library_gen_<type>` (live) and `library_next_<type>`   |
| `META`                  | 2       | `checked_at`: the health check's probe write            |
| `RATELIMIT#<key>`       | 0       | expiring key: login failures in the current window      |
| `CHALLENGE#<challenge>` | 0       | expiring key: a used login challenge                    |
| `LOGINORIGIN#<sha256>`  | 0       | expiring key: an origin that had a successful login     |
| `PLEX_GUID#<guid>`      | 0       | expiring key: Plex GUID -> TMDB id (Plex issue)         |
| `PUSH#<user>`           | hash    | a push subscription (push issue)                        |

Expiring keys (`stellarr.store.ports.ExpiringKeys`) carry `value`, `count`, `expires_at` and
`ttl`; see keys.py.
"""

from __future__ import annotations

from stellarr.store.dynamodb.keys import DynamoDBExpiringKeys
from stellarr.store.dynamodb.media import DynamoDBMediaStore
from stellarr.store.dynamodb.table import DynamoDBTable
from stellarr.store.ports import Stores


def dynamodb_stores(table: DynamoDBTable) -> Stores:
    return Stores(database=table, media=DynamoDBMediaStore(table), keys=DynamoDBExpiringKeys(table))


__all__ = ["DynamoDBTable", "dynamodb_stores"]
