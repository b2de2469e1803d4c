"""Tokens never leave the kit: every text it prints or writes goes through `redact`.

The tokens given to a run (options or `EXPORTS_TOKEN*`) are registered once; `redact` replaces
each of them, and the forms it takes in a URL or a JSON string, with `REDACTED`. The seeded tokens
of the embedded server are public names and are not registered.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Mapping
from typing import Final, TextIO
from urllib.parse import quote

REDACTED: Final = "REDACTED"
# The environment variables that may carry a token: EXPORTS_TOKEN and EXPORTS_TOKEN_<ROLE>.
TOKEN_ENV_PREFIX: Final = "EXPORTS_TOKEN"

_lock = threading.Lock()
# Every form of every registered token, longest first so that a token inside another is not cut.
_forms: tuple[str, ...] = ()
# One pattern for them all: a form is replaced only where it stands whole, not inside a longer word
# (a token `x` must not turn `exports-contract` into `eREDACTEDports-contract`).
_pattern: re.Pattern[str] | None = None
# A form with a letter, digit or `_` beside it is part of a longer word. Punctuation is not: a token
# at the end of a sentence (`... tok-abc.`) or beside a URL's `/` is still a whole token, redacted.
_TOKEN_CHAR = r"A-Za-z0-9_"
# Shorter tokens are still redacted where they stand whole, but may stand whole in ordinary text too.
SHORT_TOKEN = 8


def _forms_of(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}


def register(*secrets: str | None) -> None:
    """Redact these values from now on (empty values and None are ignored)."""
    global _forms
    with _lock:
        found = set(_forms)
        for secret in secrets:
            if secret:
                found |= _forms_of(secret)
        _forms = tuple(sorted(found, key=lambda form: (-len(form), form)))
        _compile()


def _compile() -> None:
    global _pattern
    if not _forms:
        _pattern = None
        return
    alternatives = "|".join(re.escape(form) for form in _forms)
    _pattern = re.compile(f"(?<![{_TOKEN_CHAR}])(?:{alternatives})(?![{_TOKEN_CHAR}])")


def too_short(secrets: list[str | None]) -> list[str]:
    """The registered secrets too short to redact safely (by role names the caller gives)."""
    return [secret for secret in secrets if secret and len(secret) < SHORT_TOKEN]


def register_environment(environ: Mapping[str, str]) -> None:
    """Redact every token an `EXPORTS_TOKEN*` variable carries."""
    register(*(value for name, value in environ.items() if name.startswith(TOKEN_ENV_PREFIX)))


def forget_all() -> None:
    """Forget every registered token (for tests of the kit itself)."""
    global _forms
    with _lock:
        _forms = ()
        _compile()


def redact(text: str, *, more_follows: bool = False) -> str:
    """The text with every registered token, where it stands whole, replaced by `REDACTED`.

    With `more_follows`, a token at the very end is left as it is: the text that follows may show
    that it is part of a longer word.
    """
    pattern = _pattern
    if pattern is None:
        return text
    if not more_follows:
        return pattern.sub(REDACTED, text)
    end = len(text)
    return pattern.sub(lambda match: match.group(0) if match.end() == end else REDACTED, text)


def redact_bytes(data: bytes) -> bytes:
    """Bytes with every registered token (as UTF-8) replaced by `REDACTED`."""
    if _pattern is None:
        return data
    return redact(data.decode("utf-8", errors="surrogateescape")).encode("utf-8", errors="surrogateescape")


def contains_secret(text: str) -> bool:
    pattern = _pattern
    return pattern is not None and pattern.search(text) is not None


def _held_back(text: str) -> int:
    """How many trailing characters could be the start of a token cut by the next write (a whole
    token at the very end too: the next write may show it is part of a longer word)."""
    longest = 0
    for form in _forms:
        for size in range(min(len(form), len(text)), longest, -1):
            if text.endswith(form[:size]):
                longest = size
                break
    return longest


class RedactingStream(io.TextIOBase):
    """A text stream that redacts tokens before they reach the stream it wraps.

    A token split over two writes is caught too: a tail that could be a token's beginning is held
    back until the next write shows how it goes on (or the stream is closed).
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._stream.errors

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def write(self, text: str) -> int:
        data = redact(self._pending + text, more_follows=True)
        keep = _held_back(data)
        self._pending = data[len(data) - keep :] if keep else ""
        self._stream.write(data[: len(data) - keep])
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def release(self) -> None:
        """Write out what was held back and flush."""
        pending, self._pending = self._pending, ""
        self._stream.write(redact(pending))
        self._stream.flush()
