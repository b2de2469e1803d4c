"""The reference server for consumers' tests: start it on a free port and get what a test needs.

`reference_server(seed=7)` (a context manager) or the pytest fixture `exports_server`
(pytest_plugin.py, installed with the `server` extra) give a `ReferenceServer`: its base URL,
its groups, a token of each tier, ready clients of the generated package, and the `Prefer`
fault switches (CONTRACT §7) as headers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bitly_exports_client import AuthenticatedClient, Client

from bitly_exports_contract.kit.embedded import MAIN_ROLE, EmbeddedServer, seeded_target

FaultCode = Literal[429, 500, 503]
DEFAULT_SEED = 1
# Links in each seeded group unless asked for more: small enough to start in about half a second
# (`exports-server serve --seed N` seeds 2000).
DEFAULT_LINKS = 200


def prefer(*, code: FaultCode | None = None, latency_ms: int | None = None) -> dict[str, str]:
    """The `Prefer` header that makes the reference server answer `code`, or answer `latency_ms` late."""
    parts = [f"latency_ms={latency_ms}"] if latency_ms is not None else []
    parts += [f"code={code}"] if code is not None else []
    if not parts:
        raise ValueError("prefer() needs a code, a latency_ms or both")
    return {"Prefer": ", ".join(parts)}


@dataclass(frozen=True)
class ReferenceServer:
    """A running reference server: where it is and what a test may send it."""

    base_url: str
    group_guids: tuple[str, ...]
    # A token of each tier (free, core, growth, premium, enterprise); a seeded data set also has
    # "other" (premium, sees only the second group) and "limited" (premium, 5 requests a minute).
    tokens: Mapping[str, str]
    now: int | None = None
    seed: int | None = None
    fixture: str | None = None
    _stop: EmbeddedServer | None = field(default=None, repr=False, compare=False)

    @property
    def group_guid(self) -> str:
        """The first group (in a seeded data set, the big one every tier may export from)."""
        return self.group_guids[0]

    def token(self, tier: str = MAIN_ROLE) -> str:
        """A token of `tier` (or of a seeded role such as "limited")."""
        try:
            return self.tokens[tier]
        except KeyError:
            raise KeyError(f"no token of tier {tier!r}; this server has {sorted(self.tokens)}") from None

    def client(
        self,
        tier: str = MAIN_ROLE,
        *,
        fault: FaultCode | None = None,
        latency_ms: int | None = None,
        raise_on_unexpected_status: bool = True,
    ) -> AuthenticatedClient:
        """A client of the generated package with a token of `tier`; `fault`/`latency_ms` set `Prefer`."""
        headers = prefer(code=fault, latency_ms=latency_ms) if fault or latency_ms is not None else {}
        return AuthenticatedClient(
            base_url=self.base_url,
            token=self.token(tier),
            headers=headers,
            raise_on_unexpected_status=raise_on_unexpected_status,
        )

    def anonymous_client(self) -> Client:
        """A client that sends no token (the server answers 403)."""
        return Client(base_url=self.base_url, raise_on_unexpected_status=True)


def start_reference_server(
    *,
    seed: int | None = None,
    fixture: str | Path | None = None,
    now: int | None = None,
    links: int | None = None,
) -> ReferenceServer:
    """Start `exports-server serve` on a free port; stop it with `stop_reference_server`."""
    if seed is not None and fixture is not None:
        raise ValueError("give a seed or a fixture file, not both")
    fixture_path = str(fixture) if fixture is not None else None
    extra = ["--now", str(now)] if now is not None else []
    if fixture_path is None:
        extra += ["--links", str(links or DEFAULT_LINKS)]
    chosen_seed = DEFAULT_SEED if seed is None and fixture_path is None else seed
    server = EmbeddedServer(seed=chosen_seed or DEFAULT_SEED, extra_args=extra, fixture=fixture_path)
    server.start()
    ready = server.ready
    if ready is None:  # pragma: no cover - start() returns only once the server is ready
        raise RuntimeError("the reference server did not announce readiness")
    # A token of each tier and of the seeded roles (`other`, `limited`), as the server announced them.
    tokens = ready.tokens_by_tier
    if MAIN_ROLE in tokens:
        tokens = {**tokens, **seeded_target(ready).tokens}
    return ReferenceServer(
        base_url=ready.base_url,
        group_guids=tuple(ready.group_guids),
        tokens=tokens,
        now=now,
        seed=chosen_seed,
        fixture=fixture_path,
        _stop=server,
    )


def stop_reference_server(server: ReferenceServer) -> None:
    """Stop a server that `start_reference_server` started."""
    if server._stop is not None:
        server._stop.stop()


@contextmanager
def reference_server(
    *,
    seed: int | None = None,
    fixture: str | Path | None = None,
    now: int | None = None,
    links: int | None = None,
) -> Iterator[ReferenceServer]:
    """The reference server on a seeded data set (or a fixture file), for the `with` block."""
    server = start_reference_server(seed=seed, fixture=fixture, now=now, links=links)
    try:
        yield server
    finally:
        stop_reference_server(server)
