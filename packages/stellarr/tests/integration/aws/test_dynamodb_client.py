"""The DynamoDB client against AWS's DynamoDB Local."""

from __future__ import annotations

import pytest

from stellarr.aws.dynamodb import DynamoDBClient
from stellarr.aws.errors import AwsError, ConditionalCheckFailed, TransactionCanceled
from stellarr.aws.marshal import Expr, Item, from_item, to_item

pytestmark = pytest.mark.dynamodb

PADDING = "x" * 1024
MANY = 1500  # ~1.5 MB: more than one 1 MB page


def _key(pk: str, sk: int) -> Item:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


async def _fill(ddb: DynamoDBClient, table: str) -> None:
    items = [to_item({"pk": "big", "sk": i, "pad": PADDING}) for i in range(MANY)]
    await ddb.batch_write(table, key_names=("pk", "sk"), puts=items)


async def test_query_follows_every_page(ddb: DynamoDBClient, table_name: str) -> None:
    await _fill(ddb, table_name)
    await ddb.put_item(table_name, to_item({"pk": "other", "sk": 1}))
    expr = Expr()
    items = await ddb.query(table_name, expr.eq("pk", "big"), expr, consistent_read=True)
    # 1.5 MB of items cannot come back in one 1 MB page, so this proves the pages were followed.
    assert [int(item["sk"]["N"]) for item in items] == list(range(MANY))
    expr = Expr()
    keys_only = await ddb.query(table_name, expr.eq("pk", "big"), expr, projection=["sk"])
    assert len(keys_only) == MANY and set(keys_only[0]) == {"sk"}


async def test_batch_write_with_duplicate_keys(ddb: DynamoDBClient, table_name: str) -> None:
    puts = [to_item({"pk": "p", "sk": i % 30, "v": i}) for i in range(90)]
    await ddb.batch_write(table_name, key_names=("pk", "sk"), puts=puts)
    expr = Expr()
    items = await ddb.query(table_name, expr.eq("pk", "p"), expr, consistent_read=True)
    assert [from_item(i) for i in items] == [{"pk": "p", "sk": k, "v": 60 + k} for k in range(30)]

    await ddb.batch_write(
        table_name,
        key_names=("pk", "sk"),
        puts=[to_item({"pk": "p", "sk": 0, "v": -1})],
        deletes=[_key("p", k) for k in range(0, 30, 2)] * 2,
    )
    expr = Expr()
    items = await ddb.query(table_name, expr.eq("pk", "p"), expr, consistent_read=True)
    assert [int(i["sk"]["N"]) for i in items] == list(range(1, 30, 2))


async def test_item_calls_and_typed_conditional_failures(
    ddb: DynamoDBClient, table_name: str
) -> None:
    key = _key("item", 1)
    assert await ddb.get_item(table_name, key, consistent_read=True) is None

    expr = Expr()
    guard = f"attribute_not_exists({expr.name('pk')})"
    item = {**key, **to_item({"ttl": 5, "status": "new", "count": 1})}
    await ddb.put_item(table_name, item, condition=guard, expr=expr)
    with pytest.raises(ConditionalCheckFailed) as info:
        expr = Expr()
        await ddb.put_item(
            table_name, item, condition=f"attribute_not_exists({expr.name('pk')})", expr=expr
        )
    assert info.value.code == "ConditionalCheckFailedException"
    assert info.value.status == 400

    # Reserved words (ttl, status, count) work because every name is aliased.
    expr = Expr()
    new = await ddb.update_item(
        table_name,
        key,
        f"ADD {expr.name('count')} {expr.value(2)} SET {expr.name('status')} = {expr.value('x')}",
        expr,
        condition=f"{expr.name('ttl')} < {expr.value(10)}",
        return_values="UPDATED_NEW",
    )
    assert from_item(new) == {"count": 3, "status": "x"}
    got = await ddb.get_item(table_name, key, consistent_read=True, projection=["count", "ttl"])
    assert got is not None
    assert from_item(got) == {"count": 3, "ttl": 5}


async def test_transact_write_commits_all_or_nothing(ddb: DynamoDBClient, table_name: str) -> None:
    await ddb.put_item(table_name, {**_key("tx", 1), **to_item({"v": 1})})

    def put_new(sk: int) -> dict[str, object]:
        expr = Expr()
        request = {
            "TableName": table_name,
            "Item": {**_key("tx", sk), "v": {"N": "2"}},
            "ConditionExpression": f"attribute_not_exists({expr.name('pk')})",
        }
        return {"Put": expr.apply(request)}

    await ddb.transact_write([put_new(2), put_new(3)])
    with pytest.raises(TransactionCanceled) as info:
        await ddb.transact_write([put_new(4), put_new(1)])
    assert [r.code for r in info.value.reasons] == ["None", "ConditionalCheckFailed"]
    assert info.value.conditional_check_failed
    assert await ddb.get_item(table_name, _key("tx", 4), consistent_read=True) is None
    assert await ddb.get_item(table_name, _key("tx", 3), consistent_read=True) is not None


async def test_unknown_tables_raise_typed_errors(ddb: DynamoDBClient) -> None:
    with pytest.raises(AwsError) as info:
        await ddb.get_item("no-such-table", _key("a", 1))
    assert info.value.code == "ResourceNotFoundException"
    assert await ddb.describe_table("no-such-table") is None


async def test_ensure_table_is_idempotent_and_enables_ttl(
    ddb: DynamoDBClient, table_name: str
) -> None:
    other = table_name + "-ttl"
    for _ in range(2):
        await ddb.ensure_table(
            other, partition_key=("pk", "S"), sort_key=("sk", "N"), ttl_attribute="ttl"
        )
    description = await ddb.describe_table(other)
    assert description is not None
    assert description["TableStatus"] == "ACTIVE"
    ttl = await ddb.call("DescribeTimeToLive", {"TableName": other})
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "ttl"
    await ddb.delete_table(other)
