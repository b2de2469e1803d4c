"""The kit's requests against servers that break HTTP: each ends within its time, as a contract failure
with its reproduction (or the end of the run), never as a hang or a crash of the suite."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from misbehaving import (
    Behaviour,
    MisbehavingServer,
    answer,
    bad_gzip,
    floods,
    hangs,
    resets,
    short_body,
    slow,
    trickles,
)

from bitly_exports_contract.kit import redact
from bitly_exports_contract.kit.client import ExportsClient
from bitly_exports_contract.kit.failure import ContractViolation
from bitly_exports_contract.kit.limits import Pacer, RunLimits, RunStopped
from bitly_exports_contract.kit.paced_http import PacedTransport, Unanswered, paced_session
from bitly_exports_contract.kit.target import Target

TOKEN = "tok-SECRET-7f3a9c"
TIMEOUT = 0.5
BODY = {"export_type": "links_list", "filter": {}}


@pytest.fixture(autouse=True)
def secret() -> Iterator[None]:
    redact.register(TOKEN)
    yield
    redact.forget_all()


def _limits(**changes: float | None) -> RunLimits:
    base = {"max_requests": 100, "rate": None, "timeout": TIMEOUT, "max_wait": 10.0, "deadline": None}
    return RunLimits(**{**base, **changes})  # type: ignore[arg-type]


def _client(server: MisbehavingServer, pacer: Pacer) -> ExportsClient:
    return ExportsClient(Target(base_url=server.base_url, token=TOKEN, group_guid="Bxyz"), pacer=pacer)


@pytest.mark.parametrize(
    ("behaviour", "received"),
    [
        pytest.param(hangs, "no complete answer within 0.5 s", id="hangs"),
        pytest.param(slow, "no complete answer within 0.5 s", id="answers-after-20s"),
        pytest.param(trickles, "no complete answer within 0.5 s", id="trickles-forever"),
        pytest.param(resets, "Connection reset by peer", id="resets"),
        pytest.param(short_body, "received 52 bytes, expected 5000", id="cuts-the-body-short"),
        pytest.param(bad_gzip, "not what its Content-Encoding says", id="body-not-gzip"),
    ],
)
def test_a_request_without_a_complete_answer_is_a_contract_failure(
    behaviour: Behaviour, received: str
) -> None:
    with MisbehavingServer(behaviour) as server, _client(server, Pacer(_limits())) as client:
        started = time.monotonic()
        with pytest.raises(ContractViolation) as caught:
            client.export(BODY)
        assert time.monotonic() - started < TIMEOUT + 1.5
    report = str(caught.value)
    assert caught.value.rule_name == "every_request_is_answered"
    assert received in report
    assert "Reproduce with:" in report and "'Authorization: Bearer REDACTED'" in report
    assert TOKEN not in report


def test_an_endless_answer_is_not_read_past_a_limit() -> None:
    transport = PacedTransport(Pacer(_limits(timeout=20.0)), max_answer_bytes=1024 * 1024)
    with MisbehavingServer(floods) as server, httpx.Client(transport=transport) as client:
        with pytest.raises(Unanswered, match="passed 1048576 bytes; not read on"):
            client.post(server.base_url + "/groups/G/exports", json=BODY)


def test_requests_left_unanswered_in_a_row_end_the_run() -> None:
    pacer = Pacer(_limits())
    with MisbehavingServer(resets) as server, _client(server, pacer) as client:
        for _ in range(2):
            with pytest.raises(ContractViolation):
                client.export(BODY)
        with pytest.raises(RunStopped, match="3 requests in a row without an answer") as caught:
            client.export(BODY)
        with pytest.raises(RunStopped):
            client.export(BODY)
    assert "every_request_is_answered" in caught.value.render()
    assert pacer.sent == 3


def test_retry_after_is_honoured_then_the_answer_returned() -> None:
    count = iter(range(100))

    def limited_twice(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        if next(count) < 2:
            answer(conn, "429 Too Many Requests", "application/json", b"{}", extra="Retry-After: 3\r\n")
        else:
            answer(conn, "200 OK", "application/json", b'{"ok":true}')

    waits: list[float] = []
    pacer = Pacer(_limits(), sleep=waits.append)
    with MisbehavingServer(limited_twice) as server, _client(server, pacer) as client:
        exchange = client.export(BODY)
    assert (exchange.status, exchange.json) == (200, {"ok": True})
    assert (waits, pacer.waited, pacer.sent) == ([3.0, 3.0], 6.0, 3)


def test_the_deadline_cuts_a_request_short_and_ends_the_run() -> None:
    pacer = Pacer(_limits(timeout=30.0, deadline=1.0))
    with MisbehavingServer(trickles) as server, _client(server, pacer) as client:
        started = time.monotonic()
        with pytest.raises(RunStopped, match="deadline of 1 s passed"):
            client.export(BODY)
        assert time.monotonic() - started < 2.5


def test_schemathesis_requests_are_paced_and_bounded_too() -> None:
    def fine(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        answer(conn, "200 OK", "application/json", b'{"row_count":0}', extra="X-Answer: yes\r\n")

    pacer = Pacer(_limits(max_requests=2))
    with MisbehavingServer(fine) as server, paced_session(pacer) as session:
        response = session.post(server.base_url + "/groups/G/exports", json=BODY)
        assert (response.status_code, response.json(), response.headers["x-answer"]) == (
            200,
            {"row_count": 0},
            "yes",
        )
        assert response.raw.version == 11
        session.post(server.base_url + "/groups/G/exports", json=BODY)
        with pytest.raises(RunStopped, match="request budget of 2 exhausted"):
            session.post(server.base_url + "/groups/G/exports", json=BODY)
    with MisbehavingServer(bad_gzip) as server, paced_session(Pacer(_limits())) as session:
        with pytest.raises(ContractViolation, match="not what its Content-Encoding says"):
            session.post(server.base_url + "/groups/G/exports", json=BODY)
    with MisbehavingServer(hangs) as server, paced_session(Pacer(_limits())) as session:
        with pytest.raises(ContractViolation, match="no complete answer within 0.5 s"):
            session.post(
                server.base_url + "/groups/G/exports", json=BODY, headers={"Authorization": f"Bearer {TOKEN}"}
            )
