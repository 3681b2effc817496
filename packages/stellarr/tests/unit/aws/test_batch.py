"""BatchWriteItem: chunks of 25, one write per key, unprocessed items retried."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from stellarr.aws.credentials import Credentials
from stellarr.aws.dynamodb import BATCH_SIZE, DynamoDBClient, batch_chunks, unique_writes
from stellarr.aws.errors import AwsError
from stellarr.aws.marshal import Item
from stellarr.retry import RetryPolicy

KEYS = ("pk", "sk")


def _item(pk: str, sk: int | str, **extra: str) -> Item:
    item: Item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    item.update({k: {"S": v} for k, v in extra.items()})
    return item


def test_duplicate_keys_keep_one_write_the_last_put() -> None:
    writes = unique_writes(
        KEYS, [_item("a", 1, v="old"), _item("a", 2), _item("a", 1, v="new")], []
    )
    assert len(writes) == 2
    puts = [w["PutRequest"]["Item"] for w in writes]
    assert _item("a", 1, v="new") in puts
    assert _item("a", 1, v="old") not in puts


def test_numbers_that_differ_only_in_notation_are_the_same_key() -> None:
    assert (
        len(unique_writes(KEYS, [_item("a", "5"), _item("a", "5.0"), _item("a", "5E0")], [])) == 1
    )


def test_a_delete_wins_over_a_put_of_the_same_key_and_sends_only_the_key() -> None:
    writes = unique_writes(KEYS, [_item("a", 1, v="x")], [_item("a", 1, v="ignored")])
    assert writes == [{"DeleteRequest": {"Key": _item("a", 1)}}]


def test_items_without_the_key_are_refused() -> None:
    with pytest.raises(ValueError, match="sk"):
        unique_writes(KEYS, [{"pk": {"S": "a"}}], [])


@pytest.mark.parametrize(
    ("count", "sizes"), [(0, []), (1, [1]), (25, [25]), (26, [25, 1]), (60, [25, 25, 10])]
)
def test_chunks_of_25(count: int, sizes: list[int]) -> None:
    writes = unique_writes(KEYS, [_item("p", i) for i in range(count)], [])
    assert [len(c) for c in batch_chunks(writes)] == sizes


class FakeBatchTable:
    """Accepts BatchWriteItem, leaving some items unprocessed the first time it sees them."""

    def __init__(self, unprocessed_every: int) -> None:
        self.stored: dict[str, Item] = {}
        self.calls: list[list[dict[str, Item]]] = []
        self.unprocessed_every = unprocessed_every
        self.seen: set[str] = set()
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["x-amz-target"] == "DynamoDB_20120810.BatchWriteItem"
        writes = json.loads(request.content)["RequestItems"]["table"]
        keys = [
            json.dumps(w.get("PutRequest", {}).get("Item") or w["DeleteRequest"]["Key"])
            for w in writes
        ]
        # Real DynamoDB rejects these outright; the fake insists on the same.
        assert len(writes) <= BATCH_SIZE
        assert len(set(keys)) == len(keys)
        self.calls.append(writes)
        unprocessed = []
        for number, write in enumerate(writes):
            item = write["PutRequest"]["Item"]
            key = item["sk"]["N"]
            if key not in self.seen and number % self.unprocessed_every == 0:
                self.seen.add(key)
                unprocessed.append(write)
                continue
            self.stored[key] = item
        body = {"UnprocessedItems": {"table": unprocessed} if unprocessed else {}}
        return httpx.Response(200, json=body)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def _client(fake: FakeBatchTable, attempts: int = 10) -> DynamoDBClient:
    return DynamoDBClient(
        credentials=Credentials("AKID", "secret"),
        region="us-east-1",
        endpoint_url="http://dynamodb.test",
        batch_policy=RetryPolicy(attempts=attempts, base_delay=0.01, rng=random.Random(3)),
        client=httpx.AsyncClient(transport=httpx.MockTransport(fake)),
        sleep=fake.sleep,
    )


async def test_batch_write_retries_unprocessed_items_until_all_are_stored() -> None:
    fake = FakeBatchTable(unprocessed_every=3)
    items = [_item("p", i) for i in range(100)] + [_item("p", 7, v="dup")]
    await _client(fake).batch_write("table", key_names=KEYS, puts=items)
    assert sorted(int(k) for k in fake.stored) == list(range(100))
    assert fake.stored["7"] == _item("p", 7, v="dup")
    assert len(fake.calls) > 4  # 4 chunks, plus the retries of unprocessed items
    assert fake.sleeps, "unprocessed items must back off before retrying"


async def test_batch_write_gives_up_when_items_stay_unprocessed() -> None:
    class Stubborn(FakeBatchTable):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            writes = json.loads(request.content)["RequestItems"]["table"]
            return httpx.Response(200, json={"UnprocessedItems": {"table": writes}})

    fake = Stubborn(1)
    with pytest.raises(AwsError) as info:
        await _client(fake, attempts=3).batch_write("table", key_names=KEYS, puts=[_item("p", 1)])
    assert info.value.code == "UnprocessedItems"
    assert len(fake.sleeps) == 2
