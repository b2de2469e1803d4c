"""No user string reaches SQL text: a scan of the source, a recording of what runs, and hostile filters."""

from __future__ import annotations

import ast
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inprocess import csv_rows, export_request, send

import bitly_exports_contract
from bitly_exports_contract.server.app import ExportsApp, ServerConfig
from bitly_exports_contract.store import Dataset, Group, Link, Store, Token

SRC = Path(bitly_exports_contract.__file__).parent
SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|WHERE|FROM|PRAGMA|JOIN|VALUES|LIMIT|MATCH)\b"
)
# Every expression the source interpolates into SQL text, and why it is not user input.
SAFE_INTERPOLATIONS = {
    "', '.join('?' * len(chunk))": "placeholders only",
    "marks": "placeholders only",
    "table": "a table name from a constant tuple",
    "kind.table": "Kind fields are module constants (LINKS, QR_CODES)",
    "kind.tags": "Kind fields are module constants",
    "kind.fts": "Kind fields are module constants",
    "kind.columns": "Kind fields are module constants",
    "self.columns": "Query.columns: constants and kind.columns (select_query)",
    "self.rest": "Query.rest: SQL built from the constants above",
    "rest": "select_query's FROM ... ORDER BY: SQL built from the constants above",
    "LINKS.columns": "Kind fields are module constants",
    "QR_CODES.columns": "Kind fields are module constants",
    "index": "one of two Kind index names",
    "' AND '.join(plan.conds)": "conditions written as constants, values bound",
    "where": "_Plan.conditions(): conditions written as constants, values bound",
    "source[0]": "candidate SQL built from the constants above",
    "sql": "SQL built from the constants above",
    "fts": "GramCounts' trigram index: a Kind's fts table name (a module constant)",
    "grams": "GramCounts' gram table: a Kind's grams table name (a module constant)",
    "kind.words": "Kind fields are module constants",
    "words": "WordIndex's word condition: one of three constant strings",
    "common": "WordIndex's common-pair subquery: the table name and a word condition above",
}


def sql_interpolations() -> Iterator[tuple[str, int, str]]:
    """(file, line, expression) of each value formatted into a string that looks like SQL."""
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if SQL_WORDS.search(text):
                    for value in node.values:
                        if isinstance(value, ast.FormattedValue):
                            yield where, node.lineno, ast.unparse(value.value)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
                sides = (node.left, node.right)
                if any(isinstance(s, ast.Constant) and SQL_WORDS.search(str(s.value)) for s in sides):
                    for side in sides:
                        if not isinstance(side, ast.Constant):
                            yield (
                                where,
                                node.lineno,
                                ("%" if isinstance(node.op, ast.Mod) else "") + ast.unparse(side),
                            )
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and isinstance(node.func.value, ast.Constant)
                and SQL_WORDS.search(str(node.func.value.value))
            ):
                yield where, node.lineno, "str.format(...)"


def test_sql_text_interpolates_only_package_constants() -> None:
    found = list(sql_interpolations())
    unsafe = [f"{where}: {expr}" for where, _, expr in found if expr not in SAFE_INTERPOLATIONS]
    assert found, "the scan found no SQL at all: it no longer looks where the SQL is"
    assert unsafe == []


class RecordingConnection:
    """Passes everything to a real connection and keeps the SQL text and parameters of each call."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.texts: list[str] = []
        self.params: list[Any] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self.texts.append(sql)
        self.params.append(params)
        return self._conn.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _link(i: int, **fields: Any) -> Link:
    base: dict[str, Any] = {
        "id": f"bit.ly/l{i:05d}",
        "title": f"Link {i}",
        "long_url": f"https://example.com/{i}",
        "created": 1_700_000_000 + (i * 7919) % 5000,
        "archived": i % 11 == 0,
        "tags": ("promo",) if i % 3 == 0 else (),
        "campaign_guids": ("Cplain",) if i % 5 == 0 else (),
    }
    base.update(fields)
    return Link(**base)


HOSTILE = [
    "' OR '1'='1",
    "'; DROP TABLE links; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "*",
    "sale*",
    "NEAR(sale promo)",
    "sale OR promo",
    '"sale"',
    "-- ",
    "/* x */",
    "?",
    ":name",
    "$1",
    "%s",
    "\x00",
    "a\x00b",
]
GUID = "Bhostile001"
CAMPAIGNS = ("Cplain", *HOSTILE[:6])


def hostile_links() -> list[Link]:
    """2500 links (past the size where the store starts using its indexes), some carrying hostile text."""
    links = [_link(i) for i in range(2500)]
    for n, text in enumerate(HOSTILE):
        i = 100 + n * 37
        links[i] = _link(
            i, title=f"x{text}y", tags=(text, "promo"), campaign_guids=CAMPAIGNS[n % len(CAMPAIGNS) :][:1]
        )
        links[i + 1] = _link(i + 1, long_url=f"https://example.com/?q={text}")
    return links


@pytest.fixture(scope="module")
def hostile() -> tuple[ExportsApp, list[Link]]:
    links = hostile_links()
    dataset = Dataset(
        now=1_764_115_200,
        tokens=(Token("tok-premium", "premium", (GUID,), None),),
        groups=(Group(GUID, CAMPAIGNS, tuple(links), (), ()),),
    )
    return ExportsApp(ServerConfig(store=Store.build(dataset))), links


def brute_force(links: list[Link], field: str, value: str) -> list[str]:
    """The contract's reading of one filter field over the links (archived off), in export order, capped."""
    kept = [link for link in links if not link.archived]
    if field == "query":
        q = value.lower()
        kept = [
            link
            for link in kept
            if any(q in f.lower() for f in (link.title, link.long_url, link.id, *link.tags) if f is not None)
        ]
    elif field == "tags":
        kept = [link for link in kept if value in link.tags]
    elif field == "domain":
        kept = [link for link in kept if link.id.split("/", 1)[0].lower() == value.lower()]
    else:
        kept = [link for link in kept if value in link.campaign_guids]
    kept.sort(key=lambda link: (-link.created, link.id))
    return [link.id for link in kept[:1000]]


@pytest.mark.parametrize("field", ["query", "tags", "domain", "campaign_guid"])
@pytest.mark.parametrize("value", [pytest.param(v, id=repr(v)) for v in HOSTILE])
def test_sql_looking_filter_values_match_as_plain_text(
    hostile: tuple[ExportsApp, list[Link]], field: str, value: str
) -> None:
    app, links = hostile
    flt = {field: [value] if field == "tags" else value}
    response = send(app, export_request(GUID, {"export_type": "links_list", "filter": flt}))
    assert [row[0] for row in csv_rows(response)] == brute_force(links, field, value)


def test_hostile_filters_leave_the_data_whole(hostile: tuple[ExportsApp, list[Link]]) -> None:
    app, links = hostile
    for value in HOSTILE:
        send(
            app,
            export_request(GUID, {"export_type": "links_list", "filter": {"query": value, "tags": [value]}}),
        )
    everything = {"export_type": "links_list", "filter": {"archived": "both", "created_after": 0}}
    assert len(csv_rows(send(app, export_request(GUID, everything)))) == 1000


MARKERS = {
    "query": "MARKq1x",
    "tags": "MARKt2x",
    "domain": "markd3x.example",
    "campaign_guid": "MARKc4x",
    "bitlink": "bit.ly/MARKb5x",
    "number": "987654321987",
}


def test_user_values_reach_sql_only_as_bound_parameters() -> None:
    store = Store.build(
        Dataset(
            now=1_764_115_200,
            tokens=(Token("tok-premium", "premium", (GUID,), None),),
            groups=(Group(GUID, CAMPAIGNS, tuple(hostile_links()), (), ()),),
        )
    )
    recorder = RecordingConnection(store._conn)
    store._conn = recorder  # type: ignore[assignment]
    app = ExportsApp(ServerConfig(store=store))
    number = int(MARKERS["number"])
    bodies = [
        {
            "export_type": export_type,
            "filter": {
                "query": MARKERS["query"][:k],
                "tags": [MARKERS["tags"]],
                "domain": MARKERS["domain"],
                "campaign_guid": MARKERS["campaign_guid"],
                "created_after": number,
                "created_before": number + 1,
            },
            "include_metrics": True,
            "unix_from": number,
            "unix_to": number * 2,
        }
        for export_type in ("links_list", "qr_codes_list")
        for k in (3, 7)
    ]
    bodies.append(
        {"export_type": "link_engagements_batch", "bitlinks": [MARKERS["bitlink"], "bit.ly/l00001"]}
    )
    bodies.append({"export_type": "links_list", "filter": {"query": MARKERS["query"]}})
    bodies.append(
        {
            "export_type": "link_engagements_batch",
            "bitlinks": ["bit.ly/l00001"],
            "unix_from": number,
            "unix_to": number,
        }
    )
    for body in bodies:
        assert send(app, export_request(GUID, body)).status in (200, 422)
    texts = "\n".join(recorder.texts)
    bound = repr(recorder.params)
    assert recorder.texts, "no SQL was recorded"
    for name, marker in MARKERS.items():
        assert marker not in texts and marker.lower() not in texts.lower(), name
    assert MARKERS["bitlink"] in bound and MARKERS["query"].lower() in bound and MARKERS["tags"] in bound
