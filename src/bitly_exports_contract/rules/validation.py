"""Request validation compiled from the spec's request models, with the contract's error reporting.

The field rules themselves (types, enums, patterns, sizes, unknown fields, required fields,
the window pair) are the JSON Schemas of `openapi/exports.yaml`. What a schema validator does
not give is written here: which model applies, the reporting path and rank of each finding,
the `bitlinks`/`filter` relation, and `unix_from <= unix_to`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..spec import SpecError, component_schema, ecma_regex, load_spec
from ..store.db import ItemFilter
from .errors import FieldProblem, bad_request
from .schema_check import Predicate, compile_acceptor

BATCH = "link_engagements_batch"
SPEC_URI = "urn:bitly-exports:openapi"

# CONTRACT §7: the order in which rules name the first offending field.
TOP_LEVEL_ORDER = ("export_type", "bitlinks", "filter", "include_metrics", "unix_from", "unix_to")
FILTER_ORDER = (
    "query",
    "archived",
    "tags",
    "domain",
    "campaign_guid",
    "created_after",
    "created_before",
)
WINDOW = ("unix_from", "unix_to")


@dataclass(frozen=True)
class ExportRequest:
    """A request that passed every field rule."""

    export_type: str
    bitlinks: tuple[str, ...] | None
    filter: ItemFilter | None
    include_metrics: bool
    window: tuple[int, int] | None

    @property
    def metrics(self) -> bool:
        """Whether the export carries metrics (and so the 200-row cap)."""
        return self.export_type == BATCH or self.include_metrics


def _is_integer(_checker: object, instance: object) -> bool:
    # CONTRACT §7: integers are JSON numbers with no fraction or exponent; 10.0 is not one.
    return isinstance(instance, int) and not isinstance(instance, bool)


def _ecma_pattern(
    validator: Any, pattern: str, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    # ECMA-262 `$` matches only at the very end; Python's also matches before a final newline.
    if isinstance(instance, str) and ecma_regex(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(
    Draft202012Validator,
    validators={"pattern": _ecma_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


@functools.cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(load_spec(), DRAFT202012)
    )
    return registry


class _Property:
    """A property's validator, with a fast predicate that says yes to the values it accepts."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.validator = _Validator(dict(schema), registry=_registry())
        self.accepts: Predicate | None = compile_acceptor(schema, _lookup)

    def iter_errors(self, value: Any) -> Iterator[ValidationError]:
        if self.accepts is not None and self.accepts(value):
            return iter(())
        errors: Iterator[ValidationError] = self.validator.iter_errors(value)
        return errors


def _lookup(ref: str) -> Mapping[str, Any]:
    contents: Mapping[str, Any] = _registry().resolver(SPEC_URI).lookup(ref).contents
    return contents


def _validator_for(schema: Mapping[str, Any]) -> _Property:
    return _Property(schema)


def _resolve(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (siblings such as `description` add nothing to validation)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _resolve(_registry().resolver(SPEC_URI).lookup(SPEC_URI + ref).contents)
    return dict(schema)


def _with_spec_refs(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Rewrite `#/...` refs so a sub-schema resolves against the whole spec."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else walk(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: dict[str, Any] = walk(schema)
    return out


@dataclass(frozen=True)
class _Model:
    properties: dict[str, Any]
    required: tuple[str, ...]
    pair: dict[str, tuple[str, ...]]


@functools.cache
def _models() -> dict[str, tuple[_Model, ...]]:
    """The request models of `ExportRequest.oneOf`, by export type."""
    by_type: dict[str, list[_Model]] = {}
    for branch in component_schema("ExportRequest")["oneOf"]:
        schema = _resolve(branch)
        props = {name: _validator_for(_with_spec_refs(s)) for name, s in schema["properties"].items()}
        (export_type,) = schema["properties"]["export_type"]["enum"]
        model = _Model(
            properties=props,
            required=tuple(schema.get("required", ())),
            pair={k: tuple(v) for k, v in schema.get("dependentRequired", {}).items()},
        )
        by_type.setdefault(export_type, []).append(model)
    return {k: tuple(v) for k, v in by_type.items()}


@functools.cache
def _all_properties() -> dict[str, Any]:
    """Every top-level field any model knows, with its validator (one schema per name)."""
    merged: dict[str, Any] = {}
    for models in _models().values():
        for model in models:
            for name, validator in model.properties.items():
                merged.setdefault(name, validator)
    return merged


@functools.cache
def _filter_keys() -> tuple[str, ...]:
    return tuple(_resolve(component_schema("ExportFilter"))["properties"])


def _path(prefix: str, parts: Iterable[Any]) -> str:
    out = prefix
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class _Findings:
    """Problems keyed by path (one per path), ranked in the contract's rule order."""

    def __init__(self) -> None:
        self._by_path: dict[str, tuple[tuple[Any, ...], FieldProblem]] = {}

    def add(self, rank: tuple[Any, ...], path: str, code: str, message: str) -> None:
        if path not in self._by_path or rank < self._by_path[path][0]:
            self._by_path[path] = (rank, FieldProblem(path, code, message))

    def __bool__(self) -> bool:
        return bool(self._by_path)

    def ranked(self) -> list[FieldProblem]:
        return [p for _, p in sorted(self._by_path.values(), key=lambda item: item[0])]


def _schema_errors(
    findings: _Findings, *, name: str, value: Any, validator: Any, rank: tuple[Any, ...]
) -> None:
    """Map a property validator's findings to paths under `name`."""
    for error in validator.iter_errors(value):
        parts = list(error.absolute_path)
        if name == "filter":
            _filter_error(findings, error, parts, value, rank)
            continue
        path = _path(name, parts)
        code = "invalid_" + str(error.validator)
        # rank: the field, then size/shape before items (bitlinks: relation, size, then items)
        sub = (1, parts[0]) if parts and isinstance(parts[0], int) else (0, 0)
        findings.add(rank + sub, path, code, error.message)


def _filter_error(
    findings: _Findings, error: ValidationError, parts: list[Any], value: Any, rank: tuple[Any, ...]
) -> None:
    if not parts:
        if error.validator == "additionalProperties" and isinstance(value, dict):
            keys = list(value)
            for key in keys:
                if key not in _filter_keys():
                    findings.add(
                        rank + (2, keys.index(key)),
                        _path("filter", [key]),
                        "unknown_field",
                        f"{key!r} is not a field of filter",
                    )
            return
        findings.add(rank + (0,), "filter", "invalid_" + str(error.validator), error.message)
        return
    key = parts[0]
    inner = (1, parts[1]) if len(parts) > 1 and isinstance(parts[1], int) else (0, 0)
    findings.add(
        rank + (1, FILTER_ORDER.index(key)) + inner,
        _path("filter", parts),
        "invalid_" + str(error.validator),
        error.message,
    )


def _top_rank(name: str) -> tuple[int, ...]:
    """Rank of a top-level field's findings; the window's type findings come before its pair rules."""
    if name in WINDOW:
        return (TOP_LEVEL_ORDER.index(WINDOW[0]), 0, WINDOW.index(name))
    return (TOP_LEVEL_ORDER.index(name),)


def parse_request(body: dict[str, Any]) -> ExportRequest:
    """Apply every field rule to a JSON object body; raise a 400 `ApiError` naming each offender."""
    findings = _Findings()
    models = _models()
    export_type = body.get("export_type")
    fields = _all_properties()
    required: tuple[str, ...] = ()
    skipped: set[str] = set()

    if "export_type" not in body:
        findings.add(_top_rank("export_type"), "export_type", "required", "export_type is required")
    elif not (isinstance(export_type, str) and export_type in models):
        allowed = ", ".join(models)
        findings.add(_top_rank("export_type"), "export_type", "invalid_enum", f"must be one of {allowed}")
    else:
        model, skipped = _choose_model(findings, body=body, export_type=export_type)
        fields, required = model.properties, tuple(r for r in model.required if r not in skipped)

    keys = list(body)
    for name, value in body.items():
        if name in skipped:
            continue
        validator = fields.get(name)
        if validator is None:
            rank = (len(TOP_LEVEL_ORDER), keys.index(name))
            findings.add(rank, name, "unknown_field", f"{name!r} is not a field of this request")
            continue
        _schema_errors(findings, name=name, value=value, validator=validator, rank=_top_rank(name))

    for name in required:
        if name not in body:
            findings.add(_top_rank(name), name, "required", f"{name} is required for {export_type}")
    _window_pair(findings, body=body, pair=_pair())

    if findings:
        raise bad_request(findings.ranked())
    return _to_request(body)


@functools.cache
def _pair() -> dict[str, tuple[str, ...]]:
    """The window pair rule, as every model states it."""
    pairs = {tuple(sorted(m.pair.items())) for models in _models().values() for m in models}
    if len(pairs) != 1:
        raise SpecError(f"the request models state different unix_from/unix_to pairs: {sorted(pairs)}")
    return dict(pairs.pop())


def _choose_model(findings: _Findings, *, body: dict[str, Any], export_type: str) -> tuple[_Model, set[str]]:
    """The model for a known export type, and the fields already reported by the bitlinks relation.

    The `bitlinks`/`filter` relation is reported at `bitlinks` (CONTRACT §7).
    """
    candidates = _models()[export_type]
    given = {name for name in ("bitlinks", "filter") if name in body}
    for m in candidates:
        wanted = {name for name in ("bitlinks", "filter") if name in m.required}
        if given <= set(m.properties) and wanted <= given:
            return m, set()
    with_filter = next(m for m in candidates if "filter" in m.properties)
    takes_bitlinks = any("bitlinks" in m.properties for m in candidates)
    rank = _top_rank("bitlinks") + (-1,)
    if "bitlinks" in given and not takes_bitlinks:
        findings.add(rank, "bitlinks", "not_allowed", f"bitlinks is not allowed for {export_type}")
        return with_filter, {"bitlinks"}
    if not takes_bitlinks:
        return with_filter, set()  # a list export without filter: `filter` is required
    if given:
        findings.add(rank, "bitlinks", "exclusive", "give exactly one of bitlinks and filter, not both")
        return with_filter, {"bitlinks"}
    findings.add(rank, "bitlinks", "required", "give exactly one of bitlinks and filter")
    return with_filter, {"bitlinks", "filter"}


def _window_pair(findings: _Findings, *, body: dict[str, Any], pair: dict[str, tuple[str, ...]]) -> None:
    """Both bounds or neither (reported at the missing one), then `unix_from <= unix_to`."""
    base = (TOP_LEVEL_ORDER.index(WINDOW[0]), 1)
    for present, needs in pair.items():
        if present in body:
            for missing in needs:
                if missing not in body:
                    findings.add(base, missing, "required", f"{missing} is required with {present}")
    lo, hi = body.get(WINDOW[0]), body.get(WINDOW[1])
    if (
        isinstance(lo, int)
        and isinstance(hi, int)
        and _is_integer(None, lo)
        and _is_integer(None, hi)
        and lo > hi
    ):
        findings.add(base, WINDOW[0], "invalid_order", "unix_from must not be after unix_to")


def _to_request(body: dict[str, Any]) -> ExportRequest:
    raw_filter = body.get("filter")
    flt = None
    if raw_filter is not None:
        flt = ItemFilter(
            query=raw_filter.get("query"),
            archived=raw_filter.get("archived", "off"),
            tags=tuple(raw_filter.get("tags", ())),
            domain=raw_filter.get("domain"),
            created_after=raw_filter.get("created_after"),
            created_before=raw_filter.get("created_before"),
            campaign_guid=raw_filter.get("campaign_guid"),
        )
    bitlinks = body.get("bitlinks")
    window = (body["unix_from"], body["unix_to"]) if "unix_from" in body else None
    return ExportRequest(
        export_type=body["export_type"],
        bitlinks=tuple(bitlinks) if bitlinks is not None else None,
        filter=flt,
        include_metrics=bool(body.get("include_metrics", False)),
        window=window,
    )
