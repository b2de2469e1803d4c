"""A curl command that repeats a request, credentials redacted."""

from __future__ import annotations

import base64
import shlex
import zlib

from bitly_exports_contract.kit.exchange import SentRequest

REDACTED = "REDACTED"
# Bodies longer than this, or not printable text, are shipped compressed through a pipe.
_INLINE_BODY_LIMIT = 2000
# Headers httpx adds on its own; they say nothing about the request under test.
_TRANSPORT_HEADERS = frozenset(
    {"host", "accept", "accept-encoding", "connection", "user-agent", "content-length"}
)


def _redact_authorization(value: str) -> str:
    scheme, sep, _credential = value.partition(" ")
    return f"{scheme} {REDACTED}" if sep else REDACTED


def _printable(body: bytes) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.startswith("\ufeff") and all(ch.isprintable() or ch in " \t\n" for ch in text)


def curl_command(sent: SentRequest) -> str:
    """A shell command that sends `sent` again; the token reads `REDACTED`."""
    parts = ["curl", "-sS", "-i", "-X", sent.method, shlex.quote(sent.url)]
    comment = f"# the token: a {sent.tier}-tier one\n" if sent.tier is not None else ""
    for name, value in sent.headers:
        lowered = name.lower()
        if lowered in _TRANSPORT_HEADERS or (lowered == "transfer-encoding" and value == "chunked"):
            continue
        if lowered == "authorization":
            value = _redact_authorization(value)
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if not sent.body:
        return comment + " ".join(parts)
    if len(sent.body) <= _INLINE_BODY_LIMIT and _printable(sent.body):
        parts += ["--data-binary", shlex.quote(sent.body.decode("utf-8"))]
        return comment + " ".join(parts)
    packed = base64.b64encode(zlib.compress(sent.body, 9)).decode("ascii")
    maker = f"import base64,sys,zlib;sys.stdout.buffer.write(zlib.decompress(base64.b64decode('{packed}')))"
    return comment + f"python3 -c {shlex.quote(maker)} | " + " ".join([*parts, "--data-binary", "@-"])
