from __future__ import annotations

import pytest

from bitly_exports_contract.kit.embedded import parse_banner
from bitly_exports_contract.kit.target import TargetError, target_from_options

BANNER = """base_url: http://127.0.0.1:41007/v4
groups:
  BI0vPebowFB  (2000 links, 200 QR codes)
  Bdj25l17Yri  (50 links, 5 QR codes)
tokens:
  free       tok-free  (groups: BI0vPebowFB, Bdj25l17Yri)
""".splitlines()


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


def test_the_banner_gives_the_base_url_and_the_groups() -> None:
    assert parse_banner(BANNER[:3]) is None  # the groups may not all be listed yet
    banner = parse_banner(BANNER)
    assert banner is not None
    assert banner.base_url == "http://127.0.0.1:41007/v4"
    assert banner.group_guids == ["BI0vPebowFB", "Bdj25l17Yri"]
