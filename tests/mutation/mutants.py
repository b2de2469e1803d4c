"""Deliberately faulty variants of the reference server, each breaking one contract rule.

Every mutant is built through the server's declared seam (see `seam.py`): a factory of ASGI middleware
`wrap(app, fixture) -> app` around the unchanged reference app, given the fixture the server loads.
None patches a name inside the server. Where a fault of the server's internals cannot be reproduced
exactly from outside, the mutant builds the nearest one and its description says so. Every mutant names a
witness request on which its answer differs from the reference server's (`test_witnesses.py`).
`serve_mutant.py` starts `exports-server serve` with one of them. The registry is `MUTANTS`.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable
from typing import Any

from seam import (
    BATCH,
    LINKS,
    METRICS,
    MUTANTS,
    QRS,
    Answer,
    App,
    Fixture,
    GroupData,
    Headers,
    Scope,
    Witness,
    Wrap,
    ask,
    csv_bytes,
    data_rows_rewrite,
    error_body,
    filter_of,
    group_data,
    group_of,
    ident,
    json_answer,
    listing,
    metrics_asked,
    mutant,
    raw_group_of,
    read_table,
    reasking,
    rewrite_errors,
    rewrite_export,
    rewrite_request,
    rewrite_request_bodies,
    rewrite_scope,
    rows_rewrite,
    set_csv,
    token_of_tier,
    token_record,
    with_header,
    without,
    write_table,
)

from bitly_exports_contract.kit.fixture import guard
from bitly_exports_contract.spec import figures

__all__ = ["MUTANTS"]

LIST = listing()
LIST_METRICS = listing(include_metrics=True)
BATCH_ALL = Witness(body={"export_type": BATCH, "filter": {}})
CAPS = {True: 200, False: 1000}


def _newest(data: GroupData, n: int, *, archived: bool | None = False) -> list[str]:
    """The ids of the group's `n` newest links (unarchived ones by default)."""
    links = [
        (-int(v["created"]), k)
        for k, v in data.links.items()
        if archived is None or v["archived"] == archived
    ]
    return [k for _, k in sorted(links)[:n]]


def _engaged_link(data: GroupData) -> tuple[str, int]:
    """A link and the moment of its latest engagement (the most recent of the group's links)."""
    return max(((k, s.moments[-1]) for k, s in data.series.items() if k in data.links), key=lambda p: p[1])


def _batch(bitlinks: Callable[[GroupData], list[str]], **fields: Any) -> Witness:
    return Witness(body=lambda d: {"export_type": BATCH, "bitlinks": bitlinks(d), **fields})


def _window_batch(d: GroupData) -> dict[str, Any]:
    link, moment = _engaged_link(d)
    return {"export_type": BATCH, "bitlinks": [link], "unix_from": moment, "unix_to": moment}


# --- caps and truncation -------------------------------------------------------------------


def _unlimited(fixture: Fixture, scope: Scope) -> Scope:
    """The scope with a token of the same tier and group without a rate limit (for a mutant's own asks)."""
    record = token_record(fixture, scope)
    token = token_of_tier(fixture, str(record["tier"]), group_of(scope)) if record else None
    return scope if token is None else with_header(scope, b"authorization", f"Bearer {token}".encode())


async def _metrics_rows(
    app: App, fixture: Fixture, scope: Scope, request: dict[str, Any], window: tuple[int, int]
) -> tuple[list[list[str]], bool] | None:
    """The export's match set, in export order, up to 1000 rows with their metrics in `window`, and
    whether it holds more: the app asked again without metrics (cap 1000), the metrics from the fixture."""
    data = group_data(fixture, group_of(scope))
    if data is None:
        return None
    export_type = request.get("export_type")
    if export_type == BATCH and isinstance(request.get("bitlinks"), list):
        ids = list(dict.fromkeys(request["bitlinks"]))
        own, more = [data.link_cells(i)[:3] for i in ids if i in data.links], False
    else:
        inner = {"export_type": LINKS if export_type == BATCH else export_type, "filter": request["filter"]}
        answer = await ask(app, _unlimited(fixture, scope), json.dumps(inner).encode())
        if answer.status != 200:
            return None
        value = answer.json()
        own = [row[:3] if export_type == BATCH else row for row in read_table(value)[1:]]
        more = bool(value["truncated"])
    rows = []
    for cells in own:
        counts = data.metrics(ident(cells[0]), window)
        rows.append([*cells, *map(str, counts), *([str(sum(counts))] if export_type == BATCH else [])])
    return rows, more


def _cap_of_metrics(cap: int) -> Wrap:
    """Exports with metrics cut at `cap` instead of 200 (the rows past 200 rebuilt from the fixture)."""

    async def decide(app: App, fixture: Fixture, scope: Scope, body: bytes, first: Answer) -> Answer:
        if first.status != 200:
            return first
        value, request = first.json(), json.loads(body)
        if "unix_from" not in value or not (value["truncated"] or cap < 200):
            return first
        found = await _metrics_rows(app, fixture, scope, request, (value["unix_from"], value["unix_to"]))
        if found is None:
            return first
        rows, more = found
        write_table(value, [value["columns"], *rows[:cap]], recount=True)
        value["truncated"] = more or len(rows) > cap
        return json_answer(200, value)

    return reasking(decide)


@mutant(
    "metrics cap off by one (201 rows: the 201st row asked of the app without metrics, its metrics "
    "from the fixture)",
    witness=LIST_METRICS,
)
def cap_metrics_off_by_one() -> Wrap:
    return _cap_of_metrics(201)


@mutant("metadata cap off by one (999 rows)", witness=LIST)
def cap_list_off_by_one() -> Wrap:
    def change(_scope: Scope, _request: Any, body: dict[str, Any]) -> None:
        if "unix_from" not in body and body["row_count"] == 1000:
            table = read_table(body)
            write_table(body, table[:-1], recount=True)
            body["truncated"] = True

    return rewrite_export(change)


@mutant(
    "include_metrics keeps the 1000-row cap (the rows past 200 asked of the app without metrics, their "
    "metrics from the fixture)",
    witness=LIST_METRICS,
)
def cap_ignores_include_metrics() -> Wrap:
    return _cap_of_metrics(1000)


@mutant("truncated is never set", witness=LIST)
def truncated_never() -> Wrap:
    return rewrite_export(lambda _s, _r, body: body.__setitem__("truncated", False))


@mutant("truncated set when the match set equals the cap", witness=_batch(lambda d: _newest(d, 200)))
def truncated_at_cap() -> Wrap:
    def change(_scope: Scope, _request: Any, body: dict[str, Any]) -> None:
        if body["row_count"] == CAPS["unix_from" in body]:
            body["truncated"] = True

    return rewrite_export(change)


@mutant("row_count counts the header", witness=LIST)
def row_count_includes_header() -> Wrap:
    return rewrite_export(lambda _s, _r, body: body.__setitem__("row_count", body["row_count"] + 1))


@mutant("size_bytes is the base64 length", witness=LIST)
def size_bytes_of_base64() -> Wrap:
    return rewrite_export(
        lambda _s, _r, body: body.__setitem__("size_bytes", len(body["data_uri"].split(",", 1)[1]))
    )


@mutant("column_count off by one", witness=LIST)
def column_count_wrong() -> Wrap:
    return rewrite_export(lambda _s, _r, body: body.__setitem__("column_count", len(body["columns"]) - 1))


@mutant("data_uri uses URL-safe base64", witness=LIST)
def data_uri_urlsafe() -> Wrap:
    def change(_scope: Scope, _request: Any, body: dict[str, Any]) -> None:
        body["data_uri"] = "data:text/csv;base64," + base64.urlsafe_b64encode(csv_bytes(body)).decode()

    return rewrite_export(change)


@mutant("media type in data_uri is text/plain", witness=LIST)
def data_uri_media_type() -> Wrap:
    return rewrite_export(
        lambda _s, _r, body: body.__setitem__("data_uri", body["data_uri"].replace("text/csv", "text/plain"))
    )


@mutant("filename without the timestamp", witness=LIST)
def filename_wrong() -> Wrap:
    def change(_scope: Scope, _request: Any, body: dict[str, Any]) -> None:
        body["filename"] = body["filename"].rsplit("_", 1)[0] + ".csv"

    return rewrite_export(change)


# --- CSV -----------------------------------------------------------------------------------


def _csv_bytes_rewrite(change: Callable[[bytes], bytes]) -> Wrap:
    return rewrite_export(lambda _s, _r, body: set_csv(body, change(csv_bytes(body))))


@mutant("CSV records end with LF", witness=LIST)
def csv_lf() -> Wrap:
    return _csv_bytes_rewrite(lambda data: data.replace(b"\r\n", b"\n"))


@mutant("CSV starts with a UTF-8 BOM", witness=LIST)
def csv_bom() -> Wrap:
    return _csv_bytes_rewrite(lambda data: b"\xef\xbb\xbf" + data)


@mutant("CSV quotes every field of every record (the header as the server writes it)", witness=LIST)
def csv_quote_all() -> Wrap:
    def change(_scope: Scope, _request: Any, body: dict[str, Any]) -> None:
        table = read_table(body)
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow(table[0])
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(table[1:])
        set_csv(body, out.getvalue().encode("utf-8"))

    return rewrite_export(change)


def _unguard(triggers: tuple[str, ...]) -> Wrap:
    def change(_scope: Scope, _request: Any, _head: list[str], rows: list[list[str]]) -> None:
        for row in rows:
            for n, cell in enumerate(row):
                if cell[:1] == "'" and cell[1:2] in triggers and cell[1:2] != "":
                    row[n] = cell[1:]

    return rows_rewrite(change)


@mutant("no formula guard (the guard's quote taken off every guarded cell)", witness=LIST)
def formula_unguarded() -> Wrap:
    return _unguard(("=", "+", "-", "@", "\t", "\r"))


@mutant("formula guard misses '@' (tags cell)", witness=LIST)
def formula_guard_misses_at() -> Wrap:
    return _unguard(("@",))


def _own_cell(column: str, cell: Callable[[dict[str, Any]], str]) -> Wrap:
    """Every list row's `column` rewritten from its item in the fixture."""

    def change(data: GroupData, _scope: Scope, _request: Any, head: list[str], rows: list[list[str]]) -> None:
        if column not in head:
            return
        at = head.index(column)
        for row in rows:
            item = data.links.get(ident(row[0])) or data.qr_codes.get(ident(row[0]))
            if item is not None:
                row[at] = cell(dict(item))

    return data_rows_rewrite(change)


@mutant("tags joined with ','", witness=LIST)
def tags_comma() -> Wrap:
    return _own_cell("tags", lambda item: guard(",".join(item.get("tags") or [])))


@mutant("timestamps in ISO with 'Z'", witness=LIST)
def timestamp_z() -> Wrap:
    def change(_scope: Scope, _request: Any, head: list[str], rows: list[list[str]]) -> None:
        for column in ("created_at", "created"):
            if column in head:
                at = head.index(column)
                for row in rows:
                    row[at] = row[at].replace("+0000", "Z")

    return rows_rewrite(change)


@mutant("archived written as True/False", witness=LIST)
def archived_capitalised() -> Wrap:
    def change(_scope: Scope, _request: Any, head: list[str], rows: list[list[str]]) -> None:
        if "archived" in head:
            at = head.index("archived")
            for row in rows:
                row[at] = {"true": "True", "false": "False"}.get(row[at], row[at])

    return rows_rewrite(change)


@mutant("total_engagements leaves out button_clicks", witness=BATCH_ALL)
def total_without_buttons() -> Wrap:
    def change(_scope: Scope, _request: Any, head: list[str], rows: list[list[str]]) -> None:
        if "total_engagements" in head:
            for row in rows:
                row[-1] = str(int(row[head.index("clicks")]) + int(row[head.index("scans")]))

    return rows_rewrite(change)


@mutant("QR destination is always the long URL", witness=listing(QRS))
def qr_destination_long_url() -> Wrap:
    return _own_cell("destination", lambda item: guard(str(item["long_url"])))


@mutant(
    "include_metrics adds no metric columns (list exports; cap and window stay those of metrics)",
    witness=LIST_METRICS,
)
def include_metrics_ignored() -> Wrap:
    def change(_scope: Scope, request: Any, body: dict[str, Any]) -> None:
        if body.get("export_type") != BATCH and body["columns"][-3:] == list(METRICS):
            table = read_table(body)
            write_table(body, [row[:-3] for row in table])
            body["columns"] = body["columns"][:-3]
            body["column_count"] = len(body["columns"])

    return rewrite_export(change)


# --- order and de-duplication ---------------------------------------------------------------


def _reorder(key: Callable[[str, int], Any], *, qr_codes: bool) -> Wrap:
    """Rows of filter exports (links, batch by filter, and QR codes if `qr_codes`) sorted by
    `key(id, created)`; the rows the answer holds only (not the match set's, when truncated)."""

    def change(data: GroupData, _scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
        if filter_of(request) is None or (head[0] == "qrcode_id" and not qr_codes):
            return
        items = data.qr_codes if head[0] == "qrcode_id" else data.links

        def created(row: list[str]) -> int:
            item = items.get(ident(row[0]))
            return int(item["created"]) if item is not None else 0

        rows.sort(key=lambda row: key(ident(row[0]), created(row)))

    return data_rows_rewrite(change)


@mutant(
    "list exports oldest first (the answer's rows reordered: a truncated answer keeps the newest rows)",
    witness=LIST,
)
def order_reversed() -> Wrap:
    return _reorder(lambda ident, created: (created, ident), qr_codes=True)


@mutant(
    "ties in created ordered by id descending (links; the answer's rows reordered)",
    witness=listing(filter={"archived": "both"}),
)
def ties_by_id_descending() -> Wrap:
    return _reorder(lambda ident, created: (-created, [-ord(c) for c in ident]), qr_codes=False)


def _bitlinks_rows(change: Callable[[GroupData, list[str], dict[str, list[str]]], list[list[str]]]) -> Wrap:
    """Batch exports by `bitlinks`: their rows made again by `change(data, bitlinks, rows by id)`."""

    def rows_of(data: GroupData, _scope: Scope, request: Any, head: list[str], rows: list[list[str]]) -> None:
        if not isinstance(request, dict) or not isinstance(request.get("bitlinks"), list):
            return
        by_id = {ident(row[0]): row for row in rows}
        rows[:] = change(data, [str(b) for b in request["bitlinks"]], by_id)[:200]

    return data_rows_rewrite(rows_of, recount=True)


@mutant(
    "bitlinks duplicates kept (the rows the answer holds, each as often as asked)",
    witness=_batch(lambda d: _newest(d, 1) * 2),
)
def bitlinks_not_deduped() -> Wrap:
    return _bitlinks_rows(lambda _d, bitlinks, by_id: [list(by_id[b]) for b in bitlinks if b in by_id])


@mutant(
    "bitlinks exported sorted, not in request order (the rows the answer holds)",
    witness=_batch(lambda d: sorted(_newest(d, 5))[::-1]),
)
def bitlinks_sorted() -> Wrap:
    return _bitlinks_rows(lambda _d, _b, by_id: [by_id[k] for k in sorted(by_id)])


@mutant(
    "bitlinks exports skip archived links (dropped from the rows the answer holds)",
    witness=_batch(lambda d: _newest(d, 3, archived=True)),
)
def bitlinks_skip_archived() -> Wrap:
    return _bitlinks_rows(
        lambda d, _b, by_id: [row for k, row in by_id.items() if not (d.links.get(k) or {}).get("archived")]
    )


# --- filters --------------------------------------------------------------------------------


def _filter_change(change: Callable[[str, dict[str, Any]], dict[str, Any] | None]) -> Wrap:
    """A request rewrite of `filter` (`change(export_type, filter)` returns the new filter or None)."""

    def rewrite(_scope: Scope, value: dict[str, Any]) -> dict[str, Any] | None:
        filter_ = filter_of(value)
        if filter_ is None:
            return None
        changed = change(str(value.get("export_type")), dict(filter_))
        return None if changed is None else {**value, "filter": changed}

    return rewrite_request(rewrite)


def _bump(name: str) -> Wrap:
    def change(_export_type: str, filter_: dict[str, Any]) -> dict[str, Any] | None:
        if type(filter_.get(name)) is not int:
            return None
        return {**filter_, name: filter_[name] + 1}

    return _filter_change(change)


def _created(d: GroupData) -> int:
    return int(d.links[_newest(d, 1)[0]]["created"])


@mutant(
    "created_before is inclusive",
    witness=Witness(body=lambda d: {"export_type": LINKS, "filter": {"created_before": _created(d)}}),
)
def created_before_inclusive() -> Wrap:
    return _bump("created_before")


@mutant(
    "created_after is exclusive",
    witness=Witness(body=lambda d: {"export_type": LINKS, "filter": {"created_after": _created(d)}}),
)
def created_after_exclusive() -> Wrap:
    return _bump("created_after")


@mutant("archived defaults to both", witness=LIST)
def archived_default_both() -> Wrap:
    return _filter_change(lambda _t, f: None if "archived" in f else {**f, "archived": "both"})


@mutant("archived 'on' returns everything", witness=listing(filter={"archived": "on"}))
def archived_on_is_both() -> Wrap:
    return _filter_change(lambda _t, f: {**f, "archived": "both"} if f.get("archived") == "on" else None)


def _link_filter(request: Any) -> dict[str, Any] | None:
    """The filter of a request that selects links (a list of links, a batch by filter)."""
    filter_ = filter_of(request)
    return filter_ if filter_ is not None and request.get("export_type") in (LINKS, BATCH) else None


def _post_filter(keep: Callable[[dict[str, Any], dict[str, Any]], bool]) -> Wrap:
    """Link exports keep only the rows whose link passes `keep(link, filter)` as well (among the rows the
    answer holds: a truncated answer is not filled up again)."""

    def change(data: GroupData, _scope: Scope, request: Any, _head: list[str], rows: list[list[str]]) -> None:
        filter_ = _link_filter(request)
        if filter_ is not None:
            rows[:] = [r for r in rows if keep(dict(data.links.get(ident(r[0])) or {"id": r[0]}), filter_)]

    return data_rows_rewrite(change, recount=True)


def _texts(link: dict[str, Any], *, tags: bool = True) -> list[str]:
    return [
        str(link.get("title") or ""),
        str(link.get("long_url", "")),
        str(link.get("id", "")),
        *(link.get("tags") or [] if tags else []),
    ]


@mutant(
    "tags must ALL match (among the rows of the ANY answer)",
    witness=listing(filter={"tags": ["launch", "newsletter"]}),
)
def tags_all() -> Wrap:
    def keep(link: dict[str, Any], filter_: dict[str, Any]) -> bool:
        tags = filter_.get("tags")
        return not isinstance(tags, list) or set(tags) <= set(link.get("tags") or [])

    return _post_filter(keep)


@mutant(
    "tags compared case-insensitively (links; the filter asks every casing the group's links carry)",
    witness=listing(filter={"tags": ["promo"]}),
)
def tags_case_insensitive() -> Wrap:
    def wrap(app: App, fixture: Fixture) -> App:
        def rewrite(scope: Scope, value: dict[str, Any]) -> dict[str, Any] | None:
            filter_, data = _link_filter(value), group_data(fixture, group_of(scope))
            tags = (filter_ or {}).get("tags")
            if data is None or not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                return None
            carried = {t for link in data.links.values() for t in link.get("tags") or []}
            wanted = {t.lower() for t in tags}
            more = [t for t in sorted(carried) if t.lower() in wanted and t not in tags]
            return {**value, "filter": {**filter_, "tags": [*tags, *more][:50]}} if more else None

        return rewrite_request(rewrite)(app, fixture)

    return wrap


@mutant(
    "query is case-sensitive (links; among the rows of the answer)",
    witness=listing(filter={"query": "GRAND"}),
)
def query_case_sensitive() -> Wrap:
    def keep(link: dict[str, Any], filter_: dict[str, Any]) -> bool:
        query = filter_.get("query")
        return not isinstance(query, str) or any(query in text for text in _texts(link))

    return _post_filter(keep)


@mutant(
    "query ignores tags (links; among the rows of the answer)", witness=listing(filter={"query": "@partners"})
)
def query_ignores_tags() -> Wrap:
    def keep(link: dict[str, Any], filter_: dict[str, Any]) -> bool:
        query = filter_.get("query")
        return not isinstance(query, str) or any(query.lower() in t.lower() for t in _texts(link, tags=False))

    return _post_filter(keep)


def _sort_key(data: GroupData) -> Callable[[list[str]], tuple[int, str]]:
    def key(row: list[str]) -> tuple[int, str]:
        link = data.links.get(ident(row[0])) or {}
        return -int(link.get("created", 0)), ident(row[0])

    return key


@mutant(
    "domain matches as a substring (links: the app asked once for each domain of the group that "
    "contains it, the rows merged)",
    witness=listing(filter={"domain": "ly"}),
)
def domain_substring() -> Wrap:
    async def decide(app: App, fixture: Fixture, scope: Scope, body: bytes, first: Answer) -> Answer:
        request = json.loads(body) if first.status == 200 else None
        filter_, data = _link_filter(request), group_data(fixture, group_of(scope))
        if filter_ is None or data is None or not isinstance(filter_.get("domain"), str):
            return first
        wanted = filter_["domain"].lower()
        domains = sorted({k.split("/", 1)[0] for k in data.links if wanted in k.split("/", 1)[0].lower()})
        value = first.json()
        rows: dict[str, list[str]] = {}
        more = False
        for domain in domains:
            asked = {**request, "filter": {**filter_, "domain": domain}}
            answer = await ask(app, scope, json.dumps(asked).encode())
            if answer.status == 200:
                rows.update((ident(r[0]), r) for r in read_table(answer.json())[1:])
                more = more or bool(answer.json()["truncated"])
        merged = sorted(rows.values(), key=_sort_key(data))
        cap = CAPS["unix_from" in value]
        write_table(value, [value["columns"], *merged[:cap]], recount=True)
        value["truncated"] = more or len(merged) > cap
        return json_answer(200, value)

    return reasking(decide)


@mutant(
    "domain compared case-sensitively (links; among the rows of the answer)",
    witness=listing(filter={"domain": "BIT.LY"}),
)
def domain_case_sensitive() -> Wrap:
    def keep(link: dict[str, Any], filter_: dict[str, Any]) -> bool:
        domain = filter_.get("domain")
        return not isinstance(domain, str) or str(link.get("id", "")).split("/", 1)[0] == domain

    return _post_filter(keep)


def _campaign(d: GroupData) -> dict[str, Any]:
    return {"export_type": LINKS, "filter": {"campaign_guid": d.campaigns[0]}}


@mutant("campaign_guid ignored on links", witness=Witness(body=_campaign))
def campaign_ignored() -> Wrap:
    return _filter_change(
        lambda t, f: (
            {k: v for k, v in f.items() if k != "campaign_guid"}
            if t != QRS and "campaign_guid" in f
            else None
        )
    )


@mutant(
    "campaign_guid applied to QR codes (selects nothing)",
    witness=Witness(body=lambda d: {"export_type": QRS, "filter": {"campaign_guid": d.campaigns[0]}}),
)
def campaign_applied_to_qr() -> Wrap:
    def change(_scope: Scope, request: Any, body: dict[str, Any]) -> None:
        if body.get("export_type") == QRS and (filter_of(request) or {}).get("campaign_guid"):
            write_table(body, read_table(body)[:1], recount=True)
            body["truncated"] = False

    return rewrite_export(change)


# --- metrics window and tiers ----------------------------------------------------------------


def _recount(
    window: Callable[[Fixture, Scope, Any, dict[str, Any]], tuple[int, int] | None],
    counted: Callable[[tuple[int, int]], tuple[int, int]] = lambda w: w,
) -> Wrap:
    """Exports with metrics: `window(fixture, scope, request, body)` is the effective window to echo (None:
    the answer's), and metrics count the fixture's engagements in `counted(window)`."""

    def wrap(app: App, fixture: Fixture) -> App:
        def change(scope: Scope, request: Any, body: dict[str, Any]) -> None:
            data = group_data(fixture, group_of(scope))
            if data is None or "unix_from" not in body:
                return
            echoed = window(fixture, scope, request, body) or (body["unix_from"], body["unix_to"])
            body["unix_from"], body["unix_to"] = echoed
            table = read_table(body)
            head = table[0]
            for row in table[1:]:
                counts = data.metrics(ident(row[0]), counted(echoed))
                for k, name in enumerate(METRICS):
                    row[head.index(name)] = str(counts[k])
                if "total_engagements" in head:
                    row[head.index("total_engagements")] = str(sum(counts))
            write_table(body, table)

        return rewrite_export(change)(app, fixture)

    return wrap


def _requested(request: Any) -> tuple[int, int] | None:
    if (
        isinstance(request, dict)
        and type(request.get("unix_from")) is int
        and type(request.get("unix_to")) is int
    ):
        return request["unix_from"], request["unix_to"]
    return None


@mutant(
    "window not clamped to the tier",
    witness=Witness(body=lambda d: {**_window_batch(d), "unix_from": 0, "unix_to": 10**12}),
)
def window_not_clamped() -> Wrap:
    return _recount(lambda _f, _s, request, _b: _requested(request))


@mutant("window end exclusive", witness=Witness(body=_window_batch))
def window_end_exclusive() -> Wrap:
    return _recount(lambda *_: None, lambda w: (w[0], w[1] - 1))


@mutant("window start exclusive", witness=Witness(body=_window_batch))
def window_start_exclusive() -> Wrap:
    return _recount(lambda *_: None, lambda w: (w[0] + 1, w[1]))


@mutant("effective window not echoed", witness=BATCH_ALL)
def window_not_echoed() -> Wrap:
    def change(_scope: Scope, _request: Any, body: dict[str, Any]) -> None:
        body.pop("unix_from", None)
        body.pop("unix_to", None)

    return rewrite_export(change)


@mutant("window echoed without metrics", witness=listing(unix_from=0, unix_to=1))
def window_echo_without_metrics() -> Wrap:
    def change(_scope: Scope, request: Any, body: dict[str, Any]) -> None:
        if not metrics_asked(request) and _requested(request) is not None:
            body["unix_from"], body["unix_to"] = _requested(request)

    return rewrite_export(change)


@mutant("core tier gets 31 days", witness=Witness(body={"export_type": BATCH, "filter": {}}, tier="core"))
def tier_days_wrong() -> Wrap:
    def window(fixture: Fixture, scope: Scope, request: Any, body: dict[str, Any]) -> tuple[int, int] | None:
        record = token_record(fixture, scope)
        if record is None or record["tier"] != "core" or "now" not in fixture:
            return None
        now = int(fixture["now"])
        start = now - 31 * 86400
        lo, hi = _requested(request) or (start, now)
        return min(max(lo, start), now), max(min(hi, now), start)

    return _recount(window)


async def _as_tier(app: App, fixture: Fixture, scope: Scope, body: bytes, tier: str) -> Answer | None:
    token = token_of_tier(fixture, tier, group_of(scope))
    if token is None:
        return None
    return await ask(app, with_header(scope, b"authorization", f"Bearer {token}".encode()), body)


@mutant(
    "free tier gets metrics (a 402 asked again with a core token of the group)",
    witness=Witness(body={"export_type": BATCH, "filter": {}}, tier="free"),
)
def free_tier_metrics() -> Wrap:
    async def decide(app: App, fixture: Fixture, scope: Scope, body: bytes, first: Answer) -> Answer:
        if first.status != 402:
            return first
        return await _as_tier(app, fixture, scope, body, "core") or first

    return reasking(decide)


# --- validation -----------------------------------------------------------------------------

TOP_LEVEL = ("export_type", "bitlinks", "filter", "include_metrics", "unix_from", "unix_to")
FILTER_FIELDS = ("query", "archived", "tags", "domain", "campaign_guid", "created_after", "created_before")


def _changed(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any] | None:
    return None if new == old and list(new) == list(old) else new


@mutant("unknown top-level fields accepted", witness=listing(colour="red"))
def unknown_fields_accepted() -> Wrap:
    return rewrite_request(lambda _s, body: _changed({k: v for k, v in body.items() if k in TOP_LEVEL}, body))


@mutant("unknown filter fields accepted", witness=listing(filter={"colour": "red"}))
def unknown_filter_fields_accepted() -> Wrap:
    return _filter_change(lambda _t, f: _changed({k: v for k, v in f.items() if k in FILTER_FIELDS}, f))


@mutant("one window bound alone accepted", witness=listing(unix_from=0))
def window_pair_not_enforced() -> Wrap:
    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        if ("unix_from" in body) != ("unix_to" in body):
            return {k: v for k, v in body.items() if k not in ("unix_from", "unix_to")}
        return None

    return rewrite_request(change)


@mutant("unix_from > unix_to accepted", witness=listing(unix_from=2, unix_to=1))
def window_order_not_enforced() -> Wrap:
    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        lo, hi = body.get("unix_from"), body.get("unix_to")
        if type(lo) is int and type(hi) is int and lo > hi:
            return {**body, "unix_from": hi, "unix_to": lo}
        return None

    return rewrite_request(change)


@mutant("bitlinks with a scheme accepted", witness=_batch(lambda d: ["https://" + _newest(d, 1)[0]]))
def bitlink_scheme_accepted() -> Wrap:
    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        if isinstance(body.get("bitlinks"), list):
            stripped = [b.split("://", 1)[-1] if isinstance(b, str) else b for b in body["bitlinks"]]
            return _changed({**body, "bitlinks": stripped}, body)
        return None

    return rewrite_request(change)


@mutant(
    "bitlinks and filter together accepted (filter wins)", witness=_batch(lambda d: _newest(d, 1), filter={})
)
def bitlinks_with_filter_accepted() -> Wrap:
    return rewrite_request(
        lambda _s, body: (
            {k: v for k, v in body.items() if k != "bitlinks"}
            if "filter" in body and "bitlinks" in body
            else None
        )
    )


@mutant("list export without filter accepted", witness=Witness(body={"export_type": LINKS}))
def list_without_filter_accepted() -> Wrap:
    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        if "filter" not in body and "export_type" in body and body["export_type"] != BATCH:
            return {**body, "filter": {}}
        return None

    return rewrite_request(change)


@mutant("float integers accepted (10.0)", witness=listing(unix_from=10.0, unix_to=20))
def float_integers_accepted() -> Wrap:
    def fix(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        return v

    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        fixed = fix(body)
        return fixed if json.dumps(fixed) != json.dumps(body) else None

    return rewrite_request(change)


@mutant("query over 256 characters accepted", witness=listing(filter={"query": "x" * 257}))
def query_length_unbounded() -> Wrap:
    def change(_export_type: str, filter_: dict[str, Any]) -> dict[str, Any] | None:
        query = filter_.get("query")
        return {**filter_, "query": query[:256]} if isinstance(query, str) and len(query) > 256 else None

    return _filter_change(change)


def _name(path: str) -> str:
    """§7's `INVALID_ARG_<FIELD>` of a JSON path."""
    bare = "".join(part.split("]", 1)[-1] for part in path.split("["))
    return "INVALID_ARG_" + "".join(c.upper() if c.isascii() and c.isalnum() else "_" for c in bare)


TWO_BAD = listing(filter={"archived": "x"}, include_metrics="y")


def _invalid_args(change: Callable[[dict[str, Any]], None]) -> Wrap:
    """400 `INVALID_ARG_*` answers edited by `change(body)`."""

    def edit(status: int, headers: Headers, body: dict[str, Any]) -> tuple[int, Headers, dict[str, Any]]:
        if status == 400 and str(body.get("message", "")).startswith("INVALID_ARG_") and body.get("errors"):
            change(body)
        return status, headers, body

    return rewrite_errors(edit)


@mutant(
    "first offending field named out of rule order (the last one named; errors[] reversed)", witness=TWO_BAD
)
def error_message_wrong_field() -> Wrap:
    def change(body: dict[str, Any]) -> None:
        body["errors"] = body["errors"][::-1]
        body["message"] = _name(str(body["errors"][0]["field"]))

    return _invalid_args(change)


@mutant("errors[] reports only the first field", witness=TWO_BAD)
def errors_only_first() -> Wrap:
    return _invalid_args(lambda body: body.__setitem__("errors", body["errors"][:1]))


@mutant("error resource is 'bitlinks'", witness=Witness(body={}))
def error_resource_wrong() -> Wrap:
    return rewrite_errors(lambda status, headers, body: (status, headers, {**body, "resource": "bitlinks"}))


# --- statuses and transport --------------------------------------------------------------------

MISSING_GROUP = Witness(body={"export_type": LINKS, "filter": {}}, path="/v4/groups/Bn0SuchGroup/exports")


def _missing_group(answer: Callable[[App, Scope], Any]) -> Wrap:
    """A 403 for a group the fixture does not have answered by `answer(app, scope)` instead."""

    async def decide(app: App, fixture: Fixture, scope: Scope, body: bytes, first: Answer) -> Answer:
        group = raw_group_of(scope)
        if first.status != 403 or (group is not None and group_data(fixture, group) is not None):
            return first
        return await answer(app, scope)

    return reasking(decide)


@mutant(
    "404 for a group that does not exist (after the `Prefer` faults, before the token)", witness=MISSING_GROUP
)
def missing_group_404() -> Wrap:
    async def not_found(app: App, scope: Scope) -> Answer:
        return await ask(app, {**scope, "path": "/v4/no-such-path", "raw_path": b"/v4/no-such-path"}, b"")

    return _missing_group(not_found)


@mutant("500 on malformed JSON", witness=Witness(raw=b"{"))
def malformed_json_500() -> Wrap:
    def change(status: int, headers: Headers, body: dict[str, Any]) -> tuple[int, Headers, dict[str, Any]]:
        if status == 400 and body.get("message") == "INVALID_JSON":
            return 500, headers, error_body("INTERNAL_ERROR", "An internal error occurred.")
        return status, headers, body

    return rewrite_errors(change)


@mutant(
    "Content-Type not checked",
    witness=Witness(body={"export_type": LINKS, "filter": {}}, headers=(("content-type", "text/plain"),)),
)
def content_type_unchecked() -> Wrap:
    return rewrite_scope(lambda scope: with_header(scope, b"content-type", b"application/json"))


@mutant(
    "no body size limit (a body over 1 MiB reaches the app re-encoded without whitespace, or as '{' "
    "when it is not JSON)",
    witness=Witness(raw=b'{"export_type": "links_list", "filter": {}}' + b" " * (1 << 20)),
)
def no_body_limit() -> Wrap:
    limit = figures().max_body_bytes

    def shrink(_scope: Scope, body: bytes) -> bytes:
        if len(body) <= limit:
            return body
        try:
            return json.dumps(json.loads(body.decode("utf-8")), separators=(",", ":")).encode()
        except (UnicodeDecodeError, ValueError, RecursionError):
            return b"{"

    return lambda app, _fixture: rewrite_request_bodies(app, shrink)


UNKNOWN_BITLINKS = _batch(lambda _d: ["bit.ly/n0SuchLink1", "bit.ly/n0SuchLink2"])


@mutant("422 lists only the first unknown bitlink", witness=UNKNOWN_BITLINKS)
def unprocessable_only_first() -> Wrap:
    return rewrite_errors(
        lambda status, headers, body: (
            status,
            headers,
            {**body, "errors": body["errors"][:1]} if status == 422 else body,
        )
    )


@mutant("unknown bitlinks answer 400", witness=UNKNOWN_BITLINKS)
def unknown_bitlinks_400() -> Wrap:
    def change(status: int, headers: Headers, body: dict[str, Any]) -> tuple[int, Headers, dict[str, Any]]:
        if status == 422 and body.get("errors"):
            first = str(body["errors"][0]["field"])
            return (
                400,
                headers,
                {**body, "message": _name(first), "description": "The value provided is invalid."},
            )
        return status, headers, body

    return rewrite_errors(change)


@mutant("405 without an Allow header", witness=Witness(method="GET"))
def method_not_allowed_no_allow() -> Wrap:
    return rewrite_errors(
        lambda status, headers, body: (status, without(headers, b"allow") if status == 405 else headers, body)
    )


@mutant(
    "402 checked after 422 (a 402 asked again with a core token of the group; its 422 answered)",
    witness=Witness(body={"export_type": BATCH, "bitlinks": ["bit.ly/n0SuchLink1"]}, tier="free"),
)
def upgrade_after_resolution() -> Wrap:
    async def decide(app: App, fixture: Fixture, scope: Scope, body: bytes, first: Answer) -> Answer:
        if first.status != 402:
            return first
        again = await _as_tier(app, fixture, scope, body, "core")
        return again if again is not None and again.status == 422 else first

    return reasking(decide)


@mutant(
    "metrics summed over all time, ignoring the window (the window still echoed)",
    witness=Witness(body=_window_batch),
)
def metrics_ignore_window() -> Wrap:
    return _recount(lambda *_: None, lambda _w: (0, 10**12))


# more mutants, registered on import
import mutants_seam  # noqa: E402, F401
import mutants_transport  # noqa: E402, F401
