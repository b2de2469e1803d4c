"""The contract suite's fixtures: the target (a live server, or the embedded one), a checked client,
what discovery learned, and the schemathesis schema.

Options default to the `EXPORTS_*` environment variables; with no base URL anywhere the suite starts
the embedded reference server on a seeded data set.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bitly_exports_contract.kit.checks import check_exchange
from bitly_exports_contract.kit.client import ExportsClient
from bitly_exports_contract.kit.discover import Discovery, discover
from bitly_exports_contract.kit.embedded import EmbeddedServer
from bitly_exports_contract.kit.fuzz import CaseFixer, build_schema, retrying_session
from bitly_exports_contract.kit.relations import World
from bitly_exports_contract.kit.target import EXTRA_ROLES, Target, target_from_options

SEED_KEY = pytest.StashKey[int]()
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


def pytest_configure(config: pytest.Config) -> None:
    seed = config.getoption("--seed") or os.environ.get(ENV_SEED)
    config.stash[SEED_KEY] = int(seed) if seed is not None else random.randrange(1, 10**6)


def pytest_report_header(config: pytest.Config) -> str:
    return f"exports-contract seed: {config.stash[SEED_KEY]} (repeat with --seed {config.stash[SEED_KEY]})"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    terminalreporter.write_line(f"exports-contract seed: {config.stash[SEED_KEY]}")


@pytest.fixture(scope="session")
def seed(pytestconfig: pytest.Config) -> int:
    return pytestconfig.stash[SEED_KEY]


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config, seed: int) -> Iterator[Target]:
    """The server under test: the options' (or environment's), else the embedded one."""
    option = pytestconfig.getoption
    live = target_from_options(
        base_url=option("--base-url"),
        token=option("--token"),
        group_guid=option("--group-guid"),
        other_group_guid=option("--other-group-guid"),
        tier=option("--tier"),
        tokens={role: option(f"--token-{role}") for role in EXTRA_ROLES},
        limited_per_minute=option("--limited-per-minute"),
    )
    if live is not None:
        yield live
        return
    with EmbeddedServer(seed=seed) as embedded:
        yield embedded


@pytest.fixture(scope="session")
def discovery(target: Target) -> Discovery:
    """What the endpoint tells about the target (its responses are checked by the tests, not here)."""
    with ExportsClient(target) as plain:
        return discover(plain)


@pytest.fixture(scope="session")
def known(target: Target, discovery: Discovery) -> Target:
    """The target with the main token's tier filled in from discovery."""
    return target if target.tier is not None else target.with_tier(discovery.tier)


@pytest.fixture(scope="session")
def client(known: Target) -> Iterator[ExportsClient]:
    """A client whose every exchange must obey every single-response rule."""
    with ExportsClient(known, on_exchange=check_exchange) as checked:
        yield checked


@pytest.fixture(scope="session")
def world(client: ExportsClient, known: Target, discovery: Discovery) -> World:
    return World(client=client, target=known, discovery=discovery)


@pytest.fixture(scope="session")
def st_session() -> Iterator[requests.Session]:
    with retrying_session() as session:
        yield session


@pytest.fixture(scope="session")
def case_fixer(target: Target, discovery: Discovery) -> CaseFixer:
    return CaseFixer(group_guid=target.group_guid, bitlinks=discovery.links.ids())


@pytest.fixture(scope="session")
def st_schema(pytestconfig: pytest.Config, known: Target, case_fixer: CaseFixer, seed: int) -> Any:
    max_examples = pytestconfig.getoption("--max-examples") or int(os.environ.get(ENV_MAX_EXAMPLES, "40"))
    return build_schema(target=known, fixer=case_fixer, seed=seed, max_examples=max_examples)
