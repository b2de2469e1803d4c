"""Load, validate and dump the fixture format of CONTRACT section 6."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .dataset import BITLINK_ID_RE, TIERS, Dataset, Engagement, Group, Link, QrCode, Token
from .fixture_dump import dump_fixture

__all__ = ["FixtureError", "dump_fixture", "load_fixture", "parse_fixture"]

MAX_INT = 2**63 - 1  # SQLite's INTEGER range; larger values cannot be stored
_T = TypeVar("_T")
_MISSING = object()


class FixtureError(ValueError):
    """A fixture that the loader refuses; the message starts with the offending JSON path."""


def _fail(path: str, message: str) -> FixtureError:
    return FixtureError(f"{path}: {message}")


def _type_name(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _obj(value: object, path: str, *, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"expected an object, got {_type_name(value)}")
    known = required + optional
    for key in value:
        if key not in known:
            raise _fail(f"{path}.{key}", f"unknown key (expected one of {', '.join(known)})")
    for key in required:
        if key not in value:
            raise _fail(f"{path}.{key}", "missing required key")
    return value


def _str(value: object, path: str, *, nonempty: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a string, got {_type_name(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(path, "string is not valid Unicode (lone surrogate)") from None
    if nonempty and not value:
        raise _fail(path, "must not be empty")
    return value


def _int(value: object, path: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"expected an integer, got {_type_name(value)}")
    if value < minimum:
        raise _fail(path, f"must be >= {minimum}, got {value}")
    if value > MAX_INT:
        raise _fail(path, f"must be <= {MAX_INT}, got {value}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, f"expected a boolean, got {_type_name(value)}")
    return value


def _list(value: object, path: str, item: Callable[[object, str], _T]) -> tuple[_T, ...]:
    if not isinstance(value, list):
        raise _fail(path, f"expected an array, got {_type_name(value)}")
    return tuple(item(v, f"{path}[{i}]") for i, v in enumerate(value))


def _str_list(value: object, path: str) -> tuple[str, ...]:
    return _list(value, path, _str)


class _Parser:
    """One pass over a fixture, remembering where every id was first seen."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def claim(self, ident: str, path: str, kind: str) -> None:
        first = self.ids.get(ident)
        if first is not None:
            raise _fail(path, f"duplicate id {ident!r} ({kind}; already used at {first})")
        self.ids[ident] = path

    def dataset(self, obj: object) -> Dataset:
        root = _obj(obj, "fixture", required=("tokens", "groups"), optional=("now",))
        now_raw = root.get("now")
        now = None if now_raw is None else _int(now_raw, "now")
        raw_tokens = root["tokens"]
        if not isinstance(raw_tokens, list):
            raise _fail("tokens", f"expected an array, got {_type_name(raw_tokens)}")
        groups = _list(root["groups"], "groups", self.group)
        guids = {g.guid for g in groups}
        tokens = _list(raw_tokens, "tokens", self.token)
        seen: dict[str, int] = {}
        for i, token in enumerate(tokens):
            if token.token in seen:
                raise _fail(
                    f"tokens[{i}].token", f"duplicate token (already used at tokens[{seen[token.token]}])"
                )
            seen[token.token] = i
            for j, guid in enumerate(token.groups):
                if guid not in guids:
                    raise _fail(f"tokens[{i}].groups[{j}]", f"group {guid!r} is not in the fixture")
                if guid in token.groups[:j]:
                    raise _fail(f"tokens[{i}].groups[{j}]", f"group {guid!r} listed twice")
        return Dataset(now=now, tokens=tokens, groups=groups)

    def token(self, value: object, path: str) -> Token:
        obj = _obj(value, path, required=("token", "tier", "groups"), optional=("rate_limit_per_minute",))
        token = _str(obj["token"], f"{path}.token", nonempty=True)
        if not all("!" <= c <= "~" for c in token):
            raise _fail(f"{path}.token", "must be visible ASCII without spaces (it travels in a header)")
        tier = _str(obj["tier"], f"{path}.tier")
        if tier not in TIERS:
            raise _fail(f"{path}.tier", f"unknown tier {tier!r} (expected one of {', '.join(TIERS)})")
        limit = obj.get("rate_limit_per_minute")
        return Token(
            token=token,
            tier=tier,
            groups=_str_list(obj["groups"], f"{path}.groups"),
            rate_limit_per_minute=None
            if limit is None
            else _int(limit, f"{path}.rate_limit_per_minute", minimum=1),
        )

    def group(self, value: object, path: str) -> Group:
        obj = _obj(
            value, path, required=("guid",), optional=("campaigns", "links", "qr_codes", "engagements")
        )
        guid = _str(obj["guid"], f"{path}.guid", nonempty=True)
        self.claim(guid, path, "group guid")
        campaigns = _str_list(obj.get("campaigns", []), f"{path}.campaigns")
        for i, campaign in enumerate(campaigns):
            if not campaign:
                raise _fail(f"{path}.campaigns[{i}]", "must not be empty")
            self.claim(campaign, f"{path}.campaigns[{i}]", "campaign guid")
        links = _list(obj.get("links", []), f"{path}.links", self.link)
        own_campaigns = set(campaigns)
        for i, link in enumerate(links):
            for j, campaign in enumerate(link.campaign_guids):
                if campaign not in own_campaigns:
                    raise _fail(
                        f"{path}.links[{i}].campaign_guids[{j}]",
                        f"campaign {campaign!r} is not in this group",
                    )
        qr_codes = _list(obj.get("qr_codes", []), f"{path}.qr_codes", self.qr_code)
        link_ids = {link.id for link in links}
        for i, qr in enumerate(qr_codes):
            if qr.bitlink is not None and qr.bitlink not in link_ids:
                raise _fail(
                    f"{path}.qr_codes[{i}].bitlink", f"bitlink {qr.bitlink!r} is not a link of this group"
                )
        engagements = _list(obj.get("engagements", []), f"{path}.engagements", self.engagement)
        targets = link_ids | {qr.id for qr in qr_codes}
        for i, row in enumerate(engagements):
            if row.target not in targets:
                raise _fail(
                    f"{path}.engagements[{i}].target",
                    f"{row.target!r} is not a link or QR code of this group",
                )
        return Group(guid=guid, campaigns=campaigns, links=links, qr_codes=qr_codes, engagements=engagements)

    def link(self, value: object, path: str) -> Link:
        obj = _obj(
            value,
            path,
            required=("id", "long_url", "created"),
            optional=("title", "archived", "tags", "campaign_guids"),
        )
        ident = _str(obj["id"], f"{path}.id")
        if not BITLINK_ID_RE.fullmatch(ident):
            raise _fail(f"{path}.id", f"{ident!r} is not a well-formed bitlink id (domain/backhalf)")
        self.claim(ident, path, "link id")
        return Link(
            id=ident,
            title=_title(obj, path),
            long_url=_str(obj["long_url"], f"{path}.long_url"),
            created=_int(obj["created"], f"{path}.created"),
            archived=_bool(obj.get("archived", False), f"{path}.archived"),
            tags=_str_list(obj.get("tags", []), f"{path}.tags"),
            campaign_guids=_str_list(obj.get("campaign_guids", []), f"{path}.campaign_guids"),
        )

    def qr_code(self, value: object, path: str) -> QrCode:
        obj = _obj(
            value,
            path,
            required=("id", "qr_code_type", "long_url", "created"),
            optional=("title", "bitlink", "archived", "tags"),
        )
        ident = _str(obj["id"], f"{path}.id", nonempty=True)
        self.claim(ident, path, "QR code id")
        qr_code_type = _str(obj["qr_code_type"], f"{path}.qr_code_type", nonempty=True)
        raw_bitlink = obj.get("bitlink")
        bitlink = None if raw_bitlink is None else _str(raw_bitlink, f"{path}.bitlink")
        if bitlink is not None and qr_code_type != "bitlink":
            raise _fail(
                f"{path}.bitlink", f"must be null for qr_code_type {qr_code_type!r} (only 'bitlink' has one)"
            )
        return QrCode(
            id=ident,
            title=_title(obj, path),
            qr_code_type=qr_code_type,
            bitlink=bitlink,
            long_url=_str(obj["long_url"], f"{path}.long_url"),
            created=_int(obj["created"], f"{path}.created"),
            archived=_bool(obj.get("archived", False), f"{path}.archived"),
            tags=_str_list(obj.get("tags", []), f"{path}.tags"),
        )

    def engagement(self, value: object, path: str) -> Engagement:
        obj = _obj(value, path, required=("target", "at", "clicks", "scans", "button_clicks"), optional=())
        return Engagement(
            target=_str(obj["target"], f"{path}.target"),
            at=_int(obj["at"], f"{path}.at"),
            clicks=_int(obj["clicks"], f"{path}.clicks"),
            scans=_int(obj["scans"], f"{path}.scans"),
            button_clicks=_int(obj["button_clicks"], f"{path}.button_clicks"),
        )


def _title(obj: Mapping[str, object], path: str) -> str | None:
    title = obj.get("title")
    return None if title is None else _str(title, f"{path}.title")


def parse_fixture(obj: object) -> Dataset:
    """Validate a decoded JSON/YAML fixture and return its dataset; FixtureError names the offending path."""
    return _Parser().dataset(obj)


def load_fixture(path: str | os.PathLike[str]) -> Dataset:
    """Read a JSON (or YAML) fixture file and validate it."""
    where = os.fspath(path)
    try:
        text = Path(where).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{where}: cannot read fixture file: {exc}") from exc
    obj = _decode(text, where, yaml_first=Path(where).suffix.lower() in (".yaml", ".yml"))
    try:
        return parse_fixture(obj)
    except FixtureError as exc:
        raise FixtureError(f"{where}: {exc}") from None


def _decode(text: str, where: str, *, yaml_first: bool) -> object:
    if not yaml_first:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            json_error = exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        if yaml_first:
            raise FixtureError(f"{where}: not valid YAML: {exc}") from exc
        raise FixtureError(f"{where}: not valid JSON ({json_error}) nor YAML ({exc})") from exc
