import pytest

from bitly_exports_contract.rules.errors import ApiError
from bitly_exports_contract.rules.validation import parse_request


def rejected(body: dict) -> ApiError:
    with pytest.raises(ApiError) as info:
        parse_request(body)
    assert info.value.status == 400
    return info.value


def fields(err: ApiError) -> set[str]:
    return {p.field for p in err.errors}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"export_type": "links_list", "filter": {}}, id="links-empty-filter"),
        pytest.param({"export_type": "qr_codes_list", "filter": {"campaign_guid": "C1"}}, id="qr-campaign"),
        pytest.param(
            {"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/a"]}, id="batch-bitlinks"
        ),
        pytest.param({"export_type": "link_engagements_batch", "filter": {"tags": []}}, id="batch-filter"),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_from": 0, "unix_to": 0},
            id="window-equal-bounds",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_to": 10**40, "unix_from": 1}, id="huge-unix-to"
        ),
        pytest.param(
            {"export_type": "link_engagements_batch", "bitlinks": ["go.example-brand.com/a_b-C"]},
            id="multi-label-domain",
        ),
    ],
)
def test_valid_requests_are_accepted(body):
    parse_request(body)


@pytest.mark.parametrize(
    ("body", "message", "paths"),
    [
        pytest.param({}, "INVALID_ARG_EXPORT_TYPE", {"export_type"}, id="missing-export-type"),
        pytest.param({"export_type": "csv"}, "INVALID_ARG_EXPORT_TYPE", {"export_type"}, id="unknown-type"),
        pytest.param(
            {"export_type": "links_list"}, "INVALID_ARG_FILTER", {"filter"}, id="list-without-filter"
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "bitlinks": ["bit.ly/a"]},
            "INVALID_ARG_BITLINKS",
            {"bitlinks"},
            id="bitlinks-on-list",
        ),
        pytest.param(
            {"export_type": "link_engagements_batch"},
            "INVALID_ARG_BITLINKS",
            {"bitlinks"},
            id="batch-neither",
        ),
        pytest.param(
            {"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/a"], "filter": {}},
            "INVALID_ARG_BITLINKS",
            {"bitlinks"},
            id="batch-both",
        ),
        pytest.param(
            {"export_type": "link_engagements_batch", "bitlinks": []},
            "INVALID_ARG_BITLINKS",
            {"bitlinks"},
            id="bitlinks-empty",
        ),
        pytest.param(
            {"export_type": "link_engagements_batch", "bitlinks": ["bit.ly/a"] * 1001},
            "INVALID_ARG_BITLINKS",
            {"bitlinks"},
            id="bitlinks-1001",
        ),
        pytest.param(
            {
                "export_type": "link_engagements_batch",
                "bitlinks": ["bit.ly/a", "https://bit.ly/b", "bit.ly/c\n"],
            },
            "INVALID_ARG_BITLINKS",
            {"bitlinks[1]", "bitlinks[2]"},
            id="malformed-bitlinks",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"archived": "yes"}},
            "INVALID_ARG_FILTER_ARCHIVED",
            {"filter.archived"},
            id="archived-enum",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"query": "x" * 257}},
            "INVALID_ARG_FILTER_QUERY",
            {"filter.query"},
            id="query-too-long",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"tags": ["a"] * 51}},
            "INVALID_ARG_FILTER_TAGS",
            {"filter.tags"},
            id="too-many-tags",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"tags": ["a", 3]}},
            "INVALID_ARG_FILTER_TAGS",
            {"filter.tags[1]"},
            id="tag-not-string",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"created_after": 10.0}},
            "INVALID_ARG_FILTER_CREATED_AFTER",
            {"filter.created_after"},
            id="float-integer",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"created_before": -1}},
            "INVALID_ARG_FILTER_CREATED_BEFORE",
            {"filter.created_before"},
            id="negative-time",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {"colour": "red"}},
            "INVALID_ARG_FILTER_COLOUR",
            {"filter.colour"},
            id="unknown-filter-key",
        ),
        pytest.param(
            {"export_type": "links_list", "filters": {}},
            "INVALID_ARG_FILTER",
            {"filter", "filters"},
            id="typo-filters",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": None}, "INVALID_ARG_FILTER", {"filter"}, id="null-filter"
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "include_metrics": "true"},
            "INVALID_ARG_INCLUDE_METRICS",
            {"include_metrics"},
            id="metrics-string",
        ),
        pytest.param(
            {"export_type": "link_engagements_batch", "filter": {}, "include_metrics": 1},
            "INVALID_ARG_INCLUDE_METRICS",
            {"include_metrics"},
            id="ignored-field-still-typed",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_from": 5},
            "INVALID_ARG_UNIX_TO",
            {"unix_to"},
            id="from-alone",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_to": 5},
            "INVALID_ARG_UNIX_FROM",
            {"unix_from"},
            id="to-alone",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_from": 6, "unix_to": 5},
            "INVALID_ARG_UNIX_FROM",
            {"unix_from"},
            id="from-after-to",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_from": True, "unix_to": 5},
            "INVALID_ARG_UNIX_FROM",
            {"unix_from"},
            id="bool-integer",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "unix_from": None, "unix_to": 5},
            "INVALID_ARG_UNIX_FROM",
            {"unix_from"},
            id="null-is-wrong-type",
        ),
        pytest.param(
            {"export_type": "links_list", "filter": {}, "colour": 1},
            "INVALID_ARG_COLOUR",
            {"colour"},
            id="unknown-top-level",
        ),
        pytest.param(
            {"colour": 1, "filter": {"archived": 3}, "unix_from": 1},
            "INVALID_ARG_EXPORT_TYPE",
            {"export_type", "colour", "filter.archived", "unix_to"},
            id="missing-type-still-checks-fields",
        ),
    ],
)
def test_invalid_requests_name_every_field_and_the_first_by_rule_order(body, message, paths):
    err = rejected(body)
    assert err.message == message
    assert fields(err) == paths
    assert len(err.errors) == len(paths)


def test_rule_order_puts_filter_keys_before_unknown_keys_in_body_order():
    err = rejected(
        {
            "export_type": "links_list",
            "zeta": 1,
            "alpha": 2,
            "filter": {"created_before": "x", "zz": 1, "query": 5},
        }
    )
    assert [p.field for p in err.errors] == [
        "filter.query",
        "filter.created_before",
        "filter.zz",
        "zeta",
        "alpha",
    ]
    assert err.message == "INVALID_ARG_FILTER_QUERY"


def test_window_types_come_before_the_pair_rule():
    err = rejected({"export_type": "links_list", "filter": {}, "unix_to": "x"})
    assert err.message == "INVALID_ARG_UNIX_TO"
    assert fields(err) == {"unix_to", "unix_from"}


def test_parsed_request_carries_the_filter_defaults():
    req = parse_request({"export_type": "qr_codes_list", "filter": {"tags": ["a"]}})
    assert req.filter is not None and req.filter.archived == "off" and req.filter.tags == ("a",)
    assert not req.metrics and req.window is None
