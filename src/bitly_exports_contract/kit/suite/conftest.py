"""The contract suite's fixtures: the target (a live server, or the embedded one), a checked client,
what discovery learned, and the schemathesis schema.

Options default to the `EXPORTS_*` environment variables; with no base URL anywhere the suite starts
the embedded reference server on a seeded data set. Every request goes through one pacer (request
budget, rate, timeouts, deadline), and no token reaches a report (kit/plugin.py).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bitly_exports_contract.kit import redact
from bitly_exports_contract.kit.checks import check_exchange
from bitly_exports_contract.kit.client import ExportsClient
from bitly_exports_contract.kit.discover import Discovery, discover
from bitly_exports_contract.kit.embedded import EmbeddedServer, EmbeddedServerError
from bitly_exports_contract.kit.failure import ContractViolation
from bitly_exports_contract.kit.fuzz import CaseFixer, build_schema, fuzzing_session
from bitly_exports_contract.kit.limits import (
    ENV_DEADLINE,
    ENV_MAX_REQUESTS,
    ENV_MAX_WAIT,
    ENV_RATE,
    ENV_TIMEOUT,
    LIVE_LIMITS,
    LOCAL_LIMITS,
    LimitsError,
    Pacer,
    limits_from_options,
)
from bitly_exports_contract.kit.plugin import guard_of, install
from bitly_exports_contract.kit.relations import World
from bitly_exports_contract.kit.target import (
    ENV_BASE_URL,
    EXTRA_ROLES,
    Target,
    TargetError,
    target_from_options,
)

SEED_KEY = pytest.StashKey[int]()
LIVE_KEY = pytest.StashKey["Target | None"]()
ENV_SEED = "EXPORTS_SEED"
ENV_MAX_EXAMPLES = "EXPORTS_MAX_EXAMPLES"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("exports-contract", "the server under contract test")
    group.addoption(
        "--base-url", help="the server's base URL, e.g. https://api-ssl.bitly.com/v4 (EXPORTS_BASE_URL)"
    )
    group.addoption("--token", help="a token for --group-guid, on a paid tier (EXPORTS_TOKEN)")
    group.addoption("--group-guid", help="the group to export from (EXPORTS_GROUP_GUID)")
    group.addoption(
        "--other-group-guid", help="a second group, for cross-group rules (EXPORTS_OTHER_GROUP_GUID)"
    )
    group.addoption("--tier", help="the tier of --token, when known; else it is discovered (EXPORTS_TIER)")
    for role in EXTRA_ROLES:
        group.addoption(f"--token-{role}", help=f"a token of role {role!r} (EXPORTS_TOKEN_{role.upper()})")
    group.addoption(
        "--limited-per-minute",
        type=int,
        help="the rate limit of --token-limited (EXPORTS_LIMITED_PER_MINUTE)",
    )
    group.addoption("--seed", type=int, help=f"the embedded data set's and the generators' seed ({ENV_SEED})")
    group.addoption(
        "--max-examples", type=int, help=f"schemathesis examples per phase (default 40; {ENV_MAX_EXAMPLES})"
    )
    local, live = LOCAL_LIMITS, LIVE_LIMITS
    group.addoption(
        "--max-requests",
        type=int,
        help=f"the most requests the run may send, 0 for no limit ({ENV_MAX_REQUESTS}; default "
        f"{local.max_requests} for a server on this machine, {live.max_requests} for any other)",
    )
    group.addoption(
        "--rate",
        type=float,
        help=f"at most this many requests a second, 0 for no ceiling ({ENV_RATE}; default none on this "
        f"machine, {live.rate:g} for any other server)",
    )
    # `--timeout` is pytest-timeout's (a per-test limit); `exports-contract verify --timeout` is this.
    group.addoption(
        "--request-timeout",
        type=float,
        help=f"seconds one request may take in all: connect, send, the answer's headers and body "
        f"({ENV_TIMEOUT}; default {local.timeout:g})",
    )
    group.addoption(
        "--max-wait",
        type=float,
        help=f"seconds the run may spend waiting out Retry-After ({ENV_MAX_WAIT}; default "
        f"{local.max_wait:g} on this machine, {live.max_wait:g} for any other server)",
    )
    group.addoption(
        "--deadline",
        type=float,
        help=f"seconds the whole run may take, 0 for none ({ENV_DEADLINE}; default {local.deadline:g} on "
        f"this machine, {live.deadline:g} for any other server)",
    )


def pytest_configure(config: pytest.Config) -> None:
    option = config.getoption
    seed = option("--seed") or os.environ.get(ENV_SEED)
    config.stash[SEED_KEY] = int(seed) if seed is not None else random.randrange(1, 10**6)
    tokens = {role: option(f"--token-{role}") for role in EXTRA_ROLES}
    # First of all: no token given to this run may reach a report.
    redact.register(option("--token"), *tokens.values())
    redact.register_environment(os.environ)
    try:
        config.stash[LIVE_KEY] = target_from_options(
            base_url=option("--base-url"),
            token=option("--token"),
            group_guid=option("--group-guid"),
            other_group_guid=option("--other-group-guid"),
            tier=option("--tier"),
            tokens=tokens,
            limited_per_minute=option("--limited-per-minute"),
        )
        limits = limits_from_options(
            base_url=option("--base-url") or os.environ.get(ENV_BASE_URL),
            max_requests=option("--max-requests"),
            rate=option("--rate"),
            timeout=option("--request-timeout"),
            max_wait=option("--max-wait"),
            deadline=option("--deadline"),
            environ=os.environ,
        )
    except (TargetError, LimitsError) as exc:
        raise pytest.UsageError(str(exc)) from None
    install(config, limits)


def pytest_report_header(config: pytest.Config) -> str:
    return f"exports-contract seed: {config.stash[SEED_KEY]} (repeat with --seed {config.stash[SEED_KEY]})"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    terminalreporter.write_line(f"exports-contract seed: {config.stash[SEED_KEY]}")


@pytest.fixture(scope="session")
def seed(pytestconfig: pytest.Config) -> int:
    return pytestconfig.stash[SEED_KEY]


@pytest.fixture(scope="session")
def pacer(pytestconfig: pytest.Config) -> Pacer:
    """The run's request budget, rate ceiling, timeouts and deadline, shared by every client."""
    guard = guard_of(pytestconfig)
    assert guard is not None, "the suite's guard is registered in pytest_configure"
    return guard.pacer


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, seed: int) -> Iterator[Target]:
    """The server under test: the options' (or environment's), else the embedded one."""
    live = request.config.stash[LIVE_KEY]
    if live is not None:
        yield live
        return
    server = EmbeddedServer(seed=seed)
    try:
        embedded = server.start()
    except EmbeddedServerError:
        request.session.shouldstop = "exports-contract: the embedded server did not start"
        raise
    try:
        yield embedded
    finally:
        server.stop()


@pytest.fixture(scope="session")
def discovery(request: pytest.FixtureRequest, target: Target, pacer: Pacer) -> Discovery:
    """What the endpoint tells about the target (its responses are checked by the tests, not here).

    Every test builds its requests from it: when it fails, the session stops at the first test.
    """
    with ExportsClient(target, pacer=pacer) as plain:
        try:
            return discover(plain)
        except ContractViolation as exc:
            request.session.shouldstop = (
                f"exports-contract: discovery failed ({exc.rule_name}), so there is nothing to build "
                "requests from"
            )
            raise


@pytest.fixture(scope="session")
def known(target: Target, discovery: Discovery) -> Target:
    """The target with the main token's tier filled in from discovery."""
    return target if target.tier is not None else target.with_tier(discovery.tier)


@pytest.fixture(scope="session")
def client(known: Target, pacer: Pacer) -> Iterator[ExportsClient]:
    """A client whose every exchange must obey every single-response rule."""
    with ExportsClient(known, pacer=pacer, on_exchange=check_exchange) as checked:
        yield checked


@pytest.fixture(scope="session")
def world(client: ExportsClient, known: Target, discovery: Discovery) -> World:
    return World(client=client, target=known, discovery=discovery)


@pytest.fixture(scope="session")
def st_session(pacer: Pacer) -> Iterator[requests.Session]:
    with fuzzing_session(pacer) as session:
        yield session


@pytest.fixture(scope="session")
def case_fixer(target: Target, discovery: Discovery) -> CaseFixer:
    return CaseFixer(group_guid=target.group_guid, bitlinks=discovery.links.ids())


@pytest.fixture(scope="session")
def st_schema(
    pytestconfig: pytest.Config, known: Target, case_fixer: CaseFixer, seed: int, pacer: Pacer
) -> Any:
    max_examples = pytestconfig.getoption("--max-examples") or int(os.environ.get(ENV_MAX_EXAMPLES, "40"))
    return build_schema(
        target=known, fixer=case_fixer, seed=seed, max_examples=max_examples, timeout=pacer.limits.timeout
    )
