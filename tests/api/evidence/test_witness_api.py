"""Witnesses over HTTP (test client) with the real `temoin witness` command in file mode:
the public checkpoint + consistency-proof endpoint, co-signing and posting back, a second
round from the last size seen, a rewritten history (log truncated and re-grown with other
entries) refused loudly by the witness, a forged cosignature refused by the server, and the
administrators' witness-key endpoint. One error shape. All keys and data synthetic."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from temoin.audit.models import AuditEntry
from temoin.core.custody.note import NoteSignature, add_signatures, parse_note
from temoin.evidence import services
from temoin.evidence.models import CheckpointCosignature, WitnessKey
from temoin.evidence.vaultsetup import forget_vaults, log_key, open_vault

REPO = Path(__file__).resolve().parents[3]
WITNESS = "witness.cndh-t.example"


def client_for(user=None) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def ingest(case, *payloads: bytes) -> None:  # type: ignore[no-untyped-def]
    for data in payloads:
        services.evidence_ingest(actor=case.world.analyst, events=[case.event], reason="dépôt synthétique",
                                 file=SimpleUploadedFile("synthetique.bin", data))


def witness(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "temoin.cli", "witness", *args, "--state", str(state)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


def fetch_files(api: APIClient, folder: Path, from_size: int) -> tuple[Path, Path]:
    answer = api.get("/api/evidence/witness/checkpoint/", {"from": from_size})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "checkpoint.note").write_text(body["checkpoint"], encoding="utf-8")
    (folder / "proof.json").write_text(json.dumps(
        {"from_size": body["from_size"], "consistency_proof": body["consistency_proof"]}), encoding="utf-8")
    return folder / "checkpoint.note", folder / "proof.json"


def check_files(state: Path, files: tuple[Path, Path], *extra: str) -> subprocess.CompletedProcess[str]:
    return witness(state, "check", "--checkpoint", str(files[0]), "--proof", str(files[1]), *extra)


def rewrite_history(vault_root: Path, keep: int) -> None:
    """What a coerced server does: cut the log to ``keep`` entries and drop later checkpoints."""
    custody = vault_root / "custody"
    lines = (custody / "entries.jsonl").read_bytes().split(b"\n")
    (custody / "entries.jsonl").write_bytes(b"\n".join(lines[:keep]) + b"\n")
    for note in (custody / "checkpoints").glob("*.note"):
        if int(note.stem) > keep:
            note.unlink()
    forget_vaults()


def test_witness_follows_the_log_and_detects_a_rewritten_history(case, vault_root, tmp_path):
    api, admin = client_for(), client_for(case.world.admin)
    state = tmp_path / "witness-state"
    created = witness(state, "init", "--name", WITNESS)
    assert created.returncode == 0, created.stderr
    vkey = created.stdout.strip()
    assert vkey.startswith(WITNESS + "+") and oct((state / "witness.skey").stat().st_mode)[-3:] == "600"
    answer = admin.post("/api/evidence/witness/keys/", {"organisation": case.world.partner_org.pk,
                                                         "vkey": vkey, "reason": "convention synthétique"},
                        format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["name"] == WITNESS

    ingest(case, b"synthetic one", b"synthetic two", b"synthetic three")
    services.custody_checkpoint_publish(actor=case.world.admin)
    first = check_files(state, fetch_files(api, tmp_path / "round1", 0), "--log-key", log_key().vkey)
    assert first.returncode == 0, first.stderr
    assert "first checkpoint seen: trusted on first use" in first.stderr
    posted = api.post("/api/evidence/witness/cosignature/", {"checkpoint": first.stdout}, format="json")
    assert posted.status_code == 201 and posted.json() == {"size": 3, "accepted": [WITNESS], "already": []}

    ingest(case, b"synthetic four", b"synthetic five")
    services.custody_checkpoint_publish(actor=case.world.admin)
    second = check_files(state, fetch_files(api, tmp_path / "round2", 3))
    assert second.returncode == 0 and "consistent with size 3" in second.stderr, second.stderr
    assert api.post("/api/evidence/witness/cosignature/", {"checkpoint": second.stdout},
                    format="json").json()["accepted"] == [WITNESS]
    assert sorted(CheckpointCosignature.objects.values_list("checkpoint__size", flat=True)) == [3, 5]
    assert json.loads((state / "state.json").read_text())[log_key().origin][0] == 5

    stale = check_files(state, (tmp_path / "round1" / "checkpoint.note", tmp_path / "round1" / "proof.json"))
    assert stale.returncode == 3 and "proof starts at size 0" in stale.stderr  # an old file, not a fork

    rewrite_history(vault_root, keep=2)
    ingest(case, b"other six", b"other seven", b"other eight", b"other nine")
    services.custody_checkpoint_publish(actor=case.world.admin)
    assert open_vault().log.size == 6
    verified = services.evidence_verify(actor=case.world.admin)  # the server's own records object too
    assert not verified.log_ok and verified.log_problem == (
        "les entrées ne correspondent plus au point de contrôle publié de taille 3 : historique réécrit")
    refused = check_files(state, fetch_files(api, tmp_path / "round3", 5))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "REFUSED — HISTORY REWRITTEN" in refused.stderr and refused.stdout == ""
    assert "size 6 is not consistent with size 5" in refused.stderr
    assert json.loads((state / "state.json").read_text())[log_key().origin][0] == 5  # unchanged
    (kept,) = (state / "refused").glob("*-size-6.json")
    assert json.loads(kept.read_text())["from_size"] == 5
    assert sorted(p.name for p in (state / "checkpoints").iterdir()) == ["3.note", "5.note"]

    from temoin.core.custody import NoteSigner

    other_key = NoteSigner.generate(log_key().origin).vkey()  # a server that swapped its key
    wrong_key = check_files(state, fetch_files(api, tmp_path / "round4", 5), "--log-key", other_key)
    assert wrong_key.returncode == 3 and "differs from the key pinned" in wrong_key.stderr


def test_forged_cosignature_is_refused_with_one_error_shape_and_nothing_changes(case):
    api = client_for()
    from temoin.core.custody import ALG_COSIGNATURE_V1, NoteSigner, NoteVerifier, Witness

    signer = NoteSigner.generate(WITNESS, algorithm=ALG_COSIGNATURE_V1)
    services.witness_key_add(actor=case.world.admin, organisation=case.world.partner_org,
                             vkey=signer.vkey(), reason="convention synthétique")
    ingest(case, b"synthetic ten")
    note = services.custody_checkpoint_publish(actor=case.world.admin).note
    cosigned = Witness(signer, logs=[NoteVerifier.from_vkey(log_key().vkey)]).cosign(note, consistency_proof=[])
    text, signatures = parse_note(cosigned)
    last = signatures[-1]
    forged = add_signatures(text, [*signatures[:-1], NoteSignature(
        last.name, last.key_id, last.signature[:12] + bytes([last.signature[12] ^ 0x80]) + last.signature[13:])])
    before = (AuditEntry.objects.count(), CheckpointCosignature.objects.count(),
              open_vault().log.store.checkpoints())
    answer = api.post("/api/evidence/witness/cosignature/", {"checkpoint": forged.decode()}, format="json")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "witness.cosignature_refused"
    assert [f["code"] for f in error["fields"]["checkpoint"]] == ["custody.signature_invalid"]
    missing = api.post("/api/evidence/witness/cosignature/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["fields"]["checkpoint"][0]["code"] == "required"
    assert (AuditEntry.objects.count(), CheckpointCosignature.objects.count(),
            open_vault().log.store.checkpoints()) == before
    good = api.post("/api/evidence/witness/cosignature/", {"checkpoint": cosigned.decode()}, format="json")
    assert good.status_code == 201


def test_checkpoint_endpoint_answers_and_refuses_precisely(case):
    api = client_for()
    none_yet = api.get("/api/evidence/witness/checkpoint/")
    assert none_yet.status_code == 404 and none_yet.json()["error"]["code"] == "witness.no_checkpoint"
    ingest(case, b"synthetic eleven", b"synthetic twelve")
    services.custody_checkpoint_publish(actor=case.world.admin)
    body = api.get("/api/evidence/witness/checkpoint/", {"from": 1}).json()
    assert (body["origin"], body["size"], body["from_size"], len(body["consistency_proof"])) == (
        log_key().origin, 2, 1, 1)
    beyond = api.get("/api/evidence/witness/checkpoint/", {"from": 3})
    assert beyond.status_code == 409 and beyond.json()["error"]["code"] == "witness.from_beyond_checkpoint"
    bad = api.get("/api/evidence/witness/checkpoint/", {"from": "-1"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["from"][0]["code"] == "invalid"


def test_witness_keys_and_checkpoint_status_endpoints_follow_roles(case):
    from temoin.core.custody import ALG_COSIGNATURE_V1, NoteSigner

    vkey = NoteSigner.generate(WITNESS, algorithm=ALG_COSIGNATURE_V1).vkey()
    body = {"organisation": case.world.partner_org.pk, "vkey": vkey, "reason": "convention"}
    for user in (case.world.analyst, case.world.partner):
        assert client_for(user).post("/api/evidence/witness/keys/", body, format="json").status_code == 403
    assert client_for().post("/api/evidence/witness/keys/", body, format="json").status_code in (401, 403)
    assert WitnessKey.objects.count() == 0
    assert client_for(case.world.admin).post("/api/evidence/witness/keys/", body, format="json").status_code == 201
    listing = client_for(case.world.analyst).get("/api/evidence/witness/keys/").json()["results"]
    assert [(k["name"], k["organisation"], k["revoked"]) for k in listing] == [(WITNESS, "CNDH-T", False)]
    assert client_for(case.world.partner).get("/api/evidence/witness/keys/").status_code == 403
    ingest(case, b"synthetic thirteen")
    assert client_for(case.world.admin).post("/api/evidence/custody/checkpoint/").status_code == 201
    status = client_for(case.world.reviewer).get("/api/evidence/custody/checkpoints/").json()["results"]
    assert [(s["size"], s["timestamps"], s["cosignatures"]) for s in status] == [(1, [], [])]
    refused = client_for(case.world.analyst).post("/api/evidence/custody/timestamp/", {}, format="json")
    assert refused.status_code == 403


def test_witness_command_refuses_usage_errors_and_an_unreachable_log(tmp_path):
    state = tmp_path / "state"
    no_key = witness(state, "check", "http://127.0.0.1:9/")
    assert no_key.returncode == 1 and "no witness key" in no_key.stderr
    assert witness(state, "init", "--name", WITNESS).returncode == 0
    twice = witness(state, "init", "--name", WITNESS)
    assert twice.returncode == 1 and "already exists" in twice.stderr
    unpinned = witness(state, "check", "http://127.0.0.1:9/")
    assert unpinned.returncode == 1 and "--log-key" in unpinned.stderr
    from temoin.core.custody import NoteSigner

    log_vkey = NoteSigner.generate("temoin.synthetic/custody").vkey()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = witness(state, "check", f"http://127.0.0.1:{port}", "--log-key", log_vkey)
    assert down.returncode == 4 and "log unreachable" in down.stderr
    assert not (state / "state.json").exists()
