"""The `exports_server` fixture that consumers get with the server extra (pytest_plugin.py)."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from bitly_exports_client.api.groups import post_create_group_export
from bitly_exports_client.models import (
    ExportFilter,
    ExportResponse,
    LinksListRequest,
    RateLimitExceeded,
    UpgradeRequired,
)

from bitly_exports_contract.testing import ReferenceServer, prefer

ROOT = Path(__file__).resolve().parents[2]
LINKS = LinksListRequest(export_type="links_list", filter_=ExportFilter())
METRICS = LinksListRequest(export_type="links_list", filter_=ExportFilter(), include_metrics=True)


def test_the_readme_shows_the_example_test_verbatim() -> None:
    example = (Path(__file__).parent / "test_reference_server_example.py").read_text("utf-8")
    body = example.split('"""', 2)[2].lstrip("\n")
    assert body in (ROOT / "README.md").read_text("utf-8")


def test_the_default_server_has_a_token_of_each_tier(exports_server: ReferenceServer) -> None:
    assert {"free", "core", "growth", "premium", "enterprise"} <= set(exports_server.tokens)
    group = exports_server.group_guid
    with exports_server.client("free") as free, exports_server.client("premium") as premium:
        assert isinstance(post_create_group_export.sync(group, client=free, body=LINKS), ExportResponse)
        assert isinstance(post_create_group_export.sync(group, client=free, body=METRICS), UpgradeRequired)
        assert isinstance(post_create_group_export.sync(group, client=premium, body=METRICS), ExportResponse)


@pytest.mark.exports_server(fixture="../server/fixtures/small.json", now=1_700_000_000)
def test_a_fixture_file_and_a_clock_set_by_the_marker(exports_server: ReferenceServer) -> None:
    assert exports_server.group_guids == ("Ba1bc23dE4F", "Bz9yx87wV6U")
    assert exports_server.token("premium") == "tok-premium"
    with exports_server.client() as client:
        export = post_create_group_export.sync(exports_server.group_guid, client=client, body=LINKS)
    assert isinstance(export, ExportResponse)
    assert export.filename == "Ba1bc23dE4F_links_list_20231114T221320Z.csv"


@pytest.mark.exports_server(seed=3)
def test_fault_switches_make_the_server_answer_an_error(exports_server: ReferenceServer) -> None:
    with exports_server.client(fault=429) as client:
        answer = post_create_group_export.sync_detailed(exports_server.group_guid, client=client, body=LINKS)
    assert isinstance(answer.parsed, RateLimitExceeded)
    assert answer.headers["Retry-After"] == "1"
    response = httpx.post(
        f"{exports_server.base_url}/groups/{exports_server.group_guid}/exports",
        json=LINKS.to_dict(),
        headers={"Authorization": f"Bearer {exports_server.token()}", **prefer(code=500, latency_ms=10)},
    )
    assert response.status_code == 500


@pytest.mark.exports_server(seed=3)
def test_servers_of_one_setting_are_shared(
    exports_server: ReferenceServer, request: pytest.FixtureRequest
) -> None:
    again = request.getfixturevalue("_exports_servers").get({"seed": 3})
    assert again is exports_server


def test_prefer_needs_a_switch() -> None:
    with pytest.raises(ValueError, match="needs a code"):
        prefer()
    assert prefer(code=503, latency_ms=150) == {"Prefer": "latency_ms=150, code=503"}


def test_a_misspelt_marker_setting_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        "import pytest\n\n@pytest.mark.exports_server(sede=7)\ndef test_x(exports_server):\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "exports_server takes seed, fixture, now, links" in result.stdout + result.stderr
