"""scripts/check-breaking, run for real on a temporary git clone tagged as release v1.0.0."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV_STUB = f"""\
set -euo pipefail
ROOT="$(cd "$(dirname "${{BASH_SOURCE[0]}}")/.." && pwd)"
cd "$ROOT"
export PATH="{Path(sys.executable).parent}:$PATH"
"""
ARCHIVED_ENUM = "            - 'on'\n            - 'off'\n            - both\n"
ARCHIVED_NARROWED = "            - 'on'\n            - 'off'\n"
FILTER_QUERY = "        query:\n"
FILTER_ADDED = (
    "        label:\n          type: string\n          description: An added optional filter.\n"
    + FILTER_QUERY
)


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", "-c", "user.name=breaking-test", "-c", "user.email=breaking-test@localhost", *args],
        cwd=repo, env=env, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip


@pytest.fixture
def release(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache", ".ruff_cache")
    shutil.copytree(ROOT / "openapi", repo / "openapi", ignore=ignore)
    shutil.copytree(ROOT / "generated", repo / "generated", ignore=ignore)
    (repo / "scripts").mkdir()
    for script in ("generate", "check-breaking", "check_breaking.py"):
        shutil.copy2(ROOT / "scripts" / script, repo / "scripts" / script)
    (repo / "scripts" / "_env.sh").write_text(ENV_STUB)
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "--message", "release")
    git(repo, "tag", "v1.0.0")
    return repo


def edit_and_regenerate(repo: Path, old: str, new: str, *, version: str | None = None) -> None:
    spec = repo / "openapi" / "exports.yaml"
    text = spec.read_text("utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    if version is not None:
        text = text.replace("\n  version: 1.0.0\n", f"\n  version: {version}\n", 1)
    spec.write_text(text, "utf-8")
    done = subprocess.run(["bash", "scripts/generate"], cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def check_breaking(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/check-breaking"], cwd=repo, capture_output=True, text=True, timeout=120
    )


def test_the_release_itself_passes(release: Path) -> None:
    result = check_breaking(release)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing breaking" in result.stdout


def test_an_added_optional_filter_field_passes(release: Path) -> None:
    edit_and_regenerate(release, FILTER_QUERY, FILTER_ADDED)

    result = check_breaking(release)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_narrowed_request_enum_fails_without_a_major_version(release: Path) -> None:
    edit_and_regenerate(release, ARCHIVED_ENUM, ARCHIVED_NARROWED)

    result = check_breaking(release)

    assert result.returncode == 1
    assert "request enum narrowed" in result.stdout and "both" in result.stdout
    assert "without a new major version" in result.stderr


def test_a_narrowed_request_enum_passes_with_a_major_version(release: Path) -> None:
    edit_and_regenerate(release, ARCHIVED_ENUM, ARCHIVED_NARROWED, version="2.0.0")

    result = check_breaking(release)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "a new major version" in result.stdout


def test_a_removed_request_field_fails_on_the_wire_and_in_the_client_api(release: Path) -> None:
    spec = (release / "openapi" / "exports.yaml").read_text("utf-8")
    start = spec.index("        campaign_guid:", spec.index("    ExportFilter:"))
    end = spec.index("\n    ", start + 1)
    while spec[end + 5] == " ":  # the rest of the property's lines are indented deeper
        end = spec.index("\n    ", end + 1)
    edit_and_regenerate(release, spec[start : end + 1], "")

    result = check_breaking(release)

    assert result.returncode == 1
    assert "request field removed or renamed" in result.stdout and "filter.campaign_guid" in result.stdout
    assert "client API:" in result.stdout and "campaign_guid" in result.stdout.split("client API:", 1)[1]


def test_a_removed_response_field_fails(release: Path) -> None:
    spec = (release / "openapi" / "exports.yaml").read_text("utf-8")
    start = spec.index("    ExportResponse:")
    required = spec.index("        - truncated\n", start)
    edit_and_regenerate(release, spec[required:], spec[required:].replace("        - truncated\n", "", 1))

    result = check_breaking(release)

    assert result.returncode == 1
    assert "response field no longer always present" in result.stdout and "truncated" in result.stdout


def test_a_client_version_apart_from_info_version_fails(release: Path) -> None:
    pyproject = release / "generated" / "bitly-exports-client" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8").replace('version = "1.0.0"', 'version = "1.1.0"'))

    result = check_breaking(release)

    assert result.returncode == 1
    assert "is not info.version" in result.stderr
