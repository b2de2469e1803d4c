"""The app of each worker process when `exports-server serve --workers N` runs several.

uvicorn starts workers from an import string, so the parent hands over what to serve in the
environment: a store file it built once (or was given), the clock, whether faults are on, and the file
of rate-limit counts that all workers share. Each worker opens the store read-only; nothing is rebuilt
per worker.
"""

from __future__ import annotations

import gc
import os

from ..store.db import Store
from .app import ExportsApp, ServerConfig
from .ratelimit import SharedRateLimiter

APP_FACTORY = "bitly_exports_contract.server.workers:create_app"
ENV_DB = "EXPORTS_SERVER_DB"
ENV_NOW = "EXPORTS_SERVER_NOW"
ENV_FAULTS = "EXPORTS_SERVER_FAULTS"
ENV_RATES = "EXPORTS_SERVER_RATES"


def worker_environment(*, db: str, now: int | None, faults: bool, rates: str) -> dict[str, str]:
    """The variables `create_app` reads."""
    return {
        ENV_DB: db,
        ENV_NOW: "" if now is None else str(now),
        ENV_FAULTS: "1" if faults else "0",
        ENV_RATES: rates,
    }


def create_app() -> ExportsApp:
    """Open the parent's store file read-only and serve it (uvicorn's app factory)."""
    store = Store.open(os.environ[ENV_DB])
    now = os.environ.get(ENV_NOW, "")
    gc.collect()
    gc.freeze()  # the store's Python-side data is long-lived: keep the collector from rescanning it
    config = ServerConfig(
        store=store,
        now=int(now) if now else None,
        faults_enabled=os.environ.get(ENV_FAULTS) != "0",
        rate_limiter=SharedRateLimiter(os.environ[ENV_RATES]),
    )
    return ExportsApp(config)
