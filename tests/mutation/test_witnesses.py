"""Every mutant still changes an answer: on its witness request it must answer otherwise than the
reference server. A rename inside the server that disarms a mutant (or a mutant that lost its fault)
fails here, in-process and in seconds, instead of surviving quietly in `scripts/mutation-test`."""

from __future__ import annotations

import ast
import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import seam  # noqa: E402
from mutants import MUTANTS  # noqa: E402
from seam import WITNESSES, Fixture, Witness, Wrap, group_data, listing, token_of_tier  # noqa: E402

from bitly_exports_contract.server.app import ExportsApp, ServerConfig  # noqa: E402
from bitly_exports_contract.server.cli import open_store  # noqa: E402
from bitly_exports_contract.store.fixture import dump_fixture  # noqa: E402
from bitly_exports_contract.store.seed import seed_dataset  # noqa: E402
from tools.reliability.asgi_call import RawRequest, RawResponse, call_app  # noqa: E402

# headers that say nothing of the answer itself (the middleware recomputes the length of what it changed)
IGNORED_HEADERS = {b"content-length"}


class Served:
    """The reference server on the seed fixture, in-process, and a way to ask it (or a mutant of it)."""

    def __init__(self, path: Path) -> None:
        self.fixture: Fixture = json.loads(path.read_text(encoding="utf-8"))
        self.store = open_store(fixture=str(path), seed=None, db=None, links=0)
        self.group = str(self.fixture["groups"][0]["guid"])
        data = group_data(self.fixture, self.group)
        assert data is not None
        self.data = data
        self.loop = asyncio.new_event_loop()

    def app(self) -> Any:
        """A fresh reference app (its own rate-limit counts), the fixture's clock."""
        return ExportsApp(ServerConfig(store=self.store, now=int(self.fixture["now"])))

    def request(self, witness: Witness) -> RawRequest:
        token = token_of_tier(self.fixture, witness.tier, self.group)
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        headers.update(
            (name.lower(), value.replace("{token}", str(token))) for name, value in witness.headers
        )
        if witness.raw is not None:
            body = witness.raw
        elif witness.body is None:
            body = b""
        else:
            value = witness.body(self.data) if callable(witness.body) else witness.body
            body = json.dumps(value).encode()
        path = witness.path.format(group=self.group, group_tail=self.group[1:])
        return RawRequest(
            raw_path=path.encode(),
            headers=tuple((name.encode(), value.encode("latin-1")) for name, value in headers.items()),
            body_chunks=(body,),
            method=witness.method,
        )

    def answer(self, app: Any, witness: Witness) -> tuple[Any, ...]:
        """What `app` answers the witness (the last of its repeats), and how long it asked to sleep."""
        slept: list[float] = []

        async def sleep(seconds: float, result: Any = None) -> Any:
            slept.append(seconds)
            return result

        request = self.request(witness)
        real_sleep = asyncio.sleep
        asyncio.sleep = sleep  # type: ignore[assignment]  # `Prefer: latency_ms` counted, not waited for
        try:
            answers = [self.loop.run_until_complete(call_app(app, request)) for _ in range(witness.repeat)]
        finally:
            asyncio.sleep = real_sleep
        return _comparable(answers[-1]) + (round(sum(slept), 3),)

    def difference(self, make: Callable[[], Wrap], witnesses: tuple[Witness, ...]) -> str | None:
        """None when the mutant answers some witness otherwise than the reference server; else why not."""
        if not witnesses:
            return "it declares no witness request"
        for witness in witnesses:
            reference = self.answer(self.app(), witness)
            mutated = self.answer(make()(self.app(), self.fixture), witness)
            if mutated != reference:
                return None
        return f"answers its witness(es) exactly as the reference server does: {reference[:2]} ..."


def _comparable(response: RawResponse) -> tuple[Any, ...]:
    try:
        body: Any = json.loads(response.body)
    except ValueError:
        body = response.body
    headers = sorted((k, v) for k, v in response.headers.items() if k not in IGNORED_HEADERS)
    return response.status, headers, body


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path = tmp_path_factory.mktemp("witnesses") / "seed.json"
    dump_fixture(seed_dataset(1), path)
    server = Served(path)
    yield server
    server.loop.close()


def test_every_mutant_declares_a_witness() -> None:
    missing = [name for name in MUTANTS if not WITNESSES.get(name)]
    assert not missing, f"mutants without a witness request: {missing}"


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_changes_its_witness_answer(served: Served, name: str) -> None:
    why = served.difference(MUTANTS[name][1], WITNESSES[name])
    assert why is None, f"mutant {name} ({MUTANTS[name][0]}) {why}"


AWKWARD = (
    Witness(raw=b"[" * 100_000),
    Witness(raw=b'{"a":' * 100_000),
    Witness(raw=b"[]"),
    Witness(raw=b"\xff\xfe"),
    Witness(raw=b'\xef\xbb\xbf{"export_type": "links_list", "filter": {}}'),
    Witness(raw=b'{"export_type": "links_list", "filter": {"query": "\\ud800"}}'),
    Witness(body={"export_type": "links_list", "filter": None, "bitlinks": "x"}),
    Witness(body={"export_type": ["x"], "filter": [], "unix_from": 1.5}),
    Witness(body={"export_type": "link_engagements_batch", "bitlinks": [None, 3]}, tier="free"),
    Witness(body={"export_type": "qr_codes_list", "filter": {"tags": [1], "domain": 2}}),
    Witness(body={"export_type": "links_list", "filter": {"campaign_guid": [], "query": {}, "tags": [[]]}}),
    Witness(body={"export_type": "links_list", "filter": {}}, headers=(("authorization", "Basic x"),)),
    Witness(body={"export_type": "links_list", "filter": {}}, path="/v4/groups/%ff/exports"),
    Witness(method="GET", path="/elsewhere"),
)


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_survives_awkward_requests(served: Served, name: str) -> None:
    """A mutant's middleware answers whatever a request holds (an exception of its own would end the
    connection, killing the mutant for a fault it does not describe)."""
    for witness in AWKWARD:
        served.answer(MUTANTS[name][1]()(served.app(), served.fixture), witness)


def test_a_mutant_that_changes_nothing_is_rejected(served: Served) -> None:
    """The check is not vacuous: a registered mutant that lets every answer through, or one that
    re-encodes every export unchanged, fails it, by name; one without a witness fails too."""

    def passes_through() -> Wrap:
        return lambda app, _fixture: app

    def reencodes() -> Wrap:
        return seam.rewrite_export(
            lambda _scope, _request, body: seam.write_table(body, seam.read_table(body))
        )

    witnesses = (listing(), Witness(raw=b"{"), Witness(method="GET"), Witness(body={}, tier="free"))
    cases = [
        (passes_through, witnesses, "exactly as the reference server"),
        (reencodes, witnesses, "exactly as"),
    ]
    cases.append((passes_through, (), "declares no witness"))
    for factory, witness, why in cases:
        name = f"noop_{factory.__name__}_{len(witness)}"
        seam.mutant("changes nothing", witness=witness)(_named(factory, name))
        try:
            with pytest.raises(AssertionError, match=f"mutant {name} .*{why}"):
                test_mutant_changes_its_witness_answer(served, name)
        finally:
            del MUTANTS[name], WITNESSES[name]
    # and the same check passes a mutant that changes the answer
    test_mutant_changes_its_witness_answer(served, "csv_lf")


def _named(factory: Callable[[], Wrap], name: str) -> Callable[[], Wrap]:
    def named() -> Wrap:
        return factory()

    named.__name__ = name
    return named


def test_mutants_import_nothing_of_the_server() -> None:
    """Mutants see requests, answers and the fixture only: no import of the server, its rules or its store
    (`serve_mutant.py` alone starts the server, through its command line)."""
    here = Path(__file__).parent
    forbidden = (
        "bitly_exports_contract.server",
        "bitly_exports_contract.rules",
        "bitly_exports_contract.store",
    )
    found = []
    for path in [here / "seam.py", *sorted(here.glob("mutants*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            found += [f"{path.name}: {n}" for n in names if n.startswith(forbidden)]
    assert not found, found
