"""How a broken contract rule is reported."""

from __future__ import annotations

from bitly_exports_contract.kit.curl import curl_command
from bitly_exports_contract.kit.exchange import SentRequest
from bitly_exports_contract.kit.redact import redact


class ContractViolation(AssertionError):
    """A rule of CONTRACT.md that a response broke, with what came back and how to repeat it."""

    def __init__(self, *, rule_name: str, rule: str, received: str, sent: SentRequest | None) -> None:
        self.rule_name = rule_name
        self.rule = rule
        self.received = received
        self.curl = curl_command(sent) if sent is not None else None
        super().__init__(self.render())

    def render(self) -> str:
        """The report: the rule, what was received, a curl command; tokens redacted."""
        lines = [
            f"Contract rule broken: {self.rule_name}",
            f"  CONTRACT.md: {self.rule}",
            # A received body may run over several lines: keep them inside the report.
            "  Received: " + self.received.replace("\n", "\n    "),
        ]
        if self.curl is not None:
            lines.append("  Reproduce with:")
            lines += [f"    {line}" for line in self.curl.splitlines()]
        return redact("\n".join(lines))

    def __str__(self) -> str:
        return self.render()


def violation(rule_name: str, rule: str, received: str, sent: SentRequest | None = None) -> ContractViolation:
    """A violation to raise."""
    return ContractViolation(rule_name=rule_name, rule=rule, received=received, sent=sent)
