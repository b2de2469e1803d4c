"""pytest plugin (entry point `pytest11`, with the `server` extra): the reference server in your tests.

    def test_my_export_job(exports_server):
        client = exports_server.client("premium")
        ...

`@pytest.mark.exports_server(seed=7, fixture="data.json", now=1_700_000_000, links=200)` chooses
the data set and the server's clock; the `exports_server_seed` ini option sets the default seed.
Servers are started once per distinct setting and shared by the session's tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from bitly_exports_contract.testing import ReferenceServer

MARKER = "exports_server"
_SETTINGS = ("seed", "fixture", "now", "links")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("exports_server_seed", "the `exports_server` fixture's default seed", default="1")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(seed=N, fixture=PATH, now=UNIX_SECONDS, links=N): the data set and clock of the "
        "reference server that the exports_server fixture gives this test",
    )


class _Servers:
    """The session's reference servers, one per distinct setting."""

    def __init__(self) -> None:
        self._started: dict[tuple[tuple[str, Any], ...], ReferenceServer] = {}

    def get(self, settings: dict[str, Any]) -> ReferenceServer:
        from bitly_exports_contract.testing import start_reference_server

        key = tuple(sorted(settings.items()))
        if key not in self._started:
            self._started[key] = start_reference_server(**settings)
        return self._started[key]

    def stop_all(self) -> None:
        from bitly_exports_contract.testing import stop_reference_server

        for server in self._started.values():
            stop_reference_server(server)
        self._started.clear()


@pytest.fixture(scope="session")
def _exports_servers() -> Iterator[_Servers]:
    servers = _Servers()
    try:
        yield servers
    finally:
        servers.stop_all()


@pytest.fixture
def exports_server(request: pytest.FixtureRequest, _exports_servers: _Servers) -> ReferenceServer:
    """The reference server on a free port: base URL, groups, a token of each tier, clients, faults."""
    marker = request.node.get_closest_marker(MARKER)
    settings: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes {', '.join(_SETTINGS)}; not {sorted(unknown)}")
    if settings.get("fixture") is not None:
        settings["fixture"] = str(request.path.parent / str(settings["fixture"]))
    elif settings.get("seed") is None:
        settings["seed"] = int(request.config.getini("exports_server_seed"))
    return _exports_servers.get(settings)
