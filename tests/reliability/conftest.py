from __future__ import annotations

from collections.abc import Iterator

import pytest

from bitly_exports_contract.launcher import RunningServer, start_server


@pytest.fixture(scope="module")
def live_server() -> Iterator[RunningServer]:
    """A real uvicorn on 127.0.0.1 with a seeded data set whose first group has 1200 links, faults off."""
    server = start_server(["--seed", "3", "--links", "1200", "--no-faults"])
    yield server
    server.stop()
