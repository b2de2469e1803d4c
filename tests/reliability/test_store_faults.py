"""Store faults: a killed build never leaves a half-written store at its path; bad paths fail in one line."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bitly_exports_contract.store.db import Store

CLI = [sys.executable, "-m", "bitly_exports_contract.server.cli"]

# Runs `build-db` and SIGKILLs itself at the named point of the build.
KILLED_BUILD = textwrap.dedent(
    """
    import os, signal, sys
    from bitly_exports_contract.server import cli
    from bitly_exports_contract.store import db, prefix

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    point, target = sys.argv[1], sys.argv[2]
    if point == "loading":
        prefix.PrefixSumLoader.finish = die  # rows inserted, transaction open
    else:
        db.os.replace = die  # scratch file complete, not yet renamed
    cli.main(["build-db", "--seed", "2", "--links", "300", target])
    """
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def previous_store(target: Path) -> str:
    run = subprocess.run([*CLI, "build-db", "--seed", "5", "--links", "50", str(target)], capture_output=True)
    assert run.returncode == 0, run.stderr
    return sha256(target)


def assert_target_untouched(target: Path, before: str | None) -> None:
    leftovers = [p.name for p in target.parent.iterdir() if p != target]
    assert all(name.startswith(f".{target.name}.") and name.endswith(".building") for name in leftovers)
    if before is None:
        assert not target.exists()
        run = subprocess.run(
            [*CLI, "serve", "--db", str(target), "--port", "0"], capture_output=True, text=True
        )
        assert (run.returncode, run.stderr) == (2, f"exports-server: {target}: no such store file\n")
    else:
        assert sha256(target) == before
        with Store.open(target) as store:
            assert store.group_counts(store.group_guids()[0]) == (50, 5)


@pytest.mark.parametrize(
    "point", [pytest.param("loading", id="mid-load"), pytest.param("renaming", id="pre-rename")]
)
@pytest.mark.parametrize(
    "previous", [pytest.param(False, id="no-previous"), pytest.param(True, id="previous-kept")]
)
def test_a_build_killed_at_a_point_leaves_the_target_as_it_was(
    tmp_path: Path, point: str, previous: bool
) -> None:
    target = tmp_path / "store.sqlite3"
    before = previous_store(target) if previous else None
    run = subprocess.run([sys.executable, "-c", KILLED_BUILD, point, str(target)], capture_output=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert_target_untouched(target, before)


@pytest.mark.slow
@pytest.mark.parametrize(
    "previous", [pytest.param(False, id="no-previous"), pytest.param(True, id="previous-kept")]
)
def test_a_large_build_killed_midway_leaves_the_target_as_it_was(tmp_path: Path, previous: bool) -> None:
    target = tmp_path / "store.sqlite3"
    before = previous_store(target) if previous else None
    build = subprocess.Popen([*CLI, "build-db", "--seed", "1", "--links", "60000", str(target)])
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".building") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # well inside the seconds-long load
    build.send_signal(signal.SIGKILL)
    assert build.wait(timeout=30) == -signal.SIGKILL
    assert_target_untouched(target, before)


def _plain_root_prefix() -> list[str]:
    """A command prefix that makes file permissions bind (root without the capabilities that bypass them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to bind")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


def _bad_store(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "bad.sqlite3"
    if kind == "directory":
        path.mkdir()
    elif kind == "text":
        path.write_text("not a database\n" * 200)
    elif kind == "other-database":
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t (x)")
        conn.close()
    elif kind in ("truncated", "unreadable"):
        subprocess.run(
            [*CLI, "build-db", "--seed", "5", "--links", "50", str(path)], check=True, capture_output=True
        )
        if kind == "truncated":
            path.write_bytes(path.read_bytes()[:4096])
        else:
            path.chmod(0)
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        pytest.param("missing", "no such store file", id="missing"),
        pytest.param("directory", "is a directory, not a store file", id="directory"),
        pytest.param("text", r"cannot open store \(file is not a database\)", id="not-a-database"),
        pytest.param("other-database", "not a bitly-exports-contract store", id="another-sqlite-database"),
        pytest.param(
            "truncated", r"cannot open store \(database disk image is malformed\)", id="truncated-store"
        ),
        pytest.param("unreadable", r"cannot read the store file \(Permission denied\)", id="unreadable"),
    ],
)
@pytest.mark.parametrize("workers", [pytest.param("1", id="one-worker"), pytest.param("2", id="two-workers")])
def test_serve_with_a_bad_store_path_says_why_in_one_line(
    tmp_path: Path, kind: str, message: str, workers: str
) -> None:
    path = _bad_store(tmp_path, kind)
    prefix = _plain_root_prefix() if kind == "unreadable" else []
    command = [*prefix, *CLI, "serve", "--db", str(path), "--port", "0", "--workers", workers]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stdout == ""
    assert re.match(f"exports-server: {re.escape(str(path))}: {message}", run.stderr), run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_build_db_into_a_read_only_directory_says_why_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    target = folder / "store.sqlite3"
    command = [*_plain_root_prefix(), *CLI, "build-db", "--seed", "1", "--links", "10", str(target)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.startswith(f"exports-server: {target}: cannot create the store file (")
    assert "Permission denied" in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert list(folder.iterdir()) == []
