"""Turn an ItemFilter into one SQL query over links or QR codes, choosing how SQLite should walk the data.

Two plans give the same rows. The walk plan reads the (group, archived, created DESC, id) index in export
order and stops at the limit: fast when matches are common. The candidate plan starts from the few items
the selective filters name, then sorts them: fast when matches are rare. With n candidates the candidate
plan reads and sorts n rows, the walk plan reads about limit * group_size / n; a candidate row costs about
three walked rows (measured with the bench), so candidates win when 3 * n * n < limit * group_size.

Where candidates come from: the tag, campaign and domain filters name their items exactly; with the
store's kept key sets (keysets.py) their intersection is sized by a popcount and no row is read to learn
it, and the row query no longer tests those filters. The word table and the trigram index each name a
superset of a `query`'s matches (search.py), and the row query still applies the match. The word table
is asked first, for the query's words after its first (a title fragment, an id with its domain): one
B-tree seek each, and the items it names are read whole. The trigram index (the rarest trigrams first;
all of them when those still name too many) is read up to the bound. In a small group (SMALL_GROUP)
walking every item costs less than reading a tag's or a domain's keys, but a `query` makes the walk read
each item's search text: there the word table and the trigram index are still asked first. When the
store gave keys in export order, candidates are read in ascending runs (FIRST_RUN, then twice as many
each time) until the limit is met.

Table and index names are constants of this module; every user value is a bound parameter.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from operator import attrgetter, itemgetter
from typing import Any

import orjson

from .keysets import KeySets, SetName, keys_of
from .rows import ARCHIVED_MODES, ItemFilter, LinkRow, QrRow
from .search import SEPARATOR, GramCounts, WordIndex, encodable, fts_expression, query_matches, trigrams

MAX_CANDIDATES = 50_000
SMALL_GROUP = 2_000  # walking a group this small costs less than counting candidates
CANDIDATE_COST = 3  # one candidate row read and sorted, in walked rows
MIN_INT, MAX_INT = -(2**63), 2**63 - 1
FIRST_RUN = 256  # candidate keys read in the first run, when keys are in export order

Row = tuple[Any, ...]


# The columns every kind selects before its row type's own fields: the item's id (also the row type's first
# field), its key (which names its engagement series and orders candidates) and its group's key.
ITEM_COLUMNS = ("id", "key", "gkey")


@dataclass(frozen=True)
class Kind:
    """The tables of one item kind, and the names its rows are read by.

    `selected` (the columns a whole-row query selects, alias `l`) is derived from the row type's fields:
    ITEM_COLUMNS, then the row type's fields after its id, each a column of `table` of the same name.
    `search` names the contract's searchable fields besides the tags.
    """

    table: str
    tags: str
    fts: str
    grams: str
    words: str
    row_type: type[tuple[Any, ...]]
    search: tuple[str, ...]
    walk: str
    walk_all: str
    campaigns: bool

    @functools.cached_property
    def selected(self) -> tuple[str, ...]:
        """The names of the columns of a whole row, in the order they are selected."""
        fields: tuple[str, ...] = self.row_type._fields  # type: ignore[attr-defined]
        return (*ITEM_COLUMNS, *(name for name in fields if name not in ITEM_COLUMNS))

    @functools.cached_property
    def at(self) -> dict[str, int]:
        """Each selected column's position in a whole row (computed once from the names)."""
        return {name: index for index, name in enumerate(self.selected)}

    @functools.cached_property
    def columns(self) -> str:
        """The SELECT list of a whole row."""
        return ", ".join(f"l.{name}" for name in self.selected)

    @functools.cached_property
    def _search_getter(self) -> Callable[[Row], tuple[Any, ...]]:
        return itemgetter(*(self.at[name] for name in self.search))

    def search_fields_of(self, item: Any) -> list[str | None]:
        """The contract's searchable fields of a LinkRow or QrRow: `search`, then the tags."""
        return [*self._item_getter(item), *item.tags]

    @functools.cached_property
    def _item_getter(self) -> Callable[[Any], tuple[Any, ...]]:
        return attrgetter(*self.search)

    def search_fields(self, row: Row) -> list[str | None]:
        """The contract's searchable fields of a whole row (`columns`): `search`, then the tags."""
        tags: list[str] = json.loads(str(row[self.at["tags"]]))
        return [_text(value) for value in self._search_getter(row)] + tags


def _text(value: object) -> str | None:
    return None if value is None else str(value)


LINKS = Kind(
    table="links",
    tags="link_tags",
    fts="link_fts",
    grams="link_grams",
    words="link_words",
    row_type=LinkRow,
    search=("title", "long_url", "id"),
    walk="links_walk",
    walk_all="links_walk_all",
    campaigns=True,
)
QR_CODES = Kind(
    table="qrs",
    tags="qr_tags",
    fts="qr_fts",
    grams="qr_grams",
    words="qr_words",
    row_type=QrRow,
    search=("title", "long_url", "bitlink", "id"),
    walk="qrs_walk",
    walk_all="qrs_walk_all",
    campaigns=False,
)


@functools.cache
def key_set_fields(kind: Kind) -> dict[str, str]:
    """For each filter field that names items exactly: the SQL selecting the keys `k` of one value (also
    the candidate source of a campaign or a domain filter). Made once per kind; read, never changed."""
    fields = {
        "tag": f"SELECT item AS k FROM {kind.tags} INDEXED BY {kind.tags}_tag WHERE gkey = ? AND tag = ?",
        "domain": f"SELECT key AS k FROM {kind.table} INDEXED BY {kind.table}_domain "
        "WHERE gkey = ? AND domain_lc = ?",
    }
    if kind.campaigns:
        fields["campaign"] = (
            "SELECT item AS k FROM link_campaigns INDEXED BY link_campaigns_campaign WHERE ckey = ?"
        )
    return fields


def key_set_values(kind: Kind) -> dict[str, str]:
    """For each field of `key_set_fields`: the SQL selecting the params of every value naming at least
    `?` items, as that field's SQL takes them (what the build stores sets of)."""
    values = {
        "tag": f"SELECT gkey, tag FROM {kind.tags} GROUP BY gkey, tag HAVING count(*) >= ?",
        "domain": f"SELECT gkey, domain_lc FROM {kind.table} WHERE domain_lc IS NOT NULL "
        "GROUP BY gkey, domain_lc HAVING count(*) >= ?",
    }
    if kind.campaigns:
        values["campaign"] = "SELECT ckey FROM link_campaigns GROUP BY ckey HAVING count(*) >= ?"
    return values


@dataclass
class _Plan:
    conds: list[str] = field(default_factory=list)
    params: list[list[object]] = field(default_factory=list)  # each condition's
    sources: list[tuple[str, list[object]]] = field(default_factory=list)  # SQL selecting candidate keys `k`
    search_sources: list[int] = field(default_factory=list)  # the indexes in `sources` of the trigram index's
    search_most: int | None = None  # at most this many items in the first trigram source (gram counts)
    exact: dict[int, int] = field(default_factory=dict)  # source index -> the cond it selects exactly
    # exact source index -> the values whose key sets (keysets.py) it names the union of
    sets: dict[int, tuple[SetName, ...]] = field(default_factory=dict)
    searched: str | None = None  # the lowered query, when there is one (what the word table is asked for)

    @property
    def lowered_query(self) -> str | None:
        """The lowered query when SQL is only a pre-filter for it (it holds a NUL: checked in Python)."""
        return self.searched if self.searched is not None and SEPARATOR in self.searched else None

    def where(self, cond: str, *params: object) -> None:
        self.conds.append(cond)
        self.params.append(list(params))

    def candidates(self, sql: str, *params: object, sets: tuple[SetName, ...] = ()) -> None:
        """A candidate source; with `sets`, it names exactly the items the last condition keeps, the union
        of those values' key sets."""
        if sets:
            self.exact[len(self.sources)] = len(self.conds) - 1
            self.sets[len(self.sources)] = sets
        self.sources.append((sql, list(params)))

    def conditions(self, dropped: Iterable[int] = ()) -> tuple[str, list[object]]:
        """The WHERE clause and its parameters, without the conditions `dropped`."""
        skip = set(dropped)
        kept = [i for i in range(len(self.conds)) if i not in skip]
        return " AND ".join(self.conds[i] for i in kept), [p for i in kept for p in self.params[i]]


def _plan(conn: sqlite3.Connection, kind: Kind, gkey: int, flt: ItemFilter) -> _Plan | None:
    """The WHERE clause and candidate sources for `flt` (the trigram index's are added by
    `_add_trigram_sources`), or None when nothing can match."""
    if flt.archived not in ARCHIVED_MODES:
        raise ValueError(f"archived must be one of {ARCHIVED_MODES}, got {flt.archived!r}")
    plan = _Plan()
    plan.where("l.gkey = ?", gkey)
    if flt.archived != "both":
        plan.where("l.archived = ?", int(flt.archived == "on"))
    if flt.created_after is not None:
        if flt.created_after > MAX_INT:
            return None
        if flt.created_after > MIN_INT:
            plan.where("l.created >= ?", flt.created_after)
    if flt.created_before is not None:
        if flt.created_before <= MIN_INT:
            return None
        if flt.created_before <= MAX_INT:
            plan.where("l.created < ?", flt.created_before)
    if flt.tags:
        tags = sorted({tag for tag in flt.tags if encodable(tag)})
        if not tags:
            return None
        marks = ", ".join("?" * len(tags))
        plan.where(
            f"EXISTS (SELECT 1 FROM {kind.tags} AS t WHERE t.item = l.key AND t.tag IN ({marks}))", *tags
        )
        plan.candidates(
            f"SELECT DISTINCT item AS k FROM {kind.tags} INDEXED BY {kind.tags}_tag "
            f"WHERE gkey = ? AND tag IN ({marks})",
            gkey,
            *tags,
            sets=tuple(("tag", (gkey, tag)) for tag in tags),
        )
    if kind.campaigns and flt.campaign_guid is not None:
        ckey = _campaign_key(conn, gkey, flt.campaign_guid)
        if ckey is None:
            return None
        plan.where("EXISTS (SELECT 1 FROM link_campaigns AS c WHERE c.item = l.key AND c.ckey = ?)", ckey)
        plan.candidates(key_set_fields(kind)["campaign"], ckey, sets=(("campaign", (ckey,)),))
    if flt.domain is not None:
        if not encodable(flt.domain):
            return None
        domain = flt.domain.lower()
        plan.where("l.domain_lc = ?", domain)
        plan.candidates(key_set_fields(kind)["domain"], gkey, domain, sets=(("domain", (gkey, domain)),))
    if flt.query:
        if not encodable(flt.query):
            return None
        lowered = flt.query.lower()
        plan.where("instr(l.search, ?) > 0", lowered)
        plan.searched = lowered
    return plan


def _add_trigram_sources(plan: _Plan, kind: Kind, grams: GramCounts | None) -> None:
    """The trigram index's sources of the plan's query, last (added only when the word table did not
    settle the candidates: ranking trigrams costs lookups of their counts)."""
    every = trigrams(plan.searched) if plan.searched is not None else []
    if every:
        # the rarest trigrams first; when together they still name too many items, all of them
        rarest = every if grams is None else grams.rarest(every)
        plan.search_most = None if grams is None else grams.fewest(rarest)
        for chosen in (rarest, every) if rarest != every else (every,):
            plan.search_sources.append(len(plan.sources))
            plan.candidates(
                f"SELECT rowid AS k FROM {kind.fts} WHERE {kind.fts} MATCH ?", fts_expression(chosen)
            )


def _campaign_key(conn: sqlite3.Connection, gkey: int, guid: str) -> int | None:
    if not encodable(guid):
        return None
    row = conn.execute("SELECT ckey FROM campaigns WHERE gkey = ? AND guid = ?", (gkey, guid)).fetchone()
    return None if row is None else int(row[0])


def _pick_candidates(
    conn: sqlite3.Connection,
    plan: _Plan,
    *,
    limit: int,
    group_size: int,
    kind: Kind,
    grams: GramCounts | None,
    keysets: KeySets | None,
    words: WordIndex | None,
) -> tuple[list[int], list[int]] | int | None:
    """Candidate keys, when they are few enough to beat the walk plan, and the conditions they satisfy.

    With `keysets`, the tag, campaign and domain filters together name the intersection of their kept key
    sets (its size is a popcount: no row is read to learn it). Other sources (the trigram index; every
    source without `keysets`) are read up to the bound, and the one naming the fewest items is taken.
    The word table, when it names at most the bound for the query, narrows what is known so far (the
    key sets' intersection, or nothing) and is taken when that is within the limit.
    When the trigram source would be read first and its gram counts already say it names no more items
    than the limit, it is taken unread: its index is returned, and the row query selects from it itself.
    """
    bound = min(MAX_CANDIDATES, math.isqrt(min(limit, group_size) * group_size // CANDIDATE_COST))
    best: tuple[list[int], list[int]] | None = None
    sets = keysets if group_size > SMALL_GROUP and plan.exact else None
    if sets is not None:
        common = sets.common([plan.sets[index] for index in plan.exact])
        if common.bit_count() <= bound:
            best = (keys_of(common), list(plan.exact.values()))
            if len(best[0]) <= limit:
                return best
    if words is not None and plan.searched is not None:
        named = words.candidates(plan.searched, bound)
        if named is not None:
            if best is not None:
                known = set(best[0])
                best = ([key for key in named if key in known], best[1])
            else:
                best = (named, [])
            if len(best[0]) <= limit:
                return best
    _add_trigram_sources(plan, kind, grams)
    if group_size <= SMALL_GROUP:
        chosen = plan.search_sources
    else:
        chosen = [index for index in range(len(plan.sources)) if sets is None or index not in plan.exact]
    if (
        chosen
        and plan.search_most is not None
        and chosen[0] == plan.search_sources[0]
        and plan.search_most <= min(limit, bound)
    ):
        return chosen[0]
    for index in chosen:  # cheapest to read first; the trigram index last
        if index in plan.search_sources[1:] and best is not None and len(best[0]) <= bound:
            # every trigram of the query: read only when nothing so far is within the bound (reading
            # the doclists of trigrams held by half the items costs tens of milliseconds at 1,000,000)
            break
        sql, params = plan.sources[index]
        keys = [key for (key,) in conn.execute(f"{sql} LIMIT ?", [*params, bound + 1])]
        if best is None or len(keys) < len(best[0]):
            best = (keys, [plan.exact[index]] if index in plan.exact else [])
        if len(keys) <= limit:
            break
    return best if best is not None and len(best[0]) <= bound else None


@dataclass(frozen=True)
class Query:
    """One SELECT ready to run; `verify_query` is set when rows must still pass the query rule in Python."""

    columns: str
    rest: str  # FROM ... WHERE ... ORDER BY ... [LIMIT ?]
    params: list[object]
    verify_query: str | None
    # Candidate keys in ascending runs (JSON arrays), each run in turn as the first parameter, until the
    # limit is reached: set when keys are in export order, so that rows of one run all precede the next's.
    key_runs: tuple[str, ...] = ()

    @property
    def sql(self) -> str:
        return f"SELECT {self.columns} {self.rest}"

    def whole(self, kind: Kind) -> Query:
        """The same plan selecting whole rows (`kind.columns`)."""
        return replace(self, columns=kind.columns)

    def runs(self) -> Iterator[list[object]]:
        """The parameters of each statement to run, in order."""
        if not self.key_runs:
            yield self.params
            return
        for keys in self.key_runs:
            yield [keys, *self.params[1:]]


def select_query(
    conn: sqlite3.Connection,
    kind: Kind,
    *,
    gkey: int,
    group_size: int,
    flt: ItemFilter,
    limit: int,
    full: bool = True,
    grams: GramCounts | None = None,
    keysets: KeySets | None = None,
    keys_in_order: bool = False,
    words: WordIndex | None = None,
) -> Query | None:
    """The SELECT of the first `limit` matches in export order, or None when nothing can match.

    It selects `kind.columns`, or only (id, key) when not `full` and SQL alone can apply the filter.
    When rows must still pass the query rule in Python, it selects `kind.columns` and has no LIMIT.
    With `grams`, the trigram index is asked for the query's rarest trigrams only; with `keysets`, filters
    that are each common but together rare start from the intersection of their key sets. With
    `keys_in_order` (the store gave keys in export order), candidates are read in ascending runs. With
    `words`, the word table is asked for a query's words first.
    """
    plan = _plan(conn, kind, gkey, flt)
    if plan is None or limit <= 0:
        return None
    # id and key alone are covered by the walk indexes: a walk reads no table rows unless a filter needs one
    columns = "l.id, l.key" if not full and plan.lowered_query is None else kind.columns
    picked = _pick_candidates(
        conn, plan, limit=limit, group_size=group_size, kind=kind, grams=grams, keysets=keysets, words=words
    )
    runs: tuple[str, ...] = ()
    if isinstance(picked, int):  # a trigram source known to name few items: one statement joins it
        # each of those few rows is read for its search text anyway: select it whole, no second read
        columns = kind.columns
        sql, source_params = plan.sources[picked]
        where, params = plan.conditions()
        rest = f"FROM ({sql}) AS c CROSS JOIN {kind.table} AS l ON l.key = c.k"
        params = [*source_params, *params]
    elif picked is not None:
        keys, satisfied = picked
        if plan.searched is not None and len(keys) <= limit:
            columns = kind.columns  # as above: each row is read for its search text anyway
        where, params = plan.conditions(satisfied)
        rest = f"FROM json_each(?) AS c CROSS JOIN {kind.table} AS l ON l.key = c.value"
        if keys_in_order:
            runs = _key_runs(sorted(keys), limit)
            params = [runs[0], *params]
        else:
            params = [orjson.dumps(keys).decode(), *params]
    else:
        where, params = plan.conditions()
        index = kind.walk_all if flt.archived == "both" else kind.walk
        rest = f"FROM {kind.table} AS l INDEXED BY {index}"
    rest += f" WHERE {where} ORDER BY l.created DESC, l.id"
    if plan.lowered_query is None:
        limited = [*params, min(limit, MAX_INT)]
        return Query(columns, rest + " LIMIT ?", limited, verify_query=None, key_runs=runs)
    return Query(columns, rest, params, verify_query=plan.lowered_query, key_runs=runs)


def _key_runs(keys: list[int], limit: int) -> tuple[str, ...]:
    """Ascending keys cut into runs of twice the limit (at least FIRST_RUN), each next run twice as long."""
    runs: list[str] = []
    size = max(FIRST_RUN, 2 * limit)
    start = 0
    while start < len(keys) or not runs:
        runs.append(orjson.dumps(keys[start : start + size]).decode())
        start += size
        size *= 2
    return tuple(runs)


def run_query(conn: sqlite3.Connection, kind: Kind, query: Query | None, *, limit: int) -> list[Row]:
    """The first `limit` rows of `query` (None: nothing can match) that pass the query rule, in order."""
    if query is None:
        return []
    out: list[Row] = []
    for params in query.runs():
        if query.verify_query is None:
            out += conn.execute(query.sql, params).fetchall()
        else:
            for row in conn.execute(query.sql, params):
                if query_matches(query.verify_query, kind.search_fields(row)):
                    out.append(row)
                    if len(out) >= limit:
                        break
        if len(out) >= limit:
            return out[:limit]
    return out
