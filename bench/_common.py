"""Shared pieces of the benchmarks: servers to start, the load tools (wrk, or a Python fallback), figures.

Everything here talks to loopback only and every load run is bounded in time.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bitly_exports_contract.launcher import start_server

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "exports.yaml"
PRISM_VERSION = "5.16.0"
PRISM_PREFIX = ROOT / ".tools" / "node" / "prism"  # its own prefix: lint-spec's --no-save install prunes
PRISM_BIN = PRISM_PREFIX / "node_modules" / ".bin" / "prism"
WRK_LUA = Path(__file__).with_name("wrk_bodies.lua")


# ---------------------------------------------------------------- machine and tools


def machine() -> dict[str, str]:
    """nproc, CPU model, RAM, OS, Python: what BENCHMARKS.md says the figures were taken on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def print_machine() -> None:
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)


def default_workers() -> int:
    """The worker count `exports-server serve` starts without --workers: one per core it may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def ensure_wrk(*, install: bool) -> bool:
    """wrk on PATH, installed from Debian's packages when missing and `install`; False when not to be had."""
    if have_wrk():
        return True
    if not install or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    print("bench: installing wrk from Debian (apt-get)", file=sys.stderr, flush=True)
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return have_wrk()


def prism_version() -> str | None:
    package = PRISM_PREFIX / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    try:
        version = json.loads(package.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return str(version)


def ensure_prism() -> bool:
    """Stoplight Prism at the pinned version under .tools/node/prism, installed by npm when missing."""
    if prism_version() == PRISM_VERSION and PRISM_BIN.exists():
        return True
    if shutil.which("npm") is None:
        print("bench: npm is needed to install Prism", file=sys.stderr)
        return False
    print(f"bench: installing @stoplight/prism-cli@{PRISM_VERSION} into {PRISM_PREFIX}", file=sys.stderr)
    PRISM_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(PRISM_PREFIX), "--no-save", "--no-audit", "--no-fund"]
        + ["--loglevel=error", f"@stoplight/prism-cli@{PRISM_VERSION}"],
        check=False,
        stdout=sys.stderr,
    )
    return prism_version() == PRISM_VERSION


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A server process under test and what it announced (ours: its ready line)."""

    name: str
    proc: subprocess.Popen[str]
    base_url: str
    group: str = ""
    started_s: float = 0.0
    tokens: dict[str, str] = field(default_factory=dict)  # tier -> a token of that tier (ours)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def post(url: str, body: bytes, *, token: str, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_answering(url: str, *, token: str, deadline: float, proc: subprocess.Popen[str]) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            post(url, b"{}", token=token, timeout=2)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.02)
    raise RuntimeError(f"no answer from {url}")


def start_ours(
    source: Sequence[str],
    *,
    workers: int | None = None,
    extra: Sequence[str] = (),
    log: Path | None = None,
    src: Path | None = None,
) -> Server:
    """`exports-server serve SOURCE --port 0 --no-faults`, timed until its first request is answered.

    `workers` None starts it without --workers, as a user would (one worker per core).
    `src` serves another tree's package (e.g. a git ref extracted by `extract_ref`) instead of this one;
    that tree's server must announce itself with the launcher's JSON ready line.
    """
    env = dict(os.environ)
    paths = [str(src)] if src else []
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [*paths, env.get("PYTHONPATH")]))
    args = [*source, "--no-faults"]
    if workers is not None:
        args += ["--workers", str(workers)]
    args += list(extra)
    start = time.monotonic()
    # The server's log (stderr) goes to `log`, or is kept in a temporary file shown if it fails to start.
    sink = log.open("w") if log else None
    running = start_server(args, env=env, cwd=str(ROOT), log=sink, timeout=600)
    group = running.groups[0]
    token = running.tokens["premium"]
    url = f"{running.base_url}/groups/{group}/exports"
    wait_until_answering(url, token=token, deadline=time.monotonic() + 600, proc=running.process)
    server = Server("ours", running.process, running.base_url, group=group, tokens=running.tokens)
    server.started_s = time.monotonic() - start
    return server


def extract_ref(ref: str, folder: Path) -> Path:
    """`git archive REF` of this repository unpacked under `folder`; returns its `src/`."""
    target = folder / f"ref-{ref.replace('/', '_')}"
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def start_prism(*, log: Path) -> Server:
    """Prism serving the spec as a mock; its paths have no /v4 prefix."""
    port = free_port()
    sink = open(log, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(PRISM_BIN), "mock", "-p", str(port), "-h", "127.0.0.1", str(SPEC)],
        stdout=sink,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    start = time.monotonic()
    wait_until_answering(
        f"{base}/groups/Ba1bc23dE4F/exports", token="x", deadline=time.monotonic() + 60, proc=proc
    )
    server = Server("prism", proc, base)
    server.started_s = time.monotonic() - start
    return server


@contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- load


@dataclass
class Load:
    """What one bounded load run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int  # connect, read, write and timeout errors
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def write_bodies(bodies: Sequence[bytes], folder: Path, name: str) -> Path:
    """One compact JSON body a line (wrk's Lua script cycles through them)."""
    path = folder / f"{name}.bodies"
    with path.open("wb") as fh:
        for body in bodies:
            assert b"\n" not in body
            fh.write(body + b"\n")
    return path


def run_wrk(url: str, *, token: str, bodies: Path, connections: int, seconds: float) -> Load:
    """wrk -t1 -cN with the Lua script that cycles through `bodies`; figures from its done() summary."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "2s"]
    cmd += ["-s", str(WRK_LUA), url, "--", token, str(bodies)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    errors = raw["errors_connect"] + raw["errors_read"] + raw["errors_write"] + raw["errors_timeout"]
    return Load(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        non_2xx=raw["errors_status"],
        errors=errors,
        tool="wrk",
    )


def run_python_load(
    url: str, *, token: str, bodies: Sequence[bytes], connections: int, seconds: float
) -> Load:
    """The fallback load generator: asyncio keep-alive connections over raw sockets (when wrk is missing)."""
    return asyncio.run(_python_load(url, token, bodies, connections, seconds))


async def _python_load(
    url: str, token: str, bodies: Sequence[bytes], connections: int, seconds: float
) -> Load:
    rest = url.removeprefix("http://")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.rpartition(":")
    head = (
        f"POST /{path} HTTP/1.1\r\nHost: {hostport}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()
    latencies: list[float] = []
    statuses: list[int] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        i = offset
        try:
            while time.perf_counter() < stop_at:
                body = bodies[i % len(bodies)]
                i += 1
                start = time.perf_counter()
                writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - start)
                statuses.append(int(status_line.split()[1]))
        except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
            errors += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker(k * 7919) for k in range(connections)))
    elapsed = time.perf_counter() - began
    p50, p99 = percentiles(latencies)
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=p50 * 1000,
        p99_ms=p99 * 1000,
        non_2xx=sum(not 200 <= s < 400 for s in statuses),
        errors=errors,
        tool="python-asyncio",
    )


def percentiles(values: Sequence[float]) -> tuple[float, float]:
    """(p50, p99), nearest rank; (0, 0) for no values."""
    if not values:
        return 0.0, 0.0
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]
    return statistics.median(ordered), p99


def timed(action: Any, repeat: int) -> tuple[float, float]:
    """(p50, p99) in ms of `repeat` calls after one warm-up call."""
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return percentiles(times)


# ---------------------------------------------------------------- answers


def csv_rows(answer: bytes) -> list[list[str]]:
    """The CSV rows (header first) of a 200 export answer."""
    doc = json.loads(answer)
    data = base64.b64decode(doc["data_uri"].split(",", 1)[1])
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def scratch_folder(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix)


def fmt_ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:5.2f}x" if theirs > 0 else "   n/a"
