"""What a fuzz run keeps: executions, and each distinct crash with an input that reproduces it."""

from __future__ import annotations

import hashlib
import json
import random
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from .asgi_call import RawRequest
from .fuzz_case import decode_case

PACKAGE_MARK = "bitly_exports_contract"


def signature(exc: BaseException) -> str:
    """Type, innermost frame of the project and the message's start: one per distinct bug, roughly."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if PACKAGE_MARK in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}: {str(exc)[:60]}"


class CrashLog:
    """Counts executions; writes each new crash signature's input and traceback under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.executions = 0
        self.hits: dict[str, int] = {}
        self.examples: dict[str, str] = {}

    def record(self, data: bytes, exc: BaseException) -> None:
        sig = signature(exc)
        self.hits[sig] = self.hits.get(sig, 0) + 1
        if sig in self.examples:
            return
        name = "crash-" + hashlib.sha1(data).hexdigest()[:16]
        self.examples[sig] = name
        (self.directory / name).write_bytes(data)
        request: RawRequest = decode_case(data).request
        detail = "".join(traceback.format_exception(exc))
        (self.directory / f"{name}.txt").write_text(
            f"{sig}\n\n{request!r:.2000}\n\n{detail}", encoding="utf-8"
        )
        self.save()

    def save(self) -> None:
        summary = {"executions": self.executions, "crashes": self.hits, "examples": self.examples}
        (self.directory / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


def mutate(data: bytes, *, rng: random.Random, corpus: Sequence[bytes], words: Sequence[bytes]) -> bytes:
    """One to four random edits: byte flips, dictionary words, deletions, duplications, splices."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        op = rng.randrange(6)
        if op == 0 and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif op == 1:
            out[at:at] = rng.choice(words)
        elif op == 2:
            del out[at : at + rng.randint(1, 16)]
        elif op == 3 and out:
            start = rng.randrange(len(out))
            out[at:at] = out[start : start + rng.randint(1, 64)]
        elif op == 4:
            other = rng.choice(corpus)
            out[at:] = other[rng.randrange(len(other) + 1) :]
        else:
            out[at:at] = bytes([rng.choice((0, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0xFF))])
    return bytes(out[:65536])


def random_fuzz(
    target: Callable[[bytes], None],
    *,
    corpus: Sequence[bytes],
    words: Sequence[bytes],
    seconds: float,
    log: CrashLog,
) -> None:
    """A mutation fuzzer without coverage feedback, for machines without atheris."""
    rng = random.Random(0)
    deadline = time.monotonic() + seconds
    pool = list(corpus)
    while time.monotonic() < deadline:
        for _ in range(200):
            data = mutate(rng.choice(pool), rng=rng, corpus=pool, words=words)
            log.executions += 1
            try:
                target(data)
            except Exception as exc:
                log.record(data, exc)
        log.save()
