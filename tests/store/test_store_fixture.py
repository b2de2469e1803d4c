"""Fixture parsing, validation (CONTRACT section 6), loading and dumping."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bitly_exports_contract.store import (
    BITLINK_ID_RE,
    Dataset,
    FixtureError,
    dump_fixture,
    load_fixture,
    parse_fixture,
    seed_dataset,
)

CONTRACT_EXAMPLE: dict[str, Any] = {
    "now": 1764115200,
    "tokens": [
        {"token": "tok-premium", "tier": "premium", "groups": ["Ba1bc23dE4F"], "rate_limit_per_minute": None}
    ],
    "groups": [
        {
            "guid": "Ba1bc23dE4F",
            "campaigns": ["Ca1bcd2EFGh"],
            "links": [
                {
                    "id": "bit.ly/3xYz9Ab",
                    "title": "Spring sale",
                    "long_url": "https://example.com/sale",
                    "created": 1761000000,
                    "archived": False,
                    "tags": ["promo", "spring"],
                    "campaign_guids": ["Ca1bcd2EFGh"],
                }
            ],
            "qr_codes": [
                {
                    "id": "Qabcde12345",
                    "title": "Poster",
                    "qr_code_type": "bitlink",
                    "bitlink": "bit.ly/3xYz9Ab",
                    "long_url": "https://example.com/sale",
                    "created": 1761000500,
                    "archived": False,
                    "tags": ["print"],
                }
            ],
            "engagements": [
                {"target": "bit.ly/3xYz9Ab", "at": 1761004800, "clicks": 12, "scans": 0, "button_clicks": 1},
                {"target": "Qabcde12345", "at": 1761004800, "clicks": 0, "scans": 7, "button_clicks": 0},
            ],
        },
        {
            "guid": "Bzzzzzzzzz2",
            "campaigns": ["Czzzzzzzzz2"],
            "links": [{"id": "j.mp/other", "long_url": "u", "created": 5}],
        },
    ],
}


def fixture() -> dict[str, Any]:
    return copy.deepcopy(CONTRACT_EXAMPLE)


def test_contract_example_parses_into_its_dataset() -> None:
    data = parse_fixture(fixture())
    assert data.now == 1764115200
    assert data.tokens[0].groups == ("Ba1bc23dE4F",)
    group = data.groups[0]
    assert group.links[0].tags == ("promo", "spring")
    assert group.qr_codes[0].bitlink == "bit.ly/3xYz9Ab"
    assert [e.target for e in group.engagements] == ["bit.ly/3xYz9Ab", "Qabcde12345"]


def test_optional_keys_take_their_defaults() -> None:
    obj = {
        "tokens": [{"token": "t", "tier": "free", "groups": ["Bg"]}],
        "groups": [
            {
                "guid": "Bg",
                "links": [{"id": "bit.ly/a", "long_url": "https://x", "created": 0}],
                "qr_codes": [{"id": "Q1", "qr_code_type": "bitlink", "long_url": "https://y", "created": 3}],
            }
        ],
    }
    data = parse_fixture(obj)
    assert data.now is None
    assert data.tokens[0].rate_limit_per_minute is None
    group = data.groups[0]
    assert group.campaigns == () and tuple(group.engagements) == ()
    assert (group.links[0].title, group.links[0].archived, group.links[0].tags) == (None, False, ())
    assert group.links[0].campaign_guids == ()
    assert (group.qr_codes[0].bitlink, group.qr_codes[0].title, group.qr_codes[0].tags) == (None, None, ())


def test_null_now_title_and_rate_limit_are_accepted() -> None:
    obj = fixture()
    obj["now"] = None
    obj["groups"][0]["links"][0]["title"] = None
    data = parse_fixture(obj)
    assert data.now is None and data.groups[0].links[0].title is None


def _set(path: str, value: object) -> Any:
    """A mutation putting `value` at a dotted path ('groups.0.links.0.id'); a missing last key is added."""

    def mutate(obj: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = obj
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Any:
    def mutate(obj: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = obj
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return mutate


LINK = "groups.0.links.0"
QR = "groups.0.qr_codes.0"
ENG = "groups.0.engagements.0"

REFUSALS = [
    pytest.param(_set("tokenz", []), "fixture.tokenz: unknown key", id="unknown-top-level-key"),
    pytest.param(_delete("groups"), "fixture.groups: missing", id="missing-groups"),
    pytest.param(_set("now", "1764115200"), "now: expected an integer", id="now-string"),
    pytest.param(_set("now", True), "now: expected an integer", id="now-bool-is-not-int"),
    pytest.param(_set("now", 1.5), "now: expected an integer", id="now-float"),
    pytest.param(_set("now", -1), "now: must be >= 0", id="now-negative"),
    pytest.param(_set("tokens", {}), "tokens: expected an array", id="tokens-not-array"),
    pytest.param(_set("tokens.0.tier", "gold"), "tokens[0].tier: unknown tier 'gold'", id="unknown-tier"),
    pytest.param(
        _set("tokens.0.tier", "Premium"), "tokens[0].tier: unknown tier", id="tier-is-case-sensitive"
    ),
    pytest.param(
        _set("tokens.0.groups", ["Bnope"]), "tokens[0].groups[0]: group 'Bnope' is not", id="token-group"
    ),
    pytest.param(
        _set("tokens.0.groups", ["Ba1bc23dE4F", "Ba1bc23dE4F"]), "tokens[0].groups[1]", id="token-group-twice"
    ),
    pytest.param(
        _set("tokens.0.rate_limit_per_minute", 0),
        "tokens[0].rate_limit_per_minute: must be >= 1",
        id="rate-limit-zero",
    ),
    pytest.param(
        _set("tokens.0.rate_limit_per_minute", 2.0),
        "tokens[0].rate_limit_per_minute: expected an int",
        id="rate-limit-float",
    ),
    pytest.param(
        _set("tokens.0.rate_limit_per_minute", True), "tokens[0].rate_limit_per_minute", id="rate-bool"
    ),
    pytest.param(
        _set("tokens.0.token", "tok premium"), "tokens[0].token: must be visible ASCII", id="token-space"
    ),
    pytest.param(_set("tokens.0.token", ""), "tokens[0].token: must not be empty", id="token-empty"),
    pytest.param(_set("tokens.0.colour", "red"), "tokens[0].colour: unknown key", id="token-unknown-key"),
    pytest.param(
        _set("groups.1.guid", "Ba1bc23dE4F"), "groups[1]: duplicate id 'Ba1bc23dE4F'", id="dup-group"
    ),
    pytest.param(
        _set("groups.1.campaigns", ["Ca1bcd2EFGh"]),
        "groups[1].campaigns[0]: duplicate id",
        id="dup-campaign-across-groups",
    ),
    pytest.param(
        _set("groups.1.links.0.id", "bit.ly/3xYz9Ab"),
        "groups[1].links[0]: duplicate id 'bit.ly/3xYz9Ab'",
        id="dup-link-across-groups",
    ),
    pytest.param(
        _set("groups.0.qr_codes.0.id", "Ca1bcd2EFGh"),
        "groups[0].qr_codes[0]: duplicate id",
        id="qr-id-equals-campaign-guid",
    ),
    pytest.param(_set("groups.0.guid", 7), "groups[0].guid: expected a string, got integer", id="guid-int"),
    pytest.param(_set("groups.0.linkz", []), "groups[0].linkz: unknown key", id="group-unknown-key"),
    pytest.param(_set(f"{LINK}.titel", "x"), "groups[0].links[0].titel: unknown key", id="link-typo-key"),
    pytest.param(_delete(f"{LINK}.long_url"), "groups[0].links[0].long_url: missing", id="link-missing-url"),
    pytest.param(
        _set(f"{LINK}.id", "https://bit.ly/x"),
        "groups[0].links[0].id: 'https://bit.ly/x' is not a well",
        id="link-id-with-scheme",
    ),
    pytest.param(_set(f"{LINK}.id", "bit.ly/abc\n"), "groups[0].links[0].id", id="link-id-trailing-newline"),
    pytest.param(_set(f"{LINK}.id", "bitly/abc"), "groups[0].links[0].id", id="link-id-one-label"),
    pytest.param(_set(f"{LINK}.id", "bit.ly/a/b"), "groups[0].links[0].id", id="link-id-two-slashes"),
    pytest.param(_set(f"{LINK}.id", "bit.ly/a b"), "groups[0].links[0].id", id="link-id-space"),
    pytest.param(_set(f"{LINK}.id", "-bit.ly/a"), "groups[0].links[0].id", id="link-id-label-dash"),
    pytest.param(_set(f"{LINK}.id", 12), "groups[0].links[0].id: expected a string", id="link-id-int"),
    pytest.param(_set(f"{LINK}.title", 3), "groups[0].links[0].title: expected a string", id="title-int"),
    pytest.param(
        _set(f"{LINK}.title", "\ud800"),
        "groups[0].links[0].title: string is not valid Unicode",
        id="title-lone-surrogate",
    ),
    pytest.param(
        _set(f"{LINK}.created", True),
        "groups[0].links[0].created: expected an integer, got boolean",
        id="created-bool",
    ),
    pytest.param(
        _set(f"{LINK}.created", 1.0), "groups[0].links[0].created: expected an integer", id="created-1.0"
    ),
    pytest.param(
        _set(f"{LINK}.created", -5), "groups[0].links[0].created: must be >= 0", id="created-negative"
    ),
    pytest.param(
        _set(f"{LINK}.created", 2**63), "groups[0].links[0].created: must be <=", id="created-too-big"
    ),
    pytest.param(
        _set(f"{LINK}.archived", "false"),
        "groups[0].links[0].archived: expected a boolean",
        id="archived-string",
    ),
    pytest.param(
        _set(f"{LINK}.tags", "promo"), "groups[0].links[0].tags: expected an array", id="tags-string"
    ),
    pytest.param(
        _set(f"{LINK}.tags", ["promo", 5]), "groups[0].links[0].tags[1]: expected a string", id="tag-int"
    ),
    pytest.param(
        _set(f"{LINK}.campaign_guids", ["Czzzzzzzzz2"]),
        "groups[0].links[0].campaign_guids[0]: campaign 'Czzzzzzzzz2' is not in this group",
        id="link-campaign-of-other-group",
    ),
    pytest.param(
        _set(f"{QR}.qr_code_type", "long_url"),
        "groups[0].qr_codes[0].bitlink: must be null",
        id="bitlink-on-non-bitlink-qr",
    ),
    pytest.param(
        _set(f"{QR}.bitlink", "j.mp/other"),
        "groups[0].qr_codes[0].bitlink: bitlink 'j.mp/other' is not a link of this group",
        id="qr-bitlink-of-other-group",
    ),
    pytest.param(
        _set(f"{QR}.bitlink", 5), "groups[0].qr_codes[0].bitlink: expected a string", id="qr-bitlink-int"
    ),
    pytest.param(
        _set(f"{QR}.id", "bit.ly/3xYz9Ab"), "groups[0].qr_codes[0]: duplicate id", id="qr-id-is-link-id"
    ),
    pytest.param(
        _delete(f"{QR}.qr_code_type"), "groups[0].qr_codes[0].qr_code_type: missing", id="qr-no-type"
    ),
    pytest.param(
        _set(f"{ENG}.target", "j.mp/other"),
        "groups[0].engagements[0].target: 'j.mp/other' is not a link or QR code of this group",
        id="engagement-target-other-group",
    ),
    pytest.param(
        _set(f"{ENG}.clicks", -1), "groups[0].engagements[0].clicks: must be >= 0", id="negative-clicks"
    ),
    pytest.param(
        _set(f"{ENG}.scans", None),
        "groups[0].engagements[0].scans: expected an integer, got null",
        id="null-scans",
    ),
    pytest.param(
        _set(f"{ENG}.at", 1761004800.0), "groups[0].engagements[0].at: expected an integer", id="at-float"
    ),
    pytest.param(
        _delete(f"{ENG}.button_clicks"),
        "groups[0].engagements[0].button_clicks: missing",
        id="missing-button-clicks",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), REFUSALS)
def test_loader_refuses_and_names_the_path(mutate: Any, message: str) -> None:
    obj = fixture()
    mutate(obj)
    with pytest.raises(FixtureError) as caught:
        parse_fixture(obj)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "obj", [pytest.param([], id="array"), pytest.param(None, id="null"), pytest.param("x", id="string")]
)
def test_a_fixture_that_is_not_an_object_is_refused(obj: object) -> None:
    with pytest.raises(FixtureError, match=r"^fixture: expected an object"):
        parse_fixture(obj)


def test_a_bitlink_qr_code_may_have_no_bitlink() -> None:
    obj = fixture()
    obj["groups"][0]["qr_codes"][0]["bitlink"] = None
    assert parse_fixture(obj).groups[0].qr_codes[0].bitlink is None


@pytest.mark.parametrize(
    ("ident", "ok"),
    [
        pytest.param("bit.ly/abc", True, id="plain"),
        pytest.param("go.example-brand.com/a_b-C9", True, id="branded"),
        pytest.param("BIT.LY/abc", True, id="upper-domain"),
        pytest.param("bit.ly/abc\n", False, id="trailing-newline"),
        pytest.param("bit.ly/", False, id="empty-backhalf"),
        pytest.param("bit-.ly/a", False, id="label-ends-with-dash"),
        pytest.param("bit..ly/a", False, id="empty-label"),
        pytest.param("bit.ly/é", False, id="non-ascii-backhalf"),
        pytest.param(" bit.ly/a", False, id="leading-space"),
    ],
)
def test_bitlink_id_pattern_matches_whole_well_formed_ids(ident: str, ok: bool) -> None:
    assert bool(BITLINK_ID_RE.fullmatch(ident)) is ok
    assert bool(BITLINK_ID_RE.match(ident)) is ok


def test_load_reads_json(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE), encoding="utf-8")
    assert load_fixture(path) == parse_fixture(fixture())


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("f.yaml", id="yaml"),
        pytest.param("f.yml", id="yml"),
        pytest.param("f.txt", id="yaml-after-json-fails"),
    ],
)
def test_load_reads_yaml(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(CONTRACT_EXAMPLE, allow_unicode=True), encoding="utf-8")
    assert load_fixture(path) == parse_fixture(fixture())


def test_load_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="nope.json: cannot read fixture file"):
        load_fixture(tmp_path / "nope.json")


def test_load_refuses_a_file_neither_json_nor_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{ not: [valid", encoding="utf-8")
    with pytest.raises(FixtureError, match="bad.json: not valid JSON"):
        load_fixture(path)


def test_load_error_names_the_file_and_the_entry(tmp_path: Path) -> None:
    obj = fixture()
    obj["tokens"][0]["tier"] = "gold"
    path = tmp_path / "f.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(FixtureError, match=r"f\.json: tokens\[0\]\.tier: unknown tier 'gold'"):
        load_fixture(path)


def _round_trip(data: Dataset, tmp_path: Path) -> Dataset:
    path = tmp_path / "dump.json"
    dump_fixture(data, path)
    return parse_fixture(json.loads(path.read_text(encoding="utf-8")))


def test_dump_then_parse_gives_the_same_contract_example(tmp_path: Path) -> None:
    data = parse_fixture(fixture())
    assert _round_trip(data, tmp_path) == data


def test_dump_then_load_gives_the_same_seeded_dataset(tmp_path: Path) -> None:
    data = seed_dataset(3, links=300)
    again = _round_trip(data, tmp_path)
    assert again == data
    assert list(again.groups[0].engagements) == list(data.groups[0].engagements)


def test_dump_of_an_empty_dataset_loads(tmp_path: Path) -> None:
    data = Dataset(now=None, tokens=(), groups=())
    assert _round_trip(data, tmp_path) == data
