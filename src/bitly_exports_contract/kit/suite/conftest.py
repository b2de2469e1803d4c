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
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
import requests

from bitly_exports_contract.kit import redact
from bitly_exports_contract.kit.checks import check_exchange
from bitly_exports_contract.kit.client import ExportsClient
from bitly_exports_contract.kit.discover import NOTHING, Discovery, TargetMisdescribed, discover
from bitly_exports_contract.kit.embedded import EmbeddedServer, EmbeddedServerError, seeded_fixture
from bitly_exports_contract.kit.failure import ContractViolation
from bitly_exports_contract.kit.fuzz import CaseFixer, build_schema, fuzzing_session
from bitly_exports_contract.kit.limits import LimitsError, Pacer
from bitly_exports_contract.kit.options import (
    ENV_MAX_EXAMPLES,
    ENV_SEED,
    add_to_pytest,
    rule_sources,
    source_of_item,
    target_and_limits,
)
from bitly_exports_contract.kit.plugin import guard_of, install
from bitly_exports_contract.kit.relations import World
from bitly_exports_contract.kit.target import EXTRA_ROLES, Target, TargetError

SEED_KEY = pytest.StashKey[int]()
LIVE_KEY = pytest.StashKey["Target | None"]()
RULES_KEY = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_to_pytest(parser)


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption
    seed = value("seed") or os.environ.get(ENV_SEED)
    config.stash[SEED_KEY] = int(seed) if seed is not None else random.randrange(1, 10**6)
    # First of all: no token given to this run may reach a report.
    redact.register(value("token"), *(value(f"token_{role}") for role in EXTRA_ROLES))
    redact.register_environment(os.environ)
    try:
        config.stash[LIVE_KEY], limits = target_and_limits(value)
        config.stash[RULES_KEY] = rule_sources(value)
    except (TargetError, LimitsError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.addinivalue_line("markers", "source(name): where a rule comes from: documented or contract")
    install(config, limits)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With `--rules documented` (or `contract`), only the rules of that source run."""
    wanted = config.stash[RULES_KEY]
    if wanted == "all":
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (kept if source_of_item(item) == wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
        # The seed's data as a fixture file: the exact checks of cells and metrics read it (§6).
        embedded = replace(server.start(), fixture=seeded_fixture(seed))
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
        except TargetMisdescribed as exc:
            # The user's options, not the server: a usage error, never a broken rule.
            pytest.exit(f"exports-contract: error: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
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
def client(pytestconfig: pytest.Config, known: Target, pacer: Pacer) -> Iterator[ExportsClient]:
    """A client whose every exchange must obey every single-response rule (of the chosen source)."""
    source = pytestconfig.stash[RULES_KEY]
    with ExportsClient(known, pacer=pacer, on_exchange=partial(check_exchange, source=source)) as checked:
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
    pytestconfig: pytest.Config,
    known: Target,
    case_fixer: CaseFixer,
    seed: int,
    pacer: Pacer,
    client: ExportsClient,
) -> Any:
    max_examples = pytestconfig.getoption("max_examples") or int(os.environ.get(ENV_MAX_EXAMPLES, "40"))

    def sees_group(token: str) -> bool:
        probe = client.export({"export_type": "links_list", "filter": NOTHING}, token=token, check=False)
        return probe.status != 403

    return build_schema(
        target=known,
        fixer=case_fixer,
        seed=seed,
        max_examples=max_examples,
        timeout=pacer.limits.timeout,
        sees_group=sees_group,
    )
