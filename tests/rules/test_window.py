import pytest

from bitly_exports_contract.rules.window import clamp_window, tier_window

NOW = 1_764_115_200
DAY = 86400


@pytest.mark.parametrize(
    ("tier", "days"),
    [
        pytest.param("core", 30),
        pytest.param("growth", 120),
        pytest.param("premium", 365),
        pytest.param("enterprise", 730),
    ],
)
def test_tier_window_spans_the_published_days(tier, days):
    assert tier_window(tier=tier, now=NOW) == (NOW - days * DAY, NOW)


def test_free_tier_has_no_metrics_window():
    assert tier_window(tier="free", now=NOW) is None


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        pytest.param(None, (NOW - 30 * DAY, NOW), id="no-bounds-whole-window"),
        pytest.param((0, 10**30), (NOW - 30 * DAY, NOW), id="wider-than-tier"),
        pytest.param((NOW + 5, NOW + 9), (NOW, NOW), id="future-clamps-to-now"),
        pytest.param((0, 5), (NOW - 30 * DAY, NOW - 30 * DAY), id="past-clamps-to-start"),
        pytest.param((NOW - DAY, NOW - 5), (NOW - DAY, NOW - 5), id="inside-unchanged"),
    ],
)
def test_clamp_window(requested, expected):
    assert clamp_window(requested=requested, tier_start=NOW - 30 * DAY, now=NOW) == expected
