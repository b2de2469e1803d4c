"""build_export's per-item record cache: the same bytes as rendering every cell, per store and group."""

from __future__ import annotations

import base64
import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bitly_exports_contract.rules import export
from bitly_exports_contract.rules.csv_shape import columns_for, render_csv, render_records
from bitly_exports_contract.rules.validation import parse_request
from bitly_exports_contract.store import Dataset, Group, Link, QrCode, Store, Token
from bitly_exports_contract.store import db as store_db
from bitly_exports_contract.store.seed import seed_dataset

GUID = "Bgroup00001"
OTHER = "Bgroup00002"
NOW = 1_764_115_200


def link(ident: str, *, title: str | None = None, created: int = 1000, tags: tuple[str, ...] = ()) -> Link:
    return Link(ident, title, "https://example.com/", created, False, tags, ())


def store_of(*, links: list[Link], other_links: list[Link] = (), qr_codes: list[QrCode] = ()) -> Store:
    groups = (
        Group(GUID, (), tuple(links), tuple(qr_codes), ()),
        Group(OTHER, (), tuple(other_links), (), ()),
    )
    return Store.build(
        Dataset(now=NOW, tokens=(Token("tok-premium", "premium", (GUID, OTHER), None),), groups=groups)
    )


def csv_of(store: Store, body: dict[str, object], *, group: str = GUID) -> bytes:
    answer = export.build_export(
        request=parse_request(body), store=store, group=group, tier="premium", now=NOW
    )
    return base64.b64decode(answer["data_uri"].split(",", 1)[1])


def uncached(store: Store, export_type: str, *, group: str, limit: int) -> bytes:
    """The CSV rendered cell by cell through render_csv, without the cache."""
    request = parse_request({"export_type": export_type, "filter": {"archived": "both"}})
    rows = export.match_set(request=request, store=store, group=group, limit=limit)
    columns = columns_for(export_type=export_type, metrics=False)
    return render_csv(columns=columns, rows=[export._own_cells(export_type, row) for row in rows])


@pytest.mark.parametrize("export_type", ["links_list", "qr_codes_list"])
def test_cached_records_are_the_bytes_of_rendering_every_cell(export_type):
    store = Store.build(seed_dataset(1, links=1500))
    group = store.group_guids()[0]
    body = {"export_type": export_type, "filter": {"archived": "both"}}
    first = csv_of(store, body, group=group)
    assert first == uncached(store, export_type, group=group, limit=1000)
    assert csv_of(store, body, group=group) == first  # every record from the cache now
    assert len(list(csv.reader(io.StringIO(first.decode(), newline="")))) > 1


def test_cache_is_per_store_and_group():
    body = {"export_type": "links_list", "filter": {"archived": "both"}}
    a = store_of(
        links=[link("bit.ly/a", title="first, store")], other_links=[link("bit.ly/b", title="=other")]
    )
    b = store_of(links=[link("bit.ly/a", title="second store")])
    assert csv_of(a, body).endswith(
        b'bit.ly/a,"first, store",https://example.com/,1970-01-01T00:16:40+0000,false,\r\n'
    )
    assert b"'=other" in csv_of(a, body, group=OTHER)
    assert b"second store" in csv_of(b, body)
    assert b"first, store" in csv_of(a, body)


def test_a_full_cache_is_emptied_before_it_grows_past_its_cap(monkeypatch):
    monkeypatch.setattr(store_db, "RECORD_CACHE_CAP", 4)
    store = store_of(links=[link(f"bit.ly/{i}", created=1000 + i * 100, tags=("@x",)) for i in range(5)])
    newest = {"export_type": "links_list", "filter": {"archived": "both", "created_after": 1250}}
    oldest = {"export_type": "links_list", "filter": {"archived": "both", "created_before": 1150}}
    everything = {"export_type": "links_list", "filter": {"archived": "both"}}
    ids = lambda data: {line.split(",")[0] for line in data.decode().split("\r\n")[1:-1]}  # noqa: E731
    first, second = csv_of(store, newest), csv_of(store, oldest)
    assert ids(first) == {"bit.ly/3", "bit.ly/4"} and ids(second) == {"bit.ly/0", "bit.ly/1"}
    records = store.records("links_list", GUID)
    assert set(records) == ids(first) | ids(second)  # 4 records: within the cap
    assert csv_of(store, everything) == uncached(store, "links_list", group=GUID, limit=1000)
    assert set(records) == {"bit.ly/2"}  # 4 + 1 missing > 4: emptied, then the missing one added
    assert csv_of(store, newest) == first and csv_of(store, oldest) == second


@pytest.mark.parametrize(
    "body",
    [
        {"export_type": "links_list", "filter": {"archived": "both"}, "include_metrics": True},
        {"export_type": "qr_codes_list", "filter": {"archived": "both"}, "include_metrics": True},
        {"export_type": "link_engagements_batch", "filter": {"archived": "both"}},
    ],
    ids=lambda body: body["export_type"],
)
def test_records_with_metrics_are_the_bytes_of_rendering_every_cell(body):
    store = Store.build(seed_dataset(2, links=400))
    group = store.group_guids()[0]
    request = parse_request(body)
    answer = export.build_export(request=request, store=store, group=group, tier="premium", now=store.now)
    rows = export.match_set(request=request, store=store, group=group, limit=200)
    counts = store.metrics(
        group=group, targets=[r.id for r in rows], start=answer["unix_from"], end=answer["unix_to"]
    )
    assert any(sum(c) for c in counts.values())  # the data set has engagements in the window
    cells = [
        (*export._own_cells(body["export_type"], r), *export._count_cells(body["export_type"], counts[r.id]))
        for r in rows
    ]
    expected = render_csv(columns=answer["columns"], rows=cells)
    for _ in range(2):  # records rendered, then from the cache
        assert base64.b64decode(answer["data_uri"].split(",", 1)[1]) == expected
        answer = export.build_export(request=request, store=store, group=group, tier="premium", now=store.now)


@given(st.lists(st.tuples(*[st.integers(min_value=-(2**64), max_value=2**64)] * 3), max_size=5))
def test_metric_cells_render_like_any_other_cells(counts):
    for export_type in ("links_list", "link_engagements_batch"):
        got = export._count_texts(export_type, counts)
        want = [render_records([export._count_cells(export_type, c)])[0] for c in counts]
        assert got == [("," + text).encode() for text in want]


@given(st.binary(max_size=2000))
def test_the_data_uri_is_standard_padded_base64_of_the_csv(data):
    # the export encodes with pybase64 (SIMD); it must be byte for byte what the stdlib writes
    assert export.pybase64.b64encode_as_string(data) == base64.b64encode(data).decode("ascii")


def test_an_answer_decodes_with_the_stdlib_in_strict_mode():
    store = Store.build(seed_dataset(1, links=300))
    group = store.group_guids()[0]
    body = {"export_type": "links_list", "filter": {"archived": "both"}}
    answer = export.build_export(request=parse_request(body), store=store, group=group, tier="premium", now=0)
    encoded = answer["data_uri"].removeprefix(export.DATA_URI_PREFIX)
    assert len(base64.b64decode(encoded, validate=True)) == answer["size_bytes"]
