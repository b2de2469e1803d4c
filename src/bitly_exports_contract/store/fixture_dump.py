"""Write a dataset in the fixture format of CONTRACT section 6, streaming engagement rows."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import IO

from .dataset import Dataset, Group, Link, QrCode, Token, engagement_rows


def _token(token: Token) -> dict[str, object]:
    return {
        "token": token.token,
        "tier": token.tier,
        "groups": list(token.groups),
        "rate_limit_per_minute": token.rate_limit_per_minute,
    }


def _link(link: Link) -> dict[str, object]:
    return {
        "id": link.id,
        "title": link.title,
        "long_url": link.long_url,
        "created": link.created,
        "archived": link.archived,
        "tags": list(link.tags),
        "campaign_guids": list(link.campaign_guids),
    }


def _qr_code(qr: QrCode) -> dict[str, object]:
    return {
        "id": qr.id,
        "title": qr.title,
        "qr_code_type": qr.qr_code_type,
        "bitlink": qr.bitlink,
        "long_url": qr.long_url,
        "created": qr.created,
        "archived": qr.archived,
        "tags": list(qr.tags),
    }


def _array(out: IO[str], items: Iterable[object], indent: str) -> None:
    out.write("[")
    sep = "\n"
    for item in items:
        out.write(sep + indent + json.dumps(item, ensure_ascii=False))
        sep = ",\n"
    out.write("]" if sep == "\n" else "\n" + indent[:-2] + "]")


def _group(out: IO[str], group: Group) -> None:
    out.write(f'    {{"guid": {json.dumps(group.guid, ensure_ascii=False)},\n')
    out.write(f'     "campaigns": {json.dumps(list(group.campaigns), ensure_ascii=False)},\n')
    out.write('     "links": ')
    _array(out, (_link(link) for link in group.links), " " * 7)
    out.write(',\n     "qr_codes": ')
    _array(out, (_qr_code(qr) for qr in group.qr_codes), " " * 7)
    out.write(',\n     "engagements": ')
    rows = (
        {"target": t, "at": at, "clicks": c, "scans": s, "button_clicks": b}
        for t, at, c, s, b in engagement_rows(group.engagements)
    )
    _array(out, rows, " " * 7)
    out.write("}")


def dump_fixture(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Write `dataset` as a JSON fixture (UTF-8, one entry a line), engagement rows materialised."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(f'{{"now": {json.dumps(dataset.now)},\n "tokens": ')
        _array(out, (_token(token) for token in dataset.tokens), "   ")
        out.write(',\n "groups": [')
        for i, group in enumerate(dataset.groups):
            out.write(",\n" if i else "\n")
            _group(out, group)
        out.write("\n ]}\n" if dataset.groups else "]}\n")
