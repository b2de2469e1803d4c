"""The gates around generated/: it type-checks under `mypy --strict`, and drift from the spec fails CI."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED_PACKAGE = ROOT / "generated" / "bitly-exports-client" / "bitly_exports_client"
VENV_BIN = Path(sys.executable).parent

TYPED_USE = """
from bitly_exports_client import AuthenticatedClient
from bitly_exports_client.api.groups import post_create_group_export
from bitly_exports_client.models import (
    BadRequest, ExportFilter, ExportResponse, LinksListRequest,
)
from bitly_exports_contract.decode import DecodedExport, decode_export


def fetch(client: AuthenticatedClient) -> DecodedExport | str:
    request = LinksListRequest(
        export_type="links_list", filter_=ExportFilter(tags=["promo"])
    )
    response = post_create_group_export.sync_detailed("Ba1bc23dE4F", client=client, body=request)
    reveal_type(response.parsed)
    if isinstance(response.parsed, ExportResponse):
        return decode_export(response.parsed)
    if isinstance(response.parsed, BadRequest):
        return response.parsed.errors[0].field
    return "unexpected"
"""

UNTYPED_USE = """
from bitly_exports_client import AuthenticatedClient
from bitly_exports_client.api.groups import post_create_group_export
from bitly_exports_client.models import ExportFilter, LinksListRequest


def fetch_with_a_dict(client: AuthenticatedClient) -> None:
    post_create_group_export.sync_detailed("g", client=client, body={"export_type": "links_list"})


def fetch_with_a_misspelt_export_type(client: AuthenticatedClient) -> None:
    post_create_group_export.sync_detailed(
        "g", client=client, body=LinksListRequest(export_type="link_list", filter_=ExportFilter())
    )
"""


def run_mypy(tmp_path: Path, *targets: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(ROOT / "src"), str(GENERATED_PACKAGE.parent)])}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(config), "--cache-dir",
         str(tmp_path / "mypy-cache"), *map(str, targets)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_generated_package_and_typed_code_using_it_pass_mypy_strict(tmp_path: Path) -> None:
    use = tmp_path / "typed_use.py"
    use.write_text(TYPED_USE)

    result = run_mypy(tmp_path, GENERATED_PACKAGE, use)

    assert result.returncode == 0, result.stdout + result.stderr
    [revealed] = [line for line in result.stdout.splitlines() if "Revealed type" in line]
    assert "bitly_exports_client.models.export_response.ExportResponse" in revealed
    assert "Any" not in revealed


def test_mypy_strict_refuses_a_request_that_is_not_one_of_the_models(tmp_path: Path) -> None:
    use = tmp_path / "untyped_use.py"
    use.write_text(UNTYPED_USE)

    result = run_mypy(tmp_path, use)

    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout
    assert all("[arg-type]" in line for line in errors), result.stdout


# The drift gate, run for real: the repo's own scripts/generate and scripts/check-generated on a
# temporary git clone of openapi/ and generated/. Only scripts/_env.sh is replaced by a stub that
# uses this virtualenv, so that the test never bootstraps or reinstalls anything.
ENV_STUB = f"""\
set -euo pipefail
ROOT="$(cd "$(dirname "${{BASH_SOURCE[0]}}")/.." && pwd)"
cd "$ROOT"
export PATH="{VENV_BIN}:$PATH"
"""
GENERATED_MODEL = "generated/bitly-exports-client/bitly_exports_client/models/field_error.py"


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".mypy_cache", ".ruff_cache")
    shutil.copytree(ROOT / "openapi", repo / "openapi", ignore=ignore)
    shutil.copytree(ROOT / "generated", repo / "generated", ignore=ignore)
    (repo / "scripts").mkdir()
    for script in ("generate", "check-generated"):
        shutil.copy2(ROOT / "scripts" / script, repo / "scripts" / script)
    (repo / "scripts" / "_env.sh").write_text(ENV_STUB)
    shutil.copy2(ROOT / ".gitignore", repo / ".gitignore")
    git(repo, "init", "--quiet")
    commit_all(repo)
    return repo


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        ["git", "-c", "user.name=drift-test", "-c", "user.email=drift-test@localhost", *args],
        cwd=repo, env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout


def commit_all(repo: Path) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "--message", "snapshot")


def check_generated(repo: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["bash", "scripts/check-generated"], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_committed_generated_client_matches_the_spec(clone: Path) -> None:
    result = check_generated(clone)

    assert result.returncode == 0, result.stderr


# check-generated generates into a temporary folder and compares it with the working tree (in CI's
# fresh clone, the last commit): it never changes the tree.
def test_a_committed_hand_edit_of_a_generated_file_fails_the_drift_gate_until_regenerated(
    clone: Path,
) -> None:
    with (clone / GENERATED_MODEL).open("a") as fh:
        fh.write("# a hand edit\n")
    commit_all(clone)

    drifted = check_generated(clone)
    regenerated = subprocess.run(["bash", "scripts/generate"], cwd=clone, capture_output=True, text=True)
    commit_all(clone)
    after = check_generated(clone)

    assert drifted.returncode == 1
    assert "field_error.py" in drifted.stderr
    assert regenerated.returncode == 0, regenerated.stderr
    assert after.returncode == 0, after.stderr


def test_a_committed_stray_file_in_generated_fails_the_drift_gate(clone: Path) -> None:
    (clone / GENERATED_MODEL).with_name("stray.py").write_text("X = 1\n")
    commit_all(clone)

    result = check_generated(clone)

    assert result.returncode == 1
    assert "stray.py" in result.stderr


def test_a_spec_change_without_regenerating_fails_the_drift_gate_and_passes_once_committed(
    clone: Path,
) -> None:
    spec = clone / "openapi" / "exports.yaml"
    text = spec.read_text("utf-8")
    marker = "description: One offending field."
    assert marker in text
    spec.write_text(text.replace(marker, "description: One offending field, by its JSON path."), "utf-8")
    git(clone, "commit", "--quiet", "--no-verify", "--all", "--message", "spec only")

    drifted = check_generated(clone)
    untouched = git(clone, "status", "--porcelain")
    regenerated = subprocess.run(["bash", "scripts/generate"], cwd=clone, capture_output=True, text=True)
    commit_all(clone)  # as the gate's message says: regenerate and commit
    after = check_generated(clone)

    assert drifted.returncode == 1
    assert "field_error.py" in drifted.stderr
    assert untouched == ""
    assert regenerated.returncode == 0, regenerated.stderr
    assert after.returncode == 0, after.stderr


def test_an_uncommitted_hand_edit_fails_the_drift_gate_and_survives_it(clone: Path) -> None:
    with (clone / GENERATED_MODEL).open("a") as fh:
        fh.write("# a hand edit\n")
    edited = (clone / GENERATED_MODEL).read_bytes()

    result = check_generated(clone)

    assert result.returncode == 1
    assert "field_error.py" in result.stderr
    assert (clone / GENERATED_MODEL).read_bytes() == edited
