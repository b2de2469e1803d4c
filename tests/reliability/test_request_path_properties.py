"""Property-based fuzzing of the request path, in-process: the fast sibling of `scripts/fuzz`.

Whatever the bytes, headers and JSON, no exception escapes the app, no 5xx comes without a `Prefer`
fault, and every body is a JSON `Error` or a well-formed 200 export (`fuzz_case.check_response`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.reliability.fuzz_case import encode_case, run_input

FIELDS = ["export_type", "bitlinks", "filter", "include_metrics", "unix_from", "unix_to"]
FILTER_FIELDS = ["query", "archived", "tags", "domain", "campaign_guid", "created_after", "created_before"]
WORDS = ["links_list", "qr_codes_list", "link_engagements_batch", "on", "off", "both", "bit.ly/abc", "promo"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]

short = st.text(max_size=12)
texts = st.one_of(
    st.sampled_from(WORDS),
    short,
    # one lone surrogate between other characters (two adjacent ones may pair up into one valid character)
    st.builds(lambda a, s, b: a + s + b, short, st.sampled_from(SURROGATES), short),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FILTER_FIELDS), texts), inner, max_size=4),
    ),
    max_leaves=12,
)
filters = st.dictionaries(st.sampled_from(FILTER_FIELDS) | texts, values, max_size=5)
bodies = st.dictionaries(
    st.sampled_from(FIELDS) | texts,
    st.one_of(values, filters, st.lists(st.sampled_from(WORDS) | texts, max_size=5)),
    max_size=6,
)
headers = st.binary(max_size=40) | st.sampled_from(
    [
        b"Bearer tok-premium",
        b"bearer  tok-free",
        b"application/json; charset=latin-1",
        b"code=500, latency_ms=9",
    ]
)

SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@SETTINGS
@given(data=st.binary(max_size=600))
def test_any_bytes_get_a_well_formed_answer(loop: asyncio.AbstractEventLoop, data: bytes) -> None:
    run_input(data, loop=loop)


@SETTINGS
@given(body=bodies, token=st.integers(0, 7), faults=st.booleans(), chunks=st.integers(1, 4))
def test_any_json_body_gets_a_well_formed_answer(
    loop: asyncio.AbstractEventLoop, body: dict[str, object], token: int, faults: bool, chunks: int
) -> None:
    raw = json.dumps(body).encode()  # ensure_ascii: lone surrogates travel as \\uXXXX escapes
    run_input(encode_case(body=raw, token=token or 4, faults=faults, chunks=chunks), loop=loop)


@SETTINGS
@given(
    segment=st.binary(max_size=30),
    authorization=headers,
    content_type=headers,
    prefer=headers,
    selector=st.integers(0, 255),
)
def test_any_headers_and_group_segment_get_a_well_formed_answer(
    loop: asyncio.AbstractEventLoop,
    segment: bytes,
    authorization: bytes,
    content_type: bytes,
    prefer: bytes,
    selector: int,
) -> None:
    fields = b"\x00".join(f.replace(b"\x00", b"") for f in (segment, authorization, content_type, prefer))
    run_input(bytes([selector, 0]) + fields + b'\x00{"export_type": "links_list", "filter": {}}', loop=loop)
