"""find_links / find_qr_codes match exactly what CONTRACT sections 1, 2 and 7 say, on small datasets."""

from __future__ import annotations

import pytest
from store_factories import GUID, OTHER, dataset, find_ids, find_qr_ids, link, qr, store_of

from bitly_exports_contract.store import ItemFilter, Store
from bitly_exports_contract.store import db as store_db


@pytest.fixture(autouse=True, params=["kept-order", "index-walk"])
def small_group_plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test twice: small groups answered from the kept export order (read on a filter's first ask),
    and by the index walk alone."""
    if request.param == "index-walk":
        monkeypatch.setattr(store_db, "ORDERED_GROUP_MAX", 0)
    else:
        monkeypatch.setattr(store_db, "ORDERED_ON_ASK", 1)


def test_tags_match_any_of_the_given_tags() -> None:
    store = store_of(
        links=[link("bit.ly/a", tags=["x"]), link("bit.ly/b", tags=["y", "z"]), link("bit.ly/c")]
    )
    assert find_ids(store, ItemFilter(tags=("x", "z"))) == ["bit.ly/a", "bit.ly/b"]
    assert find_ids(store, ItemFilter(tags=())) == ["bit.ly/a", "bit.ly/b", "bit.ly/c"]


def test_tags_are_exact_and_case_sensitive() -> None:
    store = store_of(
        links=[
            link("bit.ly/a", tags=["promo"]),
            link("bit.ly/b", tags=["Promo"]),
            link("bit.ly/c", tags=["promotion"]),
        ]
    )
    assert find_ids(store, ItemFilter(tags=("Promo",))) == ["bit.ly/b"]
    assert find_ids(store, ItemFilter(tags=("promo",))) == ["bit.ly/a"]


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        pytest.param("bit.ly", ["bit.ly/a"], id="exact"),
        pytest.param("BIT.LY", ["bit.ly/a"], id="upper-case"),
        pytest.param("example.com", ["example.com/c"], id="no-sub-domain-matching"),
        pytest.param("go.example.com", ["go.example.com/b"], id="sub-domain-itself"),
        pytest.param("bit.ly/a", [], id="not-a-prefix-match"),
        pytest.param("it.ly", [], id="not-a-suffix-match"),
        pytest.param("\ud800", [], id="lone-surrogate"),
    ],
)
def test_domain_is_the_id_before_the_slash_case_insensitively(domain: str, expected: list[str]) -> None:
    store = store_of(links=[link("bit.ly/a"), link("go.example.com/b"), link("example.com/c")])
    assert sorted(find_ids(store, ItemFilter(domain=domain))) == expected


def test_created_after_is_inclusive_and_created_before_exclusive() -> None:
    store = store_of(links=[link(f"bit.ly/t{t}", created=t) for t in (99, 100, 150, 200, 201)])
    assert find_ids(store, ItemFilter(created_after=100, created_before=200)) == [
        "bit.ly/t150",
        "bit.ly/t100",
    ]
    assert find_ids(store, ItemFilter(created_after=200)) == ["bit.ly/t201", "bit.ly/t200"]
    assert find_ids(store, ItemFilter(created_before=100)) == ["bit.ly/t99"]
    assert find_ids(store, ItemFilter(created_after=150, created_before=150)) == []
    assert find_ids(store, ItemFilter(created_after=200, created_before=100)) == []


@pytest.mark.parametrize(
    ("after", "before", "expected"),
    [
        pytest.param(2**70, None, [], id="after-beyond-int64"),
        pytest.param(None, 2**70, ["bit.ly/b", "bit.ly/a"], id="before-beyond-int64"),
        pytest.param(-(2**70), None, ["bit.ly/b", "bit.ly/a"], id="after-below-int64"),
        pytest.param(None, -(2**70), [], id="before-below-int64"),
    ],
)
def test_created_bounds_beyond_sqlite_integers_clamp_exactly(
    after: int | None, before: int | None, expected: list[str]
) -> None:
    store = store_of(links=[link("bit.ly/a", created=0), link("bit.ly/b", created=2**63 - 1)])
    assert find_ids(store, ItemFilter(created_after=after, created_before=before)) == expected


@pytest.mark.parametrize(
    ("archived", "expected"),
    [
        pytest.param("off", ["bit.ly/live"], id="off"),
        pytest.param("on", ["bit.ly/gone"], id="on"),
        pytest.param("both", ["bit.ly/gone", "bit.ly/live"], id="both"),
    ],
)
def test_archived_selects_unarchived_archived_or_both(archived: str, expected: list[str]) -> None:
    store = store_of(
        links=[link("bit.ly/live"), link("bit.ly/gone", archived=True)],
        qr_codes=[qr("Qlive"), qr("Qgone", archived=True)],
    )
    assert find_ids(store, ItemFilter(archived=archived)) == expected
    assert find_qr_ids(store, ItemFilter(archived=archived)) == [i.replace("bit.ly/", "Q") for i in expected]


def test_the_default_filter_is_unarchived_only() -> None:
    store = store_of(links=[link("bit.ly/live"), link("bit.ly/gone", archived=True)])
    assert find_ids(store, ItemFilter()) == ["bit.ly/live"]


def test_an_unknown_archived_value_is_a_value_error() -> None:
    store = store_of(links=[link("bit.ly/a")])
    with pytest.raises(ValueError, match="archived"):
        store.find_links(group=GUID, flt=ItemFilter(archived="yes"), limit=10)


def test_campaign_selects_its_links_and_an_unknown_campaign_nothing() -> None:
    store = store_of(
        campaigns=["C1", "C2"],
        links=[
            link("bit.ly/a", campaigns=["C1"]),
            link("bit.ly/b", campaigns=["C1", "C2"]),
            link("bit.ly/c"),
        ],
        other_campaigns=["C9"],
        other_links=[link("j.mp/z", campaigns=["C9"])],
    )
    assert find_ids(store, ItemFilter(campaign_guid="C1")) == ["bit.ly/a", "bit.ly/b"]
    assert find_ids(store, ItemFilter(campaign_guid="C2")) == ["bit.ly/b"]
    assert find_ids(store, ItemFilter(campaign_guid="C3")) == []
    assert find_ids(store, ItemFilter(campaign_guid="C9")) == []  # a campaign of another group
    assert find_ids(store, ItemFilter(campaign_guid="c1")) == []


def test_campaign_is_ignored_for_qr_codes() -> None:
    store = store_of(campaigns=["C1"], qr_codes=[qr("Qa")])
    assert find_qr_ids(store, ItemFilter(campaign_guid="C-unknown")) == ["Qa"]


TITLED = [
    link("bit.ly/e1", title="ÉTÉ en fête"),
    link("bit.ly/e2", title="Straße"),
    link("bit.ly/e3", title="ΟΔΟΣ"),
    link("bit.ly/e4", title="100% off"),
    link("bit.ly/e5", title="a_b"),
    link("bit.ly/e6", title='say "hi"'),
    link("bit.ly/e7", title="x*y NEAR(z"),
    link("bit.ly/e8", title="a OR b"),
    link("bit.ly/e9", title="b or a, a and b"),
    link("bit.ly/f1", title="İstanbul"),
    link("bit.ly/f2", title=None, long_url="https://shop.example.com/Winter", tags=["Hiver"]),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("été", ["bit.ly/e1"], id="accented-lower-matches-upper"),
        pytest.param("ÉTÉ EN", ["bit.ly/e1"], id="accented-upper"),
        pytest.param("STRASSE", [], id="sharp-s-is-not-ss"),
        pytest.param("ß", ["bit.ly/e2"], id="sharp-s"),
        pytest.param("ΟΔΟΣ", ["bit.ly/e3"], id="final-sigma-both-sides"),
        pytest.param("οδοσ", [], id="medial-sigma-is-not-final-sigma"),
        pytest.param("i̇stanbul", ["bit.ly/f1"], id="dotted-capital-i-lowers-to-two-code-points"),
        pytest.param("%", ["bit.ly/e4"], id="percent-is-literal"),
        pytest.param("_", ["bit.ly/e5"], id="underscore-is-literal"),
        pytest.param('"', ["bit.ly/e6"], id="double-quote"),
        pytest.param('"hi"', ["bit.ly/e6"], id="quoted-phrase"),
        pytest.param("*", ["bit.ly/e7"], id="star"),
        pytest.param("NEAR(", ["bit.ly/e7"], id="near"),
        pytest.param("a OR b", ["bit.ly/e8"], id="or-is-literal"),
        pytest.param("a AND b", ["bit.ly/e9"], id="and-is-literal"),
        pytest.param("winter", ["bit.ly/f2"], id="long-url"),
        pytest.param("hiv", ["bit.ly/f2"], id="tag-substring"),
        pytest.param("BIT.LY/E5", ["bit.ly/e5"], id="bitlink-id"),
        pytest.param("\ud800", [], id="lone-surrogate"),
    ],
)
def test_query_is_a_python_lowercase_substring_of_a_field(query: str, expected: list[str]) -> None:
    store = store_of(links=TITLED)
    assert find_ids(store, ItemFilter(query=query, archived="both")) == expected


def test_empty_query_matches_everything_and_none_is_no_query() -> None:
    store = store_of(links=TITLED)
    assert len(find_ids(store, ItemFilter(query=""))) == len(TITLED)
    assert len(find_ids(store, ItemFilter(query=None))) == len(TITLED)


def test_query_does_not_match_across_two_fields() -> None:
    store = store_of(links=[link("bit.ly/a", title="abc", long_url="def", tags=["ghi", "jkl"])])
    assert find_ids(store, ItemFilter(query="abc")) == ["bit.ly/a"]
    for query in ("cd", "c\x00d", "c\nd", "hij", "i\x00j", "ef\x00b", "defbit"):
        assert find_ids(store, ItemFilter(query=query)) == [], query


def test_query_with_a_nul_matches_a_field_containing_it() -> None:
    store = store_of(links=[link("bit.ly/a", title="x\x00Y"), link("bit.ly/b", title="x"), link("bit.ly/c")])
    assert find_ids(store, ItemFilter(query="X\x00y")) == ["bit.ly/a"]
    assert find_ids(store, ItemFilter(query="\x00")) == ["bit.ly/a"]


def test_qr_query_searches_title_url_bitlink_own_id_and_tags() -> None:
    store = store_of(
        links=[link("bit.ly/Target", title="link title")],
        qr_codes=[
            qr("Qbit", bitlink="bit.ly/Target"),
            qr("Qtitle", title="Poster"),
            qr("Qurl", long_url="https://example.com/Poster-page"),
            qr("Qtag", tags=["posterS"]),
            qr("Qnone"),
        ],
    )
    assert find_qr_ids(store, ItemFilter(query="BIT.LY/target")) == ["Qbit"]
    assert sorted(find_qr_ids(store, ItemFilter(query="poster"))) == ["Qtag", "Qtitle", "Qurl"]
    assert find_qr_ids(store, ItemFilter(query="qnon")) == ["Qnone"]
    assert find_qr_ids(store, ItemFilter(query="link title")) == []  # the link's title is not the QR code's


def test_order_is_newest_first_then_id_in_code_point_order() -> None:
    ids = ["bit.ly/a", "bit.ly/B", "acme.co/z", "bit.ly/_", "bit.ly/é"]
    store = store_of(links=[link(i, created=500) for i in ids] + [link("j.mp/new", created=501)])
    assert find_ids(store, ItemFilter()) == [
        "j.mp/new",
        "acme.co/z",
        "bit.ly/B",
        "bit.ly/_",
        "bit.ly/a",
        "bit.ly/é",
    ]


def test_limit_cuts_the_ordered_match_set() -> None:
    store = store_of(links=[link(f"bit.ly/n{i:02}", created=i) for i in range(30)])
    assert find_ids(store, ItemFilter(), limit=3) == ["bit.ly/n29", "bit.ly/n28", "bit.ly/n27"]
    assert len(find_ids(store, ItemFilter(), limit=31)) == 30
    assert find_ids(store, ItemFilter(), limit=0) == []


def test_qr_domain_matches_through_the_bitlink_only() -> None:
    store = store_of(
        links=[link("Bit.Ly/a"), link("j.mp/b")],
        qr_codes=[
            qr("Q1", bitlink="Bit.Ly/a"),
            qr("Q2", bitlink="j.mp/b"),
            qr("Q3", long_url="https://bit.ly/whatever"),
        ],
    )
    assert find_qr_ids(store, ItemFilter(domain="BIT.ly")) == ["Q1"]
    assert find_qr_ids(store, ItemFilter(domain="j.mp")) == ["Q2"]
    assert find_qr_ids(store, ItemFilter(domain="example.com")) == []


def test_rows_carry_every_field_with_tags_in_fixture_order() -> None:
    store = store_of(
        links=[
            link("bit.ly/a", title=None, long_url="https://u", created=7, archived=True, tags=["z", "a", "m"])
        ],
        qr_codes=[qr("Q1", title="T", bitlink="bit.ly/a", long_url="https://v", created=8, tags=["b", "a"])],
    )
    (row,) = store.find_links(group=GUID, flt=ItemFilter(archived="both"), limit=5)
    assert (row.id, row.title, row.long_url, row.created, row.archived, row.tags) == (
        "bit.ly/a",
        None,
        "https://u",
        7,
        True,
        ("z", "a", "m"),
    )
    (code,) = store.find_qr_codes(group=GUID, flt=ItemFilter(), limit=5)
    assert (
        code.id,
        code.title,
        code.qr_code_type,
        code.bitlink,
        code.long_url,
        code.created,
        code.archived,
        code.tags,
    ) == ("Q1", "T", "bitlink", "bit.ly/a", "https://v", 8, False, ("b", "a"))


def test_groups_do_not_see_each_others_items() -> None:
    store = store_of(links=[link("bit.ly/mine")], other_links=[link("bit.ly/theirs")])
    assert find_ids(store, ItemFilter()) == ["bit.ly/mine"]
    assert find_ids(store, ItemFilter(), group=OTHER) == ["bit.ly/theirs"]
    assert find_ids(store, ItemFilter(), group="Bnope") == []


def test_links_by_ids_is_exact_case_sensitive_and_per_group() -> None:
    store = store_of(
        links=[link("bit.ly/AbC"), link("bit.ly/abc", archived=True)], other_links=[link("j.mp/x")]
    )
    found = store.links_by_ids(group=GUID, ids=["bit.ly/abc", "BIT.LY/abc", "j.mp/x", "bit.ly/ABC", "\ud800"])
    assert list(found) == ["bit.ly/abc"] and found["bit.ly/abc"].archived is True
    assert set(store.links_by_ids(group=GUID, ids=["bit.ly/AbC", "bit.ly/abc"])) == {
        "bit.ly/AbC",
        "bit.ly/abc",
    }
    assert store.links_by_ids(group="Bnope", ids=["bit.ly/abc"]) == {}


def test_links_by_ids_handles_more_ids_than_one_sql_statement_takes() -> None:
    links = [link(f"bit.ly/n{i}") for i in range(1200)]
    store = store_of(links=links)
    assert len(store.links_by_ids(group=GUID, ids=[item.id for item in links])) == 1200


def test_store_exposes_tokens_groups_counts_and_clock() -> None:
    store = store_of(links=[link("bit.ly/a")], qr_codes=[qr("Q1"), qr("Q2")])
    assert store.now == 1_764_115_200
    assert store.group_guids() == [GUID, OTHER]
    assert store.has_group(GUID) and not store.has_group(GUID.lower())
    assert store.group_counts(GUID) == (1, 2) and store.group_counts("Bnope") == (0, 0)
    token = store.token("tok-premium")
    assert token is not None and token.groups == (GUID, OTHER) and token.tier == "premium"
    assert store.token("TOK-PREMIUM") is None
    assert [t.token for t in store.tokens()] == ["tok-premium"]


def test_a_dataset_without_clock_has_none() -> None:
    assert Store.build(dataset(now=None)).now is None
