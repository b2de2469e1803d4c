"""The kit's contract checks and case fix-ups, wired into schemathesis.

JSON Schema cannot say that a bitlink must be a link of the group, that `unix_from` must not
pass `unix_to`, or that metrics need a paid tier. The fix-ups make every positive case valid
in those respects too, so that `positive_data_acceptance` can demand a 200.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import requests
import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

from bitly_exports_contract.kit.checks import ALL_CHECKS, ContractCheck
from bitly_exports_contract.kit.exchange import Received, SentRequest
from bitly_exports_contract.kit.limits import Pacer
from bitly_exports_contract.kit.paced_http import paced_session
from bitly_exports_contract.kit.target import Target
from bitly_exports_contract.spec import figures, spec_path

# The target the registered checks read token tiers from; set by `build_schema`.
_TARGET: list[Target] = []


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _sent(response: Response) -> SentRequest:
    request = response.request
    body = request.body
    raw = body.encode("utf-8") if isinstance(body, str) else body if isinstance(body, bytes) else b""
    headers = [(name, _text(value)) for name, value in request.headers.items()]
    tier = tier_of_authorization(_text(request.headers.get("Authorization", "")))
    return SentRequest.build(
        method=request.method or "GET",
        url=request.url or "",
        headers=headers,
        body=raw,
        tier=tier,
    )


def _received(response: Response) -> Received:
    pairs = [(name, value) for name, values in response.headers.items() for value in values]
    return Received.build(status=response.status_code, headers=pairs, content=response.content)


# The last response the checks saw and the kit's view of it: every check of one response shares
# one decoded CSV.
_LAST: list[tuple[Response, SentRequest, Received]] = []


def _views(response: Response) -> tuple[SentRequest, Received]:
    if not _LAST or _LAST[0][0] is not response:
        _LAST[:] = [(response, _sent(response), _received(response))]
    return _LAST[0][1], _LAST[0][2]


def _as_schemathesis_check(check: ContractCheck) -> None:
    def run(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        check(*_views(response))
        return None

    run.__name__ = check.name
    run.__doc__ = check.rule
    schemathesis.check(run)


for _check in ALL_CHECKS:
    _as_schemathesis_check(_check)


def paid_token(target: Target, *, sees_group: Callable[[str], bool] = lambda _token: True) -> str:
    """A token whose tier may export metrics: the main one if it can, else a tier token that can and
    that sees the group (on Bitly a tier token often belongs to another account)."""
    windows = figures().tier_window_days
    if target.tier is None or windows.get(target.tier) is not None:
        return target.token
    for tier, days in windows.items():
        token = target.token_for(tier)
        if days is not None and token is not None and sees_group(token):
            return token
    return target.token


def _integral_floats_as_ints(value: Any) -> Any:
    """JSON Schema's `integer` admits `10.0`; the contract's integers have no fraction or exponent."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    return value


@dataclass(frozen=True)
class CaseFixer:
    """A `map_case` hook: every case goes to the target group; positive bodies become valid."""

    group_guid: str
    bitlinks: Sequence[str]

    def real_bitlink(self, generated: object) -> str:
        """A real bitlink standing in for a generated one; equal inputs map to equal links."""
        digest = hashlib.sha256(repr(generated).encode("utf-8")).digest()
        return self.bitlinks[int.from_bytes(digest[:8], "big") % len(self.bitlinks)]

    def fix_body(self, body: dict[str, Any]) -> dict[str, Any]:
        fixed: dict[str, Any] = _integral_floats_as_ints(body)
        lo, hi = fixed.get("unix_from"), fixed.get("unix_to")
        if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            fixed["unix_from"], fixed["unix_to"] = hi, lo
        if isinstance(fixed.get("bitlinks"), list):
            if self.bitlinks:
                fixed["bitlinks"] = [self.real_bitlink(item) for item in fixed["bitlinks"]]
            else:
                # No link to name: the same export by filter (§1 allows either) is the valid twin.
                del fixed["bitlinks"]
                fixed["filter"] = {}
        return fixed

    def __call__(self, context: schemathesis.HookContext, case: Case[Any]) -> Case[Any]:
        meta = case.meta
        if meta is None or not meta.is_negative_at(ParameterLocation.PATH):
            case.path_parameters = {**case.path_parameters, "group_guid": self.group_guid}
        positive = meta is None or meta.generation.mode == GenerationMode.POSITIVE
        if positive and isinstance(case.body, dict):
            case.body = self.fix_body(case.body)
        return case

    def fix_example(self, case: Case[Any]) -> None:
        """Fix a case of the examples phase, which schemathesis's pytest plugin builds without `map_case`."""
        if case.meta is not None and case.meta.phase.name == TestPhase.EXAMPLES:
            self(schemathesis.HookContext(operation=case.operation), case)


def tier_of_authorization(value: str | None) -> str | None:
    """The tier of the token an Authorization header carries, when the target knows it."""
    scheme, _, token = (value or "").partition(" ")
    return _TARGET[0].tier_of(token) if _TARGET and scheme.lower() == "bearer" else None


def fuzzing_session(pacer: Pacer, *, retries: int = 4) -> requests.Session:
    """The session schemathesis sends through: paced and bounded like every request of the run,
    waiting out `Retry-After` on 429 and 503 a bounded number of times."""
    return paced_session(pacer, retries=retries, tier_of=tier_of_authorization)


def build_schema(
    *,
    target: Target,
    fixer: CaseFixer,
    seed: int,
    max_examples: int,
    timeout: float = 30.0,
    sees_group: Callable[[str], bool] = lambda _token: True,
) -> Any:
    """The spec loaded for the target, its generation seeded, the fix-ups and checks in place."""
    _TARGET[:] = [target]
    config = schemathesis.Config.from_dict(
        {
            "seed": seed,
            "base-url": target.base_url,
            "headers": {"Authorization": f"Bearer {paid_token(target, sees_group=sees_group)}"},
            # The paced session bounds every request itself; this is schemathesis's own figure.
            "request-timeout": timeout,
            # Its failure reports show requests as curl commands: never with the credentials.
            "output": {"sanitization": {"enabled": True}},
            "generation": {"max-examples": max_examples, "database": "none", "mode": "all"},
            # The coverage phase sends every schema boundary both ways (about 400 requests); the 400
            # rules' table sends each of them rule by rule, so it would only spend a live server's
            # requests twice. Examples and random generation, positive and negative, still run.
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
            "checks": {
                # After the fix-ups a positive case is valid in every respect: only a 200 will do.
                "positive_data_acceptance": {"expected-statuses": ["200"]},
                # With the token and the group right, an invalid request is a 400 (or a 403/404
                # when the negated part is the path or the credentials), never a 402 or a 422.
                "negative_data_rejection": {"expected-statuses": ["400", "403", "404", "413"]},
                # It wants 401 for a missing Authorization; the contract answers 403 (see the relations).
                "missing_required_header": {"enabled": False},
                # It holds errors to the spec's one media type; §5 names the Error body, not its media
                # type. response_content_type_conformance holds the rule as CONTRACT.md words it.
                "content_type_conformance": {"enabled": False},
            },
        }
    )
    schema = schemathesis.openapi.from_path(spec_path(), config=config)

    def map_case(context: schemathesis.HookContext, case: Case[Any]) -> Case[Any]:
        return fixer(context, case)

    schema.hook(map_case)
    return schema
