"""`exports-contract verify --base-url ...` end to end, as CI runs it against a live server.

Against servers that hang, reset, truncate, answer HTML, answer slowly, echo the token or stop answering
mid-run, and against a run that spends its budget, its waiting allowance or its deadline (against a
server that trickles): every run exits non-zero within a bounded time, prints the broken rule with its
reproduction, never a traceback of the suite, and never the token. (test_paced_http.py covers each
failure of a single request in-process: bodies cut short or trickled, bad gzip, endless answers.)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from misbehaving import (
    Behaviour,
    MisbehavingServer,
    echoes_credentials,
    forwards_then,
    hangs,
    not_json,
    rate_limited,
    resets,
    slow,
    trickles,
    truncated_json,
)

from bitly_exports_contract.launcher import start_server
from bitly_exports_contract.store.seed import seeded_token

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
TOKEN = "tok-SECRET-7f3a9c"
# Every token of the fixture carries this; none may appear in anything a run prints or writes.
MARK = "SECRET"
RUN_LIMIT = 60.0


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    folder: Path

    def written(self) -> dict[Path, str]:
        """Every file the run wrote, as text (binary files decoded leniently)."""
        return {
            path: path.read_bytes().decode("utf-8", errors="replace")
            for path in self.folder.rglob("*")
            if path.is_file()
        }


def verify(folder: Path, *args: str) -> Run:
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "exports-contract"), "verify", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT + 30,
    )
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started, folder)


def assert_no_token_anywhere(run: Run) -> None:
    assert MARK not in run.stdout
    assert MARK not in run.stderr
    for path, text in run.written().items():
        assert MARK not in text, f"{path} carries a token"
        if path.suffix == ".xml":  # hypothesis puts its statistics into the JUnit file as base64
            for value in re.findall(r'value="([A-Za-z0-9+/=]{16,})"', text):
                try:
                    decoded = base64.b64decode(value, validate=True).decode("utf-8", errors="replace")
                except binascii.Error:
                    continue
                assert MARK not in decoded, f"{path} carries a token in base64"


@dataclass(frozen=True)
class ReferenceServer:
    base_url: str
    groups: list[str]


def _write_secret_fixture(fixture: Path) -> None:
    """A small seeded fixture whose tokens all look secret: the premium one is TOKEN, the others marked."""
    subprocess.run(
        [str(BIN / "exports-server"), "write-fixture", "--seed", "5", "--links", "60", str(fixture)],
        check=True,
        capture_output=True,
    )
    data = json.loads(fixture.read_text())
    for entry in data["tokens"]:
        seeded = entry["token"]
        entry["token"] = (
            TOKEN if seeded == seeded_token("premium") else seeded.replace("tok-", f"tok-{MARK}-")
        )
    fixture.write_text(json.dumps(data))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferenceServer]:
    """The reference server on a small fixture whose tokens are all secret-looking."""
    folder = tmp_path_factory.mktemp("fixture")
    fixture = folder / "fixture.json"
    _write_secret_fixture(fixture)
    with start_server(["--fixture", str(fixture)]) as server:
        yield ReferenceServer(base_url=server.base_url, groups=server.groups)


def role_tokens() -> list[str]:
    roles = ("free", "core", "growth", "enterprise", "other", "limited")
    return [arg for role in roles for arg in (f"--token-{role}", f"tok-{MARK}-{role}")]


def test_a_run_with_broken_rules_never_prints_or_writes_a_token(
    reference: ReferenceServer, tmp_path: Path
) -> None:
    # The server is right; the run is told wrong things (the token's tier, the limited token's limit),
    # so rules break on requests that carry every token, and their failures are printed and written.
    run = verify(
        tmp_path,
        *("--base-url", reference.base_url, "--token", TOKEN, "--group-guid", reference.groups[0]),
        *("--other-group-guid", reference.groups[1], "--tier", "core", "--limited-per-minute", "3"),
        *role_tokens(),
        *("--seed", "3", "--max-examples", "10", "--junit", "report.xml"),
        # Make pytest say all it can: ids, locals in tracebacks, captured output and logs in the JUnit file.
        *("-v", "--tb=long", "-l", "--log-level=DEBUG", "-o", "junit_logging=all"),
    )
    assert run.code == 1, run.stdout[-3000:]
    assert run.seconds < RUN_LIMIT
    assert "Contract rule broken: window_clamp_conformance" in run.stdout
    assert "Contract rule broken: rate_limit_answers_429" in run.stdout
    assert "Authorization: Bearer REDACTED" in run.stdout
    report = (tmp_path / "report.xml").read_text()
    assert "<failure" in report and "REDACTED" in report
    assert_no_token_anywhere(run)


@dataclass(frozen=True)
class Scenario:
    """A server (given the reference server's base URL; None: the reference server itself), the run's
    options, what the report must say, and whether it shows a request to reproduce."""

    server: Callable[[str], Behaviour] | None
    args: tuple[str, ...]
    says: str
    reproduces: bool = True


SCENARIOS = {
    "hangs": Scenario(lambda up: hangs, (), "no complete answer within 1.0 s"),
    "resets": Scenario(lambda up: resets, (), "Connection reset by peer"),
    "truncated-json": Scenario(
        lambda up: truncated_json, (), 'got HTTP 200: {"export_type":"links_list","filen'
    ),
    "html-with-200": Scenario(lambda up: not_json, (), "got HTTP 200: <html><body>Welcome to nginx!"),
    "answers-after-20s": Scenario(lambda up: slow, (), "no complete answer within 1.0 s"),
    "echoes-the-token": Scenario(lambda up: echoes_credentials, (), "you sent:"),
    "hangs-mid-run": Scenario(
        lambda up: forwards_then(up, 8, hangs),
        ("--timeout", "2", "-k", "generated_request"),
        "the server left 3 requests in a row without an answer",
    ),
    "rate-limited-beyond-the-wait": Scenario(
        lambda up: rate_limited("30"), ("--max-wait", "5"), "Retry-After 30 s, more than the 5 s left", False
    ),
    "request-budget": Scenario(None, ("--max-requests", "3"), "request budget of 3 exhausted", False),
    "deadline": Scenario(
        lambda up: trickles, ("--timeout", "30", "--deadline", "3"), "the run's deadline of 3 s passed", False
    ),
}


@pytest.fixture(scope="module")
def runs(reference: ReferenceServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """Every scenario's run, a few at a time."""
    root = tmp_path_factory.mktemp("runs")
    with ExitStack() as stack:
        urls = {
            name: reference.base_url
            if scenario.server is None
            else stack.enter_context(MisbehavingServer(scenario.server(reference.base_url))).base_url
            for name, scenario in SCENARIOS.items()
        }

        def run(name: str) -> Run:
            return verify(
                root / name,
                *("--base-url", urls[name], "--token", TOKEN, "--group-guid", reference.groups[0]),
                *("--seed", "1", "--timeout", "1", "--junit", "report.xml"),
                *SCENARIOS[name].args,
            )

        with ThreadPoolExecutor(max_workers=3) as pool:
            yield dict(zip(SCENARIOS, pool.map(run, SCENARIOS), strict=True))


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_misbehaving_server_fails_the_run_fast_and_clearly(runs: dict[str, Run], name: str) -> None:
    run, scenario = runs[name], SCENARIOS[name]
    output = run.stdout + run.stderr
    assert run.code in (1, 2), output[-3000:]
    assert run.seconds < RUN_LIMIT
    assert scenario.says in run.stdout, run.stdout[-3000:]
    assert "Traceback" not in output
    assert "Contract rule broken:" in run.stdout or "Run stopped:" in run.stdout
    if scenario.reproduces:
        assert "Reproduce with:" in run.stdout
        assert "-H 'Authorization: Bearer REDACTED'" in run.stdout
    assert "<testcase" in (run.folder / "report.xml").read_text()
    assert_no_token_anywhere(run)


def test_a_token_that_cannot_see_the_group_is_a_usage_error(
    reference: ReferenceServer, tmp_path: Path
) -> None:
    """The user's mistake, not a broken rule: the run says which options to look at and exits 4."""
    run = verify(
        tmp_path,
        "--base-url",
        reference.base_url,
        "--token",
        f"tok-{MARK}-other",  # sees only the second group
        "--group-guid",
        reference.groups[0],
        "--max-examples",
        "2",
    )
    assert run.code == 4, run.stdout[-2000:]
    assert "cannot see that group" in run.stdout + run.stderr
    assert "--group-guid" in run.stdout + run.stderr
    assert "Contract rule broken" not in run.stdout
    assert_no_token_anywhere(run)


def test_rules_documented_runs_only_what_bitly_documents(reference: ReferenceServer, tmp_path: Path) -> None:
    args = ("--base-url", reference.base_url, "--token", TOKEN, "--group-guid", reference.groups[0])
    documented = verify(tmp_path / "documented", *args, "--rules", "documented", "-rA")
    assert documented.code == 0, documented.stdout[-3000:]
    ran = set(re.findall(r"^(?:PASSED|SKIPPED) \S+\[([^\]]+)\]", documented.stdout, flags=re.MULTILINE))
    assert {"row_cap_conformance", "truncation_conformance", "error_body_conformance"} <= ran
    assert not ran & {"csv_quoting_conformance", "error_fields_conformance", "filename_conformance"}
    assert "deselected" in documented.stdout


def test_a_fixture_given_to_the_run_enables_the_exact_checks(
    reference: ReferenceServer, tmp_path: Path
) -> None:
    fixture = tmp_path / "given.json"
    _write_secret_fixture(fixture)
    args = ("--base-url", reference.base_url, "--token", TOKEN, "--group-guid", reference.groups[0])
    chosen = ("-k", "cells_render_the_data or qr_metrics_count or campaign_selects", "-rA")
    without = verify(tmp_path / "without", *args, *chosen)
    assert without.code == 0 and "pass --fixture FILE" in without.stdout, without.stdout[-2000:]
    given = verify(tmp_path / "with", *args, "--fixture", str(fixture), *chosen)
    assert given.code == 0, given.stdout[-3000:]
    passed = set(re.findall(r"^PASSED \S+\[([^\]]+)\]", given.stdout, flags=re.MULTILINE))
    assert {
        "cells_render_the_data",
        "qr_metrics_count_their_own_engagements",
        "campaign_selects_its_links",
    } <= passed
