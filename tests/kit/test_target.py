from __future__ import annotations

import pytest

from bitly_exports_contract.kit.embedded import seeded_target
from bitly_exports_contract.kit.target import TargetError, target_from_options
from bitly_exports_contract.launcher import ServedGroup, ServedToken, ServerReady

TIERS = ("free", "core", "growth", "premium", "enterprise")
BIG, SMALL = "BI0vPebowFB", "Bdj25l17Yri"
READY = ServerReady(
    base_url="http://127.0.0.1:41007/v4",
    groups=(ServedGroup(BIG, 2000, 200), ServedGroup(SMALL, 50, 5)),
    tokens=(
        *(ServedToken(f"t-{tier}", tier, (BIG, SMALL)) for tier in TIERS),
        ServedToken("t-sees-small", "premium", (SMALL,)),
        ServedToken("t-slow", "premium", (BIG,), rate_limit_per_minute=5),
    ),
    pid=4242,
)


def test_no_base_url_means_the_embedded_server() -> None:
    assert target_from_options(base_url=None, token=None, group_guid=None, environ={}) is None


def test_options_win_over_the_environment() -> None:
    env = {
        "EXPORTS_BASE_URL": "http://env/v4/",
        "EXPORTS_TOKEN": "t-env",
        "EXPORTS_GROUP_GUID": "G-env",
        "EXPORTS_TOKEN_FREE": "t-free",
        "EXPORTS_TIER": "growth",
        "EXPORTS_LIMITED_PER_MINUTE": "5",
    }
    target = target_from_options(base_url=None, token="t-opt", group_guid=None, environ=env)
    assert target is not None
    assert (target.base_url, target.token, target.group_guid) == ("http://env/v4", "t-opt", "G-env")
    assert target.tier_of("t-free") == "free"
    assert target.tier_of("t-opt") == "growth"
    assert target.rate_limits == {"limited": 5}


def test_a_base_url_without_a_token_is_refused() -> None:
    with pytest.raises(TargetError, match="token"):
        target_from_options(base_url="http://x/v4", token=None, group_guid="G", environ={})


def test_the_ready_line_gives_the_embedded_target_and_a_token_of_each_role() -> None:
    target = seeded_target(ServerReady.from_line(READY.to_line()) or READY)
    assert (target.base_url, target.group_guid, target.other_group_guid) == (READY.base_url, BIG, SMALL)
    assert target.token == "t-premium" and target.tier == "premium"
    assert {role: target.token_for(role) for role in TIERS} == {tier: f"t-{tier}" for tier in TIERS}
    assert (target.token_for("other"), target.token_for("limited")) == ("t-sees-small", "t-slow")
    assert target.tier_of("t-sees-small") == "premium" and target.tier_of("t-slow") == "premium"
    assert target.rate_limits == {"limited": 5}
