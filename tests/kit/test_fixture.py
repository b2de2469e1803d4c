"""The kit's reading of a fixture file (CONTRACT §6): cells and metrics as an export must show them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bitly_exports_contract.kit.fixture import FixtureUnreadable, group_data, guard, read_fixture

FIXTURE = {
    "now": 1764115200,
    "tokens": [{"token": "t", "tier": "premium", "groups": ["G"], "rate_limit_per_minute": None}],
    "groups": [
        {
            "guid": "G",
            "campaigns": ["C1"],
            "links": [
                {
                    "id": "bit.ly/a",
                    "title": "=SUM(1)",
                    "long_url": "https://e.com/a",
                    "created": 1761000000,
                    "archived": False,
                    "tags": ["@partners", "promo"],
                    "campaign_guids": ["C1"],
                },
                {
                    "id": "bit.ly/b",
                    "title": None,
                    "long_url": "https://e.com/b",
                    "created": 1761000001,
                    "archived": True,
                    "tags": [],
                    "campaign_guids": [],
                },
            ],
            "qr_codes": [
                {
                    "id": "Q1",
                    "title": "Poster",
                    "qr_code_type": "bitlink",
                    "bitlink": "bit.ly/a",
                    "long_url": "https://e.com/a",
                    "created": 1761000500,
                    "archived": False,
                    "tags": [],
                },
                {
                    "id": "Q2",
                    "title": "Card",
                    "qr_code_type": "long_url",
                    "bitlink": None,
                    "long_url": "https://e.com/q",
                    "created": 1761000600,
                    "archived": False,
                    "tags": [],
                },
            ],
            "engagements": [
                {"target": "bit.ly/a", "at": 100, "clicks": 1, "scans": 0, "button_clicks": 0},
                {"target": "bit.ly/a", "at": 200, "clicks": 2, "scans": 0, "button_clicks": 1},
                {"target": "Q1", "at": 150, "clicks": 0, "scans": 7, "button_clicks": 0},
            ],
        }
    ],
}


def test_cells_are_written_as_section_4_says() -> None:
    data = group_data(FIXTURE, "G")
    assert data is not None
    assert data.link_cells("bit.ly/a") == [
        "bit.ly/a",
        "'=SUM(1)",
        "https://e.com/a",
        "2025-10-20T22:40:00+0000",
        "false",
        "'@partners;promo",
    ]
    assert data.link_cells("bit.ly/b")[1] == ""  # a null title is an empty cell
    assert data.qr_cells("Q1")[3] == "bit.ly/a"  # the bitlink, when it has one
    assert data.qr_cells("Q2")[3] == "https://e.com/q"  # else the long URL


@pytest.mark.parametrize(
    ("target", "window", "sums"),
    [
        pytest.param("bit.ly/a", (0, 10**6), (3, 0, 1), id="all of a link's own rows"),
        pytest.param("bit.ly/a", (100, 199), (1, 0, 0), id="both ends inclusive"),
        pytest.param("bit.ly/a", (101, 200), (2, 0, 1), id="the later row"),
        pytest.param("Q1", (0, 10**6), (0, 7, 0), id="a QR code's own rows, not its bitlink's"),
        pytest.param("bit.ly/b", (0, 10**6), (0, 0, 0), id="no rows"),
    ],
)
def test_metrics_are_the_targets_own_rows_in_the_window(
    target: str, window: tuple[int, int], sums: tuple[int, int, int]
) -> None:
    data = group_data(FIXTURE, "G")
    assert data is not None
    assert data.metrics(target, window) == sums


def test_campaign_members_and_the_guard() -> None:
    data = group_data(FIXTURE, "G")
    assert data is not None and data.in_campaign("C1") == {"bit.ly/a"}
    assert guard("-1") == "'-1" and guard("a-1") == "a-1" and guard("'=x") == "'=x"


def test_a_file_that_is_no_fixture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps([1, 2]))
    with pytest.raises(FixtureUnreadable):
        read_fixture(path)
    yaml_path = tmp_path / "f.yaml"
    yaml_path.write_text("groups: []\n")
    assert read_fixture(yaml_path) == {"groups": []}
