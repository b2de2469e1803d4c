"""Deliberately faulty variants of the reference server, each breaking one contract rule.

A mutant is a function that monkeypatches the server's modules in the process that is about
to serve; nothing here is imported by the shipped server. `serve_mutant.py` applies one and
starts `exports-server serve`.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from bitly_exports_contract.rules import csv_shape, errors, export, validation
from bitly_exports_contract.server import app as app_module
from bitly_exports_contract.store import db as store_db

# A mutant patches the server's modules and returns None, or returns a factory of ASGI middleware
# `(app, fixture) -> app` that goes around the app through the server's declared seam.
MUTANTS: dict[str, tuple[str, Callable[[], Any]]] = {}


def mutant(description: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(fn: Callable[[], Any]) -> Callable[[], Any]:
        MUTANTS[fn.__name__] = (description, fn)
        return fn

    return register


def _wrap_body(change: Callable[[dict[str, Any], Any], None]) -> None:
    """Alter every 200 body after the real server built it."""
    original = app_module.build_export

    @functools.wraps(original)
    def wrapped(**kwargs: Any) -> dict[str, Any]:
        body = original(**kwargs)
        change(body, kwargs["request"])
        return body

    app_module.build_export = wrapped  # type: ignore[assignment]


def _wrap_store(method: str, change: Callable[..., Any]) -> None:
    original = getattr(store_db.Store, method)

    @functools.wraps(original)
    def wrapped(self: Any, **kwargs: Any) -> Any:
        return change(original, self, **kwargs)

    setattr(store_db.Store, method, wrapped)


def _recsv(body: dict[str, Any], data: bytes) -> None:
    body["data_uri"] = "data:text/csv;base64," + base64.b64encode(data).decode()
    body["size_bytes"] = len(data)


def _csv(body: dict[str, Any]) -> bytes:
    return base64.b64decode(body["data_uri"].split(",", 1)[1])


# --- caps and truncation -------------------------------------------------------------------


@mutant("metrics cap off by one (201 rows)")
def cap_metrics_off_by_one() -> None:
    export.row_cap = lambda *, metrics: 201 if metrics else 1000  # type: ignore[assignment]


@mutant("metadata cap off by one (999 rows)")
def cap_list_off_by_one() -> None:
    export.row_cap = lambda *, metrics: 200 if metrics else 999  # type: ignore[assignment]


@mutant("include_metrics keeps the 1000-row cap")
def cap_ignores_include_metrics() -> None:
    export.row_cap = lambda *, metrics: 1000  # type: ignore[assignment]


@mutant("truncated is never set")
def truncated_never() -> None:
    _wrap_body(lambda body, _req: body.__setitem__("truncated", False))


@mutant("truncated set when the match set equals the cap")
def truncated_at_cap() -> None:
    def change(body: dict[str, Any], req: Any) -> None:
        if body["row_count"] == export.row_cap(metrics=req.metrics):
            body["truncated"] = True

    _wrap_body(change)


@mutant("row_count counts the header")
def row_count_includes_header() -> None:
    _wrap_body(lambda body, _req: body.__setitem__("row_count", body["row_count"] + 1))


@mutant("size_bytes is the base64 length")
def size_bytes_of_base64() -> None:
    _wrap_body(lambda body, _req: body.__setitem__("size_bytes", len(body["data_uri"].split(",", 1)[1])))


@mutant("column_count off by one")
def column_count_wrong() -> None:
    _wrap_body(lambda body, _req: body.__setitem__("column_count", len(body["columns"]) - 1))


@mutant("data_uri uses URL-safe base64")
def data_uri_urlsafe() -> None:
    def change(body: dict[str, Any], _req: Any) -> None:
        body["data_uri"] = "data:text/csv;base64," + base64.urlsafe_b64encode(_csv(body)).decode()

    _wrap_body(change)


@mutant("media type in data_uri is text/plain")
def data_uri_media_type() -> None:
    _wrap_body(
        lambda body, _req: body.__setitem__("data_uri", body["data_uri"].replace("text/csv", "text/plain"))
    )


@mutant("filename without the timestamp")
def filename_wrong() -> None:
    export.export_filename = lambda *, group_guid, export_type, now: f"{group_guid}_{export_type}.csv"  # type: ignore[assignment]


# --- CSV -----------------------------------------------------------------------------------


@mutant("CSV records end with LF")
def csv_lf() -> None:
    _wrap_body(lambda body, _req: _recsv(body, _csv(body).replace(b"\r\n", b"\n")))


@mutant("CSV starts with a UTF-8 BOM")
def csv_bom() -> None:
    _wrap_body(lambda body, _req: _recsv(body, b"\xef\xbb\xbf" + _csv(body)))


@mutant("CSV quotes every field")
def csv_quote_all() -> None:
    import csv
    import io

    def render(*, columns: Any, rows: Any) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(columns)
        w.writerows([csv_shape.guard_formula(c) for c in r] for r in rows)
        return buf.getvalue().encode()

    def records(rows: Any) -> list[str]:
        return [render(columns=cells, rows=[]).decode()[:-2] for cells in rows]

    # every record's cells render through render_records (the item's own cells once, then cached)
    export.render_records = records  # type: ignore[assignment]


@mutant("no formula guard")
def formula_unguarded() -> None:
    csv_shape.guard_formula = lambda cell: cell  # type: ignore[assignment]


@mutant("formula guard misses '@' (tags cell)")
def formula_guard_misses_at() -> None:
    csv_shape.guard_formula = lambda cell: "'" + cell if cell[:1] in ("=", "+", "-", "\t", "\r") else cell  # type: ignore[assignment]


@mutant("tags joined with ','")
def tags_comma() -> None:
    export.tags_cell = lambda tags: ",".join(tags)  # type: ignore[assignment]


@mutant("timestamps in ISO with 'Z'")
def timestamp_z() -> None:
    import time

    export.timestamp_cell = lambda unix: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))  # type: ignore[assignment]


@mutant("archived written as True/False")
def archived_capitalised() -> None:
    export.bool_cell = lambda value: "True" if value else "False"  # type: ignore[assignment]


@mutant("total_engagements leaves out button_clicks")
def total_without_buttons() -> None:
    original = export._count_cells

    def cells(export_type: str, counts: Any) -> list[str]:
        out = list(original(export_type, counts))  # _count_cells returns a tuple
        if export_type == validation.BATCH:
            out[-1] = str(counts[0] + counts[1])
        return out

    export._count_cells = cells  # type: ignore[assignment]


@mutant("QR destination is always the long URL")
def qr_destination_long_url() -> None:
    original = export._own_cells

    def cells(export_type: str, row: Any) -> list[str]:
        out = list(original(export_type, row))  # _own_cells returns a tuple
        if export_type == "qr_codes_list":
            out[3] = row.long_url
        return out

    export._own_cells = cells  # type: ignore[assignment]


@mutant("include_metrics adds no metric columns")
def include_metrics_ignored() -> None:
    original = export.columns_for
    export.columns_for = lambda *, export_type, metrics: original(  # type: ignore[assignment]
        export_type=export_type, metrics=metrics and export_type == validation.BATCH
    )
    original_cells = export._count_cells
    export._count_cells = lambda t, counts: original_cells(t, counts) if t == validation.BATCH else ()  # type: ignore[assignment]


# --- order and de-duplication ---------------------------------------------------------------


def _reorder(key: Callable[[Any], Any]) -> Callable[..., Any]:
    def change(original: Any, self: Any, **kwargs: Any) -> Any:
        limit = kwargs.pop("limit")
        rows = original(self, limit=10**9, **kwargs)
        return sorted(rows, key=key)[:limit]

    return change


@mutant("list exports oldest first")
def order_reversed() -> None:
    _wrap_store("find_links", _reorder(lambda r: (r.created, r.id)))
    _wrap_store("find_qr_codes", _reorder(lambda r: (r.created, r.id)))


@mutant("ties in created ordered by id descending")
def ties_by_id_descending() -> None:
    def key(r: Any) -> Any:
        return (-r.created, [-ord(c) for c in r.id])

    _wrap_store("find_links", _reorder(key))


@mutant("bitlinks duplicates kept")
def bitlinks_not_deduped() -> None:
    original = export.resolve_bitlinks

    def resolve(*, store: Any, group: str, bitlinks: Any) -> Any:
        rows = {r.id: r for r in original(store=store, group=group, bitlinks=bitlinks)}
        return [rows[b] for b in bitlinks]

    export.resolve_bitlinks = resolve  # type: ignore[assignment]


@mutant("bitlinks exported sorted, not in request order")
def bitlinks_sorted() -> None:
    original = export.resolve_bitlinks
    export.resolve_bitlinks = lambda **kw: sorted(original(**kw), key=lambda r: r.id)  # type: ignore[assignment]


@mutant("bitlinks exports skip archived links")
def bitlinks_skip_archived() -> None:
    original = export.resolve_bitlinks
    export.resolve_bitlinks = lambda **kw: [r for r in original(**kw) if not r.archived]  # type: ignore[assignment]


# --- filters --------------------------------------------------------------------------------


def _with_filter(change: Callable[[Any], Any]) -> Callable[..., Any]:
    def call(original: Any, self: Any, **kwargs: Any) -> Any:
        kwargs["flt"] = change(kwargs["flt"])
        return original(self, **kwargs)

    return call


@mutant("created_before is inclusive")
def created_before_inclusive() -> None:
    def change(f: Any) -> Any:
        cb = f.created_before
        return dataclasses.replace(f, created_before=cb + 1 if cb is not None else None)

    _wrap_store("find_links", _with_filter(change))
    _wrap_store("find_qr_codes", _with_filter(change))


@mutant("created_after is exclusive")
def created_after_exclusive() -> None:
    def change(f: Any) -> Any:
        ca = f.created_after
        return dataclasses.replace(f, created_after=ca + 1 if ca is not None else None)

    _wrap_store("find_links", _with_filter(change))
    _wrap_store("find_qr_codes", _with_filter(change))


@mutant("archived defaults to both")
def archived_default_both() -> None:
    original = validation._to_request

    def to_request(body: dict[str, Any]) -> Any:
        req = original(body)
        if req.filter is not None and "archived" not in (body.get("filter") or {}):
            req = dataclasses.replace(req, filter=dataclasses.replace(req.filter, archived="both"))
        return req

    validation._to_request = to_request  # type: ignore[assignment]


@mutant("archived 'on' returns everything")
def archived_on_is_both() -> None:
    change = _with_filter(lambda f: dataclasses.replace(f, archived="both") if f.archived == "on" else f)
    _wrap_store("find_links", change)
    _wrap_store("find_qr_codes", change)


def _post_filter(keep: Callable[[Any, Any], bool], relax: Callable[[Any], Any]) -> Callable[..., Any]:
    def call(original: Any, self: Any, **kwargs: Any) -> Any:
        flt, limit = kwargs.pop("flt"), kwargs.pop("limit")
        rows = original(self, flt=relax(flt), limit=10**9, **kwargs)
        return [r for r in rows if keep(r, flt)][:limit]

    return call


@mutant("tags must ALL match")
def tags_all() -> None:
    _wrap_store(
        "find_links",
        _post_filter(lambda r, f: set(f.tags) <= set(r.tags), lambda f: f),
    )


@mutant("tags compared case-insensitively")
def tags_case_insensitive() -> None:
    def keep(r: Any, f: Any) -> bool:
        return not f.tags or bool({t.lower() for t in f.tags} & {t.lower() for t in r.tags})

    _wrap_store("find_links", _post_filter(keep, lambda f: dataclasses.replace(f, tags=())))


@mutant("query is case-sensitive")
def query_case_sensitive() -> None:
    def keep(r: Any, f: Any) -> bool:
        if f.query is None:
            return True
        return any(f.query in (x or "") for x in (r.title, r.long_url, r.id, *r.tags))

    _wrap_store("find_links", _post_filter(keep, lambda f: f))


@mutant("query ignores tags")
def query_ignores_tags() -> None:
    def keep(r: Any, f: Any) -> bool:
        if f.query is None:
            return True
        return any(f.query.lower() in (x or "").lower() for x in (r.title, r.long_url, r.id))

    _wrap_store("find_links", _post_filter(keep, lambda f: f))


@mutant("domain matches as a substring")
def domain_substring() -> None:
    def keep(r: Any, f: Any) -> bool:
        return f.domain is None or f.domain.lower() in r.id.split("/", 1)[0].lower()

    _wrap_store("find_links", _post_filter(keep, lambda f: dataclasses.replace(f, domain=None)))


@mutant("domain compared case-sensitively")
def domain_case_sensitive() -> None:
    def keep(r: Any, f: Any) -> bool:
        return f.domain is None or f.domain == r.id.split("/", 1)[0]

    _wrap_store("find_links", _post_filter(keep, lambda f: f))


@mutant("campaign_guid ignored on links")
def campaign_ignored() -> None:
    _wrap_store("find_links", _with_filter(lambda f: dataclasses.replace(f, campaign_guid=None)))


@mutant("campaign_guid applied to QR codes (selects nothing)")
def campaign_applied_to_qr() -> None:
    _wrap_store(
        "find_qr_codes", lambda original, self, **kw: [] if kw["flt"].campaign_guid else original(self, **kw)
    )


# --- metrics window and tiers ----------------------------------------------------------------


@mutant("window not clamped to the tier")
def window_not_clamped() -> None:
    export.clamp_window = lambda *, requested, tier_start, now: requested or (tier_start, now)  # type: ignore[assignment]


@mutant("window end exclusive")
def window_end_exclusive() -> None:
    original = store_db.Store.metrics
    store_db.Store.metrics = lambda self, **kw: original(self, **{**kw, "end": kw["end"] - 1})  # type: ignore[method-assign]


@mutant("window start exclusive")
def window_start_exclusive() -> None:
    original = store_db.Store.metrics
    store_db.Store.metrics = lambda self, **kw: original(self, **{**kw, "start": kw["start"] + 1})  # type: ignore[method-assign]


@mutant("effective window not echoed")
def window_not_echoed() -> None:
    def change(body: dict[str, Any], _req: Any) -> None:
        body.pop("unix_from", None)
        body.pop("unix_to", None)

    _wrap_body(change)


@mutant("window echoed without metrics")
def window_echo_without_metrics() -> None:
    def change(body: dict[str, Any], req: Any) -> None:
        if not req.metrics and req.window is not None:
            body["unix_from"], body["unix_to"] = req.window

    _wrap_body(change)


@mutant("core tier gets 31 days")
def tier_days_wrong() -> None:
    original = export.tier_window

    def window(*, tier: str, now: int) -> Any:
        bounds = original(tier=tier, now=now)
        return (bounds[0] - 86400, bounds[1]) if bounds and tier == "core" else bounds

    export.tier_window = window  # type: ignore[assignment]


@mutant("free tier gets metrics")
def free_tier_metrics() -> None:
    original = export.tier_window
    export.tier_window = lambda *, tier, now: original(tier="core" if tier == "free" else tier, now=now)  # type: ignore[assignment]


# --- validation -----------------------------------------------------------------------------


def _wrap_parse(prepare: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    original = app_module.parse_request
    app_module.parse_request = lambda body: original(prepare(body))  # type: ignore[assignment]


@mutant("unknown top-level fields accepted")
def unknown_fields_accepted() -> None:
    known = set(validation.TOP_LEVEL_ORDER)
    _wrap_parse(lambda body: {k: v for k, v in body.items() if k in known})


@mutant("unknown filter fields accepted")
def unknown_filter_fields_accepted() -> None:
    known = set(validation.FILTER_ORDER)

    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        if isinstance(body.get("filter"), dict):
            body = {**body, "filter": {k: v for k, v in body["filter"].items() if k in known}}
        return body

    _wrap_parse(prepare)


@mutant("one window bound alone accepted")
def window_pair_not_enforced() -> None:
    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        if ("unix_from" in body) != ("unix_to" in body):
            body = {k: v for k, v in body.items() if k not in ("unix_from", "unix_to")}
        return body

    _wrap_parse(prepare)


@mutant("unix_from > unix_to accepted")
def window_order_not_enforced() -> None:
    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        lo, hi = body.get("unix_from"), body.get("unix_to")
        if type(lo) is int and type(hi) is int and lo > hi:
            body = {**body, "unix_from": hi, "unix_to": lo}
        return body

    _wrap_parse(prepare)


@mutant("bitlinks with a scheme accepted")
def bitlink_scheme_accepted() -> None:
    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        if isinstance(body.get("bitlinks"), list):
            strip = lambda b: b.split("://", 1)[-1] if isinstance(b, str) else b  # noqa: E731
            body = {**body, "bitlinks": [strip(b) for b in body["bitlinks"]]}
        return body

    _wrap_parse(prepare)


@mutant("bitlinks and filter together accepted (filter wins)")
def bitlinks_with_filter_accepted() -> None:
    _wrap_parse(lambda body: {k: v for k, v in body.items() if k != "bitlinks"} if "filter" in body else body)


@mutant("list export without filter accepted")
def list_without_filter_accepted() -> None:
    _wrap_parse(
        lambda body: (
            {**body, "filter": {}}
            if "filter" not in body
            and "export_type" in body
            and body["export_type"] != "link_engagements_batch"
            else body
        )
    )


@mutant("float integers accepted (10.0)")
def float_integers_accepted() -> None:
    def fix(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        return v

    _wrap_parse(fix)


@mutant("query over 256 characters accepted")
def query_length_unbounded() -> None:
    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        f = body.get("filter")
        if isinstance(f, dict) and isinstance(f.get("query"), str):
            body = {**body, "filter": {**f, "query": f["query"][:256]}}
        return body

    _wrap_parse(prepare)


@mutant("first offending field named out of rule order")
def error_message_wrong_field() -> None:
    original = errors.bad_request
    validation.bad_request = lambda problems: original(list(reversed(problems)))  # type: ignore[assignment]


@mutant("errors[] reports only the first field")
def errors_only_first() -> None:
    original = errors.bad_request
    validation.bad_request = lambda problems: original(problems[:1])  # type: ignore[assignment]


@mutant("error resource is 'bitlinks'")
def error_resource_wrong() -> None:
    original = errors.ApiError.body

    def body(self: Any) -> dict[str, object]:
        out = original(self)
        out["resource"] = "bitlinks"
        return out

    errors.ApiError.body = body  # type: ignore[method-assign]


# --- statuses and transport --------------------------------------------------------------------


@mutant("404 for a group that does not exist")
def missing_group_404() -> None:
    original = app_module.ExportsApp._authorise

    def authorise(self: Any, header: Any, group: Any) -> Any:
        if group is None or not self.config.store.has_group(group):
            raise errors.not_found()
        return original(self, header, group)

    app_module.ExportsApp._authorise = authorise  # type: ignore[method-assign]


@mutant("500 on malformed JSON")
def malformed_json_500() -> None:
    original = app_module._parse_json

    def parse(raw: bytes) -> Any:
        try:
            return original(raw)
        except errors.ApiError as exc:
            if exc.message == "INVALID_JSON":
                raise errors.internal_error() from exc
            raise

    app_module._parse_json = parse  # type: ignore[assignment]


@mutant("Content-Type not checked")
def content_type_unchecked() -> None:
    app_module.is_json_media_type = lambda header: True  # type: ignore[assignment]


@mutant("no body size limit")
def no_body_limit() -> None:
    original = app_module.ExportsApp.__init__

    def init(self: Any, config: Any) -> None:
        original(self, config)
        self._max_body = 1 << 30

    app_module.ExportsApp.__init__ = init  # type: ignore[method-assign]


@mutant("422 lists only the first unknown bitlink")
def unprocessable_only_first() -> None:
    original = errors.unprocessable
    export.unprocessable = lambda problems: original(problems[:1])  # type: ignore[assignment]


@mutant("unknown bitlinks answer 400")
def unknown_bitlinks_400() -> None:
    export.unprocessable = lambda problems: errors.bad_request(problems)  # type: ignore[assignment]


@mutant("405 without an Allow header")
def method_not_allowed_no_allow() -> None:
    original = errors.method_not_allowed

    def mna() -> errors.ApiError:
        err = original()
        err.headers = {}
        return err

    app_module.errors.method_not_allowed = mna  # type: ignore[assignment]


@mutant("402 checked after 422")
def upgrade_after_resolution() -> None:
    original = export.build_export

    def build(*, request: Any, store: Any, group: str, tier: str, now: int) -> Any:
        if request.bitlinks is not None:
            export.resolve_bitlinks(store=store, group=group, bitlinks=request.bitlinks)
        return original(request=request, store=store, group=group, tier=tier, now=now)

    app_module.build_export = build  # type: ignore[assignment]


@mutant("metrics summed over all time, ignoring the window")
def metrics_ignore_window() -> None:
    original = store_db.Store.metrics
    store_db.Store.metrics = lambda self, **kw: original(self, **{**kw, "start": 0, "end": 10**12})  # type: ignore[method-assign]


# more mutants, registered on import
import mutants_seam  # noqa: E402, F401
import mutants_transport  # noqa: E402, F401
