"""ARCHITECTURE.md's import table is enforced: the import check of `scripts/lint` fails on a forbidden import.

The check runs, exactly as `scripts/lint` words it, over a copy of the package and tools/ in which one
module gains one import; the unchanged copy passes, so a failure is the import's doing.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "bitly_exports_contract"


def lint_command() -> list[str]:
    """The import check's command line, read from scripts/lint."""
    found = re.search(r'^step "import contracts" (.+)$', (ROOT / "scripts" / "lint").read_text(), re.M)
    assert found, "scripts/lint runs no import check"
    return shlex.split(found[1])


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the check reads: the package, tools/ and pyproject.toml."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "src" / PACKAGE, tmp_path / "src" / PACKAGE, ignore=ignore)
    shutil.copytree(ROOT / "tools", tmp_path / "tools", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def run_check(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "src"), str(tree)])}
    return subprocess.run(lint_command(), cwd=tree, env=env, capture_output=True, text=True, timeout=300)


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = run_check(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        pytest.param(
            "rules/window.py",
            f"import {PACKAGE}.server.app",
            "the reference server's layers point one way",
            id="rules-import-the-server",
        ),
        pytest.param(
            "store/seed.py",
            f"from {PACKAGE}.rules import export",
            "the reference server's layers point one way",
            id="store-imports-the-rules",
        ),
        pytest.param(
            "spec.py",
            f"from {PACKAGE}.store import dataset",
            "spec imports nothing of the project",
            id="spec-imports-the-store",
        ),
        pytest.param(
            "kit/target.py",
            f"from {PACKAGE}.store import db",
            "the kit and decode never import the server, the rules or the store",
            id="kit-imports-the-store",
        ),
        pytest.param(
            "decode.py",
            f"from {PACKAGE}.rules import csv_shape",
            "the kit and decode never import the server, the rules or the store",
            id="decode-imports-the-rules",
        ),
        pytest.param(
            "server/app.py",
            f"from {PACKAGE}.kit import target",
            "the server, the rules and the store never import the kit or decode",
            id="server-imports-the-kit",
        ),
        pytest.param(
            "launcher.py",
            f"from {PACKAGE} import spec",
            "the launcher imports nothing of the project",
            id="launcher-imports-the-spec",
        ),
        pytest.param(
            "server/cli.py",
            "import tools.reliability.soak",
            "the shipped package never imports the tooling under tools/",
            id="product-imports-the-tooling",
        ),
    ],
)
def test_a_forbidden_import_fails_the_lint(tree: Path, module: str, statement: str, contract: str) -> None:
    path = tree / "src" / PACKAGE / module
    path.write_text(path.read_text() + f"\n{statement}  # noqa\n")
    result = run_check(tree)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
    importer = f"{PACKAGE}.{module.removesuffix('.py').replace('/', '.')}"
    assert importer in result.stdout


@pytest.mark.parametrize("part", ["server", "rules", "store", "spec.py", "launcher.py", "decode.py"])
def test_the_serving_code_states_its_invariants_as_errors_not_asserts(part: str) -> None:
    # `python -O` drops asserts; what the request path relies on raises a named error instead.
    where = ROOT / "src" / PACKAGE / part
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in ([where] if where.is_file() else sorted(where.rglob("*.py")))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Assert)
    ]
    assert found == []


def test_the_wheel_holds_the_product_and_none_of_the_tooling(tmp_path: Path) -> None:
    # the project's own build backend, as any wheel of it is built
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("bitly_exports_contract-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert f"{PACKAGE}/launcher.py" in names and f"{PACKAGE}/server/cli.py" in names
    tooling = [
        name
        for name in names
        if name.startswith("tools/")
        or any(word in name for word in ("reliability", "soak", "bench", "mutant", "mutation", "timing"))
    ]
    assert tooling == []
