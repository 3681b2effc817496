from __future__ import annotations

import math
from decimal import Decimal

import pytest

from stellarr.aws.marshal import Expr, from_attr, from_item, parse_number, to_attr, to_item


@pytest.mark.parametrize(
    ("value", "attr"),
    [
        (None, {"NULL": True}),
        (True, {"BOOL": True}),
        (False, {"BOOL": False}),
        (0, {"N": "0"}),
        (-42, {"N": "-42"}),
        (2**63, {"N": str(2**63)}),
        (1.5, {"N": "1.5"}),
        ("", {"S": ""}),
        ("héllo", {"S": "héllo"}),
        ([1, "a", None], {"L": [{"N": "1"}, {"S": "a"}, {"NULL": True}]}),
        ({"a": {"b": [True]}}, {"M": {"a": {"M": {"b": {"L": [{"BOOL": True}]}}}}}),
    ],
)
def test_values_marshal_and_come_back(value: object, attr: dict[str, object]) -> None:
    assert to_attr(value) == attr
    assert from_attr(attr) == value


def test_bool_is_never_a_number() -> None:
    assert to_attr(True) == {"BOOL": True}
    assert from_attr({"BOOL": True}) is True
    assert to_attr(1) == {"N": "1"}


def test_numbers_parse_to_int_when_integral() -> None:
    assert parse_number("7") == 7
    assert isinstance(parse_number("7"), int)
    assert parse_number("7.0") == 7
    assert isinstance(parse_number("7.0"), int)
    assert parse_number("1E+2") == 100
    assert parse_number("1712345678.25") == 1712345678.25
    assert to_attr(Decimal("1.10")) == {"N": "1.10"}


@pytest.mark.parametrize("bad", [math.nan, math.inf, Decimal("NaN"), {"a"}, b"\x00", object()])
def test_unstorable_values_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        to_attr(bad)


def test_item_round_trip() -> None:
    item = {"media_type": "movie", "tmdb_id": 603, "title": "The Matrix", "year": None}
    marshalled = to_item(item)
    assert marshalled["tmdb_id"] == {"N": "603"}
    assert from_item(marshalled) == item


def test_from_attr_rejects_ambiguous_values() -> None:
    with pytest.raises(ValueError, match="several types"):
        from_attr({"S": "a", "N": "1"})
    with pytest.raises(ValueError, match="unsupported"):
        from_attr({"SS": ["a"]})


def test_every_name_goes_through_expression_attribute_names() -> None:
    expr = Expr()
    condition = f"attribute_not_exists({expr.name('media_type')}) OR {expr.name('ttl')} < " + (
        expr.value(100)
    )
    # The same attribute reuses its alias; a reserved word never appears bare.
    assert expr.name("ttl") == "#n1"
    assert condition == "attribute_not_exists(#n0) OR #n1 < :v0"
    request = expr.apply({"TableName": "t"})
    assert request["ExpressionAttributeNames"] == {"#n0": "media_type", "#n1": "ttl"}
    assert request["ExpressionAttributeValues"] == {":v0": {"N": "100"}}
    assert "ttl" not in condition


def test_set_clause_sets_values_and_removes_nones() -> None:
    expr = Expr()
    clause = expr.set_clause({"status": "added", "count": 2, "added_at": None})
    assert clause == "SET #n0 = :v0, #n1 = :v1 REMOVE #n2"
    assert expr.names == {"#n0": "status", "#n1": "count", "#n2": "added_at"}
    assert expr.values == {":v0": {"S": "added"}, ":v1": {"N": "2"}}


def test_apply_leaves_out_empty_maps() -> None:
    # DynamoDB rejects empty ExpressionAttributeNames/Values maps.
    assert Expr().apply({"TableName": "t"}) == {"TableName": "t"}
