"""One HTTP exchange as the kit saw it: the request it sent and the response it received."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit


def _strict_json(raw: bytes) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)


@dataclass(frozen=True)
class SentRequest:
    """A request exactly as sent."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    # The tier of the token it carried, when the kit knows it.
    tier: str | None = None

    @classmethod
    def build(
        cls,
        *,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        tier: str | None = None,
    ) -> SentRequest:
        return cls(method=method.upper(), url=url, headers=tuple(headers), body=body, tier=tier)

    def __repr__(self) -> str:
        # Tracebacks and assertion messages show reprs: never the Authorization credential.
        headers = [(k, "REDACTED" if k.lower() == "authorization" else v) for k, v in self.headers]
        return (
            f"SentRequest(method={self.method!r}, url={self.url!r}, headers={headers!r}, tier={self.tier!r})"
        )

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @functools.cached_property
    def json_body(self) -> Any:
        """The body parsed as strict JSON, or None when it is not JSON."""
        try:
            return _strict_json(self.body)
        except ValueError:
            return None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def group_guid(self) -> str | None:
        """The `{group_guid}` segment of an export path, percent-decoded."""
        segments = self.path.split("/")
        if len(segments) >= 3 and segments[-1] == "exports" and segments[-3] == "groups":
            return unquote(segments[-2])
        return None

    @property
    def asks_for_fault(self) -> bool:
        """Whether the request asked the server for a fault (the reference server's `Prefer`)."""
        return self.header("prefer") is not None


@dataclass(frozen=True)
class Received:
    """A response exactly as received."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    # What readers derived from the body once (the decoded CSV), so checks don't redo it.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls, *, status: int, headers: Iterable[tuple[str, str]] | Mapping[str, str], content: bytes
    ) -> Received:
        items = headers.items() if isinstance(headers, Mapping) else headers
        return cls(status=status, headers=tuple((k.lower(), v) for k, v in items), content=content)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    @functools.cached_property
    def json(self) -> Any:
        """The body parsed as strict JSON, or None when it is not JSON."""
        try:
            return _strict_json(self.content)
        except ValueError:
            return None

    def excerpt(self, limit: int = 600) -> str:
        """The body, cut for a failure message."""
        text = self.content.decode("utf-8", errors="replace")
        return text if len(text) <= limit else f"{text[:limit]}... ({len(self.content)} bytes)"


@dataclass(frozen=True)
class Exchange:
    """A request and its response."""

    sent: SentRequest
    received: Received

    @property
    def status(self) -> int:
        return self.received.status

    @property
    def json(self) -> Any:
        return self.received.json
