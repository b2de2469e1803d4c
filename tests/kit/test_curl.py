from __future__ import annotations

import shlex
import subprocess
import sys

from bitly_exports_contract.kit.curl import curl_command
from bitly_exports_contract.kit.exchange import SentRequest


def _sent(body: bytes, authorization: str = "Bearer tok-very-secret") -> SentRequest:
    return SentRequest.build(
        method="POST",
        url="http://127.0.0.1:9/v4/groups/G/exports",
        headers=[("Authorization", authorization), ("Content-Type", "application/json"), ("Host", "x")],
        body=body,
        tier="premium",
    )


def test_the_token_is_redacted_and_the_scheme_kept() -> None:
    command = curl_command(_sent(b'{"export_type":"links_list","filter":{}}'))
    assert "tok-very-secret" not in command
    assert "'Authorization: Bearer REDACTED'" in command
    assert "Host:" not in command
    assert """--data-binary '{"export_type":"links_list","filter":{}}'""" in command
    assert curl_command(_sent(b"{}", authorization="tok-very-secret")).count("REDACTED") == 1


def test_a_large_or_binary_body_is_rebuilt_exactly_by_the_command() -> None:
    body = b"\xef\xbb\xbf" + b" " * 100_000 + b"\xff"
    command = curl_command(_sent(body))
    maker = command.splitlines()[-1].split(" | curl ", 1)[0]
    argv = shlex.split(maker)
    assert argv[:2] == ["python3", "-c"]
    rebuilt = subprocess.run([sys.executable, "-c", argv[2]], capture_output=True, check=True).stdout
    assert rebuilt == body
