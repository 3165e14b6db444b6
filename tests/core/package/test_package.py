"""Court package: contents, standalone verifier (in a separate isolated process), refusals."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import bagit
import pytest

from temoin.core.custody import ALG_COSIGNATURE_V1, NoteSigner, Witness
from temoin.core.package import ExportItem, PackageError, build_package
from temoin.core.package import verify_package as verifier
from tests.core.custody.tsa import LocalTsa
from tests.core.vault.helpers import ANALYST, ORIGIN, make_vault, synthetic_corpus, synthetic_jpeg

LOG_SIGNER = NoteSigner.generate(ORIGIN)
W1 = NoteSigner.generate("partner-a.example/witness", algorithm=ALG_COSIGNATURE_V1)
W2 = NoteSigner.generate("partner-b.example/witness", algorithm=ALG_COSIGNATURE_V1)


def build(tmp_path: Path, *, count: int = 6, name: str = "bag") -> tuple[Path, dict[str, bytes]]:
    """A vault with a seeded synthetic corpus and one working copy, exported with two witnesses."""
    vault = make_vault(tmp_path / "vault", signer=LOG_SIGNER)
    corpus = synthetic_corpus(21, count)
    contents: dict[str, bytes] = {}
    shas = []
    for filename, data in corpus:
        sha = vault.ingest(io.BytesIO(data), actor=ANALYST, filename=filename, context={"source": "src-synthetic"}).item.sha256
        contents[sha] = data
        shas.append(sha)
    blurred = synthetic_jpeg(99)
    derived = vault.ingest(io.BytesIO(blurred), actor=ANALYST, filename="blurred.jpg", derived_from=shas[0],
                           operation={"name": "blur_faces", "tool": "synthetic", "tool_version": "0"}).item.sha256
    contents[derived] = blurred
    shas.append(derived)
    witnesses = [Witness(W1, logs=[LOG_SIGNER.verifier]), Witness(W2, logs=[LOG_SIGNER.verifier])]
    vault.log.checkpoint()
    for witness in witnesses:  # the witnesses saw an earlier checkpoint: consistency proofs are needed
        witness.cosign(vault.log.checkpoint(), consistency_proof=[])
    vault.ingest(io.BytesIO(b"synthetic unrelated item"), actor=ANALYST)
    authorities = [LocalTsa(tmp_path / "tsa-a", name="a"), LocalTsa(tmp_path / "tsa-b", name="b")]
    result = build_package(
        vault, [ExportItem(sha, {"events": ["evt-synthetic-1"]}) for sha in shas], tmp_path / name,
        actor=ANALYST, reason="synthetic court request", log_signer=LOG_SIGNER, witnesses=witnesses,
        witness_keys=[W1.verifier, W2.verifier], timestamp_authorities=authorities,
        tsa_roots=[a.root for a in authorities],
    )
    assert result.cosigned_by == ("partner-a.example/witness", "partner-b.example/witness")
    return result.path, contents


def test_package_contents_are_byte_identical_and_verify(tmp_path: Path) -> None:
    bag, contents = build(tmp_path)
    bagit.Bag(str(bag)).validate()
    identical = 0
    for sha, data in contents.items():
        files = list((bag / "data" / "items" / sha / "content").iterdir())
        assert len(files) == 1
        identical += files[0].read_bytes() == data
    print(f"exported package contents byte-identical: {identical}/{len(contents)}")
    assert identical == len(contents)
    names = sorted(p.name for p in (bag / "data" / "items").glob("*/content/*"))
    assert "working-copy.jpg" in names and "original.jpg" in names
    report = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), witness_keys=(W1.vkey(), W2.vkey()), quorum=2)
    assert report["package"] == []
    assert set(report["items"]) == set(contents)
    assert all(problems == [] for problems in report["items"].values())
    assert set(report["cosigners"]) == {"partner-a.example/witness", "partner-b.example/witness"}
    assert sorted(t["tsa"] for t in report["timestamps"]) == ["CN=Synthetic TSA a", "CN=Synthetic TSA b"]
    roots = (tmp_path / "tsa-a" / "root.crt", tmp_path / "tsa-b" / "root.crt")
    pinned = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), tsa_roots=roots, min_timestamps=2)
    assert verifier.report_ok(pinned) and len(pinned["timestamps"]) == 2
    stranger = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), tsa_roots=(roots[0],), min_timestamps=2)
    assert stranger["package"] == [
        "timestamps/checkpoint-1.tsr: time-stamp: TSA certificate does not chain to a trusted root"
    ]
    entries = (bag / "data" / "custody" / "entries.jsonl").read_bytes().decode().splitlines()
    actions = [json.loads(line)["action"] for line in entries]
    assert actions.count("export") == len(contents)
    assert "synthetic unrelated item" not in (bag / "data" / "custody" / "entries.jsonl").read_text()
    assert len(entries) == len({json.loads(line)["seq"] for line in entries})


def test_standalone_verifier_runs_isolated_and_prints_verdicts(tmp_path: Path) -> None:
    bag, contents = build(tmp_path, count=3)
    script = bag / "data" / "verify_package.py"
    command = [sys.executable, "-I", str(script), str(bag), "--log-key", LOG_SIGNER.vkey(),
               "--witness-key", W1.vkey(), "--witness-key", W2.vkey(), "--quorum", "2",
               "--tsa-root", str(tmp_path / "tsa-a" / "root.crt"), "--tsa-root", str(tmp_path / "tsa-b" / "root.crt"),
               "--min-timestamps", "2"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("OK      ") == len(contents)
    assert done.stdout.count("(RFC 3161, over the checkpoint)") == 2
    assert done.stdout.rstrip().endswith("VERDICT: ALL VERIFIED / TOUT EST VÉRIFIÉ")
    source = script.read_text()
    imports = {line.split()[1].split(".")[0] for line in map(str.strip, source.splitlines())
               if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "argparse", "base64", "binascii", "hashlib", "json", "re", "struct", "sys", "pathlib", "typing", "datetime", "cryptography"}

    first = sorted(contents)[0]
    target = next((bag / "data" / "items" / first / "content").iterdir())
    target.write_bytes(target.read_bytes() + b"\x00")
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 1
    assert "PACKAGE FAILED" in done.stdout and "differs from manifest-sha256.txt" in done.stdout


def test_quorum_and_pinned_key_are_enforced(tmp_path: Path) -> None:
    bag, _ = build(tmp_path, count=2)
    other = NoteSigner.generate(ORIGIN)
    report = verifier.verify(bag, log_key=other.vkey())
    assert report["package"] == ["package.json: the log key differs from the one given with --log-key"]
    stranger = NoteSigner.generate("partner-c.example/witness", algorithm=ALG_COSIGNATURE_V1)
    report = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), witness_keys=(stranger.vkey(),), quorum=1)
    assert report["package"] == ["checkpoint.note: 0 witness cosignatures, 1 required"]
    report = verifier.verify(bag)
    assert report["package"] == [] and "log key taken from the package itself" in report["notes"][0]


def test_builder_refuses_shredded_items_duplicates_and_existing_destination(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "vault", signer=LOG_SIGNER)
    a = vault.ingest(io.BytesIO(b"synthetic a"), actor=ANALYST).item.sha256
    b = vault.ingest(io.BytesIO(b"synthetic b"), actor=ANALYST).item.sha256
    vault.shred(b, actor=ANALYST, reason="synthetic", authority="SYN-2")
    size = vault.log.size
    with pytest.raises(PackageError, match=f"item {b} was shredded"):
        build_package(vault, [ExportItem(a), ExportItem(b)], tmp_path / "p", actor=ANALYST, reason="r", log_signer=LOG_SIGNER)
    with pytest.raises(PackageError, match="listed twice"):
        build_package(vault, [ExportItem(a), ExportItem(a)], tmp_path / "p", actor=ANALYST, reason="r", log_signer=LOG_SIGNER)
    assert vault.log.size == size and not (tmp_path / "p").exists()
    (tmp_path / "q").mkdir()
    with pytest.raises(PackageError, match="already exists"):
        build_package(vault, [ExportItem(a)], tmp_path / "q", actor=ANALYST, reason="r", log_signer=LOG_SIGNER)


def test_record_in_package_matches_the_committed_hash(tmp_path: Path) -> None:
    bag, contents = build(tmp_path, count=1)
    for sha in contents:
        record = (bag / "data" / "items" / sha / "record.json").read_bytes()
        assert json.loads(record)["sha256"] == sha
        assert hashlib.sha256(record).hexdigest() in (bag / "data" / "custody" / "entries.jsonl").read_text()
