"""`exports-server`: serve the reference server, or write a seeded data set out as a fixture."""

from __future__ import annotations

import argparse
import gc
import socket
import sys
from collections.abc import Sequence

from ..store.db import Store, StoreError
from ..store.fixture import FixtureError, dump_fixture, load_fixture
from ..store.seed import seed_dataset

DEFAULT_SEED = 1
DEFAULT_LINKS = 2000


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


def open_store(*, fixture: str | None, seed: int | None, db: str | None, links: int) -> Store:
    """The store to serve: a saved database, a fixture, or a seeded data set (the default)."""
    if db is not None:
        return Store.open(db)
    if fixture is not None:
        return Store.build(load_fixture(fixture))
    return Store.build(seed_dataset(DEFAULT_SEED if seed is None else seed, links=links))


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


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import ExportsApp, ServerConfig

    store = open_store(fixture=args.fixture, seed=args.seed, db=args.db, links=args.links)
    gc.collect()
    gc.freeze()  # the loaded data set is long-lived: keep the collector from rescanning it
    app = ExportsApp(ServerConfig(store=store, now=args.now, faults_enabled=not args.no_faults))
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    print(banner(store=store, base_url=f"http://{shown_host}:{port}/v4"), flush=True)
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
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
