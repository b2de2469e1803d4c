"""`scripts/fuzz`: a byte-level fuzz run of the request path, in-process, reporting executions and crashes.

With atheris installed the run is coverage-guided (libFuzzer, the project's modules instrumented) in a
child process; otherwise a plain mutation loop runs here. Either way each distinct crash (an exception,
or a broken property of `fuzz_case.check_response`) is written to `<workdir>/crashes/` with its input.
The project's modules are imported only after instrumentation starts, so this module imports none.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.metadata
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

INSTRUMENTED = ["bitly_exports_contract"]
_DONE = re.compile(r"Done (\d+) runs in (\d+) second")


def _dict_entry(word: str) -> str:
    escaped = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else f"\\x{ord(c):02x}" for c in word)
    return f'"{escaped}"'


def _prepare(workdir: Path) -> tuple[Path, Path, Path]:
    from .fuzz_seeds import DICTIONARY, seed_inputs

    seeds, corpus = workdir / "seeds", workdir / "corpus"
    seeds.mkdir(parents=True, exist_ok=True)
    corpus.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(seed_inputs()):
        (seeds / f"seed-{i:03d}").write_bytes(data)
    dictionary = workdir / "request.dict"
    dictionary.write_text("\n".join(_dict_entry(w) for w in DICTIONARY) + "\n", encoding="utf-8")
    return seeds, corpus, dictionary


def _atheris_child(args: argparse.Namespace) -> None:
    atheris: Any = importlib.import_module("atheris")
    with atheris.instrument_imports(include=INSTRUMENTED):
        fuzz_case = importlib.import_module(f"{__package__}.fuzz_case")
        engine = importlib.import_module(f"{__package__}.fuzz_engine")
    workdir = Path(args.workdir)
    seeds, corpus, dictionary = _prepare(workdir)
    log = engine.CrashLog(workdir / "crashes")
    loop = asyncio.new_event_loop()
    fuzz_case.servers()

    def test_one_input(data: bytes) -> None:
        log.executions += 1
        try:
            fuzz_case.run_input(data, loop=loop)
        except Exception as exc:
            log.record(data, exc)
        if log.executions % 5000 == 0:
            log.save()

    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            str(seeds),
            f"-max_total_time={args.seconds}",
            f"-dict={dictionary}",
            f"-max_len={args.max_len}",
            "-timeout=30",
            "-rss_limit_mb=4096",
            f"-artifact_prefix={workdir / 'crashes'}/libfuzzer-",
            "-print_final_stats=1",
        ],
        test_one_input,
    )
    atheris.Fuzz()


def _random_run(args: argparse.Namespace) -> None:
    from .fuzz_case import run_input
    from .fuzz_engine import CrashLog, random_fuzz
    from .fuzz_seeds import DICTIONARY, seed_inputs

    loop = asyncio.new_event_loop()
    log = CrashLog(Path(args.workdir) / "crashes")
    random_fuzz(
        lambda data: run_input(data, loop=loop),
        corpus=seed_inputs(),
        words=[w.encode() for w in DICTIONARY],
        seconds=args.seconds,
        log=log,
    )
    log.save()


def _has_atheris() -> str | None:
    try:
        return importlib.metadata.version("atheris")
    except importlib.metadata.PackageNotFoundError:
        return None


def _report(workdir: Path, *, engine: str, seconds: int, child_log: str, returncode: int) -> int:
    summary_path = workdir / "crashes" / "summary.json"
    summary = (
        json.loads(summary_path.read_text()) if summary_path.exists() else {"crashes": {}, "examples": {}}
    )
    done = _DONE.search(child_log)
    executions = int(done.group(1)) if done else int(summary.get("executions", 0))
    crashes: dict[str, int] = summary["crashes"]
    artifacts = sorted(p.name for p in (workdir / "crashes").glob("libfuzzer-*"))
    print(f"engine: {engine}, {seconds} s")
    print(f"executions: {executions}")
    corpus = workdir / "corpus"
    if corpus.is_dir():
        print(f"corpus: {len(list(corpus.iterdir()))} inputs kept for coverage")
    print(f"crashes: {len(crashes) + len(artifacts)} distinct, {sum(crashes.values()) + len(artifacts)} hits")
    for sig, hits in crashes.items():
        print(f"  {hits:>6} x {sig}  -> {workdir / 'crashes' / summary['examples'][sig]}")
    for name in artifacts:
        print(f"  libFuzzer artifact -> {workdir / 'crashes' / name}")
    if returncode != 0 and not artifacts:
        print(f"fuzz: the fuzzing process exited with {returncode}; see {workdir / 'fuzz.log'}")
        return 1
    return 1 if crashes or artifacts else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fuzz", description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz")
    parser.add_argument("--workdir", help="corpus and crashes (default: a new temporary directory)")
    parser.add_argument("--max-len", type=int, default=8192, help="largest input, bytes")
    parser.add_argument("--engine", choices=("auto", "atheris", "random"), default="auto")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child:
        _atheris_child(args)
        return 0
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="exports-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    version = _has_atheris()
    engine = args.engine if args.engine != "auto" else ("atheris" if version else "random")
    if engine == "random":
        args.workdir = str(workdir)
        _random_run(args)
        label = "random mutation (atheris not installed)"
        return _report(workdir, engine=label, seconds=args.seconds, child_log="", returncode=0)
    if version is None:
        print("fuzz: atheris is not installed (pip install atheris)", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", f"{__package__}.fuzz", "--child", "--seconds", str(args.seconds)]
    command += ["--workdir", str(workdir), "--max-len", str(args.max_len)]
    log_path = workdir / "fuzz.log"
    with log_path.open("w") as log_file:
        proc = subprocess.run(command, stdout=log_file, stderr=subprocess.STDOUT, timeout=args.seconds + 300)
    child_log = log_path.read_text(errors="replace")
    label = f"atheris {version} (coverage-guided libFuzzer)"
    return _report(
        workdir, engine=label, seconds=args.seconds, child_log=child_log, returncode=proc.returncode
    )


if __name__ == "__main__":
    raise SystemExit(main())
