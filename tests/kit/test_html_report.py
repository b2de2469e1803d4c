"""`verify --report`: the HTML report's rows, figures and redaction (kit/html_report.py)."""

import subprocess
import sys
from pathlib import Path

SUITE = """
import pytest
from bitly_exports_contract.kit.exchange import SentRequest
from bitly_exports_contract.kit.failure import violation
from bitly_exports_contract.kit import redact

redact.register("tok-SECRET-123")

class Rule:
    def __init__(self, name):
        self.name = name
        self.rule = "§9: the words of the contract for " + name
        self.source = "documented" if name == "cap_rule" else None

NAMES = ("cap_rule", "window_rule", "skip_rule")

@pytest.mark.parametrize("rule", [pytest.param(Rule(n), id=n) for n in NAMES])
def test_rule(rule):
    if rule.name == "skip_rule":
        pytest.skip("needs --token-free")
    if rule.name == "cap_rule":
        sent = SentRequest(method="POST", url="http://127.0.0.1:1/v4/groups/G/exports",
                           headers=(("Authorization", "Bearer tok-SECRET-123"),), body=b'{"a": 1}')
        raise violation("row_cap_conformance", "the cap is 200", "row_count 201 (tok-SECRET-123)", sent)
"""

DRIVER = """
import sys
from pathlib import Path
import pytest
from bitly_exports_contract.kit.html_report import ReportCollector

collector = ReportCollector()
pytest.main(["-q", "-p", "no:cacheprovider", "test_suite.py"], plugins=[collector])
collector.write(Path("out/report.html"), seed=7, verdict="1 rule(s) broken", target="http://127.0.0.1:1/v4")
"""


def test_the_report_has_a_row_per_rule_with_outcome_reason_curl_and_source(tmp_path: Path) -> None:
    (tmp_path / "test_suite.py").write_text(SUITE)
    (tmp_path / "driver.py").write_text(DRIVER)
    done = subprocess.run(
        [sys.executable, "driver.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    page = (tmp_path / "out" / "report.html").read_text("utf-8")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "tok-SECRET-123" not in page
    assert page.count('<tr class="failed">') == 1
    assert page.count('<tr class="skipped">') == 1
    assert page.count('<tr class="passed">') == 1
    assert page.index('class="failed"') < page.index('class="skipped"') < page.index('class="passed"')
    assert "broken: row_cap_conformance: the cap is 200" in page
    assert "curl -sS -i -X POST" in page and "Bearer REDACTED" in page
    assert "needs --token-free" in page
    assert "§9: the words of the contract for window_rule" in page
    assert "<td>documented</td>" in page
    assert "seed</dt><dd>7" in page and "1 rule(s) broken" in page
