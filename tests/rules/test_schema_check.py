"""The fast acceptor says yes exactly when the full validator finds nothing wrong."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bitly_exports_contract.rules.schema_check import compile_acceptor
from bitly_exports_contract.rules.validation import _all_properties

PROPERTIES = sorted(_all_properties().items())  # one schema per field name

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["on", "off", "both", "links_list", "qr_codes_list", "link_engagements_batch", ""]),
    st.sampled_from(
        ["bit.ly/abc", "bit.ly/abc\n", "http://bit.ly/a", "a.b/c_-", "-a.b/c", "bit.ly/", "BIT.LY/x"]
    ),
    st.text(max_size=300),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=60),
        st.dictionaries(
            st.sampled_from(
                [
                    "query",
                    "archived",
                    "tags",
                    "domain",
                    "created_after",
                    "created_before",
                    "campaign_guid",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=80,
)


def full_validator_accepts(prop: Any, value: Any) -> bool:
    return not any(True for _ in prop.validator.iter_errors(value))


def test_every_request_property_of_the_spec_compiles_to_an_acceptor():
    assert all(prop.accepts is not None for prop in _all_properties().values())


@pytest.mark.parametrize(("name", "prop"), [pytest.param(k, p, id=k) for k, p in PROPERTIES])
@settings(max_examples=200, deadline=None)
@given(value=values)
def test_acceptor_agrees_with_the_full_validator(name, prop, value):
    assert prop.accepts is not None
    assert prop.accepts(value) == full_validator_accepts(prop, value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(["bit.ly/a"] * 1000, id="bitlinks-at-max"),
        pytest.param(["bit.ly/a"] * 1001, id="bitlinks-over-max"),
        pytest.param([], id="bitlinks-empty"),
        pytest.param(["bit.ly/a", "bit.ly/a\n"], id="bitlinks-trailing-newline"),
        pytest.param(["go.example-brand.com/a_b-C", "x.y/z"], id="bitlinks-valid"),
    ],
)
def test_acceptor_agrees_on_bitlinks_edges(value):
    prop = _all_properties()["bitlinks"]
    assert prop.accepts(value) == full_validator_accepts(prop, value)


def test_a_schema_outside_the_subset_compiles_to_none():
    assert compile_acceptor({"type": "string", "const": "x"}, lambda ref: {}) is None
    assert compile_acceptor({"anyOf": [{"type": "string"}]}, lambda ref: {}) is None
