"""A curl command that repeats a request, credentials redacted."""

from __future__ import annotations

import base64
import shlex
import zlib

from bitly_exports_contract.kit.exchange import SentRequest
from bitly_exports_contract.kit.redact import REDACTED, redact, redact_bytes

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
    """A shell command that sends `sent` again; the Authorization credential and every registered
    token, wherever it appears (URL, headers, body), read `REDACTED`."""
    parts = ["curl", "-sS", "-i", "-X", sent.method, shlex.quote(redact(sent.url))]
    comment = f"# the token: a {sent.tier}-tier one\n" if sent.tier is not None else ""
    body = redact_bytes(sent.body)
    if body != sent.body:
        comment += f"# a token in the body reads {REDACTED}\n"
    for name, value in sent.headers:
        lowered = name.lower()
        if lowered in _TRANSPORT_HEADERS or (lowered == "transfer-encoding" and value == "chunked"):
            continue
        if lowered == "authorization":
            value = _redact_authorization(value)
        parts += ["-H", shlex.quote(redact(f"{name}: {value}"))]
    if not body:
        return comment + " ".join(parts)
    if len(body) <= _INLINE_BODY_LIMIT and _printable(body):
        parts += ["--data-binary", shlex.quote(body.decode("utf-8"))]
        return comment + " ".join(parts)
    packed = base64.b64encode(zlib.compress(body, 9)).decode("ascii")
    maker = f"import base64,sys,zlib;sys.stdout.buffer.write(zlib.decompress(base64.b64decode('{packed}')))"
    return comment + f"python3 -c {shlex.quote(maker)} | " + " ".join([*parts, "--data-binary", "@-"])
