"""More mutants: transport, authentication and the finer field rules."""

from __future__ import annotations

import json
import re
from typing import Any

from mutants import _wrap_parse, _wrap_store, mutant

from bitly_exports_contract.rules import errors
from bitly_exports_contract.server import app as app_module


@mutant("Bearer scheme compared case-sensitively")
def bearer_case_sensitive() -> None:
    original = app_module.bearer_token
    app_module.bearer_token = lambda header: (  # type: ignore[assignment]
        original(header) if header is not None and header.startswith("Bearer ") else None
    )


@mutant("429 without Retry-After")
def retry_after_missing() -> None:
    original = errors.rate_limited

    def limited(retry_after: int) -> errors.ApiError:
        err = original(retry_after)
        err.headers = {}
        return err

    errors.rate_limited = limited  # type: ignore[assignment]


@mutant("403 for a missing group says so (leaks group existence)")
def forbidden_leaks_missing_group() -> None:
    original = app_module.ExportsApp._authorise

    def authorise(self: Any, header: Any, group: Any) -> Any:
        if group is None or not self.config.store.has_group(group):
            err = errors.forbidden()
            err.description = "This group does not exist."
            raise err
        return original(self, header, group)

    app_module.ExportsApp._authorise = authorise  # type: ignore[method-assign]


@mutant("duplicate keys: the first wins")
def duplicate_keys_first_wins() -> None:
    original = app_module._parse_json

    def first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            out.setdefault(key, value)
        return out

    def parse(raw: bytes) -> Any:
        original(raw)  # same errors as before
        return json.loads(raw.decode("utf-8"), object_pairs_hook=first_wins)

    app_module._parse_json = parse  # type: ignore[assignment]


@mutant("a UTF-8 BOM before the JSON is accepted")
def bom_accepted() -> None:
    original = app_module._parse_json
    app_module._parse_json = lambda raw: original(raw.removeprefix(b"\xef\xbb\xbf"))  # type: ignore[assignment]


@mutant("Content-Type parameters (charset) rejected")
def content_type_parameters_rejected() -> None:
    app_module.is_json_media_type = lambda header: (header or "").strip().lower() == "application/json"  # type: ignore[assignment]


@mutant("empty query matches nothing")
def empty_query_matches_nothing() -> None:
    def call(original: Any, self: Any, **kwargs: Any) -> Any:
        return [] if kwargs["flt"].query == "" else original(self, **kwargs)

    _wrap_store("find_links", call)
    _wrap_store("find_qr_codes", call)


@mutant("an unknown campaign selects every link")
def unknown_campaign_selects_all() -> None:
    import dataclasses

    def call(original: Any, self: Any, **kwargs: Any) -> Any:
        rows = original(self, **kwargs)
        if not rows and kwargs["flt"].campaign_guid is not None:
            return original(self, **{**kwargs, "flt": dataclasses.replace(kwargs["flt"], campaign_guid=None)})
        return rows

    _wrap_store("find_links", call)


@mutant("window rules checked only when metrics are included")
def window_checked_only_with_metrics() -> None:
    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        metrics = body.get("export_type") == "link_engagements_batch" or body.get("include_metrics") is True
        return body if metrics else {k: v for k, v in body.items() if k not in ("unix_from", "unix_to")}

    _wrap_parse(prepare)


@mutant("ignored fields are not type-checked")
def ignored_fields_unchecked() -> None:
    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("export_type") == "link_engagements_batch":
            body = {k: v for k, v in body.items() if k != "include_metrics"}
        if body.get("export_type") == "qr_codes_list" and isinstance(body.get("filter"), dict):
            body = {**body, "filter": {k: v for k, v in body["filter"].items() if k != "campaign_guid"}}
        return body

    _wrap_parse(prepare)


@mutant("null treated as absent")
def null_as_absent() -> None:
    def prepare(body: dict[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in body.items() if v is not None}
        if isinstance(body.get("filter"), dict):
            body["filter"] = {k: v for k, v in body["filter"].items() if v is not None}
        return body

    _wrap_parse(prepare)


@mutant("a trailing slash is the same path")
def trailing_slash_accepted() -> None:
    app_module._EXPORT_PATH = re.compile(rb"^/v4/groups/([^/]+)/exports/?$")


@mutant("the group segment is not percent-decoded")
def group_not_percent_decoded() -> None:
    app_module._group_segment = lambda raw: raw.decode("ascii", "replace")  # type: ignore[assignment]
