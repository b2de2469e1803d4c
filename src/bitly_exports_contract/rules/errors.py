"""Bitly's `Error` body and the contract's error statuses, as values the HTTP layer sends."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

RESOURCE = "groups"

_INDEX = re.compile(r"\[\d+\]")
_NON_NAME = re.compile(r"[^A-Z0-9]")
# §7 upper-cases ASCII letters only: `str.upper()` would turn `ß` into `SS` and `ı` into `I`.
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class FieldProblem:
    """One offending field: its JSON path, a short code and a readable reason."""

    field: str
    error_code: str
    message: str


@dataclass
class ApiError(Exception):
    """An answer other than 200, carried up to the HTTP layer."""

    status: int
    message: str
    description: str
    errors: list[FieldProblem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        """The `Error` object of the response."""
        return {
            "message": self.message,
            "resource": RESOURCE,
            "description": self.description,
            "errors": [
                {"field": p.field, "error_code": p.error_code, "message": p.message} for p in self.errors
            ],
        }


def invalid_arg_message(path: str) -> str:
    """`INVALID_ARG_<FIELD>` for a JSON path: indexes dropped, ASCII letters upper-cased, every other
    character (code point) one `_`."""
    return "INVALID_ARG_" + _NON_NAME.sub("_", _INDEX.sub("", path).translate(_ASCII_UPPER))


def bad_request(problems: list[FieldProblem]) -> ApiError:
    """400 naming the first problem (they arrive in rule order)."""
    return ApiError(400, invalid_arg_message(problems[0].field), "The value provided is invalid.", problems)


def invalid_json(reason: str) -> ApiError:
    return ApiError(400, "INVALID_JSON", f"The request body is not a valid JSON object: {reason}.")


def invalid_content_type(received: str | None) -> ApiError:
    got = f"'{received}'" if received is not None else "none"
    return ApiError(
        400, "INVALID_CONTENT_TYPE", f"The Content-Type must be application/json (received {got})."
    )


def forbidden() -> ApiError:
    return ApiError(403, "FORBIDDEN", "You are currently forbidden to access this resource.")


def upgrade_required(tier: str) -> ApiError:
    return ApiError(402, "UPGRADE_REQUIRED", f"Metrics exports are not available on the {tier} tier.")


def payload_too_large(limit: int) -> ApiError:
    return ApiError(413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes.")


def unprocessable(problems: list[FieldProblem]) -> ApiError:
    return ApiError(422, "UNPROCESSABLE_ENTITY", "Some bitlinks are not links of this group.", problems)


def rate_limited(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "RATE_LIMIT_EXCEEDED",
        f"Too many requests for this token; retry after {retry_after} s.",
        headers={"retry-after": str(retry_after)},
    )


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "There is no resource at this path.")


def method_not_allowed() -> ApiError:
    return ApiError(405, "METHOD_NOT_ALLOWED", "Only POST is allowed here.", headers={"allow": "POST"})


def internal_error() -> ApiError:
    return ApiError(500, "INTERNAL_ERROR", "An internal error occurred.")


def temporarily_unavailable() -> ApiError:
    return ApiError(
        503,
        "TEMPORARILY_UNAVAILABLE",
        "The service is temporarily unavailable.",
        headers={"retry-after": "1"},
    )
