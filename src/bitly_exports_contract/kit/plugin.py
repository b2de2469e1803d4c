"""The contract suite's guard, a pytest plugin: it keeps tokens out of every report, shows a broken rule
as the rule (not a traceback of the suite), stops the session when the run cannot go on, and holds
the run to its deadline even if something hangs outside a request."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Generator
from typing import Any, Final

import pytest

from bitly_exports_contract.kit.failure import ContractViolation
from bitly_exports_contract.kit.limits import Pacer, RunLimits, RunStopped
from bitly_exports_contract.kit.redact import contains_secret, redact

PLUGIN_NAME: Final = "exports-contract-guard"
# After the deadline, the seconds the run gets to stop by itself before it is interrupted, and then
# the seconds an interrupted run gets before the process exits.
DEADLINE_GRACE: Final = 30.0
INTERRUPT_GRACE: Final = 15.0
DEADLINE_EXIT_CODE: Final = 124


def leaves(error: BaseException) -> list[BaseException]:
    """The exceptions inside an exception group (hypothesis groups the distinct failures it found)."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


def outcome_of(error: BaseException | None) -> tuple[RunStopped | None, list[ContractViolation]]:
    """Whether an error stopped the run, and the broken rules it carries (none: another kind of error)."""
    if error is None:
        return None, []
    found = leaves(error)
    stopped = next((leaf for leaf in found if isinstance(leaf, RunStopped)), None)
    violations = [leaf for leaf in found if isinstance(leaf, ContractViolation)]
    if stopped is None and len(violations) < len(found):
        return None, []
    return stopped, violations


def render_outcome(
    stopped: RunStopped | None, violations: list[ContractViolation], error: BaseException | None = None
) -> str:
    """The broken rules and why the run stopped, as a report shows them."""
    parts = [violation.render() for violation in violations]
    if stopped is not None:
        parts.append(stopped.render())
    others = len(leaves(error)) - len(parts) if error is not None else 0
    if others > 0:
        parts.append(f"(and {others} other error(s) in this test: --tb=long shows them)")
    return "\n\n".join(parts)


def _redacted_longrepr(longrepr: Any) -> Any:
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple):
        return tuple(redact(part) if isinstance(part, str) else part for part in longrepr)
    text = str(longrepr)
    return redact(text) if contains_secret(text) else longrepr


def redact_report(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Take every token out of what a report carries to the terminal and the JUnit file."""
    report.longrepr = _redacted_longrepr(report.longrepr)
    report.sections = [(title, redact(content)) for title, content in report.sections]
    if isinstance(report, pytest.TestReport):
        report.user_properties = [
            (name, redact(value) if isinstance(value, str) else value)
            for name, value in report.user_properties
        ]


class Watchdog:
    """Interrupts a run that passed its deadline without stopping, then ends the process."""

    def __init__(
        self, deadline: float, *, grace: float = DEADLINE_GRACE, last_grace: float = INTERRUPT_GRACE
    ) -> None:
        self.deadline = deadline
        self.grace = grace
        self.last_grace = last_grace
        self._timer = threading.Timer(deadline + grace, self._interrupt)
        self._timer.daemon = True

    def start(self) -> None:
        # A process started in the background by a non-interactive shell inherits SIGINT ignored,
        # and an ignored SIGINT would never interrupt the run: restore Python's handler (main thread).
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        ):
            signal.signal(signal.SIGINT, signal.default_int_handler)
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def _say(self, text: str) -> None:
        os.write(2, f"\nexports-contract: {text}\n".encode())

    def _interrupt(self) -> None:
        self._say(
            f"the run's deadline of {self.deadline:g} s passed {self.grace:g} s ago and it has not "
            "stopped: interrupting it"
        )
        # To the main thread itself: a signal the kernel hands to another thread would not wake it
        # from a blocking call.
        main = threading.main_thread().ident
        if main is not None:
            signal.pthread_kill(main, signal.SIGINT)
        last = threading.Timer(self.last_grace, self._exit)
        last.daemon = True
        last.start()

    def _exit(self) -> None:
        self._say(f"the interrupted run did not end within {self.last_grace:g} s: exiting")
        os._exit(DEADLINE_EXIT_CODE)


class SuiteGuard:
    """Registered by the suite's conftest; `pacer` paces every request of the run."""

    def __init__(self, limits: RunLimits) -> None:
        self.pacer = Pacer(limits)
        self.stopped: RunStopped | None = None
        self._watchdog = Watchdog(limits.deadline) if limits.deadline is not None else None
        if self._watchdog is not None and threading.current_thread() is threading.main_thread():
            self._watchdog.start()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # Session fixtures (discovery, the catalogue, the schema) send their requests in a setup.
        self.pacer.family = "setup: discovery and the catalogue"

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        self.pacer.family = family_of(item)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        error = call.excinfo.value if call.excinfo is not None else None
        stopped, violations = outcome_of(error)
        plain = item.config.getoption("tbstyle", "auto") == "auto"
        if stopped is not None:
            self.stopped = self.stopped or stopped
            item.session.shouldstop = f"exports-contract: {stopped.reason}"
        if (stopped is not None or violations) and plain:
            # The rule, what came back and the curl command say it all; the suite's frames don't.
            report.longrepr = render_outcome(stopped, violations, error)
        redact_report(report)
        return report

    @pytest.hookimpl(trylast=True)
    def pytest_exception_interact(self, node: Any, call: Any, report: Any) -> None:
        # schemathesis rewrites a failure's report here, after the one above.
        if isinstance(report, (pytest.TestReport, pytest.CollectReport)):
            redact_report(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        redact_report(report)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_line(f"exports-contract: {self.pacer.summary()}")
        if self.pacer.by_family:
            terminalreporter.write_line(f"exports-contract: requests by rule family: {self.pacer.families()}")
        if self.stopped is not None:
            terminalreporter.write_line(f"exports-contract: the run stopped: {self.stopped.reason}")

    def pytest_unconfigure(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()


_FAMILIES = {
    "test_every_generated_request_obeys_the_contract": "fuzzing",
    "test_rule_holds_on_every_sample": "single-response checks",
    "test_invalid_request_is_rejected": "400 rules",
    "test_its_valid_twin_is_accepted": "400 rules",
    "test_malformed_json_is_invalid_json": "malformed JSON",
}


def family_of(item: pytest.Item) -> str:
    """The family of rules a test belongs to: a relation's module, or the kind of test."""
    name = getattr(item, "originalname", item.name)
    if name in _FAMILIES:
        return _FAMILIES[name]
    callspec = getattr(item, "callspec", None)
    relation = callspec.params.get("relation") if callspec is not None else None
    function = getattr(relation, "function", None)
    if function is not None:
        return "relations: " + str(function.__module__).rsplit(".", 1)[-1]
    return item.path.stem.removeprefix("test_")


def guard_of(config: pytest.Config) -> SuiteGuard | None:
    """The guard of a configured session, if the contract suite registered one."""
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    return plugin if isinstance(plugin, SuiteGuard) else None


def install(config: pytest.Config, limits: RunLimits) -> SuiteGuard:
    """Register the guard for this session (once)."""
    found = guard_of(config)
    if found is not None:
        return found
    guard = SuiteGuard(limits)
    config.pluginmanager.register(guard, PLUGIN_NAME)
    return guard


__all__ = [
    "PLUGIN_NAME",
    "SuiteGuard",
    "guard_of",
    "install",
    "outcome_of",
    "redact_report",
    "render_outcome",
]
