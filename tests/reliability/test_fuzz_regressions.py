"""Every input the fuzzer (or a review of its target) found breaking the request path, kept as a test.

Each case goes through the same in-process path and oracle as `scripts/fuzz`: no exception escapes,
no 5xx without a `Prefer` fault, and every body is a JSON `Error` or a well-formed 200 export.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bitly_exports_contract.server.transport import Faults, parse_prefer
from tools.reliability.fuzz_case import encode_case, run_input

DEEP = 600  # deeper than the recursion a Python walk of the parsed body survives, shallower than the parser's


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            encode_case(body=b'{"exp_ype": "nk_sch", "\\udC800filt": {"queri": "a"}}'),
            id="fuzz-lone-low-surrogate-in-an-unknown-key",
        ),
        pytest.param(
            encode_case(body=b'{"export_type": "links_list", "filter": {"archived": "\\udfff"}}'),
            id="lone-low-surrogate-echoed-by-an-enum-error",
        ),
        pytest.param(
            encode_case(body=b'{"export_type": "links_list", "filter": {"query": "\\uDC00"}}'),
            id="lone-low-surrogate-in-a-query",
        ),
        pytest.param(
            encode_case(
                body=b'{"export_type": "links_list", "filter": {}, "x": '
                + b"[" * DEEP
                + b'"\\ud800"'
                + b"]" * DEEP
                + b"}"
            ),
            id="deep-array-holding-a-lone-surrogate",
        ),
        pytest.param(
            encode_case(body=b'{"a": ' + b'{"b": ' * DEEP + b'"\\udbff"' + b"}" * DEEP + b"}"),
            id="deep-object-holding-a-lone-surrogate",
        ),
        pytest.param(
            encode_case(
                body=b'{"export_type": "links_list", "filter": {}}',
                faults=True,
                prefer=b"code=" + b"5" * 5000,
            ),
            id="prefer-code-past-the-int-conversion-limit",
        ),
        pytest.param(
            encode_case(
                body=b'{"export_type": "links_list", "filter": {}}',
                faults=True,
                prefer=b"latency_ms=" + b"9" * 5000,
            ),
            id="prefer-latency-past-the-int-conversion-limit",
        ),
        pytest.param(
            encode_case(
                body=b'{"export_type": "links_list", "filter": {}}',
                faults=True,
                prefer=b"latency_ms=" + b"0" * 4999 + b"1",
            ),
            id="prefer-latency-with-thousands-of-leading-zeros",
        ),
        pytest.param(
            encode_case(
                body=b'{"export_type": "links_list", "filter": {}}', faults=True, prefer=b"latency_ms=0"
            ),
            id="fuzz-prefer-latency-zero",
        ),
        pytest.param(
            encode_case(body=b'{"export_type": "links_list", "filter": {}}', faults=True, prefer=b"code=000"),
            id="prefer-code-all-zeros",
        ),
    ],
)
def test_fuzz_finding_gets_a_well_formed_answer(data: bytes, loop: asyncio.AbstractEventLoop) -> None:
    run_input(data, loop=loop)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("latency_ms=" + "9" * 5000, Faults(latency_ms=10_000), id="huge-latency-is-capped"),
        pytest.param("latency_ms=" + "0" * 4999 + "1", Faults(latency_ms=1), id="leading-zeros-latency"),
        pytest.param("latency_ms=0", Faults(), id="zero-latency"),
        pytest.param("code=" + "0" * 5000 + "503", Faults(code=503), id="leading-zeros-code"),
        pytest.param("code=" + "5" * 5000, Faults(), id="huge-code-is-no-fault-code"),
        pytest.param("code=000", Faults(), id="zero-code"),
    ],
)
def test_prefer_numbers_of_any_length_parse_to_their_value(header: str, expected: Faults) -> None:
    assert parse_prefer([header], latency_cap_ms=10_000) == expected
