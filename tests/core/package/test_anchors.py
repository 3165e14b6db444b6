"""Packages carrying earlier co-signed and time-stamped checkpoints ("anchors"), checked by the
standalone verifier: a verdict per cosignature and per token, the earliest outside proof per
item; forged cosignatures, bad tokens and a re-signed forged consistency proof all fail."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import bagit
import pytest

from temoin.core.custody import ALG_COSIGNATURE_V1, NoteSigner, Witness, build_request
from temoin.core.custody.note import NoteSignature, add_signatures, parse_note
from temoin.core.package import CheckpointAnchor, ExportItem, PackageError, build_package
from temoin.core.package import verify_package as verifier
from tests.core.custody.tsa import OPENSSL, LocalTsa
from tests.core.vault.helpers import ANALYST, ORIGIN, make_vault

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl command not available")
LOG_SIGNER = NoteSigner.generate(ORIGIN)
W1 = NoteSigner.generate("partner-a.example/witness", algorithm=ALG_COSIGNATURE_V1)
STRANGER = NoteSigner.generate("partner-z.example/witness", algorithm=ALG_COSIGNATURE_V1)


def flip_last_signature(note: bytes) -> bytes:
    text, signatures = parse_note(note)
    last = signatures[-1]
    bad = NoteSignature(last.name, last.key_id, last.signature[:30] + bytes([last.signature[30] ^ 4]) + last.signature[31:])
    return add_signatures(text, [*signatures[:-1], bad])


def build(tmp_path: Path, *, forge: str = "", cosign: bool = True, name: str = "bag") -> tuple[Path, list[str], LocalTsa]:
    """Three items witnessed and time-stamped at checkpoint 3, a fourth ingested afterwards."""
    vault = make_vault(tmp_path / "vault", signer=LOG_SIGNER)
    shas = [vault.ingest(io.BytesIO(f"synthetic item {n}".encode()), actor=ANALYST).item.sha256 for n in range(3)]
    note = vault.log.checkpoint()
    if cosign:
        note = Witness(W1, logs=[LOG_SIGNER.verifier], clock=lambda: 1_790_000_000).cosign(note, consistency_proof=[])
        note = Witness(STRANGER, logs=[LOG_SIGNER.verifier], clock=lambda: 1_790_000_001).cosign(note, consistency_proof=[])
    if forge == "cosignature":
        text, signatures = parse_note(note)
        note = add_signatures(text, [signatures[0], *parse_note(flip_last_signature(add_signatures(text, signatures[:2])))[1][1:], signatures[2]])
    tsa = LocalTsa(tmp_path / "tsa")
    token = tsa.request(build_request(parse_note(note)[0].encode()).der)
    if forge == "token":
        token = token[:-40] + bytes([token[-40] ^ 1]) + token[-39:]
    shas.append(vault.ingest(io.BytesIO(b"synthetic item 3"), actor=ANALYST).item.sha256)
    result = build_package(vault, [ExportItem(s) for s in shas], tmp_path / name, actor=ANALYST,
                           reason="synthetic court request", log_signer=LOG_SIGNER, witness_keys=[W1.verifier],
                           anchors=[CheckpointAnchor(note, (token,))], anchor_roots=[tsa.root])
    return result.path, shas, tsa


def test_anchor_cosignatures_and_tokens_each_get_a_verdict(tmp_path: Path) -> None:
    bag, shas, _ = build(tmp_path)
    assert sorted(p.name for p in (bag / "data" / "anchors").iterdir()) == ["checkpoint-3", "roots"]
    report = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), quorum=1, min_timestamps=1)
    assert report["package"] == [] and verifier.report_ok(report)
    (anchor,) = report["anchors"]
    assert anchor["size"] == 3 and anchor["cosigners"] == {W1.name: 1_790_000_000}
    assert [v.split("  ")[0] for v in anchor["verdicts"]] == ["OK", "OK", "NOTE", "OK"]
    assert anchor["verdicts"][1] == f"OK      cosigned by witness {W1.name} at 2026-09-21T14:13:20Z / cosigné par le témoin"
    assert anchor["verdicts"][2] == f"NOTE    cosignature by {STRANGER.name} not checked: its key was not given"
    assert anchor["timestamps"][0]["tsa"] == "CN=Synthetic TSA synthetic-tsa"
    for sha in shas[:3]:
        assert report["anchored"][sha].startswith(f"ingest entry {shas.index(sha)} is in checkpoint 3: witnessed by "
                                                  f"{W1.name} at 2026-09-21T14:13:20Z; time-stamped 20")
    assert report["anchored"][shas[3]].startswith("not covered by a co-signed or time-stamped checkpoint")
    run = subprocess.run([sys.executable, "-I", str(bag / "data" / "verify_package.py"), str(bag),
                          "--log-key", LOG_SIGNER.vkey(), "--witness-key", W1.vkey(), "--quorum", "1",
                          "--min-timestamps", "1"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"OK      cosigned by witness {W1.name}" in run.stdout and "OK      time-stamp 20" in run.stdout
    assert run.stdout.count("is in checkpoint 3: witnessed by") == 3
    assert "VERDICT: ALL VERIFIED" in run.stdout


def test_without_cosignatures_the_quorum_fails_but_the_package_verifies(tmp_path: Path) -> None:
    bag, _, _ = build(tmp_path, cosign=False)
    report = verifier.verify(bag, log_key=LOG_SIGNER.vkey())
    assert verifier.report_ok(report) and report["anchors"][0]["cosigners"] == {}
    report = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), quorum=1)
    assert report["package"] == ["checkpoint.note: 0 witness cosignatures, 1 required"]


@pytest.mark.parametrize(("forge", "expected"), [
    ("cosignature", f"anchors/checkpoint-3: invalid signature by {W1.name}"),
    ("token", "anchors/checkpoint-3/timestamp-0.tsr: time-stamp:"),
])
def test_forged_cosignature_or_token_fails_the_package(tmp_path: Path, forge: str, expected: str) -> None:
    bag, _, _ = build(tmp_path, forge=forge)
    report = verifier.verify(bag, log_key=LOG_SIGNER.vkey())
    assert not verifier.report_ok(report)
    assert len(report["package"]) == 1 and report["package"][0].startswith(expected), report["package"]
    assert any(v.startswith("FAILED  " + expected) for v in report["anchors"][0]["verdicts"])


def test_a_log_key_holder_cannot_forge_the_consistency_of_an_anchor(tmp_path: Path) -> None:
    """Even re-bagged and re-signed with the log key, a changed proof is caught."""
    bag, _, _ = build(tmp_path)
    proof_file = bag / "data" / "anchors" / "checkpoint-3" / "consistency.json"
    proof = json.loads(proof_file.read_text())
    proof["proof"][0] = "00" * 32
    proof_file.write_text(json.dumps(proof))
    (bag / "package-signature.note").unlink()
    bagit.Bag(str(bag)).save(manifests=True)
    text = verifier.package_signature_text(bag, ORIGIN)
    (bag / "package-signature.note").write_bytes(add_signatures(text, [LOG_SIGNER.sign(text)]))
    report = verifier.verify(bag, log_key=LOG_SIGNER.vkey())
    assert report["package"] == ["consistency proof 3 -> 8 does not verify"]


def test_builder_refuses_an_anchor_that_is_not_of_this_log(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "vault", signer=LOG_SIGNER)
    sha = vault.ingest(io.BytesIO(b"synthetic item"), actor=ANALYST).item.sha256
    other = make_vault(tmp_path / "other", signer=LOG_SIGNER)
    other.ingest(io.BytesIO(b"another synthetic item"), actor=ANALYST)
    with pytest.raises(PackageError, match="anchor checkpoint of size 1 does not match the log"):
        build_package(vault, [ExportItem(sha)], tmp_path / "p", actor=ANALYST, reason="r",
                      log_signer=LOG_SIGNER, anchors=[CheckpointAnchor(other.log.checkpoint())])
    assert not (tmp_path / "p").exists()


def _rebag_and_resign(bag: Path) -> None:
    (bag / "package-signature.note").unlink()
    bagit.Bag(str(bag)).save(manifests=True)
    text = verifier.package_signature_text(bag, ORIGIN)
    (bag / "package-signature.note").write_bytes(add_signatures(text, [LOG_SIGNER.sign(text)]))


def test_every_mutation_of_anchor_files_is_detected(tmp_path: Path) -> None:
    """200 seeded single-bit flips over the anchor files (caught by the bag manifests), and every
    bit of the witness's cosignature flipped in a bag re-signed with the log key (caught by
    the cosignature check itself): 100 % detected."""
    import random
    import shutil

    bag, _, _ = build(tmp_path)
    files = sorted(p for p in (bag / "data" / "anchors").rglob("*") if p.is_file())
    rng = random.Random(3161)
    detected = 0
    for trial in range(200):
        target = rng.choice(files)
        copy = tmp_path / f"m{trial}"
        shutil.copytree(bag, copy)
        victim = copy / target.relative_to(bag)
        raw = bytearray(victim.read_bytes())
        position = rng.randrange(len(raw))
        raw[position] ^= 1 << rng.randrange(8)
        victim.write_bytes(bytes(raw))
        detected += not verifier.report_ok(verifier.verify(copy, log_key=LOG_SIGNER.vkey()))
        shutil.rmtree(copy)
    assert detected == 200
    note_path = bag / "data" / "anchors" / "checkpoint-3" / "checkpoint.note"
    original = note_path.read_bytes()
    text, signatures = parse_note(original)
    index = next(i for i, s in enumerate(signatures) if s.name == W1.name)
    caught = 0
    for bit in range(0, 72 * 8, 7):  # timestamp and Ed25519 signature bytes of the cosignature
        signature = bytearray(signatures[index].signature)
        signature[bit // 8] ^= 1 << (bit % 8)
        changed = list(signatures)
        changed[index] = NoteSignature(W1.name, signatures[index].key_id, bytes(signature))
        note_path.write_bytes(add_signatures(text, changed))
        _rebag_and_resign(bag)
        report = verifier.verify(bag, log_key=LOG_SIGNER.vkey(), witness_keys=(W1.vkey(),))
        caught += any(f"invalid signature by {W1.name}" in p for p in report["package"])
    assert caught == len(range(0, 72 * 8, 7))
