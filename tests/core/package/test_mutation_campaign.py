"""Mutation campaign: 10,000 random single-bit / single-byte changes, 100 % must be detected.

Targets and detectors:

* vault blobs, encrypted records, wrapped keys -> ``Vault.check_fixity(full=True)``
* custody log entries and stored checkpoint notes -> ``CustodyLog.verify``
* every file of an exported package (originals, records, entries, proofs, checkpoint,
  RFC 3161 time-stamp tokens and TSA roots, manifests, tag manifests, package signature,
  README, the verifier itself)
  -> the standalone verifier (``verify_package.verify``)

Plus an "insider" campaign: a committed file of the package is changed and the bag re-made and
re-signed with the real log key (the insider has it); inclusion proofs, the witnesses' quorum
and the time-stamps (pinned TSA roots) still catch it.
"""

from __future__ import annotations

import collections
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import bagit
import pytest

from temoin.core.custody import CustodyError, CustodyLog, FileLogStore
from temoin.core.custody.note import add_signatures
from temoin.core.package import verify_package as verifier
from tests.core.vault.helpers import ANALYST, ORIGIN, make_vault

from .test_package import LOG_SIGNER, W1, W2, build


def _mutate(path: Path, rng: random.Random) -> bytes:
    """Apply one random single-bit or single-byte change; return the original bytes."""
    original = path.read_bytes()
    data = bytearray(original)
    position = rng.randrange(len(data))
    if rng.random() < 0.5:
        data[position] ^= 1 << rng.randrange(8)
    else:
        data[position] ^= rng.randrange(1, 256)
    path.write_bytes(bytes(data))
    return original


def _campaign(files: list[Path], trials: int, rng: random.Random, detected: Callable[[Path], bool]) -> int:
    caught = 0
    for _ in range(trials):
        target = rng.choice(files)
        original = _mutate(target, rng)
        try:
            caught += detected(target)
        finally:
            target.write_bytes(original)
    return caught


def run_campaign(tmp_path: Path, scale: int) -> dict[str, tuple[int, int]]:
    """Run all target families; ``scale`` = total number of mutations (split as below)."""
    rng = random.Random(20261127 + scale)
    results: dict[str, tuple[int, int]] = {}
    bag, _ = build(tmp_path, count=8)
    tsa_roots = (tmp_path / "tsa-a" / "root.crt", tmp_path / "tsa-b" / "root.crt")
    vault_root = tmp_path / "vault"
    vault = make_vault(vault_root, signer=LOG_SIGNER)
    store = vault_root / "store"

    def fixity_fails(path: Path) -> bool:
        return not vault.check_fixity(path.name, actor=ANALYST, full=True, record=False).ok

    for family, share in (("blobs", 0.20), ("records", 0.05), ("keys", 0.05)):
        files = sorted((store / family).iterdir())
        trials = int(scale * share)
        results[f"vault {family}"] = (_campaign(files, trials, rng, fixity_fails), trials)

    log_dir = vault_root / "log"

    def log_fails(_: Path) -> bool:
        try:
            CustodyLog(FileLogStore(log_dir), origin=ORIGIN).verify(
                LOG_SIGNER.verifier, witnesses=[W1.verifier, W2.verifier]
            )
        except CustodyError:
            return True
        finally:
            for torn in log_dir.glob("torn-tail-at-*.bin"):
                torn.unlink()
        return False

    trials = int(scale * 0.20)
    results["custody log entries"] = (_campaign([log_dir / "entries.jsonl"], trials, rng, log_fails), trials)
    trials = int(scale * 0.10)
    notes = sorted((log_dir / "checkpoints").iterdir())
    results["checkpoint notes (signatures)"] = (_campaign(notes, trials, rng, log_fails), trials)

    def package_fails(_: Path) -> bool:
        report = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), witness_keys=(W1.vkey(), W2.vkey()), quorum=2,
                                 tsa_roots=tsa_roots, min_timestamps=2)
        return not verifier.report_ok(report)

    bag_files = sorted(p for p in bag.rglob("*") if p.is_file())
    by_kind: collections.Counter[str] = collections.Counter()
    trials = scale - sum(t for _, t in results.values())
    caught = 0
    for _ in range(trials):
        target = rng.choice(bag_files)
        by_kind[target.name if target.parent == bag else target.relative_to(bag / "data").parts[0]] += 1
        original = _mutate(target, rng)
        try:
            caught += package_fails(target)
        finally:
            target.write_bytes(original)
    results["exported package (standalone verifier)"] = (caught, trials)
    assert verifier.report_ok(verifier.verify(bag, log_key=LOG_SIGNER.vkey(), quorum=2)), "clean package must verify"
    print("package files mutated by kind:", dict(sorted(by_kind.items())))
    return results


def _print(results: dict[str, tuple[int, int]]) -> None:
    print(f"{'target':45} {'detected':>9} {'trials':>7}")
    for name, (caught, trials) in results.items():
        print(f"{name:45} {caught:9d} {trials:7d}")
    total_caught = sum(c for c, _ in results.values())
    total = sum(t for _, t in results.values())
    print(f"{'TOTAL':45} {total_caught:9d} {total:7d}  ({100 * total_caught / total:.2f} %)")


def test_mutation_campaign_1000(tmp_path: Path) -> None:
    results = run_campaign(tmp_path, 1000)
    _print(results)
    assert sum(t for _, t in results.values()) == 1000
    assert all(caught == trials for caught, trials in results.values())


@pytest.mark.slow
def test_mutation_campaign_10000(tmp_path: Path) -> None:
    results = run_campaign(tmp_path, 10_000)
    _print(results)
    assert sum(t for _, t in results.values()) == 10_000
    assert all(caught == trials for caught, trials in results.values())


@pytest.mark.parametrize("trials", [50, pytest.param(400, marks=pytest.mark.slow)])
def test_insider_rebag_and_resign_is_caught_by_proofs_and_witnesses(tmp_path: Path, trials: int) -> None:
    """Change a committed file, regenerate manifests and the package signature with the real log key."""
    bag, _ = build(tmp_path, count=4)
    rng = random.Random(99)
    committed = sorted(
        [p for p in (bag / "data" / "items").glob("*/content/*")]
        + [p for p in (bag / "data" / "items").glob("*/record.json")]
        + [bag / "data" / "custody" / "entries.jsonl", bag / "data" / "custody" / "proofs.json",
           bag / "data" / "checkpoint.note"]
        + sorted((bag / "data" / "timestamps").glob("*.tsr"))
    )
    roots = (tmp_path / "tsa-a" / "root.crt", tmp_path / "tsa-b" / "root.crt")
    pristine = tmp_path / "pristine"
    shutil.copytree(bag, pristine)
    caught = 0
    for _ in range(trials):
        target = rng.choice(committed)
        _mutate(target, rng)
        forged = bagit.Bag(str(bag))
        forged.save(manifests=True)
        text = verifier.package_signature_text(bag, ORIGIN)
        (bag / "package-signature.note").write_bytes(add_signatures(text, [LOG_SIGNER.sign(text)]))
        report = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), witness_keys=(W1.vkey(), W2.vkey()), quorum=2,
                                 tsa_roots=roots, min_timestamps=2)
        caught += not verifier.report_ok(report)
        shutil.rmtree(bag)
        shutil.copytree(pristine, bag)
    print(f"insider re-bag + re-sign mutations detected: {caught}/{trials}")
    assert caught == trials
