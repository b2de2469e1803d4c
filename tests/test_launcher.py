"""The launcher: the server's JSON ready line, read back by the one module that starts servers."""

from __future__ import annotations

import sys

import httpx
import pytest

from bitly_exports_contract.launcher import (
    READY_EVENT,
    ServedGroup,
    ServedToken,
    ServerReady,
    ServerStartError,
    start_server,
)
from bitly_exports_contract.spec import figures

READY = ServerReady(
    base_url="http://127.0.0.1:41007/v4",
    groups=(ServedGroup("Ba", 20, 2), ServedGroup("Bb", 5, 1)),
    tokens=(
        ServedToken("t-slow", "premium", ("Ba", "Bb"), rate_limit_per_minute=5),
        ServedToken("t-small", "premium", ("Bb",)),
        ServedToken("t-premium", "premium", ("Ba", "Bb")),
        ServedToken("t-free", "free", ("Bb",)),
    ),
    pid=4242,
)


def test_the_ready_line_is_one_json_line_that_reads_back_the_same() -> None:
    line = READY.to_line()
    assert "\n" not in line and f'"event":"{READY_EVENT}"' in line
    assert ServerReady.from_line(line + "\n") == READY


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("base_url: http://127.0.0.1:8000/v4", id="the-human-banner"),
        pytest.param('{"event": "something-else", "base_url": "x"}', id="another-event"),
        pytest.param('{"event": "exports-server.ready", ', id="cut-short"),
        pytest.param("[1, 2]", id="not-an-object"),
    ],
)
def test_other_lines_are_not_a_ready_line(line: str) -> None:
    assert ServerReady.from_line(line) is None


def test_a_token_of_each_tier_prefers_one_that_sees_every_group_without_a_limit() -> None:
    assert READY.tokens_by_tier == {"premium": "t-premium", "free": "t-free"}


def test_a_started_server_announces_its_pid_groups_and_a_working_token_of_each_tier() -> None:
    with start_server(["--seed", "4", "--links", "40"]) as server:
        assert server.ready.pid == server.process.pid
        assert server.base_url.startswith("http://127.0.0.1:") and len(server.groups) >= 2
        assert set(server.tokens) == set(figures().tier_window_days)
        answer = httpx.post(
            f"{server.base_url}/groups/{server.groups[0]}/exports",
            json={"export_type": "links_list", "filter": {}},
            headers={"Authorization": f"Bearer {server.tokens['premium']}"},
            timeout=30,
        )
        assert answer.status_code == 200
        assert server.log is not None
        server.log.seek(0)
        assert "try: curl" in server.log.read()  # the lines for people go to stderr


def test_a_server_that_exits_before_it_is_ready_is_reported_with_its_log(tmp_path) -> None:
    with pytest.raises(ServerStartError, match="no such store file"):
        start_server(["--db", str(tmp_path / "missing.sqlite3")])


def test_a_command_that_never_announces_is_stopped_at_the_timeout() -> None:
    quiet = [sys.executable, "-c", "import time; print('hello'); time.sleep(60)"]
    with pytest.raises(ServerStartError, match="hello"):
        start_server(command=quiet, timeout=1.0)
