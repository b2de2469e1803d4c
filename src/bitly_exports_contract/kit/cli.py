"""`exports-contract verify`: run the contract suite against a server and say which rules it breaks."""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bitly_exports_contract.kit import redact
from bitly_exports_contract.kit.failure import ContractViolation
from bitly_exports_contract.kit.html_report import ReportCollector
from bitly_exports_contract.kit.limits import LimitsError, RunStopped
from bitly_exports_contract.kit.options import add_to_argparse, forward, rule_sources, target_and_limits
from bitly_exports_contract.kit.plugin import guard_of, leaves, outcome_of
from bitly_exports_contract.kit.target import ENV_BASE_URL, EXTRA_ROLES, TargetError

ENV_SUITE = "EXPORTS_CONTRACT_SUITE"
# How much of a failure that is not a ContractViolation (a schemathesis finding, an error) to print.
_EXCERPT_LINES = 40


def suite_dir() -> Path:
    """Where the contract suite is: $EXPORTS_CONTRACT_SUITE, else the installed package's `kit/suite/`."""
    if os.environ.get(ENV_SUITE):
        return Path(os.environ[ENV_SUITE])
    return Path(__file__).resolve().parent / "suite"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exports-contract", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser(
        "verify",
        help="verify a server against the contract (the embedded reference server when no --base-url)",
        description="Options not listed here are passed to pytest (e.g. -x, -k EXPR).",
    )
    add_to_argparse(verify)
    verify.add_argument("--junit", metavar="FILE", help="write a JUnit XML report here")
    verify.add_argument(
        "--report", metavar="FILE.html", help="write an HTML report here: a row per rule, curl to reproduce"
    )
    return parser


@dataclass
class Failure:
    nodeid: str
    rule: str
    text: str

    @property
    def source(self) -> str:
        """`documented` (Bitly's published description says it) or `contract` (CONTRACT.md's reading)."""
        return rule_source(self.rule)


# Rules outside the registries: a server that does not answer, or whose plain export is unreadable,
# breaks what Bitly documents as much as anything.
_DOCUMENTED_EXTRA = frozenset({"every_request_is_answered", "discovery_exports_are_readable"})


def rule_source(rule: str) -> str:
    """Where a broken rule comes from, by its name."""
    # Imported here: importing the suite's modules before pytest starts would keep pytest from
    # rewriting the asserts of the plugins they pull in.
    from bitly_exports_contract.kit.checks._base import REGISTRY
    from bitly_exports_contract.kit.relations import RELATIONS

    if rule == "run stopped":
        return "run"
    if rule in REGISTRY:
        return REGISTRY[rule].source
    if rule in RELATIONS:
        return RELATIONS[rule].source
    return "documented" if rule in _DOCUMENTED_EXTRA else "contract"


@dataclass(eq=False)
class Collector:
    """A pytest plugin that keeps each failure with the contract rule it broke."""

    failures: list[Failure] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # The run's request figures and why it stopped early, if it did (from the suite's guard).
    figures: str | None = None
    stopped: str | None = None
    _outcomes: dict[str, tuple[RunStopped | None, list[ContractViolation]]] = field(default_factory=dict)
    # Failures that are not the suite's own (schemathesis' built-in checks, errors), by test.
    _others: dict[str, list[str]] = field(default_factory=dict)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        report = yield
        error = call.excinfo.value if call.excinfo is not None else None
        stopped, violations = outcome_of(error)
        if stopped is not None or violations:
            self._outcomes[item.nodeid] = stopped, violations
        elif error is not None:
            self._others[item.nodeid] = _rules_of(error)
        return report

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        guard = guard_of(session.config)
        if guard is not None:
            self.figures = guard.pacer.summary()
            self.stopped = guard.stopped.reason if guard.stopped is not None else guard.pacer.stop_reason
        if self.stopped is None and isinstance(session.shouldstop, str):
            self.stopped = session.shouldstop.removeprefix("exports-contract: ")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = report.outcome if report.when == "call" or report.outcome != "passed" else None
        if outcome is None:
            return
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if outcome != "failed":
            return
        stopped, violations = self._outcomes.get(report.nodeid, (None, []))
        for violation in violations:
            self.failures.append(Failure(report.nodeid, violation.rule_name, violation.render()))
        if stopped is not None:
            self.failures.append(Failure(report.nodeid, "run stopped", stopped.render()))
        if stopped is not None or violations:
            return
        for rule in self._others.get(report.nodeid, ["error"]):
            self.failures.append(Failure(report.nodeid, rule, _excerpt(report.longreprtext)))


_SOURCE_TITLES = {
    "documented": "documented (Bitly's published description of the endpoint)",
    "contract": "contract (the readings CONTRACT.md adds)",
    "run": "the run stopped early",
}


def _rules_of(error: BaseException) -> list[str]:
    """The rules a failure that is not a ContractViolation names, from its objects: schemathesis'
    findings carry a code and a title (`ST105 Undocumented Content-Type`); anything else is an error."""
    found: list[str] = []
    for leaf in leaves(error):
        code, title = getattr(leaf, "code", None), getattr(leaf, "title", None)
        if isinstance(code, str) and isinstance(title, str):
            found.append(f"schemathesis: {code} {title}")
    return list(dict.fromkeys(found)) or ["error"]


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


def _report(collector: Collector, *, code: int, seed: int, elapsed: float) -> str:
    by_rule: dict[str, list[Failure]] = {}
    for failure in collector.failures:
        by_rule.setdefault(failure.rule, []).append(failure)
    out = sys.stdout
    for source, title in _SOURCE_TITLES.items():
        group = {rule: found for rule, found in by_rule.items() if found[0].source == source}
        if not group:
            continue
        out.write(f"\n{'=' * 20} broken rules: {title} {'=' * 20}\n")
        for rule, failures in group.items():
            out.write(f"\n### {rule} ({source}): broken in {len(failures)} test(s)\n")
            out.write(f"first in {failures[0].nodeid}\n{failures[0].text}\n")
            for other in failures[1:]:
                out.write(f"  also in {other.nodeid}\n")
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(collector.counts.items()))
    broken = len([rule for rule in by_rule if rule != "run stopped"])
    if collector.stopped is not None:
        verdict = f"the run stopped: {collector.stopped}" + (f"; {broken} rule(s) broken" if broken else "")
    elif collector.failures:
        sources = [found[0].source for rule, found in by_rule.items() if rule != "run stopped"]
        verdict = (
            f"{broken} rule(s) broken ({sources.count('documented')} documented by Bitly, "
            f"{sources.count('contract')} of CONTRACT.md's readings)"
        )
    elif code == pytest.ExitCode.USAGE_ERROR:
        verdict = "the run could not start: the options do not reach the group (see the error above)"
    elif code != 0:
        verdict = f"the suite did not run through (pytest exit code {code})"
    else:
        verdict = "the contract holds"
    figures = f"; {collector.figures}" if collector.figures is not None else ""
    out.write(
        f"\nexports-contract: {verdict} ({counts}) in {elapsed:.1f}s{figures}; "
        f"seed {seed} (repeat with --seed {seed})\n"
    )
    return f"{verdict} ({counts}) in {elapsed:.1f}s"


def _check_options(args: argparse.Namespace) -> str | None:
    """What is wrong with the target, limit or run options, before anything starts."""
    try:
        target_and_limits(lambda dest: getattr(args, dest))
        rule_sources(lambda dest: getattr(args, dest))
    except (TargetError, LimitsError, ValueError) as exc:
        return str(exc)
    if not (args.base_url or os.environ.get(ENV_BASE_URL)) and importlib.util.find_spec("uvicorn") is None:
        return (
            "no --base-url, and the embedded reference server is not installed: "
            "pip install 'bitly-exports-contract[server]', or give the base URL of a server to verify"
        )
    return None


def _scrub(path: Path) -> None:
    """Take every token out of a report file the run wrote (a last pass after the guard's own)."""
    if path.is_file():
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        clean = redact.redact(text)
        if clean != text:
            path.write_text(clean, encoding="utf-8", errors="surrogateescape")


def verify(args: argparse.Namespace, passthrough: Sequence[str]) -> int:
    # First of all: no token given to this run is printed or written, whatever prints it.
    redact.register(args.token, *(getattr(args, f"token_{role}") for role in EXTRA_ROLES))
    redact.register_environment(os.environ)
    short = redact.too_short([args.token, *(getattr(args, f"token_{role}") for role in EXTRA_ROLES)])
    if short:
        print(
            f"exports-contract: warning: {len(short)} token(s) shorter than {redact.SHORT_TOKEN} characters: "
            "they are redacted only where they stand as a whole word, and such a word in a server's answer "
            "is redacted too",
            file=sys.stderr,
        )
    problem = _check_options(args)
    if problem is not None:
        print(f"exports-contract: error: {redact.redact(problem)}", file=sys.stderr)
        return int(pytest.ExitCode.USAGE_ERROR)
    seed = args.seed if args.seed is not None else random.randrange(1, 10**6)
    print(f"exports-contract: seed {seed}", flush=True)
    args.seed = seed
    pytest_args = [str(suite_dir()), "-p", "no:cacheprovider", "-q", *forward(args)]
    if args.junit:
        pytest_args += ["--junitxml", args.junit]
    collector = Collector()
    reporter = ReportCollector() if args.report else None
    plugins: list[object] = [collector] if reporter is None else [collector, reporter]
    started = time.monotonic()
    streams = sys.stdout, sys.stderr
    out, err = redact.RedactingStream(sys.stdout), redact.RedactingStream(sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        code = pytest.main([*pytest_args, *passthrough], plugins=plugins)
        verdict = _report(collector, code=int(code), seed=seed, elapsed=time.monotonic() - started)
        if reporter is not None:
            where = args.base_url or os.environ.get(ENV_BASE_URL) or "the embedded reference server"
            reporter.write(Path(args.report), seed=seed, verdict=verdict, target=where)
    finally:
        out.release()
        err.release()
        sys.stdout, sys.stderr = streams
        for written in (args.junit, args.report):
            if written:
                _scrub(Path(written))
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    args, passthrough = _parser().parse_known_args(argv)
    if args.command == "verify":
        return verify(args, passthrough)
    return 2  # pragma: no cover - argparse refuses other commands


if __name__ == "__main__":
    raise SystemExit(main())
