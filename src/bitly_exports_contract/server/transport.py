"""Header parsing for the HTTP layer: `Authorization`, `Content-Type` and `Prefer` faults."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_CODES = frozenset({429, 500, 503})
_MAX_DIGITS = 18


def bearer_token(header: str | None) -> str | None:
    """The token of `Bearer <token>` (scheme case-insensitive); None for anything else."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        return None
    return token


def is_json_media_type(header: str | None) -> bool:
    """`application/json`, case-insensitive, parameters such as charset ignored."""
    if header is None:
        return False
    return header.split(";", 1)[0].strip().lower() == "application/json"


@dataclass(frozen=True)
class Faults:
    """What `Prefer` asked for: a delay, then perhaps an error status."""

    latency_ms: int = 0
    code: int | None = None


def parse_prefer(values: list[str], *, latency_cap_ms: int) -> Faults:
    """RFC 7240 preferences `latency_ms=N` and `code=429|500|503`; malformed ones are ignored."""
    latency, code = 0, None
    for value in values:
        for item in value.split(","):
            name, _, arg = item.split(";", 1)[0].partition("=")
            name, arg = name.strip().lower(), arg.strip().strip('"')
            if not arg.isdigit() or not arg.isascii():
                continue
            number = _bounded_int(arg)
            if name == "latency_ms":
                latency = min(number, latency_cap_ms)
            elif name == "code" and number in FAULT_CODES:
                code = number
    return Faults(latency_ms=latency, code=code)


def _bounded_int(digits: str) -> int:
    """The value of ASCII digits, or a number above every cap when it has more digits than any cap."""
    significant = digits.lstrip("0") or "0"
    # int() refuses strings past 4300 digits, and a long one is above every cap or code anyway.
    return int(significant) if len(significant) <= _MAX_DIGITS else 10**_MAX_DIGITS
