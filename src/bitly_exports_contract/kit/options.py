"""Every option of a verification run, declared once.

`exports-contract verify` (argparse) and the pytest suite (`pytest contract_tests`) both build their
options from `OPTIONS`, the CLI forwards what it was given to pytest by the same table, and both
turn the values into a target and run limits with `target_and_limits`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from bitly_exports_contract.kit.limits import (
    ENV_DEADLINE,
    ENV_MAX_REQUESTS,
    ENV_MAX_WAIT,
    ENV_RATE,
    ENV_TIMEOUT,
    LIVE_LIMITS,
    LOCAL_LIMITS,
    RunLimits,
    limits_from_options,
)
from bitly_exports_contract.kit.target import (
    ENV_BASE_URL,
    EXTRA_ROLES,
    Target,
    target_from_options,
)

ENV_SEED = "EXPORTS_SEED"
ENV_MAX_EXAMPLES = "EXPORTS_MAX_EXAMPLES"
ENV_FIXTURE = "EXPORTS_FIXTURE"
ENV_HONOURS_PREFER = "EXPORTS_HONOURS_PREFER"
ENV_RULES = "EXPORTS_RULES"
RULE_SOURCES = ("all", "documented", "contract")

_local, _live = LOCAL_LIMITS, LIVE_LIMITS
_LIMITS_NOTE = (
    "Defaults depend on where the server is: on this machine (the embedded server, localhost, "
    "127.0.0.1, ::1) or anywhere else. 0 switches off a budget, a rate ceiling or a deadline."
)


@dataclass(frozen=True)
class Option:
    """One option: its flag, its help, and how it is read."""

    flag: str
    help: str
    group: str = "target"
    type: Callable[[str], Any] | None = None
    metavar: str | None = None
    switch: bool = False  # a flag without a value
    choices: tuple[str, ...] | None = None
    # Names only the command line accepts besides `flag` (pytest has its own `--timeout`).
    cli_aliases: tuple[str, ...] = ()

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option("--base-url", f"the server's base URL, e.g. https://api-ssl.bitly.com/v4 ({ENV_BASE_URL})"),
    Option("--token", "a token that may export from --group-guid, on a paid tier (EXPORTS_TOKEN)"),
    Option("--group-guid", "the group to export from (EXPORTS_GROUP_GUID)"),
    Option("--other-group-guid", "a second group, for the cross-group rules (EXPORTS_OTHER_GROUP_GUID)"),
    Option("--tier", "the tier of --token, when known; else it is discovered (EXPORTS_TIER)"),
    *(
        Option(
            f"--token-{role}",
            f"a token of role {role!r}, for the rules about it (EXPORTS_TOKEN_{role.upper()})",
        )
        for role in EXTRA_ROLES
    ),
    Option(
        "--limited-per-minute",
        "the rate limit of --token-limited, if known (EXPORTS_LIMITED_PER_MINUTE)",
        type=int,
        metavar="N",
    ),
    Option(
        "--fixture",
        "the fixture file (CONTRACT §6) the server under test loaded: enables the exact checks of cells, "
        f"metrics, destinations and campaigns ({ENV_FIXTURE}; the embedded server's own always)",
        metavar="FILE",
    ),
    Option(
        "--honours-prefer",
        "the server honours the reference server's fault switches (`Prefer: code=..., latency_ms=...`, "
        f"CONTRACT §6): check them too ({ENV_HONOURS_PREFER}=1; always for the embedded server)",
        switch=True,
    ),
    Option(
        "--rules",
        "which rules to hold the server to: `documented` (Bitly's published description of the endpoint "
        f"only), `contract` (the readings CONTRACT.md adds) or `all` ({ENV_RULES}; default all)",
        group="run",
        choices=RULE_SOURCES,
    ),
    Option("--seed", f"the embedded data set's and the generators' seed ({ENV_SEED})", group="run", type=int),
    Option(
        "--max-examples",
        f"schemathesis examples per phase (default 40; {ENV_MAX_EXAMPLES})",
        group="run",
        type=int,
    ),
    Option(
        "--max-requests",
        f"the most requests the run sends; then it stops and fails ({ENV_MAX_REQUESTS}; default "
        f"{_local.max_requests} on this machine, {_live.max_requests} elsewhere)",
        group="limits",
        type=int,
        metavar="N",
    ),
    Option(
        "--rate",
        f"at most R requests a second ({ENV_RATE}; default none on this machine, {_live.rate:g} elsewhere)",
        group="limits",
        type=float,
        metavar="R",
    ),
    Option(
        "--request-timeout",
        "seconds one request may take in all: connect, send, the answer's headers and body "
        f"({ENV_TIMEOUT}; default {_local.timeout:g})",
        group="limits",
        type=float,
        metavar="S",
        cli_aliases=("--timeout",),
    ),
    Option(
        "--max-wait",
        f"seconds the run may spend waiting out Retry-After on 429 and 503 ({ENV_MAX_WAIT}; default "
        f"{_local.max_wait:g} on this machine, {_live.max_wait:g} elsewhere)",
        group="limits",
        type=float,
        metavar="S",
    ),
    Option(
        "--deadline",
        f"seconds the whole run may take ({ENV_DEADLINE}; default {_local.deadline:g} on this machine, "
        f"{_live.deadline:g} elsewhere)",
        group="limits",
        type=float,
        metavar="S",
    ),
)

_GROUPS = {
    "target": "the server under contract test",
    "run": "the run",
    "limits": f"limits: {_LIMITS_NOTE}",
}


def _keywords(option: Option) -> dict[str, Any]:
    if option.switch:
        return {"action": "store_true", "default": None, "help": option.help}
    found: dict[str, Any] = {"help": option.help}
    for name in ("type", "metavar", "choices"):
        if getattr(option, name) is not None:
            found[name] = getattr(option, name)
    return found


def add_to_argparse(parser: argparse.ArgumentParser) -> None:
    """The options on the command line, in their groups."""
    groups = {name: parser.add_argument_group(name, text) for name, text in _GROUPS.items()}
    for option in OPTIONS:
        groups[option.group].add_argument(
            option.flag, *option.cli_aliases, dest=option.dest, **_keywords(option)
        )


def add_to_pytest(parser: pytest.Parser) -> None:
    """The same options for `pytest contract_tests`."""
    groups = {name: parser.getgroup(f"exports-contract {name}", text) for name, text in _GROUPS.items()}
    for option in OPTIONS:
        groups[option.group].addoption(option.flag, dest=option.dest, **_keywords(option))


def forward(values: argparse.Namespace) -> list[str]:
    """The pytest arguments that carry the command line's options to the suite."""
    found: list[str] = []
    for option in OPTIONS:
        value = getattr(values, option.dest, None)
        if value is None or value is False:
            continue
        found += [option.flag] if option.switch else [option.flag, str(value)]
    return found


def source_of_item(item: pytest.Item) -> str:
    """Where the rule a test holds comes from: its parameter's `source` (a check, a relation, a bad
    request), else the test's `source` marker, else `contract`."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        for param in callspec.params.values():
            source = getattr(param, "source", None)
            if isinstance(source, str):
                return source
    marker = item.get_closest_marker("source")
    return str(marker.args[0]) if marker is not None else "contract"


def _flag_env(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def target_and_limits(
    value: Callable[[str], Any], environ: Mapping[str, str] | None = None
) -> tuple[Target | None, RunLimits]:
    """The target the options describe (None: the embedded server) and the run's limits.

    `value(dest)` reads one option. Raises `TargetError` or `LimitsError` for a bad combination.
    """
    env = os.environ if environ is None else environ
    target = target_from_options(
        base_url=value("base_url"),
        token=value("token"),
        group_guid=value("group_guid"),
        other_group_guid=value("other_group_guid"),
        tier=value("tier"),
        tokens={role: value(f"token_{role}") for role in EXTRA_ROLES},
        limited_per_minute=value("limited_per_minute"),
        fixture=value("fixture") or env.get(ENV_FIXTURE) or None,
        honours_prefer=bool(value("honours_prefer")) or _flag_env(env, ENV_HONOURS_PREFER),
        environ=env,
    )
    limits = limits_from_options(
        base_url=value("base_url") or env.get(ENV_BASE_URL),
        max_requests=value("max_requests"),
        rate=value("rate"),
        timeout=value("request_timeout"),
        max_wait=value("max_wait"),
        deadline=value("deadline"),
        environ=env,
    )
    return target, limits


def rule_sources(value: Callable[[str], Any], environ: Mapping[str, str] | None = None) -> str:
    """`all`, `documented` or `contract`: which rules the run holds the server to."""
    env = os.environ if environ is None else environ
    chosen = value("rules") or env.get(ENV_RULES) or "all"
    if chosen not in RULE_SOURCES:
        raise ValueError(f"{ENV_RULES}={chosen!r}: one of {', '.join(RULE_SOURCES)}")
    return str(chosen)
