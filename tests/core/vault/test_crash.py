"""Crash consistency: ingest processes killed with SIGKILL, then recovery and full checks.

Two harnesses, both with real processes (``os.fork``) and real ``kill -9``:

* timed: 200 trials, each child ingests small synthetic files and is killed after a seeded
  random delay (also while recovering from the previous crash);
* stepped: the child kills itself just before its k-th durable operation (storage put,
  commit, delete, log append), for every k, so every window of the commit protocol is hit.

After each kill the parent reopens the vault (recovery) and checks: consistency report clean,
every acknowledged ingest present, every logged item exports byte-identical, log re-verifies.
"""

from __future__ import annotations

import collections
import hashlib
import io
import os
import random
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from nacl.public import PrivateKey

from temoin.core.custody import CustodyLog, FileLogStore, NoteSigner
from temoin.core.vault import LocalFileStorage, Vault

from .helpers import ANALYST, ORIGIN, SealedBoxKeyWrapper, make_vault

SIGNER = NoteSigner.generate(ORIGIN)


def _payloads(trial: int, count: int) -> list[bytes]:
    rng = random.Random(trial)
    return [f"synthetic crash payload {trial}-{i}\n".encode() + rng.randbytes(rng.randrange(1, 9000)) for i in range(count)]


def _child(root: Path, payloads: Sequence[bytes], ack_fd: int, open_vault: Callable[[Path], Vault]) -> None:
    try:
        vault = open_vault(root)
        for data in payloads:
            result = vault.ingest(io.BytesIO(data), actor=ANALYST, filename="synthetic.bin")
            os.write(ack_fd, bytes.fromhex(result.item.sha256))
    finally:
        os._exit(0)


def _run_child(root: Path, payloads: Sequence[bytes], open_vault: Callable[[Path], Vault], delay: float | None) -> set[str]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(root, payloads, write_fd, open_vault)
    os.close(write_fd)
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    acknowledged = b""
    while chunk := os.read(read_fd, 4096):
        acknowledged += chunk
    os.close(read_fd)
    return {acknowledged[i : i + 32].hex() for i in range(0, len(acknowledged) - len(acknowledged) % 32, 32)}


def _check(root: Path, acknowledged: set[str], known: dict[str, bytes], tmp: Path, verified: set[str]) -> None:
    """Reopen (recovery), then check consistency, acknowledged items and new items' bytes."""
    vault = make_vault(root)
    report = vault.check_consistency()
    assert report.ok, report.problems
    logged = {item.sha256 for item in vault.items()}
    assert acknowledged <= logged, f"acknowledged ingests lost: {acknowledged - logged}"
    for sha256 in logged - verified:
        assert sha256 in known
        destination = tmp / "out"
        vault.export_original(sha256, destination, actor=ANALYST, reason="crash-test check")
        assert hashlib.sha256(destination.read_bytes()).hexdigest() == sha256
        assert destination.read_bytes() == known[sha256]
        verified.add(sha256)
    vault.log.verify(SIGNER.verifier)


def _open_plain(root: Path) -> Vault:
    return make_vault(root)


def test_timed_sigkill_during_ingest_200_trials(tmp_path: Path) -> None:
    rng = random.Random(20261127)
    root = tmp_path / "vault-calibration"
    verified: set[str] = set()
    known: dict[str, bytes] = {}
    acknowledged: set[str] = set()
    outcomes: collections.Counter[str] = collections.Counter()
    # Calibrate: how long does an uninterrupted child take here?  Kill points then span it.
    started = time.perf_counter()
    calibration = _payloads(-1, 2)
    known.update({hashlib.sha256(p).hexdigest(): p for p in calibration})
    acknowledged |= _run_child(root, calibration, _open_plain, delay=None)
    span = time.perf_counter() - started
    kept, counted = 0, set()
    trials = 200
    for trial in range(trials):
        if trial % 10 == 0:  # a fresh vault every 10 trials keeps checks cheap; within a group,
            root = tmp_path / f"vault-{trial // 10}"  # children also crash while recovering
            acknowledged, verified = set(), set()
        payloads = _payloads(trial, 2)
        known.update({hashlib.sha256(p).hexdigest(): p for p in payloads})
        acknowledged |= _run_child(root, payloads, _open_plain, delay=rng.uniform(0.0, span))
        vault = make_vault(root, recover=False)
        for action in vault.recover():
            outcomes[action.split(": ", 1)[-1].split(" (")[0] if ": " in action else "removed temporary object(s)"] += 1
        _check(root, acknowledged, known, tmp_path, verified)
        kept += len(acknowledged - counted)
        counted |= acknowledged
    print(f"timed kill trials: {trials} (child run {span * 1000:.1f} ms), acknowledged ingests all kept: "
          f"{kept}, recovery actions: {dict(outcomes)}")
    assert kept > 20


def _counting_open(budget: list[int]) -> Callable[[Path], Vault]:
    """A vault whose storage and log store kill the process before the k-th durable operation."""

    def tick() -> None:
        budget[0] -= 1
        if budget[0] < 0:
            os.kill(os.getpid(), signal.SIGKILL)

    class KillingStorage(LocalFileStorage):
        def put(self, name: str, data: bytes) -> None:
            tick()
            super().put(name, data)

        def delete(self, name: str) -> None:
            tick()
            super().delete(name)

        def begin_write(self):  # type: ignore[no-untyped-def]  # returns the parent's writer, wrapped
            writer = super().begin_write()
            original_commit = writer.commit

            def commit(name: str) -> None:
                tick()
                original_commit(name)

            writer.commit = commit  # type: ignore[method-assign]  # inject the kill point
            return writer

    class KillingLogStore(FileLogStore):
        def append(self, leaves):  # type: ignore[no-untyped-def]  # same signature as parent
            tick()
            return super().append(leaves)

    def open_vault(root: Path) -> Vault:
        log = CustodyLog(KillingLogStore(root / "log"), origin=ORIGIN)
        return Vault(
            storage=KillingStorage(root / "store"),
            key_wrapper=SealedBoxKeyWrapper(PrivateKey(b"\x01" * 32)),
            log=log,
            system="test-host",
            lock_path=root / "vault.lock",
            chunk_size=4096,
        )

    return open_vault


def test_kill_before_every_durable_step_of_ingest(tmp_path: Path) -> None:
    outcomes: collections.Counter[str] = collections.Counter()
    steps = 0
    for k in range(0, 19):
        root = tmp_path / f"vault-{k}"
        payloads = _payloads(1000 + k, 3)
        known = {hashlib.sha256(p).hexdigest(): p for p in payloads}
        acknowledged = _run_child(root, payloads, _counting_open([k]), delay=None)
        vault = make_vault(root, recover=False)
        for action in vault.recover():
            outcomes["rolled forward" if "rolled forward" in action else "rolled back" if "rolled back" in action
                     else "already logged" if "already logged" in action else "temporary removed"] += 1
        _check(root, acknowledged, known, tmp_path, set())
        steps += 1
    print(f"stepped kill points: {steps}, recovery outcomes: {dict(outcomes)}")
    assert outcomes["rolled forward"] >= 1
    assert outcomes["rolled back"] >= 1
    assert outcomes["already logged"] >= 1
