"""The DynamoDB backend: one table, partition key `media_type` (S), sort key `tmdb_id` (N).

The key names are those of the existing Stellarr deployments, so a table made for them keeps
working. Every item type (pk / sk):

| pk                        | sk        | what                                                |
|---------------------------|-----------|-----------------------------------------------------|
| `movie`, `tv`             | TMDB id   | one request (datetimes as UTC ISO strings)          |
| `LIBRARY#<type>#G<gen>`   | TMDB id   | one library title in generation <gen>               |
| `META`                    | 0         | `revision`, bumped in the same transaction as a change |
| `META`                    | 1         | the library's generations: `library_gen_<type>` (live) |
|                           |           | and `_next_`, `_open_`, `_starts_` (library.py)     |
| `META`                    | 2         | `checked_at`: the health check's probe write        |
| `RATELIMIT#<key>`         | 0         | expiring key: login failures in the current window  |
| `CHALLENGE#<challenge>`   | 0         | expiring key: a used login challenge                |
| `LOGINORIGIN#<sha256>`    | 0         | expiring key: an origin that had a successful login |
| `PLEX_GUID#<guid>`        | 0         | expiring key: a `plex://` GUID -> the title's ids   |
| `PUSH#<user>`             | endpoint# | a push subscription (push.py)                       |
| `PUSHENDPOINT#<sha256>`   | 0         | `user`, the one owner of that endpoint (push.py)    |

`endpoint#` is the first 15 hex digits of the endpoint's SHA-256, as a number. A Plex GUID
over 200 characters is keyed by its `sha256:<hex>`; the ids are the entry's JSON `value`.

Expiring keys (`stellarr.store.ports.ExpiringKeys`) carry `value`, `count`, `expires_at` and
`ttl`; see keys.py.
"""

from __future__ import annotations

from stellarr.store.dynamodb.keys import DynamoDBExpiringKeys
from stellarr.store.dynamodb.media import DynamoDBMediaStore
from stellarr.store.dynamodb.push import DynamoDBPushSubscriptions
from stellarr.store.dynamodb.table import DynamoDBTable
from stellarr.store.ports import Stores


def dynamodb_stores(table: DynamoDBTable) -> Stores:
    return Stores(
        database=table,
        media=DynamoDBMediaStore(table),
        keys=DynamoDBExpiringKeys(table),
        push=DynamoDBPushSubscriptions(table),
    )


__all__ = ["DynamoDBTable", "dynamodb_stores"]
