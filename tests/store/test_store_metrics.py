"""metrics(): inclusive windows over per-target running sums, checked against brute-force sums."""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest
from store_factories import GUID, OTHER, link, qr, store_of

from bitly_exports_contract.store import Dataset, Engagement, Store, seed_dataset


def eng(target: str, at: int, clicks: int = 0, scans: int = 0, button_clicks: int = 0) -> Engagement:
    return Engagement(target, at, clicks, scans, button_clicks)


def thrice(store: Store, **kwargs: object) -> dict[str, tuple[int, int, int]]:
    """metrics() asked three times: by SQL seeks, by series read whole, by the kept series; all agree."""
    answers = [store.metrics(**kwargs) for _ in range(3)]  # type: ignore[arg-type]
    assert answers[1] == answers[0] and answers[2] == answers[0]
    return answers[0]


@pytest.fixture
def small() -> Store:
    return store_of(
        links=[link("bit.ly/a"), link("bit.ly/quiet")],
        qr_codes=[qr("Q1")],
        engagements=[
            eng("bit.ly/a", 100, 1, 0, 0),
            eng("bit.ly/a", 200, 10, 2, 1),
            eng("bit.ly/a", 200, 5, 0, 0),  # same (target, at): added up
            eng("bit.ly/a", 300, 100, 0, 3),
            eng("Q1", 200, 0, 7, 0),
        ],
        other_links=[link("j.mp/x")],
        other_engagements=[eng("j.mp/x", 200, 9, 9, 9)],
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(100, 300, (116, 2, 4), id="both-edges-inclusive"),
        pytest.param(101, 299, (15, 2, 1), id="inside-edges"),
        pytest.param(200, 200, (15, 2, 1), id="single-instant"),
        pytest.param(0, 99, (0, 0, 0), id="before-all-rows"),
        pytest.param(301, 10**6, (0, 0, 0), id="after-all-rows"),
        pytest.param(300, 100, (0, 0, 0), id="start-after-end"),
        pytest.param(-(2**70), 2**70, (116, 2, 4), id="bounds-beyond-int64"),
        pytest.param(2**70, 2**71, (0, 0, 0), id="window-beyond-int64"),
    ],
)
def test_window_is_inclusive_at_both_ends(
    small: Store, start: int, end: int, expected: tuple[int, int, int]
) -> None:
    assert thrice(small, group=GUID, targets=["bit.ly/a"], start=start, end=end) == {"bit.ly/a": expected}


def test_targets_without_rows_or_outside_the_group_count_zero(small: Store) -> None:
    got = thrice(
        small,
        group=GUID,
        targets=["bit.ly/quiet", "Q1", "j.mp/x", "nope", "BIT.LY/a", "\ud800"],
        start=0,
        end=1000,
    )
    assert got == {
        "bit.ly/quiet": (0, 0, 0),
        "Q1": (0, 7, 0),
        "j.mp/x": (0, 0, 0),
        "nope": (0, 0, 0),
        "BIT.LY/a": (0, 0, 0),
        "\ud800": (0, 0, 0),
    }
    assert small.metrics(group=OTHER, targets=["j.mp/x"], start=0, end=1000) == {"j.mp/x": (9, 9, 9)}
    assert small.metrics(group="Bnope", targets=["bit.ly/a"], start=0, end=1000) == {"bit.ly/a": (0, 0, 0)}


def test_rows_of_one_target_need_not_be_consecutive() -> None:
    rows = [
        eng("bit.ly/a", 300, 1),
        eng("bit.ly/b", 100, 2),
        eng("bit.ly/a", 100, 4),
        eng("bit.ly/b", 100, 8),
        eng("bit.ly/a", 200, 16),
        eng("bit.ly/a", 300, 32),
    ]
    store = store_of(links=[link("bit.ly/a"), link("bit.ly/b")], engagements=rows)
    assert thrice(store, group=GUID, targets=["bit.ly/a", "bit.ly/b"], start=0, end=1000) == {
        "bit.ly/a": (53, 0, 0),
        "bit.ly/b": (10, 0, 0),
    }
    assert store.metrics(group=GUID, targets=["bit.ly/a"], start=150, end=300) == {"bit.ly/a": (49, 0, 0)}
    assert store.metrics(group=GUID, targets=["bit.ly/a"], start=100, end=250) == {"bit.ly/a": (20, 0, 0)}


def _brute_force(rows: Iterable[Engagement], targets: set[str], start: int, end: int) -> dict[str, list[int]]:
    sums = {target: [0, 0, 0] for target in targets}
    for row in rows:
        if row.target in targets and start <= row.at <= end:
            total = sums[row.target]
            total[0] += row.clicks
            total[1] += row.scans
            total[2] += row.button_clicks
    return sums


@pytest.fixture(scope="module")
def seeded() -> tuple[Dataset, Store]:
    data = seed_dataset(21, links=600)
    return data, Store.build(data)


def test_running_sums_equal_brute_force_sums_over_random_windows(seeded: tuple[Dataset, Store]) -> None:
    data, store = seeded
    rng = random.Random(4)
    now = data.now or 0
    for group in data.groups:
        rows = list(group.engagements)
        stamps = sorted({row.at for row in rows})
        items = [item.id for item in group.links] + [item.id for item in group.qr_codes]
        for _ in range(12):
            targets = rng.sample(items, min(200, len(items)))
            kind = rng.randrange(3)
            if kind == 0:  # edges exactly on rows
                start, end = sorted(rng.sample(stamps, 2))
            elif kind == 1:  # a tier window
                start, end = now - rng.choice((1, 30, 120, 365, 730)) * 86400, now
            else:  # arbitrary seconds
                start = rng.randrange(now - 4 * 365 * 86400, now)
                end = start + rng.randrange(0, 400 * 86400)
            expected = _brute_force(rows, set(targets), start, end)
            got = thrice(store, group=group.guid, targets=targets, start=start, end=end)
            assert got == {t: tuple(v) for t, v in expected.items()}, (start, end)
