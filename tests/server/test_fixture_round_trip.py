"""A seeded data set written out as a fixture and loaded again serves the same exports, byte for byte."""

from __future__ import annotations

import pytest

from bitly_exports_contract.server.app import ExportsApp, ServerConfig
from bitly_exports_contract.store.db import Store
from bitly_exports_contract.store.fixture import dump_fixture, load_fixture
from bitly_exports_contract.store.seed import seed_dataset, seeded_token
from tools.reliability.asgi_call import InProcessClient

REQUESTS = [
    pytest.param({"export_type": "links_list", "filter": {"archived": "both"}}, id="links-both"),
    pytest.param(
        {"export_type": "links_list", "filter": {"query": "é"}, "include_metrics": True}, id="query"
    ),
    pytest.param(
        {"export_type": "qr_codes_list", "filter": {"archived": "both"}, "include_metrics": True},
        id="qr-metrics",
    ),
    pytest.param(
        {
            "export_type": "link_engagements_batch",
            "filter": {"tags": ["promo"]},
            "unix_from": 1700000000,
            "unix_to": 1760000000,
        },
        id="batch-window",
    ),
    pytest.param(
        {"export_type": "links_list", "filter": {"created_before": 1740000000, "domain": "J.MP"}},
        id="range-domain",
    ),
]


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    dataset = seed_dataset(11, links=400)
    path = tmp_path_factory.mktemp("fixture") / "seed-11.json"
    dump_fixture(dataset, path)
    seeded = ExportsApp(ServerConfig(store=Store.build(dataset)))
    loaded = ExportsApp(ServerConfig(store=Store.build(load_fixture(path))))
    group = seeded.config.store.group_guids()[0]
    with InProcessClient(seeded) as a, InProcessClient(loaded) as b:
        yield a, b, group


@pytest.mark.parametrize("body", REQUESTS)
def test_a_written_and_reloaded_fixture_gives_the_same_bytes(clients, body):
    seeded, loaded, group = clients
    answers = [
        c.post(
            f"/v4/groups/{group}/exports",
            json=body,
            headers={"Authorization": f"Bearer {seeded_token('enterprise')}"},
        )
        for c in (seeded, loaded)
    ]
    assert answers[0].status_code == 200
    assert answers[0].content == answers[1].content
    assert answers[0].json()["row_count"] > 0
