"""More mutants: transport, authentication and the finer field rules (middleware through the seam, see
`seam.py`)."""

from __future__ import annotations

import json
from typing import Any

from seam import (
    BATCH,
    LINKS,
    QRS,
    Answer,
    App,
    Fixture,
    Headers,
    Scope,
    Witness,
    Wrap,
    ask,
    filter_of,
    group_data,
    group_of,
    header,
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
    with_header,
    without,
    write_table,
)

LIST = {"export_type": LINKS, "filter": {}}


@mutant(
    "Bearer scheme compared case-sensitively (an Authorization not starting 'Bearer ' is dropped)",
    witness=Witness(body=LIST, headers=(("authorization", "bearer {token}"),)),
)
def bearer_case_sensitive() -> Wrap:
    def change(scope: Scope) -> Scope:
        value = header(scope, b"authorization")
        return (
            scope
            if value is None or value.startswith(b"Bearer ")
            else with_header(scope, b"authorization", None)
        )

    return rewrite_scope(change)


@mutant("429 without Retry-After", witness=Witness(body=LIST, headers=(("prefer", "code=429"),)))
def retry_after_missing() -> Wrap:
    return rewrite_errors(
        lambda status, headers, body: (
            status,
            without(headers, b"retry-after") if status == 429 else headers,
            body,
        )
    )


@mutant(
    "403 for a missing group says so (leaks group existence)",
    witness=Witness(body=LIST, path="/v4/groups/Bn0SuchGroup/exports"),
)
def forbidden_leaks_missing_group() -> Wrap:
    async def decide(app: App, fixture: Fixture, scope: Scope, body: bytes, first: Answer) -> Answer:
        group = raw_group_of(scope)
        if first.status != 403 or (group is not None and group_data(fixture, group) is not None):
            return first
        value = {**first.json(), "description": "This group does not exist."}
        return Answer(403, first.headers, json.dumps(value).encode())

    return reasking(decide)


@mutant(
    "duplicate keys: the first wins",
    witness=Witness(raw=b'{"export_type": "qr_codes_list", "export_type": "links_list", "filter": {}}'),
)
def duplicate_keys_first_wins() -> Wrap:
    def first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            out.setdefault(key, value)
        return out

    def rewrite(_scope: Scope, body: bytes) -> bytes:
        try:
            text = body.decode("utf-8")
            last, first = json.loads(text), json.loads(text, object_pairs_hook=first_wins)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return body
        if not isinstance(last, dict) or json.dumps(first) == json.dumps(last):
            return body
        return json.dumps(first).encode()

    return lambda app, _fixture: rewrite_request_bodies(app, rewrite)


@mutant(
    "a UTF-8 BOM before the JSON is accepted",
    witness=Witness(raw=b'\xef\xbb\xbf{"export_type": "links_list", "filter": {}}'),
)
def bom_accepted() -> Wrap:
    return lambda app, _fixture: rewrite_request_bodies(
        app, lambda _s, body: body.removeprefix(b"\xef\xbb\xbf")
    )


@mutant(
    "Content-Type parameters (charset) rejected (such a header reaches the app as an unknown type)",
    witness=Witness(body=LIST, headers=(("content-type", "application/json; charset=utf-8"),)),
)
def content_type_parameters_rejected() -> Wrap:
    def change(scope: Scope) -> Scope:
        value = header(scope, b"content-type")
        if value is None or value.strip().lower() == b"application/json":
            return scope
        return with_header(scope, b"content-type", b"x-" + value)

    return rewrite_scope(change)


@mutant("empty query matches nothing", witness=Witness(body={"export_type": LINKS, "filter": {"query": ""}}))
def empty_query_matches_nothing() -> Wrap:
    def change(_scope: Scope, request: Any, body: dict[str, Any]) -> None:
        if (filter_of(request) or {}).get("query") == "":
            write_table(body, read_table(body)[:1], recount=True)
            body["truncated"] = False

    return rewrite_export(change)


@mutant(
    "an unknown campaign selects every link (links: an empty answer asked again without campaign_guid)",
    witness=Witness(body={"export_type": LINKS, "filter": {"campaign_guid": "Cn0SuchCampaign"}}),
)
def unknown_campaign_selects_all() -> Wrap:
    async def decide(app: App, fixture: Fixture, scope: Scope, body: bytes, first: Answer) -> Answer:
        if first.status != 200 or first.json()["row_count"] != 0:
            return first
        request = json.loads(body)
        filter_ = filter_of(request)
        if request.get("export_type") == QRS or filter_ is None or filter_.get("campaign_guid") is None:
            return first
        asked = {**request, "filter": {k: v for k, v in filter_.items() if k != "campaign_guid"}}
        return await ask(app, scope, json.dumps(asked).encode())

    return reasking(decide)


@mutant("window rules checked only when metrics are included", witness=Witness(body={**LIST, "unix_from": 5}))
def window_checked_only_with_metrics() -> Wrap:
    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        if metrics_asked(body) or ("unix_from" not in body and "unix_to" not in body):
            return None
        return {k: v for k, v in body.items() if k not in ("unix_from", "unix_to")}

    return rewrite_request(change)


@mutant(
    "ignored fields are not type-checked",
    witness=Witness(body={"export_type": BATCH, "filter": {}, "include_metrics": "yes"}),
)
def ignored_fields_unchecked() -> Wrap:
    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        out = body
        if body.get("export_type") == BATCH and "include_metrics" in body:
            out = {k: v for k, v in body.items() if k != "include_metrics"}
        filter_ = filter_of(out)
        if out.get("export_type") == QRS and filter_ is not None and "campaign_guid" in filter_:
            out = {**out, "filter": {k: v for k, v in filter_.items() if k != "campaign_guid"}}
        return None if out is body else out

    return rewrite_request(change)


@mutant("null treated as absent", witness=Witness(body={"export_type": LINKS, "filter": {"query": None}}))
def null_as_absent() -> Wrap:
    def change(_scope: Scope, body: dict[str, Any]) -> dict[str, Any] | None:
        out = {k: v for k, v in body.items() if v is not None}
        filter_ = filter_of(out)
        if filter_ is not None:
            out["filter"] = {k: v for k, v in filter_.items() if v is not None}
        return None if out == body else out

    return rewrite_request(change)


@mutant("a trailing slash is the same path", witness=Witness(body=LIST, path="/v4/groups/{group}/exports/"))
def trailing_slash_accepted() -> Wrap:
    def change(scope: Scope) -> Scope:
        raw = bytes(scope.get("raw_path") or str(scope["path"]).encode())
        if not raw.endswith(b"/exports/") or raw.count(b"/") != 5:
            return scope
        return {**scope, "path": str(scope["path"]).removesuffix("/"), "raw_path": raw[:-1]}

    return rewrite_scope(change)


@mutant(
    "the group segment is not percent-decoded (a '%' in it reaches the app escaped)",
    witness=Witness(body=LIST, path="/v4/groups/%42{group_tail}/exports"),
)
def group_not_percent_decoded() -> Wrap:
    def change(scope: Scope) -> Scope:
        raw = bytes(scope.get("raw_path") or str(scope["path"]).encode())
        parts = raw.split(b"/")
        if len(parts) != 5 or b"%" not in parts[3]:
            return scope
        parts[3] = parts[3].replace(b"%", b"%25")
        return {**scope, "raw_path": b"/".join(parts)}

    return rewrite_scope(change)


__all__ = ["Headers", "group_of"]
