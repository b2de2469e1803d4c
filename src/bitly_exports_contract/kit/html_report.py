"""`verify --report FILE.html`: one row per rule the run tried, with its outcome, why, and a curl command.

A pytest plugin collects each test of the suite as a rule (its parameter's name: a check, a
relation, a bad request; else the test's own name), then `write` renders one self-contained HTML
page: the run's seed, request figures, limits and timings on top, then the rules, broken first.
Every text that reaches the page goes through `redact` first.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bitly_exports_contract.kit.plugin import guard_of, outcome_of
from bitly_exports_contract.kit.redact import redact

_CURL = re.compile(r"^\s*(curl .*(?:\n\s+.*)*)", re.MULTILINE)
_ORDER = {"failed": 0, "error": 1, "skipped": 2, "passed": 3}


@dataclass
class RuleRow:
    """One test of the suite, as the rule it holds."""

    nodeid: str
    rule: str
    test: str
    contract: str = ""
    # "documented" or "contract" once rules carry a `source` attribute (see `_source_of`).
    source: str | None = None
    outcome: str = "passed"
    reason: str = ""
    curl: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _param_of(item: pytest.Item) -> Any:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    for value in callspec.params.values():
        if hasattr(value, "name"):
            return value
    return None


def _source_of(*carriers: Any) -> str | None:
    """The rule's source, from the first carrier that has one (a check, a relation, a violation)."""
    for carrier in carriers:
        source = getattr(carrier, "source", None)
        if isinstance(source, str):
            return source
    return None


def _curls(text: str) -> list[str]:
    return [" ".join(line.strip() for line in match.splitlines()) for match in _CURL.findall(text)]


@dataclass(eq=False)
class ReportCollector:
    """A pytest plugin keeping a row per test, and the run's figures."""

    rows: dict[str, RuleRow] = field(default_factory=dict)
    figures: str = ""
    limits: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def _row(self, item: pytest.Item) -> RuleRow:
        if item.nodeid not in self.rows:
            param = _param_of(item)
            test = getattr(item, "originalname", item.name)
            self.rows[item.nodeid] = RuleRow(
                nodeid=item.nodeid,
                rule=param.name if param is not None else item.name,
                test=test,
                contract=str(getattr(param, "rule", "") or (item.obj.__doc__ or "").strip()),  # type: ignore[attr-defined]
                source=_source_of(param),
            )
        return self.rows[item.nodeid]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        report: pytest.TestReport = yield
        row = self._row(item)
        row.seconds += report.duration
        if report.skipped:
            row.outcome = "skipped"
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            row.reason = reason.removeprefix("Skipped: ")
        elif report.failed:
            row.outcome = "failed" if report.when == "call" else "error"
            stopped, violations = outcome_of(call.excinfo.value if call.excinfo is not None else None)
            if violations:
                row.reason = "\n\n".join(
                    f"broken: {v.rule_name}: {v.rule}\nReceived: {v.received}" for v in violations
                )
                row.curl = [v.curl for v in violations if v.curl is not None]
                row.source = row.source or _source_of(*violations)
            elif stopped is not None:
                row.reason = stopped.render()
            else:
                text = report.longreprtext
                row.reason = "\n".join(text.splitlines()[-30:])
                row.curl = _curls(text)
        return report

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.finished = time.time()
        guard = guard_of(session.config)
        if guard is not None:
            self.figures = guard.pacer.summary()
            limits = guard.pacer.limits
            self.limits = (
                f"budget {limits.max_requests if limits.max_requests is not None else 'none'} requests, "
                f"rate {f'{limits.rate:g}/s' if limits.rate is not None else 'unlimited'}, "
                f"timeout {limits.timeout:g} s a request, max wait {limits.max_wait:g} s, "
                f"deadline {f'{limits.deadline:g} s' if limits.deadline is not None else 'none'}"
            )

    def write(self, path: Path, *, seed: int, verdict: str, target: str) -> None:
        """Write the report as one self-contained HTML page."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(self, seed=seed, verdict=verdict, target=target), encoding="utf-8")


_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } .verdict { font-size: 1.15em; margin: .2em 0 1em; }
.ok { color: #116329; } .bad { color: #b42318; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; margin: 0 0 1.2em; }
dt { color: #555; } dd { margin: 0; }
.counts span { display: inline-block; margin-right: 1em; padding: .1em .6em; border-radius: 1em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: .35em .5em; border-bottom: 1px solid #ddd; }
th { background: #f3f3f5; position: sticky; top: 0; }
td.rule { font-family: ui-monospace, monospace; word-break: break-word; }
.failed, .error { background: #fdecea; } .skipped { background: #fff8e1; } .passed { background: #edf7ed; }
td.outcome { font-weight: 600; } pre { white-space: pre-wrap; word-break: break-all; margin: .3em 0; }
pre.curl { background: #1d1d1f; color: #f5f5f7; padding: .5em; border-radius: 4px; max-height: 9em;
  overflow: auto; }
.contract { color: #555; font-size: .92em; }
"""


_COLUMNS = (
    '<colgroup><col style="width:24%"><col style="width:7%"><col>'
    '<col style="width:8%"><col style="width:6%"></colgroup>'
)


def _cell(text: str) -> str:
    return html.escape(redact(text))


def render(collector: ReportCollector, *, seed: int, verdict: str, target: str) -> str:
    """The report's HTML."""
    rows = sorted(collector.rows.values(), key=lambda row: _ORDER.get(row.outcome, 9))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    finished = collector.finished or time.time()
    started_at = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(collector.started))
    sources = any(row.source for row in rows)
    head = ["rule", "outcome", "why / reproduce", "source", "seconds"]
    body: list[str] = []
    for row in rows:
        test = f'<div class="contract">{_cell(row.test)}</div>' if row.test != row.rule else ""
        why = f'<div class="contract">{_cell(row.contract)}</div>' if row.contract else ""
        if row.reason:
            why += f"<pre>{_cell(row.reason)}</pre>"
        why += "".join(f'<pre class="curl">{_cell(curl)}</pre>' for curl in row.curl)
        body.append(
            f'<tr class="{row.outcome}"><td class="rule">{_cell(row.rule)}{test}</td>'
            f'<td class="outcome">{row.outcome}</td><td>{why}</td>'
            f"<td>{_cell(row.source or '—')}</td><td>{row.seconds:.2f}</td></tr>"
        )
    broken = counts.get("failed", 0) + counts.get("error", 0)
    summary = "".join(
        f'<span class="{outcome}">{counts[outcome]} {outcome}</span>'
        for outcome in sorted(counts, key=lambda o: _ORDER.get(o, 9))
    )
    source_note = (
        ""
        if sources
        else "<dt>source</dt><dd>the rules of this version carry no source (documented/contract)</dd>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>exports-contract verify: {_cell(verdict)}</title>
<style>{_STYLE}</style></head><body>
<h1>exports-contract verify</h1>
<p class="verdict {"bad" if broken else "ok"}">{_cell(verdict)}</p>
<dl>
<dt>target</dt><dd>{_cell(target)}</dd>
<dt>seed</dt><dd>{seed} (repeat with <code>--seed {seed}</code>)</dd>
<dt>requests</dt><dd>{_cell(collector.figures or "not counted")}</dd>
<dt>limits</dt><dd>{_cell(collector.limits or "unknown")}</dd>
<dt>started</dt><dd>{started_at}, took {finished - collector.started:.1f} s</dd>
{source_note}
</dl>
<p class="counts">{summary}</p>
<table>{_COLUMNS}<thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
</body></html>
"""
