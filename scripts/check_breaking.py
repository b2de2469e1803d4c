"""Compare the spec and the generated client with the last release; see scripts/check-breaking.

Wire level (the spec, refs resolved): what a client already sends must still be accepted, and
what it already reads must still come. Python level: griffe's breaking changes of the generated
client's public API. Either kind needs a new major `info.version`; the client's version must be
`info.version`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

SPEC = "openapi/exports.yaml"
CLIENT = "generated/bitly-exports-client"
PACKAGE = "bitly_exports_client"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@dataclass(frozen=True)
class Node:
    """What a schema node promises, at one place of a request or an answer."""

    types: frozenset[str]
    properties: frozenset[str]
    required: frozenset[str]
    enum: frozenset[str] | None


def _resolve(spec: dict[str, Any], schema: Any) -> tuple[Any, str | None]:
    name = None
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        name = ref.rsplit("/", 1)[-1]
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema, name


def _types(schema: dict[str, Any]) -> frozenset[str]:
    kind = schema.get("type")
    if kind is None and "const" in schema:
        kind = type(schema["const"]).__name__
    return frozenset([kind] if isinstance(kind, str) else kind or [])


def walk(
    spec: dict[str, Any], schema: Any, where: str, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, Node]]:
    """Every node under `schema`, keyed by its place (union branches by their schema name)."""
    schema, name = _resolve(spec, schema)
    if not isinstance(schema, dict) or (name is not None and name in seen):
        return
    seen = seen | {name} if name else seen
    enum = schema.get("enum", [schema["const"]] if "const" in schema else None)
    yield (
        where,
        Node(
            types=_types(schema),
            properties=frozenset(schema.get("properties", {})),
            required=frozenset(schema.get("required", [])),
            enum=frozenset(map(str, enum)) if enum is not None else None,
        ),
    )
    for key in ("oneOf", "anyOf"):
        for index, branch in enumerate(schema.get(key, [])):
            _, branch_name = _resolve(spec, branch)
            yield from walk(spec, branch, f"{where}|{branch_name or index}", seen)
    for part in schema.get("allOf", []):
        yield from walk(spec, part, where, seen)
    for prop, sub in schema.get("properties", {}).items():
        yield from walk(spec, sub, f"{where}.{prop}", seen)
    if isinstance(schema.get("items"), dict):
        yield from walk(spec, schema["items"], f"{where}[]", seen)


def wire_facts(spec: dict[str, Any]) -> tuple[set[str], dict[str, Node], dict[str, Node]]:
    """The operations and statuses, and every request and answer node, of a spec."""
    statuses: set[str] = set()
    requests: dict[str, Node] = {}
    answers: dict[str, Node] = {}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            statuses.add(where)
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "schema" in body:
                requests.update(walk(spec, body["schema"], f"{where} request body"))
            for status, response in op.get("responses", {}).items():
                statuses.add(f"{where} -> {status}")
                response, _ = _resolve(spec, response)
                content = response.get("content", {}).get("application/json", {})
                if "schema" in content:
                    answers.update(walk(spec, content["schema"], f"{where} -> {status}"))
    return statuses, requests, answers


def wire_breaks(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Wire-level changes that break a client written against `old`."""
    old_ops, old_requests, old_answers = wire_facts(old)
    new_ops, new_requests, new_answers = wire_facts(new)
    found = [f"removed: {op}" for op in sorted(old_ops - new_ops)]
    for place, was in old_requests.items():
        now = new_requests.get(place)
        if now is None:
            found.append(f"request field removed or renamed: {place}")
            continue
        if was.types and now.types and not was.types <= now.types:
            found.append(f"request type narrowed at {place}: {sorted(was.types)} -> {sorted(now.types)}")
        for field in sorted(now.required - was.required):
            found.append(f"new required request field: {place}.{field}")
        if was.enum is not None and now.enum is not None and was.enum - now.enum:
            found.append(
                f"request enum narrowed at {place}: {sorted(was.enum - now.enum)} no longer accepted"
            )
    for place, was in old_answers.items():
        now = new_answers.get(place)
        if now is None:
            found.append(f"response field removed or renamed: {place}")
            continue
        if was.types != now.types and was.types:
            found.append(f"response type changed at {place}: {sorted(was.types)} -> {sorted(now.types)}")
        for field in sorted(was.required - now.required):
            found.append(f"response field no longer always present: {place}.{field}")
        if was.enum is not None and now.enum is not None and now.enum - was.enum:
            # The generated client parses response enums strictly: a new value fails its from_dict.
            found.append(f"response enum widened at {place}: {sorted(now.enum - was.enum)} are new")
    return found


def python_breaks(old_root: Path, new_root: Path) -> list[str]:
    """griffe's breaking changes of the client's public API."""
    import griffe

    old = griffe.load(PACKAGE, search_paths=[old_root], modules_collection=griffe.ModulesCollection())
    new = griffe.load(PACKAGE, search_paths=[new_root], modules_collection=griffe.ModulesCollection())
    return [f"client API: {breakage.explain()}" for breakage in griffe.find_breaking_changes(old, new)]


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], check=True, capture_output=True).stdout


def last_release() -> str | None:
    tags = git("tag", "--list", "v[0-9]*", "--sort=-v:refname").decode().split()
    return tags[0] if tags else None


def major(version: str) -> int:
    return int(version.split(".", 1)[0])


def client_version(root: Path) -> str:
    import tomllib

    return str(tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check-breaking", description=__doc__)
    parser.add_argument(
        "--against", metavar="REF", help="the release to compare with (default: the newest v* tag)"
    )
    args = parser.parse_args(argv)
    release = args.against or last_release()
    new_spec = yaml.safe_load(Path(SPEC).read_text("utf-8"))
    new_version = str(new_spec["info"]["version"])
    problems: list[str] = []
    if client_version(Path(CLIENT)) != new_version:
        problems.append(
            f"the client's version {client_version(Path(CLIENT))} is not info.version {new_version}"
        )
    if release is None:
        print("check-breaking: no release tag (v*) to compare with")
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1 if problems else 0
    old_spec = yaml.safe_load(git("show", f"{release}:{SPEC}"))
    old_version = str(old_spec["info"]["version"])
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(git("archive", "--format=tar", release, CLIENT))) as archive:
            archive.extractall(tmp, filter="data")
        breaks = wire_breaks(old_spec, new_spec) + python_breaks(Path(tmp) / CLIENT, Path(CLIENT))
    bumped = major(new_version) > major(old_version)
    print(f"check-breaking: {release} (info.version {old_version}) -> working tree ({new_version})")
    for change in breaks:
        print(f"  breaking: {change}")
    if breaks and not bumped:
        problems.append(
            f"{len(breaks)} breaking change(s) without a new major version: info.version is {new_version}, "
            f"the release's is {old_version}"
        )
    for problem in problems:
        print(f"check-breaking: FAILED: {problem}", file=sys.stderr)
    if not problems:
        print("check-breaking: OK" + (" (a new major version)" if breaks else ", nothing breaking"))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
