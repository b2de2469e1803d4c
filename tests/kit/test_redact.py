from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from bitly_exports_contract.kit import redact
from bitly_exports_contract.kit.curl import curl_command
from bitly_exports_contract.kit.exchange import SentRequest
from bitly_exports_contract.kit.failure import violation
from bitly_exports_contract.kit.limits import RunStopped
from bitly_exports_contract.kit.target import Target

SECRET = "tok-SECRET/7f3a 9c"  # a slash and a space: its URL and JSON forms differ from it


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    redact.register(SECRET, None, "")
    yield
    redact.forget_all()


def _sent(**changes: object) -> SentRequest:
    fields: dict[str, object] = {
        "method": "POST",
        "url": "http://127.0.0.1:9/v4/groups/G/exports",
        "headers": [("Authorization", f"Bearer {SECRET}"), ("Content-Type", "application/json")],
        "body": b'{"export_type":"links_list","filter":{}}',
        "tier": "premium",
    }
    return SentRequest.build(**{**fields, **changes})  # type: ignore[arg-type]


def test_every_form_of_a_token_is_redacted() -> None:
    text = f"a {SECRET} b tok-SECRET%2F7f3a%209c c {SECRET!r}"
    assert redact.redact(text) == "a REDACTED b REDACTED c 'REDACTED'"
    assert redact.redact_bytes(f'{{"query":"{SECRET}"}}'.encode()) == b'{"query":"REDACTED"}'
    assert not redact.contains_secret(redact.redact(text))


def test_a_token_is_redacted_only_where_it_stands_whole() -> None:
    redact.register("x")
    text = "exports-contract: Bearer x, {'query': 'x'} xx ax"
    assert redact.redact(text) == "exports-contract: Bearer REDACTED, {'query': 'REDACTED'} xx ax"


def test_a_whole_token_at_the_end_of_a_write_waits_for_the_next() -> None:
    out = io.StringIO()
    stream = redact.RedactingStream(out)
    stream.write("Bearer tok-SECRET/7f3a 9c")
    stream.write("d is longer; tok-SECRET/7f3a 9c.\n")
    stream.release()
    assert out.getvalue() == "Bearer tok-SECRET/7f3a 9cd is longer; REDACTED.\n"


def test_empty_values_are_never_registered() -> None:
    assert redact.redact("nothing to hide") == "nothing to hide"


def test_a_token_anywhere_in_a_request_is_redacted_in_its_curl_command() -> None:
    sent = _sent(
        url="http://127.0.0.1:9/v4/groups/tok-SECRET%2F7f3a%209c/exports",
        headers=[("Authorization", "Token " + SECRET), ("X-Echo", SECRET)],
        body=f'{{"export_type":"links_list","filter":{{"query":"{SECRET}"}}}}'.encode(),
    )
    command = curl_command(sent)
    assert "SECRET" not in command
    assert "'Authorization: Token REDACTED'" in command
    assert "# a token in the body reads REDACTED" in command


def test_a_server_echoing_the_token_is_redacted_in_the_failure() -> None:
    broken = violation("rule", "§5: words", f"HTTP 400 you sent: Authorization: Bearer {SECRET}", _sent())
    assert "SECRET" not in str(broken)
    assert "SECRET" not in broken.render()
    assert "Bearer REDACTED" in str(broken)
    stopped = RunStopped(f"stopped at {SECRET}", detail=broken.render())
    assert "SECRET" not in str(stopped)


def test_reprs_never_show_a_token() -> None:
    target = Target(base_url="http://x/v4", token=SECRET, group_guid="G", tokens={"free": SECRET})
    assert "SECRET" not in repr(target)
    assert "SECRET" not in repr(_sent())


def test_the_stream_catches_a_token_split_over_writes() -> None:
    out = io.StringIO()
    stream = redact.RedactingStream(out)  # type: ignore[arg-type]
    for piece in ("progress ..", "Bearer tok-SE", "CRET/7f3a", " 9c done\n", "tail t"):
        stream.write(piece)
    assert "SECRET" not in out.getvalue()
    stream.release()
    assert out.getvalue() == "progress ..Bearer REDACTED done\ntail t"
