"""Checkpoints time-stamped by a real local RFC 3161 TSA over HTTP (OpenSSL), failures recorded
and retried; witness keys registered and audited; cosignatures verified, stored and merged;
forged, unregistered, revoked and off-log cosignatures refused with nothing changed.
All keys and data synthetic."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from temoin.audit.models import AuditEntry
from temoin.core.custody import (
    ALG_COSIGNATURE_V1,
    Checkpoint,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    Witness,
    sign_checkpoint,
    verify_checkpoint,
    verify_timestamp,
)
from temoin.core.custody.note import add_signatures, parse_note
from temoin.errors import Conflict, PermissionDenied, ValidationFailed
from temoin.evidence import services
from temoin.evidence.models import (
    CheckpointCosignature,
    CheckpointTimestamp,
    CustodyCheckpoint,
    WitnessKey,
)
from temoin.evidence.vaultsetup import log_key, log_signer, open_vault

from .http_tsa import OPENSSL, closed_url, http_tsa

pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl command not available")
WITNESS = "witness.cndh-t.example"


def ingest(case, data: bytes) -> None:  # type: ignore[no-untyped-def]
    services.evidence_ingest(actor=case.world.analyst, events=[case.event], reason="dépôt synthétique",
                             file=SimpleUploadedFile("synthetique.bin", data))


@pytest.fixture
def tsa(tmp_path, settings):  # type: ignore[no-untyped-def]
    with http_tsa(tmp_path / "tsa") as served:
        settings.TEMOIN_TSA_URLS = [served.url]
        settings.TEMOIN_TSA_ROOTS = [str(served.root_pem)]
        yield served


def registered(case, name: str = WITNESS) -> NoteSigner:  # type: ignore[no-untyped-def]
    signer = NoteSigner.generate(name, algorithm=ALG_COSIGNATURE_V1)
    services.witness_key_add(actor=case.world.admin, organisation=case.world.partner_org,
                             vkey=signer.vkey(), reason="convention de témoin (synthétique)")
    return signer


def cosign(note: bytes, signer: NoteSigner) -> bytes:
    witness = Witness(signer, logs=[NoteVerifier.from_vkey(log_key().vkey)], clock=lambda: 1_790_000_000)
    return witness.cosign(note, consistency_proof=[])


def raw_cosign(note: bytes, signer: NoteSigner) -> bytes:
    """A cosignature line added without any check (what a forger or a careless witness does)."""
    text, signatures = parse_note(note)
    return add_signatures(text, [*signatures, signer.sign(text, timestamp=1_790_000_000)])


def state() -> tuple[int, int, int, int, dict[int, bytes]]:
    return (AuditEntry.objects.count(), CheckpointCosignature.objects.count(),
            CustodyCheckpoint.objects.count(), WitnessKey.objects.count(),
            open_vault().log.store.checkpoints())


# --------------------------------------------------------------------------- time-stamps
def test_publish_asks_the_tsa_and_stores_a_verified_token(case, tsa):
    ingest(case, b"synthetic evidence one")
    outcome = services.custody_checkpoint_publish(actor=case.world.admin)
    assert outcome.checkpoint.size == open_vault().log.size == 1
    assert [(r.size, r.tsa_url, r.status, r.error) for r in outcome.timestamps] == [
        (1, tsa.url, "granted", "")]
    row = CheckpointTimestamp.objects.get()
    facts = verify_timestamp(bytes(row.token), outcome.checkpoint.body.encode(), roots=[tsa.tsa.root])
    assert facts["gen_time"] == row.gen_time and row.tsa_name == "CN=Synthetic TSA synthetic-tsa"
    assert outcome.checkpoint.body == parse_note(outcome.note)[0]
    assert AuditEntry.objects.filter(action="evidence.timestamp").values_list("details", flat=True)[0] == {
        "size": 1, "tsa_url": tsa.url, "status": "granted", "error": ""}
    assert tsa.requests == 1
    again = services.checkpoint_timestamp(actor=case.world.admin)  # nothing missing: no request
    assert again == [] and tsa.requests == 1


def test_tsa_down_still_publishes_records_the_failure_and_pending_retries(case, tsa, settings):
    ingest(case, b"synthetic evidence two")
    tsa.available = False
    down = settings.TEMOIN_TSA_URLS = [tsa.url, closed_url()]
    outcome = services.evidence_checkpoint(actor=case.world.admin)
    assert outcome["size"] == 1 and outcome["checkpoint"].startswith(log_key().origin + "\n1\n")
    assert [(t["status"], t["error"].split(":")[0]) for t in outcome["timestamps"]] == [
        ("failed", "custody.timestamp_unavailable"), ("failed", "custody.timestamp_unavailable")]
    assert "HTTP 503" in outcome["timestamps"][0]["error"]
    assert "unreachable" in outcome["timestamps"][1]["error"]
    assert CustodyCheckpoint.objects.count() == 1
    tsa.available = True
    retried = services.checkpoint_timestamp(actor=case.world.admin, pending=True)
    assert [(r.tsa_url, r.status) for r in retried] == [(down[0], "granted"), (down[1], "failed")]
    granted = CheckpointTimestamp.objects.get(tsa_url=tsa.url)
    assert granted.status == "granted" and granted.attempts == 2 and granted.error == ""
    assert CheckpointTimestamp.objects.get(tsa_url=down[1]).attempts == 2
    retried = services.checkpoint_timestamp(actor=case.world.admin, pending=True)
    assert [r.tsa_url for r in retried] == [down[1]]  # a granted token is not asked again


def test_token_from_an_untrusted_tsa_or_without_roots_is_refused(case, tsa, settings, tmp_path):
    ingest(case, b"synthetic evidence three")
    with http_tsa(tmp_path / "other", name="other-tsa") as other:
        settings.TEMOIN_TSA_URLS = [other.url]  # roots: the first TSA's only
        outcome = services.custody_checkpoint_publish(actor=case.world.admin)
    assert outcome.timestamps[0].status == "failed"
    assert "does not chain to a trusted root" in outcome.timestamps[0].error
    assert CheckpointTimestamp.objects.get().token is None
    settings.TEMOIN_TSA_URLS, settings.TEMOIN_TSA_ROOTS = [tsa.url], []
    results = services.checkpoint_timestamp(actor=case.world.admin)
    assert results[0].status == "failed" and "no TSA root configured" in results[0].error
    assert tsa.requests == 0


def test_timestamping_is_for_administrators_and_needs_a_tsa(case, settings):
    with pytest.raises(PermissionDenied):
        services.checkpoint_timestamp(actor=case.world.analyst)
    settings.TEMOIN_TSA_URLS = []
    with pytest.raises(Conflict) as info:
        services.checkpoint_timestamp(actor=case.world.admin)
    assert info.value.code == "evidence.no_tsa"


# --------------------------------------------------------------------------- witness keys
def test_witness_key_is_registered_and_audited(case):
    signer = registered(case)
    row = WitnessKey.objects.get()
    assert (row.name, row.vkey, row.organisation, row.added_by) == (
        WITNESS, signer.vkey(), case.world.partner_org, case.world.admin)
    audit = AuditEntry.objects.get(action="evidence.witness_add")
    assert audit.details == {"name": WITNESS, "vkey": signer.vkey(), "organisation": "CNDH-T"}
    services.witness_key_revoke(actor=case.world.admin, witness=row, reason="fin de convention")
    assert WitnessKey.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="evidence.witness_revoke").count() == 1


def test_bad_witness_keys_are_refused_and_nothing_changes(case):
    signer = registered(case)
    before = state()
    log_vkey = log_key().vkey
    other = NoteSigner.generate("witness.other.example", algorithm=ALG_COSIGNATURE_V1)
    cases = [
        ("not a key", case.world.partner_org, {"custody.key_malformed"}),
        (log_vkey, case.world.partner_org, {"witness.not_cosigner_key", "witness.log_name"}),
        (signer.vkey(), case.world.partner_org, {"witness.duplicate"}),
        (other.vkey(), case.world.host, {"witness.partner_required"}),
    ]
    for vkey, organisation, codes in cases:
        with pytest.raises(ValidationFailed) as info:
            services.witness_key_add(actor=case.world.admin, organisation=organisation, vkey=vkey,
                                     reason="essai")
        assert {c for c, _ in info.value.fields.get("vkey", []) + info.value.fields.get(
            "organisation", [])} == codes
    with pytest.raises(ValidationFailed):
        services.witness_key_add(actor=case.world.admin, organisation=case.world.partner_org,
                                 vkey=other.vkey(), reason=" ")
    for actor in (case.world.analyst, case.world.partner):
        with pytest.raises(PermissionDenied):
            services.witness_key_add(actor=actor, organisation=case.world.partner_org,
                                     vkey=other.vkey(), reason="essai")
    assert state() == before


# --------------------------------------------------------------------------- cosignatures
def test_cosignature_is_verified_stored_and_merged_into_the_checkpoint(case):
    signer = registered(case)
    ingest(case, b"synthetic evidence four")
    note = services.custody_checkpoint_publish(actor=case.world.admin).note
    outcome = services.witness_cosignature_accept(note=cosign(note, signer))
    assert (outcome.checkpoint.size, outcome.accepted, outcome.already) == (1, [WITNESS], [])
    stored = open_vault().log.store.checkpoints()[1]
    verified = verify_checkpoint(stored, NoteVerifier.from_vkey(log_key().vkey),
                                 witnesses=[signer.verifier], quorum=1)
    assert verified.cosigned_by == {WITNESS: 1_790_000_000}
    row = CheckpointCosignature.objects.get()
    assert row.cosigned_at.timestamp() == 1_790_000_000 and row.witness.name == WITNESS
    assert row.signature_line + "\n" in stored.decode()
    again = services.witness_cosignature_accept(note=cosign(note, signer))
    assert (again.accepted, again.already) == ([], [WITNESS])
    assert AuditEntry.objects.filter(action="evidence.cosignature").count() == 1
    assert open_vault().log.verify(NoteVerifier.from_vkey(log_key().vkey)).checkpoints_verified == 1


def _flip(note: bytes) -> bytes:
    text, signatures = parse_note(note)
    last = signatures[-1]
    bad = NoteSignature(last.name, last.key_id,
                        last.signature[:20] + bytes([last.signature[20] ^ 1]) + last.signature[21:])
    return add_signatures(text, [*signatures[:-1], bad])


def test_forged_unregistered_revoked_and_off_log_cosignatures_are_refused(case):
    signer = registered(case)
    ingest(case, b"synthetic evidence five")
    note = services.custody_checkpoint_publish(actor=case.world.admin).note
    stranger = NoteSigner.generate("witness.stranger.example", algorithm=ALG_COSIGNATURE_V1)
    checkpoint = Checkpoint.parse(parse_note(note)[0])
    forked = sign_checkpoint(Checkpoint(checkpoint.origin, 1, b"\x07" * 32), log_signer())
    unknown_size = sign_checkpoint(Checkpoint(checkpoint.origin, 5, checkpoint.root), log_signer())
    impostor = NoteSigner.generate(checkpoint.origin)  # a key claiming the log's name
    before = state()
    refusals = [
        (_flip(cosign(note, signer)), "custody.signature_invalid"),
        (cosign(note, stranger), "custody.checkpoint_invalid"),
        (raw_cosign(note, stranger), "custody.checkpoint_invalid"),
        (cosign(forked, signer), "custody.checkpoint_invalid"),
        (cosign(unknown_size, signer), "witness.unknown_checkpoint"),
        (raw_cosign(sign_checkpoint(checkpoint, impostor), signer), "custody.signature_invalid"),
        (b"not a note", "custody.note_malformed"),
    ]
    for forged, code in refusals:
        with pytest.raises(ValidationFailed) as info:
            services.witness_cosignature_accept(note=forged)
        assert info.value.code == "witness.cosignature_refused"
        assert [c for c, _ in info.value.fields["checkpoint"]] == [code], info.value.message
    assert state() == before
    services.witness_key_revoke(actor=case.world.admin, witness=WitnessKey.objects.get(),
                                reason="fin de convention")
    with pytest.raises(ValidationFailed, match="no cosignature by a registered witness"):
        services.witness_cosignature_accept(note=cosign(note, signer))
    assert CheckpointCosignature.objects.count() == 0


# --------------------------------------------------------------------------- court package
def test_export_carries_the_cosigned_and_time_stamped_checkpoints(case, tsa, tmp_path):
    from temoin.core.package import verify_package as verifier

    signer = registered(case)
    ingest(case, b"synthetic evidence six")
    note = services.custody_checkpoint_publish(actor=case.world.admin).note
    services.witness_cosignature_accept(note=cosign(note, signer))
    ingest(case, b"synthetic evidence seven")
    outcome = services.evidence_export(actor=case.world.analyst, recipient_kind="courts",
                                       reason="demande synthétique", destination=tmp_path / "pkg",
                                       event=case.event)
    bag = outcome.path
    assert sorted(p.name for p in (bag / "data" / "anchors").iterdir()) == [
        "checkpoint-1", "checkpoint-2", "roots"]
    report = verifier.verify(bag, log_key=log_key().vkey, witness_keys=(signer.vkey(),), quorum=1,
                             min_timestamps=2, tsa_roots=(tsa.root_pem,))
    assert verifier.report_ok(report), report["package"]
    assert [(a["size"], sorted(a["cosigners"]), len(a["timestamps"])) for a in report["anchors"]] == [
        (1, [WITNESS], 1), (2, [], 1)]
    first, second = sorted(outcome.items, key=lambda sha: report["anchored"][sha])
    assert report["anchored"][first].startswith(f"ingest entry 0 is in checkpoint 1: witnessed by {WITNESS} at ")
    assert report["anchored"][second].startswith("ingest entry 1 is in checkpoint 2: witnessed by none; time-stamped 20")
    recorded = CustodyCheckpoint.objects.get(size=outcome.checkpoint_size)  # the package's own
    assert recorded.timestamps.count() == 0 and CustodyCheckpoint.objects.count() == 3


def test_pending_retries_failures_not_every_old_checkpoint(case, tsa, settings):
    ingest(case, b"synthetic evidence eight")
    urls, settings.TEMOIN_TSA_URLS = settings.TEMOIN_TSA_URLS, []
    services.custody_checkpoint_publish(actor=case.world.admin)  # offline: never attempted
    settings.TEMOIN_TSA_URLS = urls
    ingest(case, b"synthetic evidence nine")
    tsa.available = False
    services.custody_checkpoint_publish(actor=case.world.admin)
    ingest(case, b"synthetic evidence ten")
    services.custody_checkpoint_publish(actor=case.world.admin)
    tsa.available = True
    retried = services.checkpoint_timestamp(actor=case.world.admin, pending=True)
    assert [(r.size, r.status) for r in retried] == [(2, "granted"), (3, "granted")]
    assert CustodyCheckpoint.objects.get(size=1).timestamps.count() == 0
