"""A small declarative condition language over a family's answers.

A condition is YAML data::

    all: [cond, ...]            every one holds
    any: [cond, ...]            at least one holds
    not: cond                   does not hold
    at_least: {n: 2, of: [...]} at least n of them hold
    child_age: {lt: 18}         a field compared with eq, ne, lt, lte, gt, gte, in, not_in
    extra_care: true            shorthand for {eq: true}

A list-valued fact (``parent_work``: one entry per parent) holds when any of its entries does.
A comparison with a missing value (``attendance_percent: null``) is false, except ``eq``/``ne``
with ``null``. Evaluation returns which fields made the condition true, so that every scheme in an
overview can say which answers point to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in")
_ORDERED = ("lt", "lte", "gt", "gte")


class ConditionError(ValueError):
    """A condition is not valid; the message says where (``path``) and why."""


@dataclass(frozen=True)
class Match:
    ok: bool
    fields: tuple[str, ...] = ()  # the fields whose answers made it true, in order of appearance


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    value: Any

    def evaluate(self, facts: Mapping[str, Any]) -> Match:
        actual = facts.get(self.field)
        values = actual if isinstance(actual, list | tuple) else [actual]
        ok = any(_compare(v, self.op, self.value) for v in values)
        return Match(ok, (self.field,) if ok else ())

    def field_names(self) -> tuple[str, ...]:
        return (self.field,)


@dataclass(frozen=True)
class Group:
    kind: str  # all | any | at_least
    parts: tuple[Condition, ...]
    n: int = 1

    def evaluate(self, facts: Mapping[str, Any]) -> Match:
        results = [p.evaluate(facts) for p in self.parts]
        hits = [r for r in results if r.ok]
        ok = {"all": len(hits) == len(results), "any": bool(hits), "at_least": len(hits) >= self.n}[self.kind]
        return Match(ok, _ordered_union(r.fields for r in hits) if ok else ())

    def field_names(self) -> tuple[str, ...]:
        return _ordered_union(p.field_names() for p in self.parts)


@dataclass(frozen=True)
class Negation:
    part: Condition

    def evaluate(self, facts: Mapping[str, Any]) -> Match:
        # what is absent is not a reason; a negation holds without naming fields
        return Match(not self.part.evaluate(facts).ok)

    def field_names(self) -> tuple[str, ...]:
        return self.part.field_names()


Condition = Leaf | Group | Negation


def parse(data: Any, fields: Mapping[str, tuple[type, tuple | None]], path: str = "conditions") -> Condition:
    """Parse condition data; ``fields`` maps each field to (type, allowed values or None)."""
    if not isinstance(data, Mapping) or len(data) != 1:
        raise ConditionError(f"{path}: expected a mapping with exactly one key, got {data!r}")
    (key, value), = data.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{path}.{key}: expected a non-empty list")
        return Group(key, tuple(parse(v, fields, f"{path}.{key}[{i}]") for i, v in enumerate(value)))
    if key == "not":
        return Negation(parse(value, fields, f"{path}.not"))
    if key == "at_least":
        if not isinstance(value, Mapping) or set(value) != {"n", "of"}:
            raise ConditionError(f"{path}.at_least: expected {{n: <int>, of: [...]}}")
        parts = value["of"]
        if not isinstance(parts, list) or not isinstance(value["n"], int) or not 1 <= value["n"] <= len(parts):
            raise ConditionError(f"{path}.at_least: n must be between 1 and the number of conditions")
        return Group("at_least", tuple(parse(v, fields, f"{path}.at_least.of[{i}]") for i, v in enumerate(parts)),
                     value["n"])
    return _leaf(key, value, fields, path)


def _leaf(field: str, value: Any, fields: Mapping[str, tuple[type, tuple | None]], path: str) -> Leaf:
    if field not in fields:
        raise ConditionError(f"{path}: unknown field {field!r} (known: {', '.join(sorted(fields))})")
    if isinstance(value, Mapping):
        if len(value) != 1:
            raise ConditionError(f"{path}.{field}: expected one operator, got {dict(value)!r}")
        (op, operand), = value.items()
    else:
        op, operand = "eq", value
    if op not in OPERATORS:
        raise ConditionError(f"{path}.{field}: unknown operator {op!r} (known: {', '.join(OPERATORS)})")
    kind, allowed = fields[field]
    operands = operand if op in ("in", "not_in") else [operand]
    if op in ("in", "not_in") and not isinstance(operand, list):
        raise ConditionError(f"{path}.{field}.{op}: expected a list")
    for v in operands:
        if v is None and op in ("eq", "ne"):
            continue
        if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
            raise ConditionError(f"{path}.{field}.{op}: {v!r} is not a {kind.__name__}")
        if allowed is not None and v not in allowed:
            raise ConditionError(f"{path}.{field}.{op}: {v!r} is not one of {', '.join(map(str, allowed))}")
    if op in _ORDERED and kind is not int:
        raise ConditionError(f"{path}.{field}.{op}: only numbers can be compared with {op}")
    return Leaf(field, op, tuple(operand) if op in ("in", "not_in") else operand)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual is not None and actual not in expected
    if actual is None:
        return False
    return {"lt": actual < expected, "lte": actual <= expected,
            "gt": actual > expected, "gte": actual >= expected}[op]


def _ordered_union(groups) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for f in group:
            seen.setdefault(f, None)
    return tuple(seen)
