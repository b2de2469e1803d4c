"""`exports-contract verify`: run the contract suite against a server and say which rules it breaks."""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bitly_exports_contract.kit.failure import ContractViolation
from bitly_exports_contract.kit.target import EXTRA_ROLES

ENV_SUITE = "EXPORTS_CONTRACT_SUITE"
# How much of a failure that is not a ContractViolation (a schemathesis finding, an error) to print.
_EXCERPT_LINES = 40


def suite_dir() -> Path:
    """Where `contract_tests/` is: $EXPORTS_CONTRACT_SUITE, the source tree's, or the working directory's."""
    if os.environ.get(ENV_SUITE):
        return Path(os.environ[ENV_SUITE])
    beside_source = Path(__file__).resolve().parents[3] / "contract_tests"
    return beside_source if beside_source.is_dir() else Path.cwd() / "contract_tests"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exports-contract", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser(
        "verify",
        help="verify a server against the contract (the embedded reference server when no --base-url)",
        description="Options not listed here are passed to pytest (e.g. -x, -k EXPR).",
    )
    verify.add_argument("--base-url", help="the server's base URL, e.g. https://api-ssl.bitly.com/v4")
    verify.add_argument("--token", help="a paid-tier token that may export from --group-guid")
    verify.add_argument("--group-guid", help="the group to export from")
    verify.add_argument("--other-group-guid", help="a second group, for the cross-group rules")
    verify.add_argument("--tier", help="the tier of --token (discovered when not given)")
    for role in EXTRA_ROLES:
        verify.add_argument(f"--token-{role}", help=f"a token of role {role!r}, for the rules about it")
    verify.add_argument("--limited-per-minute", type=int, help="the rate limit of --token-limited, if known")
    verify.add_argument("--junit", metavar="FILE", help="write a JUnit XML report here")
    verify.add_argument("--seed", type=int, help="the embedded data set's and the generators' seed")
    verify.add_argument("--max-examples", type=int, help="schemathesis examples per phase")
    return parser


@dataclass
class Failure:
    nodeid: str
    rule: str
    text: str


@dataclass(eq=False)
class Collector:
    """A pytest plugin that keeps each failure with the contract rule it broke."""

    failures: list[Failure] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    _violations: dict[str, ContractViolation] = field(default_factory=dict)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        report = yield
        if call.excinfo is not None and isinstance(call.excinfo.value, ContractViolation):
            self._violations[item.nodeid] = call.excinfo.value
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = report.outcome if report.when == "call" or report.outcome != "passed" else None
        if outcome is None:
            return
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if outcome != "failed":
            return
        violation = self._violations.get(report.nodeid)
        if violation is not None:
            self.failures.append(Failure(report.nodeid, violation.rule_name, violation.render()))
            return
        self.failures.append(
            Failure(report.nodeid, _rule_of(report.longreprtext), _excerpt(report.longreprtext))
        )


def _rule_of(text: str) -> str:
    """The rule a failure's text names: ours, a schemathesis finding, or just "error"."""
    for line in text.splitlines():
        stripped = line.strip().removeprefix("|").strip().removeprefix("E").strip()
        ours = re.search(r"Contract rule broken: (\S+)", stripped)
        if ours:
            return ours[1]
        custom = re.search(r"Custom check failed: `([^`]+)`", stripped)
        if custom:
            return custom[1]
        if re.match(r"- ST\d+ ", stripped):
            return "schemathesis: " + stripped.removeprefix("- ")
    return "error"


def _excerpt(text: str) -> str:
    lines = text.splitlines()
    start = next(
        (n for n, line in enumerate(lines) if "Schemathesis found" in line or "Contract rule" in line), None
    )
    if start is None:
        return "\n".join(lines[-_EXCERPT_LINES:])
    return "\n".join(
        line.removeprefix("  | ").removeprefix("E   ") for line in lines[start : start + _EXCERPT_LINES]
    )


def _report(collector: Collector, *, code: int, seed: int, elapsed: float) -> None:
    by_rule: dict[str, list[Failure]] = {}
    for failure in collector.failures:
        by_rule.setdefault(failure.rule, []).append(failure)
    out = sys.stdout
    if by_rule:
        out.write(f"\n{'=' * 30} broken contract rules {'=' * 30}\n")
    for rule, failures in by_rule.items():
        out.write(f"\n### {rule}: broken in {len(failures)} test(s)\n")
        out.write(f"first in {failures[0].nodeid}\n{failures[0].text}\n")
        for other in failures[1:]:
            out.write(f"  also in {other.nodeid}\n")
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(collector.counts.items()))
    if collector.failures:
        verdict = f"{len(by_rule)} rule(s) broken"
    elif code != 0:
        verdict = f"the suite did not run through (pytest exit code {code})"
    else:
        verdict = "the contract holds"
    out.write(
        f"\nexports-contract: {verdict} ({counts}) in {elapsed:.1f}s; "
        f"seed {seed} (repeat with --seed {seed})\n"
    )


def verify(args: argparse.Namespace, passthrough: Sequence[str]) -> int:
    seed = args.seed if args.seed is not None else random.randrange(1, 10**6)
    print(f"exports-contract: seed {seed}", flush=True)
    pytest_args = [str(suite_dir()), "-p", "no:cacheprovider", "-q", "--seed", str(seed)]
    for name in (
        "base_url",
        "token",
        "group_guid",
        "other_group_guid",
        "tier",
        "limited_per_minute",
        "max_examples",
    ):
        value = getattr(args, name)
        if value is not None:
            pytest_args += [f"--{name.replace('_', '-')}", str(value)]
    for role in EXTRA_ROLES:
        value = getattr(args, f"token_{role}")
        if value is not None:
            pytest_args += [f"--token-{role}", value]
    if args.junit:
        pytest_args += ["--junitxml", args.junit]
    collector = Collector()
    started = time.monotonic()
    code = pytest.main([*pytest_args, *passthrough], plugins=[collector])
    _report(collector, code=int(code), seed=seed, elapsed=time.monotonic() - started)
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    args, passthrough = _parser().parse_known_args(argv)
    if args.command == "verify":
        return verify(args, passthrough)
    return 2  # pragma: no cover - argparse refuses other commands


if __name__ == "__main__":
    raise SystemExit(main())
