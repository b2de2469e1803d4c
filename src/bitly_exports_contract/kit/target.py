"""The server under test: where it is, which tokens to use, which groups to export."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bitly_exports_contract.kit.fixture import FixtureUnreadable, read_fixture
from bitly_exports_contract.spec import figures

# Extra tokens the suite can use besides the main one, by role: the tiers of the contract,
# `other` (a token that sees the second group but not the target group) and `limited`
# (a token with a per-minute rate limit).
EXTRA_ROLES: tuple[str, ...] = (*figures().tier_window_days, "other", "limited")

ENV_BASE_URL = "EXPORTS_BASE_URL"
ENV_TOKEN = "EXPORTS_TOKEN"
ENV_GROUP_GUID = "EXPORTS_GROUP_GUID"
ENV_OTHER_GROUP_GUID = "EXPORTS_OTHER_GROUP_GUID"
ENV_TIER = "EXPORTS_TIER"
ENV_LIMITED_PER_MINUTE = "EXPORTS_LIMITED_PER_MINUTE"


def env_token_name(role: str) -> str:
    """The environment variable that carries the token of a role (`EXPORTS_TOKEN_FREE`)."""
    return f"EXPORTS_TOKEN_{role.upper()}"


class TargetError(ValueError):
    """The target is not fully described (a base URL without a token or a group)."""


@dataclass(frozen=True)
class Target:
    """A server to verify."""

    base_url: str
    token: str = field(repr=False)
    group_guid: str
    other_group_guid: str | None = None
    # The main token's tier, when known (`premium`); else the suite discovers it.
    tier: str | None = None
    # Tokens by role (`free`, `core`, ..., `other`, `limited`).
    tokens: Mapping[str, str] = field(default_factory=dict, repr=False)
    # Tiers of the tokens whose role is not a tier (`other`, `limited`), when known.
    role_tiers: Mapping[str, str] = field(default_factory=dict)
    # Per-minute rate limits of role tokens, when known (`limited`).
    rate_limits: Mapping[str, int] = field(default_factory=dict)
    embedded: bool = False
    # The fixture the server loaded (CONTRACT §6's format), when the run knows it.
    fixture: Mapping[str, Any] | None = field(default=None, repr=False)
    # Whether the server honours the reference server's `Prefer` fault switches (§6).
    honours_prefer: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def token_for(self, role: str) -> str | None:
        """The token of a role, if the target has one."""
        return self.tokens.get(role)

    def tier_of(self, token: str) -> str | None:
        """The tier of a token the target knows, else None."""
        if token == self.token:
            return self.tier
        for role, candidate in self.tokens.items():
            if candidate == token:
                return role if role in figures().tier_window_days else self.role_tiers.get(role)
        return None

    def with_tier(self, tier: str | None) -> Target:
        """The same target, the main token's tier now known."""
        return replace(self, tier=tier)


def target_from_options(
    *,
    base_url: str | None,
    token: str | None,
    group_guid: str | None,
    other_group_guid: str | None = None,
    tier: str | None = None,
    tokens: Mapping[str, str | None] | None = None,
    limited_per_minute: int | None = None,
    fixture: str | None = None,
    honours_prefer: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Target | None:
    """A target from explicit options, falling back to the `EXPORTS_*` environment variables.

    Returns None when no base URL is given anywhere: the caller then starts the embedded server.
    """
    env = os.environ if environ is None else environ
    base_url = base_url or env.get(ENV_BASE_URL) or None
    if base_url is None:
        return None
    token = token or env.get(ENV_TOKEN) or None
    group_guid = group_guid or env.get(ENV_GROUP_GUID) or None
    missing = [name for name, value in (("token", token), ("group GUID", group_guid)) if not value]
    if missing or token is None or group_guid is None:
        raise TargetError(
            f"a base URL was given ({base_url}) but no {' and no '.join(missing)}: pass --token/--group-guid "
            f"or set {ENV_TOKEN}/{ENV_GROUP_GUID}"
        )
    given = dict(tokens or {})
    extra: dict[str, str] = {}
    for role in EXTRA_ROLES:
        value = given.get(role) or env.get(env_token_name(role))
        if value:
            extra[role] = value
    tier = tier or env.get(ENV_TIER) or None
    if tier is not None and tier not in figures().tier_window_days:
        raise TargetError(f"unknown tier {tier!r}: one of {', '.join(figures().tier_window_days)}")
    limit = limited_per_minute or env.get(ENV_LIMITED_PER_MINUTE) or None
    try:
        data = read_fixture(fixture) if fixture else None
    except (OSError, FixtureUnreadable) as exc:
        raise TargetError(f"--fixture: {exc}") from None
    return Target(
        base_url=base_url,
        token=token,
        group_guid=group_guid,
        other_group_guid=other_group_guid or env.get(ENV_OTHER_GROUP_GUID) or None,
        tier=tier,
        tokens=extra,
        rate_limits={"limited": int(limit)} if limit is not None else {},
        fixture=data,
        honours_prefer=honours_prefer,
    )
