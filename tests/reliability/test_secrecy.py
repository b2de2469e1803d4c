"""Tokens compared in constant time, 403s that tell nothing, filenames of real groups only, faults off."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator

import httpx
import pytest
from inprocess import export_request, send

from bitly_exports_contract.launcher import RunningServer, start_server
from bitly_exports_contract.server import app as app_module
from bitly_exports_contract.server.app import ExportsApp, ServerConfig
from bitly_exports_contract.store import Store, seed_dataset
from tools.reliability.asgi_call import RawRequest
from tools.reliability.fuzz_case import instant_sleep

LISTING = {"export_type": "links_list", "filter": {}}


@pytest.fixture(scope="module")
def store() -> Store:
    return Store.build(seed_dataset(4, links=120))


@pytest.fixture(scope="module")
def app(store: Store) -> ExportsApp:
    return ExportsApp(ServerConfig(store=store))


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[bytes, bytes]]]:
    """Every (secret, presented) pair the app hands to hmac.compare_digest."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(app_module.hmac, "compare_digest", spy)
    yield calls


@pytest.mark.parametrize(
    "presented",
    [
        pytest.param("tok-free", id="first-token"),
        pytest.param("tok-limited", id="last-token"),
        pytest.param("tok-nope", id="unknown"),
        pytest.param("tok-prem", id="prefix-of-a-token"),
        pytest.param("tok-premium-and-more", id="token-plus-suffix"),
        pytest.param("x" * 500, id="long"),
    ],
)
def test_every_token_is_compared_in_constant_time_whatever_is_presented(
    app: ExportsApp, store: Store, compared: list[tuple[bytes, bytes]], presented: str
) -> None:
    send(app, export_request(store.group_guids()[0], LISTING, token=presented))
    assert [secret for secret, _ in compared] == [t.token.encode() for t in store.tokens()]
    assert {candidate for _, candidate in compared} == {presented.encode()}


def test_tokens_are_not_looked_up_by_key(
    app: ExportsApp, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_lookup(self: Store, token: str) -> None:
        raise AssertionError("a lookup by token string short-circuits on the first differing byte")

    monkeypatch.setattr(Store, "token", no_lookup)
    assert send(app, export_request(store.group_guids()[0], LISTING, token="tok-premium")).status == 200
    assert send(app, export_request(store.group_guids()[0], LISTING, token="tok-nope")).status == 403


def forbidden_requests(store: Store) -> dict[str, RawRequest]:
    big, small = store.group_guids()[0], store.group_guids()[1]
    return {
        "hidden-group": export_request(big, LISTING, token="tok-other"),
        "missing-group": export_request("Bnotagroup0", LISTING, token="tok-other"),
        "missing-group-valid-token-elsewhere": export_request("Bnotagroup0", LISTING, token="tok-premium"),
        "bad-token-real-group": export_request(small, LISTING, token="tok-nope"),
        "no-authorization": export_request(small, LISTING, token=None),
        "basic-scheme": export_request(small, LISTING, authorization=b"Basic dG9rLW90aGVy"),
        "bare-token": export_request(small, LISTING, authorization=b"tok-other"),
        "non-utf8-group": export_request(b"B%FF%FE", LISTING),
        "hidden-group-bad-body": export_request(big, b"{not json", token="tok-other"),
        "missing-group-bad-body": export_request("Bnotagroup0", b"{not json", token="tok-other"),
    }


def test_every_403_is_the_same_bytes_whatever_the_reason(app: ExportsApp, store: Store) -> None:
    answers = {name: send(app, raw) for name, raw in forbidden_requests(store).items()}
    reference = answers["hidden-group"]
    assert reference.status == 403
    differing = [
        name
        for name, a in answers.items()
        if (a.status, a.headers, a.body) != (403, reference.headers, reference.body)
    ]
    assert differing == []


def test_hidden_and_missing_groups_take_the_same_path(
    app: ExportsApp, store: Store, compared: list[tuple[bytes, bytes]]
) -> None:
    # The work before the 403 is the token loop over every token, then a membership test on the token's
    # own groups: the same for a group that exists and one that does not. Timings: scripts/probe-403-timing.
    counts = []
    for guid in (store.group_guids()[0], "Bnotagroup0"):
        compared.clear()
        assert send(app, export_request(guid, LISTING, token="tok-other")).status == 403
        counts.append(len(compared))
    assert counts == [len(store.tokens())] * 2


@pytest.mark.parametrize(
    "segment",
    [
        pytest.param("{guid}", id="plain"),
        pytest.param("{encoded}", id="percent-encoded"),
    ],
)
def test_the_filename_names_the_existing_group_the_path_decodes_to(
    app: ExportsApp, store: Store, segment: str
) -> None:
    guid = store.group_guids()[0]
    encoded = "".join(f"%{ord(c):02x}" for c in guid)
    response = send(app, export_request(segment.format(guid=guid, encoded=encoded), LISTING))
    assert response.status == 200
    assert response.body.count(b'"filename":"' + guid.encode() + b'_links_list_20251126T000000Z.csv"') == 1


@pytest.mark.parametrize(
    "segment",
    [
        pytest.param(b"..%2F..%2Fetc%2Fpasswd", id="traversal"),
        pytest.param(b"%2e%2e", id="dot-dot"),
        pytest.param(b"{guid}%00", id="guid-then-nul"),
        pytest.param(b"{guid}%2Fx", id="guid-then-slash"),
        pytest.param(b"{guid}%20", id="guid-then-space"),
        pytest.param(b"{lower}", id="guid-in-another-case"),
    ],
)
def test_a_group_segment_that_is_not_exactly_a_group_never_reaches_the_filename(
    app: ExportsApp, store: Store, segment: bytes
) -> None:
    guid = store.group_guids()[0]
    raw = segment.replace(b"{guid}", guid.encode()).replace(b"{lower}", guid.lower().encode())
    assert send(app, export_request(raw, LISTING)).status == 403


FAULTS = ["code=500", "code=503", "code=429", "latency_ms=10000", "latency_ms=150, code=503", 'code="500"']


@pytest.mark.parametrize("prefer", [pytest.param(p, id=p) for p in FAULTS])
def test_no_faults_makes_prefer_inert(store: Store, prefer: str) -> None:
    app = ExportsApp(ServerConfig(store=store, faults_enabled=False))
    guid = store.group_guids()[0]
    plain = send(app, export_request(guid, LISTING))
    with instant_sleep() as slept:
        asked = send(app, export_request(guid, LISTING, headers=((b"prefer", prefer.encode()),)))
    assert (asked.status, asked.headers, asked.body) == (plain.status, plain.headers, plain.body)
    assert slept.delays == []


@pytest.mark.parametrize("prefer", [pytest.param(p, id=p) for p in FAULTS[:3]])
def test_faults_on_honour_prefer(store: Store, prefer: str) -> None:
    app = ExportsApp(ServerConfig(store=store, faults_enabled=True))
    response = send(
        app, export_request(store.group_guids()[0], LISTING, headers=((b"prefer", prefer.encode()),))
    )
    assert response.status == int(prefer.removeprefix("code="))


@pytest.fixture(scope="module")
def faulty_server() -> Iterator[RunningServer]:
    server = start_server(["--seed", "4", "--links", "120"])
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("which", "prefer", "expected"),
    [
        pytest.param("live_server", "code=503, latency_ms=10000", 200, id="no-faults"),
        pytest.param("faulty_server", "code=503", 503, id="faults-on"),
    ],
)
def test_the_no_faults_flag_switches_prefer_off_in_the_served_process(
    request: pytest.FixtureRequest, which: str, prefer: str, expected: int
) -> None:
    server: RunningServer = request.getfixturevalue(which)
    started = time.monotonic()
    response = httpx.post(
        f"{server.base_url}/groups/{server.groups[0]}/exports",
        json=LISTING,
        headers={"Authorization": "Bearer tok-premium", "Prefer": prefer},
        timeout=30,
    )
    assert response.status_code == expected
    assert time.monotonic() - started < 2.0  # liveness: with faults off the 10 s latency is not served either
