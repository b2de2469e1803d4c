"""A fast yes for valid values: a JSON Schema subset compiled into one Python predicate.

The full validator (jsonschema) walks a value keyword by keyword and costs about 15 µs per
`bitlinks` item; almost every request is valid, so the server asks this predicate first and runs
the full validator only for a value it does not accept, to name what is wrong. The predicate is
compiled from the same spec schema, so it is no second copy of the rules. A schema with a keyword
outside the subset compiles to None: such a value always goes to the full validator. Correctness
rests on one property, tested against jsonschema: `accepts(value)` implies the validator finds
no error (it is exact on the subset, so it also rejects what the validator rejects).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..spec import ecma_regex

Predicate = Callable[[Any], bool]
Resolve = Callable[[str], Mapping[str, Any]]

# Keywords that never make a value invalid (this project's validator has no format checker).
_ANNOTATIONS = frozenset(
    {
        "description",
        "default",
        "examples",
        "title",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
        "format",
    }
)
_TYPES: dict[str, Predicate] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    # CONTRACT §7: a JSON integer has no fraction or exponent, and `true` is not one.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


class Unsupported(Exception):
    """The schema uses a keyword or form this compiler does not handle."""


def compile_acceptor(schema: Mapping[str, Any], resolve: Resolve) -> Predicate | None:
    """A predicate true exactly for the values `schema` accepts, or None when it is outside the subset."""
    try:
        return _compile(schema, resolve, depth=0)
    except Unsupported:
        return None


def _compile(schema: Mapping[str, Any], resolve: Resolve, *, depth: int) -> Predicate:
    if depth > 20:
        raise Unsupported("schema nesting too deep (a recursive $ref?)")
    if not isinstance(schema, Mapping):
        raise Unsupported(f"schema {schema!r}")
    checks: list[Predicate] = []
    for key, arg in schema.items():
        if key in _ANNOTATIONS:
            continue
        checks.append(_keyword(key, arg, schema, resolve, depth))
    return _all(checks)


def _keyword(key: str, arg: Any, schema: Mapping[str, Any], resolve: Resolve, depth: int) -> Predicate:
    if key == "$ref":
        if not isinstance(arg, str):
            raise Unsupported("$ref")
        return _compile(resolve(arg), resolve, depth=depth + 1)
    if key == "type":
        if not isinstance(arg, str) or arg not in _TYPES:
            raise Unsupported(f"type {arg!r}")
        return _TYPES[arg]
    if key == "enum":
        if not (isinstance(arg, list) and all(isinstance(e, str) for e in arg)):
            raise Unsupported("enum of non-strings")
        allowed = frozenset(arg)
        return lambda v: isinstance(v, str) and v in allowed
    if key == "pattern":
        regex = ecma_regex(arg)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None
    if key in ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"):
        return _bound(key, arg)
    if key == "items":
        item = _compile(arg, resolve, depth=depth + 1)
        return lambda v: not isinstance(v, list) or all(map(item, v))
    if key == "properties":
        return _properties(arg, schema.get("additionalProperties", True), resolve, depth)
    if key == "additionalProperties":
        if arg is False and "properties" in schema:
            return _TRUE  # checked together with `properties`
        raise Unsupported("additionalProperties without properties, or as a schema")
    raise Unsupported(key)


def _bound(key: str, arg: Any) -> Predicate:
    if not isinstance(arg, int) or isinstance(arg, bool):
        raise Unsupported(f"{key} {arg!r}")
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= arg
    if key == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= arg
    if key == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= arg
    if key == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= arg

    def numeric(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    if key == "minimum":
        return lambda v: not numeric(v) or v >= arg
    return lambda v: not numeric(v) or v <= arg


def _properties(props: Any, additional: Any, resolve: Resolve, depth: int) -> Predicate:
    if not isinstance(props, Mapping) or additional not in (True, False):
        raise Unsupported("properties")
    compiled = {name: _compile(sub, resolve, depth=depth + 1) for name, sub in props.items()}
    closed = additional is False

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for name, value in v.items():
            sub = compiled.get(name)
            if sub is None:
                if closed:
                    return False
            elif not sub(value):
                return False
        return True

    return check


def _TRUE(_v: Any) -> bool:
    return True


def _all(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _TRUE
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:  # the common case (`type` and one constraint), without a loop per value
        first, second = checks
        return lambda v: first(v) and second(v)
    rest = _all(checks[1:])
    head = checks[0]
    return lambda v: head(v) and rest(v)
