"""`exports-server`: serve the reference server, or write a seeded data set out as a fixture."""

from __future__ import annotations

import argparse
import gc
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..launcher import ServedGroup, ServedToken, ServerReady
from ..store.dataset import Dataset
from ..store.db import Store, StoreError
from ..store.fixture import FixtureError, dump_fixture, load_fixture
from ..store.seed import seed_dataset
from .protocols import DEFAULT_HEADER_TIMEOUT, HEADER_TIMEOUT_ATTR, PROTOCOLS

if TYPE_CHECKING:
    import uvicorn

# The seam for servers that differ from the reference server on purpose (the conforming variants of
# the suite's self-test): ASGI middleware around the app, given with `main(..., wrap=...)`.
AppWrapper = Callable[[Any], Any]

DEFAULT_SEED = 1
DEFAULT_LINKS = 2000


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


ENV_WORKERS = "EXPORTS_SERVER_WORKERS"


def default_workers() -> int:
    """`EXPORTS_SERVER_WORKERS` when set, else one worker per core this process may run on."""
    configured = os.environ.get(ENV_WORKERS, "").strip()
    if configured:
        return _at_least_one(configured)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _positive_seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exports-server", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve POST /v4/groups/{group_guid}/exports")
    source = serve.add_mutually_exclusive_group()
    source.add_argument("--fixture", metavar="FILE", help="load a fixture file (JSON or YAML)")
    source.add_argument("--seed", type=int, metavar="N", help="generate a data set from this seed")
    source.add_argument("--db", metavar="PATH", help="serve a database saved with `build-db`")
    serve.add_argument(
        "--links", type=int, default=DEFAULT_LINKS, metavar="N", help="links in a seeded group"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    serve.add_argument("--now", type=int, metavar="T", help="the server's clock, Unix seconds")
    serve.add_argument("--no-faults", action="store_true", help="ignore `Prefer` fault injection")
    serve.add_argument(
        "--workers",
        type=_at_least_one,
        default=None,
        metavar="N",
        help=f"worker processes (default: ${ENV_WORKERS}, else one per core); with more than one the data "
        "is built once into a temporary store file that each opens read-only, and rate limits are counted "
        "in a file all share",
    )
    serve.add_argument(
        "--header-timeout",
        type=_positive_seconds,
        default=DEFAULT_HEADER_TIMEOUT,
        metavar="S",
        help="close a connection whose request headers have not all arrived S seconds after it opened "
        f"or after its previous answer (default {DEFAULT_HEADER_TIMEOUT:g})",
    )
    serve.add_argument(
        "--http",
        choices=("auto", "httptools", "h11"),
        default="auto",
        help="HTTP parser: httptools (C, the default through auto) or h11 (pure Python)",
    )
    serve.add_argument(
        "--loop",
        choices=("auto", "uvloop", "asyncio"),
        default="auto",
        help="event loop: uvloop (the default through auto, where it is installed) or asyncio's own",
    )
    serve.add_argument("--log-level", default="warning")

    build = sub.add_parser("build-db", help="build a database file from a seed or a fixture")
    build_source = build.add_mutually_exclusive_group(required=True)
    build_source.add_argument("--fixture", metavar="FILE")
    build_source.add_argument("--seed", type=int, metavar="N")
    build.add_argument("--links", type=int, default=DEFAULT_LINKS, metavar="N")
    build.add_argument("out", metavar="PATH")

    write = sub.add_parser("write-fixture", help="write a seeded data set as a fixture file")
    write.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N")
    write.add_argument("--links", type=int, default=DEFAULT_LINKS, metavar="N")
    write.add_argument("out", metavar="FILE")
    return parser


def load_dataset(*, fixture: str | None, seed: int | None, links: int) -> Dataset:
    """The data set of a fixture file, or a seeded one (the default)."""
    if fixture is not None:
        return load_fixture(fixture)
    return seed_dataset(DEFAULT_SEED if seed is None else seed, links=links)


def open_store(
    *, fixture: str | None, seed: int | None, db: str | None, links: int, path: str | None = None
) -> Store:
    """The store to serve: a saved database, else a fixture or seeded data set, in memory or at `path`."""
    if db is not None:
        return Store.open(check_store_path(db))
    return Store.build(load_dataset(fixture=fixture, seed=seed, links=links), path=path)


def check_store_path(path: str) -> str:
    """`path`, once it is known to be a readable file; StoreError saying why not."""
    if os.path.isdir(path):
        raise StoreError(f"{path}: is a directory, not a store file")
    if not os.path.exists(path):
        raise StoreError(f"{path}: no such store file")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store file ({exc.strerror})") from exc
    return path


def ready_line(*, store: Store, base_url: str, workers: int = 1) -> str:
    """The one JSON line a program reads to know the server is ready (`launcher.ServerReady`)."""
    groups = [ServedGroup(guid, *store.group_counts(guid)) for guid in store.group_guids()]
    tokens = [
        ServedToken(token.token, token.tier, tuple(token.groups), token.rate_limit_per_minute)
        for token in store.tokens()
    ]
    ready = ServerReady(
        base_url=base_url, groups=tuple(groups), tokens=tuple(tokens), pid=os.getpid(), workers=workers
    )
    return ready.to_line()


def banner(*, store: Store, base_url: str) -> str:
    """What a new user needs to `curl` the server at once."""
    lines = [f"base_url: {base_url}", "groups:"]
    for guid in store.group_guids():
        links, qr_codes = store.group_counts(guid)
        lines.append(f"  {guid}  ({links} links, {qr_codes} QR codes)")
    lines.append("tokens:")
    seen: set[str] = set()
    for token in store.tokens():
        if token.tier not in seen:
            seen.add(token.tier)
            lines.append(f"  {token.tier:<10} {token.token}  (groups: {', '.join(token.groups)})")
    group = store.group_guids()[0]
    example = next(iter(store.tokens())).token
    lines.append(
        "try: curl -s -X POST "
        f"{base_url}/groups/{group}/exports -H 'Authorization: Bearer {example}' "
        '-H \'Content-Type: application/json\' -d \'{"export_type": "links_list", "filter": {}}\''
    )
    return "\n".join(lines)


def announce(*, store: Store, base_url: str, workers: int = 1) -> None:
    """The ready line on stdout for programs, then the banner on stderr for people."""
    print(ready_line(store=store, base_url=base_url, workers=workers), flush=True)
    print(banner(store=store, base_url=base_url), file=sys.stderr, flush=True)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on connections whose socket says TCP, and without
    # it Nagle's algorithm holds the body behind the headers until the client's delayed ACK (about 40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if sock.family == socket.AF_INET6 else host
    return f"http://{shown_host}:{port}/v4"


def uvicorn_config(args: argparse.Namespace, app: Any, **options: Any) -> uvicorn.Config:
    """The uvicorn Config of `serve`: its HTTP parser wrapped with the header-read bound."""
    import uvicorn

    http = args.http
    if http == "auto":
        try:
            import httptools  # noqa: F401
        except ImportError:
            http = "h11"
        else:
            http = "httptools"
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=False,
        lifespan="off",
        http=PROTOCOLS[http],
        loop=args.loop,
        **options,
    )
    setattr(config, HEADER_TIMEOUT_ATTR, args.header_timeout)
    return config


def serve(args: argparse.Namespace, wrap: AppWrapper | None = None) -> int:
    if args.workers is None:
        args.workers = default_workers()
    if args.workers > 1:
        if wrap is not None:
            raise StoreError("a wrapped app serves with one worker (--workers 1)")
        return serve_workers(args)
    import uvicorn

    from .app import ExportsApp, ServerConfig

    store = open_store(fixture=args.fixture, seed=args.seed, db=args.db, links=args.links)
    gc.collect()
    gc.freeze()  # the loaded data set is long-lived: keep the collector from rescanning it
    app: Any = ExportsApp(ServerConfig(store=store, now=args.now, faults_enabled=not args.no_faults))
    if wrap is not None:
        app = wrap(app)
    sock = listen(args.host, args.port)
    announce(store=store, base_url=base_url(sock))
    uvicorn.Server(uvicorn_config(args, app)).run(sockets=[sock])
    return 0


def serve_workers(args: argparse.Namespace) -> int:
    """Several uvicorn workers, each opening the same read-only store file.

    Each worker listens on its own socket of one SO_REUSEPORT group, so that the kernel spreads
    connections over the workers (see reuseport.py); where SO_REUSEPORT is missing they share one.
    """
    from uvicorn.supervisors import Multiprocess

    from . import reuseport
    from .ratelimit import SharedRateLimiter
    from .workers import APP_FACTORY, worker_environment

    with tempfile.TemporaryDirectory(prefix="exports-server-") as scratch:
        path = args.db if args.db is not None else os.path.join(scratch, "store.sqlite3")
        store = open_store(fixture=args.fixture, seed=args.seed, db=args.db, links=args.links, path=path)
        if reuseport.supported():
            sockets = reuseport.listen_group(args.host, args.port, args.workers)
        else:
            sockets = [listen(args.host, args.port)]
        sock = sockets[0]
        announce(store=store, base_url=base_url(sock), workers=args.workers)
        store.close()
        rates = os.path.join(scratch, "rates.sqlite3")  # every worker counts rate limits here
        SharedRateLimiter(rates).close()  # created once, before any worker opens it
        os.environ.update(worker_environment(db=path, now=args.now, faults=not args.no_faults, rates=rates))
        config = uvicorn_config(args, APP_FACTORY, factory=True, workers=args.workers)
        if len(sockets) > 1:
            reuseport.run(config, sockets)
        else:
            Multiprocess(config, sockets=sockets).run()
    return 0


def main(argv: Sequence[str] | None = None, *, wrap: AppWrapper | None = None) -> int:
    """The command line; `wrap`, for `serve`, puts ASGI middleware around the app (one worker)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve" and args.workers is None:
        try:
            args.workers = default_workers()
        except (ValueError, argparse.ArgumentTypeError) as exc:
            parser.error(f"${ENV_WORKERS}: {exc}")
    try:
        if args.command == "serve":
            return serve(args, wrap)
        if args.command == "build-db":
            source = load_fixture(args.fixture) if args.fixture else seed_dataset(args.seed, links=args.links)
            Store.build(source, path=args.out)
            print(f"built {args.out}")
            return 0
        dump_fixture(seed_dataset(args.seed, links=args.links), args.out)
        print(f"wrote {args.out}")
        return 0
    except (FixtureError, StoreError, OSError) as exc:
        print(f"exports-server: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
