"""Python values <-> DynamoDB AttributeValues, and expressions with every name aliased."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]


def to_attr(value: object) -> AttributeValue:
    # bool before int: bool is an int subclass and would otherwise marshal as N.
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    if isinstance(value, set | frozenset) and value:
        # A number set: DynamoDB's ADD and DELETE take and drop members atomically.
        if not all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in value):
            raise TypeError("only sets of whole numbers are stored, as NS")
        return {"NS": sorted(_number(v) for v in value)}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def from_attr(attr: Mapping[str, Any]) -> Any:
    (kind, raw), *rest = attr.items()
    if rest:
        raise ValueError(f"AttributeValue with several types: {sorted(attr)}")
    if kind == "S":
        return raw
    if kind == "N":
        return parse_number(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in raw.items()}
    if kind == "L":
        return [from_attr(v) for v in raw]
    if kind == "NS":
        return frozenset(parse_number(v) for v in raw)
    raise ValueError(f"unsupported AttributeValue type {kind}")


def to_item(values: Mapping[str, object]) -> Item:
    return {k: to_attr(v) for k, v in values.items()}


def from_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {k: from_attr(v) for k, v in item.items()}


def parse_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("DynamoDB numbers must be finite")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("DynamoDB numbers must be finite")
    return repr(value) if isinstance(value, float) else str(value)


class Expr:
    """Placeholders for one request: `#n0` for names, `:v0` for values.

    Every attribute name goes through ExpressionAttributeNames so reserved words
    (`ttl`, `status`, `count`, ...) never break an expression.
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValue] = {}
        self._aliases: dict[str, str] = {}

    def name(self, attribute: str) -> str:
        alias = self._aliases.get(attribute)
        if alias is None:
            alias = f"#n{len(self._aliases)}"
            self._aliases[attribute] = alias
            self.names[alias] = attribute
        return alias

    def value(self, value: object) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = to_attr(value)
        return placeholder

    def eq(self, attribute: str, value: object) -> str:
        return f"{self.name(attribute)} = {self.value(value)}"

    def set_clause(self, fields: Mapping[str, object]) -> str:
        """`SET #a = :x, #b = :y`; None values become REMOVE so no NULLs pile up."""
        sets = [self.eq(k, v) for k, v in fields.items() if v is not None]
        removes = [self.name(k) for k, v in fields.items() if v is None]
        parts = []
        if sets:
            parts.append("SET " + ", ".join(sets))
        if removes:
            parts.append("REMOVE " + ", ".join(removes))
        return " ".join(parts)

    def apply(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.names:
            request["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            request["ExpressionAttributeValues"] = dict(self.values)
        return request
