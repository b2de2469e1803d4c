"""What users install: the built wheels, in fresh virtualenvs outside the checkout.

Builds both wheels with uv, then installs (from PyPI for everything else, through uv's cache):
the client alone, which must decode an export with at most 10 packages; and the kit with its
extras beside the oldest httpx and pytest it admits, which must run `exports-contract verify`.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

DECODE = """
import base64, sys
from bitly_exports_client.decode import decode_export
from bitly_exports_client.models import ExportResponse

csv = b"bitlink,title\\r\\nbit.ly/a,A\\r\\nbit.ly/b,\\"B, b\\"\\r\\n"
body = {
    "export_type": "links_list", "filename": "g_links_list_20240101T000000Z.csv", "media_type": "text/csv",
    "data_uri": "data:text/csv;base64," + base64.b64encode(csv).decode(), "size_bytes": len(csv),
    "columns": ["bitlink", "title"], "column_count": 2, "row_count": 2, "truncated": False,
}
print(decode_export(ExportResponse.from_dict(body)).records())
print(sorted(m for m in sys.modules if m.split(".")[0] in {"bitly_exports_contract", "yaml", "pytest"}))
"""


def uv() -> str:
    found = ROOT / ".tools" / "uv" / "bin" / "uv"
    path = str(found) if found.is_file() else shutil.which("uv")
    assert path is not None, "uv is installed by scripts/_env.sh into .tools/uv"
    return path


def run(*command: str | Path, cwd: Path, timeout: float = 600) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"}
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"{command} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    run(uv(), "build", "--all-packages", "--wheel", "--out-dir", out, cwd=ROOT)
    built = {path.name.split("-")[0]: path for path in out.glob("*.whl")}
    assert set(built) == {"bitly_exports_client", "bitly_exports_contract"}, built
    return built


def fresh_venv(where: Path) -> Path:
    run(uv(), "venv", "--quiet", "--python", sys.executable, where / "venv", cwd=where)
    return where / "venv"


def installed(venv: Path, where: Path) -> list[str]:
    listed = run(uv(), "pip", "list", "--python", venv / "bin" / "python", "--format", "freeze", cwd=where)
    return [line for line in listed.splitlines() if line.strip()]


def test_the_client_alone_installs_few_packages_and_decodes_an_export(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    venv = fresh_venv(tmp_path)
    run(
        uv(),
        "pip",
        "install",
        "--python",
        venv / "bin" / "python",
        wheels["bitly_exports_client"],
        cwd=tmp_path,
    )

    packages = installed(venv, tmp_path)
    decoded = run(venv / "bin" / "python", "-c", DECODE, cwd=tmp_path)

    assert len(packages) <= 10, packages
    assert "[{'bitlink': 'bit.ly/a', 'title': 'A'}, {'bitlink': 'bit.ly/b', 'title': 'B, b'}]" in decoded
    assert decoded.strip().endswith("[]"), "decoding imported the kit, pyyaml or pytest"


def test_the_kit_with_its_extras_verifies_beside_old_httpx_and_pytest(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    venv = fresh_venv(tmp_path)
    kit = f"{wheels['bitly_exports_contract']}[server,verify]"
    run(
        uv(), "pip", "install", "--python", venv / "bin" / "python",
        wheels["bitly_exports_client"], kit, "httpx==0.27.2", "pytest==8.4.2",
        cwd=tmp_path,
    )  # fmt: skip
    packages = installed(venv, tmp_path)
    assert "httpx==0.27.2" in packages and "pytest==8.4.2" in packages, packages

    verified = run(venv / "bin" / "exports-contract", "verify", "--seed", "7", cwd=tmp_path)

    assert "the contract holds" in verified, verified[-3000:]
    assert "seed 7" in verified


def test_a_consumer_test_uses_the_installed_plugin(wheels: dict[str, Path], tmp_path: Path) -> None:
    venv = fresh_venv(tmp_path)
    run(
        uv(), "pip", "install", "--python", venv / "bin" / "python",
        wheels["bitly_exports_client"], f"{wheels['bitly_exports_contract']}[server]", "pytest==8.4.2",
        cwd=tmp_path,
    )  # fmt: skip
    example = ROOT / "tests" / "consumer" / "test_reference_server_example.py"
    shutil.copy2(example, tmp_path / "test_example.py")

    result = run(
        venv / "bin" / "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "test_example.py",
        cwd=tmp_path,
    )

    assert "2 passed" in result, result


def test_the_verify_extra_alone_says_the_embedded_server_needs_the_server_extra(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    venv = fresh_venv(tmp_path)
    run(
        uv(), "pip", "install", "--python", venv / "bin" / "python",
        wheels["bitly_exports_client"], f"{wheels['bitly_exports_contract']}[verify]",
        cwd=tmp_path,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPORTS_")}

    done = subprocess.run(
        [venv / "bin" / "exports-contract", "verify", "--seed", "7"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 4, done.stdout + done.stderr
    assert "pip install 'bitly-exports-contract[server]'" in done.stderr
    assert not any(line.startswith("uvicorn==") for line in installed(venv, tmp_path))
