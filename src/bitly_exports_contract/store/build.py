"""Bulk-load a dataset into an empty SQLite database."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import groupby, islice
from operator import itemgetter
from typing import TypeVar

from . import keysets
from .dataset import Dataset, Group, Link, QrCode, engagement_rows
from .errors import StoreError
from .prefix import PrefixSumLoader
from .query import LINKS, QR_CODES, key_set_fields, key_set_values
from .schema import INDEXES, KEY_ORDER, SCHEMA_ID, TABLES
from .search import WORD_POSTED_MAX, fts_text, search_text, word_leads, word_pairs

_CHUNK = 20_000
_Item = TypeVar("_Item", Link, QrCode)
_BUILD_PRAGMAS = (
    "PRAGMA journal_mode = OFF",
    "PRAGMA synchronous = OFF",
    "PRAGMA locking_mode = EXCLUSIVE",
    "PRAGMA cache_size = -262144",
    "PRAGMA temp_store = MEMORY",
)


def statements(script: str) -> list[str]:
    """Split a trusted SQL script of this package into statements."""
    return [part.strip() for part in script.split(";\n") if part.strip()]


def build_database(conn: sqlite3.Connection, dataset: Dataset) -> None:
    """Create the schema, load `dataset` in one transaction, then index and analyse it."""
    try:
        _build(conn, dataset)
    except sqlite3.IntegrityError as exc:
        raise StoreError(f"dataset breaks a uniqueness rule (ids must be unique across it): {exc}") from exc


def _build(conn: sqlite3.Connection, dataset: Dataset) -> None:
    for pragma in _BUILD_PRAGMAS:
        conn.execute(pragma)
    conn.execute("BEGIN")
    for statement in statements(TABLES):
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("schema", SCHEMA_ID), ("now", dataset.now), ("key_order", KEY_ORDER)],
    )
    conn.executemany(
        "INSERT INTO tokens (ord, token, tier, rate_limit, groups) VALUES (?, ?, ?, ?, ?)",
        [
            (i, t.token, t.tier, t.rate_limit_per_minute, json.dumps(list(t.groups), ensure_ascii=False))
            for i, t in enumerate(dataset.tokens)
        ],
    )
    loader = PrefixSumLoader(conn)
    next_key = 1
    for gkey, group in enumerate(dataset.groups, start=1):
        next_key = _load_group(conn, loader, group=group, gkey=gkey, first_key=next_key)
    loader.finish()
    for statement in statements(INDEXES):
        conn.execute(statement)
    _store_key_sets(conn)
    _store_words(conn)
    conn.execute("ANALYZE")  # full statistics: sampled ones misjudge how selective a group is
    conn.execute("COMMIT")


def _store_key_sets(conn: sqlite3.Connection) -> None:
    """The key set of every filter value naming at least keysets.STORED_MIN items, as a bitset blob."""
    for kind in (LINKS, QR_CODES):
        fields = key_set_fields(kind)
        for field, values_sql in key_set_values(kind).items():
            for params in conn.execute(values_sql, (keysets.STORED_MIN,)).fetchall():
                keys = [key for (key,) in conn.execute(fields[field], params)]
                conn.execute(
                    "INSERT INTO key_sets (kind, field, params, bits) VALUES (?, ?, ?, ?)",
                    (kind.table, field, keysets.set_params(params), keysets.bitset_bytes(keys)),
                )


def _store_words(conn: sqlite3.Connection) -> None:
    """Each kind's word table (search.WordIndex), from its stored search texts: the (character before,
    word) pairs are counted first, then each item is listed under its pairs held by at most
    WORD_POSTED_MAX items, with the words' leads; the other pairs are listed as common."""
    for kind in (LINKS, QR_CODES):
        texts = f"SELECT key, search FROM {kind.table} ORDER BY key"
        docs: Counter[tuple[str, str]] = Counter()
        for _, search in conn.execute(texts):
            docs.update(word_pairs(search))
        common = (pair for pair, count in docs.items() if count > WORD_POSTED_MAX)
        conn.executemany(f"INSERT INTO {kind.words}_common (pre, word) VALUES (?, ?)", common)
        conn.executemany(
            f"INSERT INTO {kind.words} (pre, word, k, lead) VALUES (?, ?, ?, ?)",
            (
                (lead[:1], word, key, lead)
                for key, search in conn.execute(texts)
                for word, lead in word_leads(search)
                if docs[lead[:1], word] <= WORD_POSTED_MAX
            ),
        )
        conn.execute(f"CREATE INDEX {kind.words}_lead ON {kind.words} (lead, word)")


def _load_group(
    conn: sqlite3.Connection, loader: PrefixSumLoader, *, group: Group, gkey: int, first_key: int
) -> int:
    where = f"group {group.guid!r}"
    conn.execute(
        "INSERT INTO groups (gkey, guid, links, qr_codes) VALUES (?, ?, ?, ?)",
        (gkey, group.guid, len(group.links), len(group.qr_codes)),
    )
    campaigns: dict[str, int] = {}
    for guid in group.campaigns:
        ckey = conn.execute("INSERT INTO campaigns (gkey, guid) VALUES (?, ?)", (gkey, guid)).lastrowid
        if ckey is None:
            raise StoreError(f"{where}: campaign {guid!r} was not stored")
        campaigns[guid] = ckey
    keys: dict[str, int] = {}
    # Keys in export order (KEY_ORDER): within a group and kind, a smaller key is an earlier row.
    links = sorted(group.links, key=_export_order)
    _load_links(conn, links, keys=keys, gkey=gkey, campaigns=campaigns, where=where, first_key=first_key)
    qr_codes = sorted(group.qr_codes, key=_export_order)
    _load_qr_codes(conn, qr_codes, keys=keys, gkey=gkey, first_key=first_key + len(keys))
    for target, run in groupby(engagement_rows(group.engagements), key=itemgetter(0)):
        target_key = keys.get(target)
        if target_key is None:
            raise StoreError(f"{where}: engagement target {target!r} is not a link or QR code of this group")
        loader.add_run(target_key, run)
    return first_key + len(keys)


def _export_order(item: Link | QrCode) -> tuple[int, str]:
    """Newest first, ties by id in code-point order (CONTRACT §2 and §7)."""
    return -item.created, item.id


def _load_links(
    conn: sqlite3.Connection,
    links: Sequence[Link],
    *,
    keys: dict[str, int],
    gkey: int,
    campaigns: dict[str, int],
    where: str,
    first_key: int,
) -> None:
    key = first_key
    for chunk in _chunks(links):
        link_rows: list[tuple[object, ...]] = []
        tag_rows: list[tuple[int, str, int]] = []
        campaign_rows: list[tuple[int, int]] = []
        fts_rows: list[tuple[int, str]] = []
        for link in chunk:
            keys[link.id] = key
            search = search_text((link.title, link.long_url, link.id, *link.tags))
            link_rows.append(_link_row(link, key=key, gkey=gkey, search=search))
            tag_rows.extend((key, tag, gkey) for tag in link.tags)
            for guid in link.campaign_guids:
                if guid not in campaigns:
                    raise StoreError(f"{where}: link {link.id!r} names campaign {guid!r} of another group")
                campaign_rows.append((key, campaigns[guid]))
            fts_rows.append((key, fts_text(search)))
            key += 1
        conn.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", link_rows)
        conn.executemany("INSERT OR IGNORE INTO link_tags (item, tag, gkey) VALUES (?, ?, ?)", tag_rows)
        conn.executemany("INSERT OR IGNORE INTO link_campaigns (item, ckey) VALUES (?, ?)", campaign_rows)
        conn.executemany("INSERT INTO link_fts (rowid, search) VALUES (?, ?)", fts_rows)


def _load_qr_codes(
    conn: sqlite3.Connection, qr_codes: Sequence[QrCode], *, keys: dict[str, int], gkey: int, first_key: int
) -> None:
    key = first_key
    for chunk in _chunks(qr_codes):
        qr_rows: list[tuple[object, ...]] = []
        tag_rows: list[tuple[int, str, int]] = []
        fts_rows: list[tuple[int, str]] = []
        for qr in chunk:
            keys[qr.id] = key
            search = search_text((qr.title, qr.long_url, qr.bitlink, qr.id, *qr.tags))
            qr_rows.append(_qr_row(qr, key=key, gkey=gkey, search=search))
            tag_rows.extend((key, tag, gkey) for tag in qr.tags)
            fts_rows.append((key, fts_text(search)))
            key += 1
        conn.executemany("INSERT INTO qrs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", qr_rows)
        conn.executemany("INSERT OR IGNORE INTO qr_tags (item, tag, gkey) VALUES (?, ?, ?)", tag_rows)
        conn.executemany("INSERT INTO qr_fts (rowid, search) VALUES (?, ?)", fts_rows)


def _chunks(items: Sequence[_Item]) -> Iterator[list[_Item]]:
    source = iter(items)
    while chunk := list(islice(source, _CHUNK)):
        yield chunk


@lru_cache(maxsize=4096)
def _tags_json(tags: tuple[str, ...]) -> str:
    return json.dumps(list(tags), ensure_ascii=False)


def _link_row(link: Link, *, key: int, gkey: int, search: str) -> tuple[object, ...]:
    domain = link.id.split("/", 1)[0].lower()
    tags = _tags_json(link.tags)
    return (
        key,
        gkey,
        link.id,
        link.title,
        link.long_url,
        link.created,
        int(link.archived),
        tags,
        domain,
        search,
    )


def _qr_row(qr: QrCode, *, key: int, gkey: int, search: str) -> tuple[object, ...]:
    domain = None if qr.bitlink is None else qr.bitlink.split("/", 1)[0].lower()
    tags = _tags_json(qr.tags)
    return (
        key,
        gkey,
        qr.id,
        qr.title,
        qr.qr_code_type,
        qr.bitlink,
        qr.long_url,
        qr.created,
        int(qr.archived),
        tags,
        domain,
        search,
    )
