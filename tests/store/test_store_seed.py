"""The seeded dataset: deterministic, lazy and as varied as the contract needs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest

from bitly_exports_contract.store import BITLINK_ID_RE, TIERS, Dataset, Group, seed_dataset

NOW = 1764115200


@pytest.fixture(scope="module")
def seeded() -> Dataset:
    return seed_dataset(11, links=2000)


def test_same_seed_gives_the_same_dataset() -> None:
    one, two = seed_dataset(5, links=400), seed_dataset(5, links=400)
    assert one == two
    for a, b in zip(one.groups, two.groups, strict=True):
        assert list(a.engagements) == list(b.engagements)


def test_different_seeds_give_different_datasets() -> None:
    one, two = seed_dataset(5, links=400), seed_dataset(6, links=400)
    assert [link.id for link in one.groups[0].links] != [link.id for link in two.groups[0].links]
    assert one != two


def test_engagements_are_lazy_and_iterate_identically_twice(seeded: Dataset) -> None:
    engagements = seeded.groups[0].engagements
    assert not isinstance(engagements, list | tuple)
    assert isinstance(iter(engagements), Iterator)
    assert list(engagements) == list(engagements)


def test_tokens_have_fixed_names_tiers_and_groups(seeded: Dataset) -> None:
    guids = tuple(group.guid for group in seeded.groups)
    tokens = {token.token: token for token in seeded.tokens}
    for tier in TIERS:
        assert tokens[f"tok-{tier}"].tier == tier
        assert tokens[f"tok-{tier}"].groups == guids
    assert (tokens["tok-other"].tier, tokens["tok-other"].groups) == ("premium", (guids[1],))
    limited = tokens["tok-limited"]
    assert (limited.tier, limited.groups, limited.rate_limit_per_minute) == ("premium", (guids[0],), 5)


def test_groups_are_one_big_and_two_small(seeded: Dataset) -> None:
    assert [len(group.links) for group in seeded.groups] == [2000, 50, 40]
    assert seeded.now == NOW


def test_ids_look_like_bitlys(seeded: Dataset) -> None:
    for group in seeded.groups:
        assert re.fullmatch(r"B[A-Za-z0-9]{10}", group.guid)
        assert all(re.fullmatch(r"C[A-Za-z0-9]{10}", guid) for guid in group.campaigns)
        assert all(re.fullmatch(r"Q[A-Za-z0-9]{10}", qr.id) for qr in group.qr_codes)
        assert all(BITLINK_ID_RE.fullmatch(link.id) for link in group.links)
    domains = Counter(link.id.split("/")[0] for link in seeded.groups[0].links)
    assert set(domains) == {"bit.ly", "j.mp", "acme.co", "go.example-brand.com"}
    assert any(set(link.id.split("/")[1]) & set("_-") for link in seeded.groups[0].links)


def test_some_link_ids_differ_only_by_case(seeded: Dataset) -> None:
    lowered = Counter(link.id.lower() for link in seeded.groups[0].links)
    assert sum(1 for count in lowered.values() if count > 1) >= 3


def test_links_mix_campaigns_tags_archived_titles_and_ties(seeded: Dataset) -> None:
    links = seeded.groups[0].links
    assert {len(link.campaign_guids) for link in links} == {0, 1, 2}
    tags = {tag for link in links for tag in link.tags}
    assert {"promo", "Promo", "@partners"} <= tags
    assert 0.10 < sum(link.archived for link in links) / len(links) < 0.20
    titles = [link.title for link in links]
    assert None in titles
    texts = [title for title in titles if title]
    for needle in (",", '"', "\r\n", "é", "東京", "🎉"):
        assert any(needle in title for title in texts), needle
    for trigger in ("=", "+", "-", "@", "\t"):
        assert any(title.startswith(trigger) for title in texts), trigger
    created = Counter(link.created for link in links)
    assert max(created.values()) > 1
    assert all(NOW - 3 * 365 * 86400 <= link.created <= NOW for link in links)


def test_qr_codes_are_bitlink_or_long_url_type(seeded: Dataset) -> None:
    group = seeded.groups[0]
    assert len(group.qr_codes) == 200
    link_ids = {link.id for link in group.links}
    kinds = Counter(qr.qr_code_type for qr in group.qr_codes)
    assert set(kinds) == {"bitlink", "long_url"}
    for qr in group.qr_codes:
        assert (qr.bitlink in link_ids) if qr.qr_code_type == "bitlink" else qr.bitlink is None


def _engagement_shape(group: Group) -> None:
    targets = {link.id for link in group.links} | {qr.id for qr in group.qr_codes}
    rows: Counter[str] = Counter()
    for row in group.engagements:
        assert row.target in targets
        assert row.at % 3600 == 0 and NOW - 3 * 365 * 86400 <= row.at <= NOW
        assert min(row.clicks, row.scans, row.button_clicks) >= 0
        rows[row.target] += 1
    assert 15 < sum(rows.values()) / len(targets) < 25
    assert len(rows) < len(targets)  # some targets have no engagement at all
    assert any(target.startswith("Q") for target in rows)


def test_engagements_are_sparse_hourly_rows_of_the_group(seeded: Dataset) -> None:
    _engagement_shape(seeded.groups[0])


def test_engagements_sit_on_every_tier_window_edge(seeded: Dataset) -> None:
    stamps = {row.at for row in seeded.groups[0].engagements}
    for days in (30, 120, 365, 730):
        assert NOW - days * 86400 in stamps
    assert NOW in stamps
