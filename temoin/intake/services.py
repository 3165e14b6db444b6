"""Writes of the intake app: run an import batch, retry quarantined rows, flag upstream
deletions. Every interface (CLI, API, OpenRosa) calls these; each write is audited.

    batch_import(actor=, kind=, path=, ...)      → ImportBatch (streams; flat memory)
    batch_dry_run(actor=, path=, profile=)       → DryRunReport (nothing written)
    quarantine_retry(actor=, row=, fixes=)       → QuarantinedRow (imported or still failing)
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

import temoin
from temoin.audit.services import audit_record
from temoin.core import intake as core
from temoin.core.intake import MappingProfile, QuarantinedRow, RowResult
from temoin.core.intake.fingerprint import FINGERPRINT_VERSION
from temoin.errors import PermissionDenied, Problems
from temoin.intake import access, geodata
from temoin.intake.errors import IntakeFileRefused
from temoin.intake.importer import BatchWriter, open_raw, record_key
from temoin.intake.models import ImportBatch, ImportedRecord, RowChange
from temoin.intake.models import QuarantinedRow as QuarantineModel
from temoin.intake.storage import vault_keep

KINDS = ("acled", "acled_json", "ucdp", "table", "uwazi", "odk_export")
ORIGINS = {"acled": "ACLED", "acled_json": "ACLED", "ucdp": "UCDP GED", "odk_export": "ODK"}
SCOPES = {"acled_json": "acled"}
IMPORTER_VERSION = f"temoin {temoin.__version__} / intake {FINGERPRINT_VERSION}"


def _profile_of(kind: str, profile: Mapping[str, Any] | MappingProfile | None) -> MappingProfile | None:
    if profile is None:
        if kind in ("table", "uwazi"):
            problems = Problems(f"import {kind}")
            problems.add("profile", "required", "Un profil de correspondance (JSON) est requis.")
            problems.raise_if_any()
        return None
    if isinstance(profile, MappingProfile):
        return profile
    try:
        from temoin.cases.models import Term

        codes = frozenset(Term.objects.filter(vocabulary="act_types").values_list("code", flat=True))
        return MappingProfile.from_dict(dict(profile), act_type_codes=codes or None)
    except core.ProfileError as error:
        problems = Problems("mapping profile")
        for message in getattr(error, "problems", None) or [str(error)]:
            problems.add("profile", "profile.invalid", str(message))
        problems.raise_if_any()
        raise


def parse_file(kind: str, path: Path, profile: MappingProfile | None, *, name: str,
               detect_duplicates: bool = True) -> Iterator[RowResult]:
    """The core parser for ``kind`` (raises ``IntakeFileRefused`` for a bad file)."""
    try:
        if kind == "acled":
            return core.iter_acled(path, source_name=name, detect_duplicates=detect_duplicates)
        if kind == "acled_json":
            return core.iter_acled_json(path, source_name=name,
                                        detect_duplicates=detect_duplicates)
        if kind == "ucdp":
            return core.iter_ucdp(path, source_name=name, detect_duplicates=detect_duplicates)
        if kind == "table":
            assert profile is not None
            return core.iter_table(path, profile, source_name=name,
                                   detect_duplicates=detect_duplicates)
        if kind == "uwazi":
            assert profile is not None
            return core.iter_uwazi(path, profile, source_name=name,
                                   detect_duplicates=detect_duplicates)
        if kind == "odk_export":
            from temoin.core.intake.odk import iter_odk_export

            return iter_odk_export(path, source_name=name, detect_duplicates=detect_duplicates)
    except core.IntakeError as error:
        raise IntakeFileRefused(str(error), core_code=getattr(error, "code", "file")) from None
    problems = Problems("import")
    problems.add("kind", "choice.unknown", f"Type d'import inconnu : {kind}.")
    problems.raise_if_any()
    raise AssertionError


def _guarded(results: Iterator[RowResult]) -> Iterator[RowResult]:
    try:
        yield from results
    except core.IntakeError as error:  # a parser may find a file-level problem late
        raise IntakeFileRefused(str(error), core_code=getattr(error, "code", "file")) from None


def count_lines(path: Path) -> int:
    """Rough row count (newlines) for progress bars; streams the file."""
    total = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            total += chunk.count(b"\n")
    return total


def batch_import(*, actor: Any, kind: str, path: str | os.PathLike[str],
                 profile: Mapping[str, Any] | MappingProfile | None = None,
                 file_name: str | None = None, scope: str | None = None,
                 flag_deletions: bool | None = None, geocode: bool = True,
                 reliability_map: Mapping[str, str] | None = None,
                 source_type: str | None = None, chunk_size: int = 500,
                 progress: Callable[[int], None] | None = None) -> ImportBatch:
    """Import one file as a batch. The file is refused (nothing written) when the parser
    refuses it; otherwise every row ends up new, updated, unchanged or quarantined."""
    if not access.can_import(actor):
        raise PermissionDenied("Seuls les administrateurs et les analystes importent.")
    if kind not in KINDS:
        problems = Problems("import")
        problems.add("kind", "choice.unknown", f"Type d'import inconnu : {kind}.")
        problems.raise_if_any()
    file_path = Path(path)
    name = file_name or file_path.name
    mapping = _profile_of(kind, profile)
    results = parse_file(kind, file_path, mapping, name=name)  # checks the file first
    gazetteer = geodata.gazetteer() if geocode else None
    if scope is None and kind == "odk_export":  # same ids as direct submissions of the form
        scope = f"odk:{Path(name).stem}"
    scope = scope or (f"{kind}:{mapping.name}" if mapping is not None else SCOPES.get(kind, kind))
    settings = {"flag_deletions": kind in ("acled", "acled_json", "ucdp")
                if flag_deletions is None else flag_deletions,
                "geocode": gazetteer is not None, "reliability_map": dict(reliability_map or {}),
                "source_type": source_type, "chunk_size": chunk_size,
                "geocoder": _geocoder_settings() if gazetteer is not None else None}
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind, scope=scope, file_name=name[:255],
            importer_version=IMPORTER_VERSION,
            profile=mapping.to_dict() if mapping is not None else None, settings=settings,
            created_by=actor)
        audit_record(actor=actor, action="intake.batch_start", target=batch,
                     details={"kind": kind})
    # The source file goes to the evidence vault (custody "ingest", reason naming the batch;
    # works sealed) before any row is written; the batch keeps it by its SHA-256.
    try:
        kept = vault_keep(actor=actor, file=file_path, filename=name,
                          reason=f"lot d'import {batch.pk} ({kind}) : fichier source")
    except Exception as error:  # recorded on the batch, then re-raised (never swallowed)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, failure=f"{type(error).__name__}: {error}"[:2000])
        raise
    with transaction.atomic():
        batch.file_sha256, batch.file_size = kept.sha256, kept.size
        batch.save(update_fields=["file_sha256", "file_size"])
        audit_record(actor=actor, action="intake.batch_file", target=batch,
                     details={"sha256": kept.sha256, "size": kept.size,
                              "custody_seq": kept.custody_seq, "duplicate": kept.duplicate})
    origin = (mapping.claimed_by if mapping is not None and mapping.claimed_by
              else ORIGINS.get(kind, kind))
    writer = BatchWriter(batch=batch, actor=actor, gazetteer=gazetteer, origin=origin,
                         source_type=source_type, reliability_map=dict(reliability_map or {}),
                         chunk_size=chunk_size)
    started = time.perf_counter()
    try:
        writer.write(_guarded(results), progress=progress)
        if settings["flag_deletions"]:
            _flag_deletions(batch, actor, writer.seen)
    except Exception as error:  # recorded on the batch, then re-raised (never swallowed)
        _finish(batch, actor, writer, started, status=ImportBatch.Status.FAILED,
                failure=f"{type(error).__name__}: {error}")
        raise
    _finish(batch, actor, writer, started, status=ImportBatch.Status.DONE)
    return batch


def _geocoder_settings() -> dict[str, Any]:
    from dataclasses import asdict

    from temoin.core.geo import GeocodeSettings

    return asdict(GeocodeSettings())


def _finish(batch: ImportBatch, actor: Any, writer: BatchWriter, started: float, *,
            status: str, failure: str = "") -> None:
    with transaction.atomic():
        batch.refresh_from_db()
        batch.status = status
        batch.failure = failure[:2000]
        batch.finished_at = timezone.now()
        batch.seconds = time.perf_counter() - started
        batch.report = {**batch.report, **writer.finish_report()}
        batch.save()
        audit_record(actor=actor, action="intake.batch_finish", target=batch, details={
            "status": status, "rows": batch.rows, "new": batch.new, "updated": batch.updated,
            "unchanged": batch.unchanged, "quarantined": batch.quarantined,
            "flagged_deleted": batch.flagged_deleted})


def _flag_deletions(batch: ImportBatch, actor: Any, seen: Any) -> None:
    """Records of this scope absent from this (full) export are flagged, never deleted.

    Present = written by this batch (new, updated, reappeared: ``last_seen_batch``) or met
    unchanged (``seen``, a sorted numpy array of pks)."""
    import numpy as np

    seen_sorted = np.sort(np.frombuffer(seen, dtype=np.int64)) if len(seen) else \
        np.zeros(0, dtype=np.int64)
    candidates = ImportedRecord.objects.filter(scope=batch.scope, deleted_upstream=False) \
        .exclude(last_seen_batch=batch).values_list("pk", flat=True).order_by("pk")
    missing: list[int] = []

    def flush(part: list[int]) -> None:
        with transaction.atomic():
            ImportedRecord.objects.filter(pk__in=part).update(deleted_upstream=True,
                                                              deleted_flagged_by=batch)
            RowChange.objects.bulk_create([RowChange(batch=batch, record_id=pk,
                                                     outcome=RowChange.Outcome.FLAGGED_DELETED)
                                           for pk in part])
            batch.flagged_deleted += len(part)
            ImportBatch.objects.filter(pk=batch.pk).update(flagged_deleted=batch.flagged_deleted)
            audit_record(actor=actor, action="intake.flag_deleted", target=batch,
                         details={"records": len(part)})

    block: list[int] = []
    for pk in candidates.iterator(chunk_size=5000):
        block.append(pk)
        if len(block) >= 5000:
            missing += _not_in(block, seen_sorted)
            block = []
    missing += _not_in(block, seen_sorted)
    for start in range(0, len(missing), 1000):
        flush(missing[start:start + 1000])


def _not_in(block: list[int], seen_sorted: Any) -> list[int]:
    import numpy as np

    if not block:
        return []
    values = np.array(block, dtype=np.int64)
    return [int(v) for v in values[~np.isin(values, seen_sorted, assume_unique=False)]]


def _tally_known(scope: str, parsed: list[Any], outcome: dict[str, int]) -> None:
    """Count parsed records as new, unchanged or updated against what the scope holds."""
    known = dict(ImportedRecord.objects.filter(
        scope=scope, upstream_id__in=[record_key(r) for r in parsed])
        .values_list("upstream_id", "fingerprint"))
    for r in parsed:
        key = record_key(r)
        outcome["new" if key not in known else
                "unchanged" if known[key] == r.fingerprint else "updated"] += 1


def batch_dry_run(*, actor: Any, path: str | os.PathLike[str], kind: str = "table",
                  profile: Mapping[str, Any] | MappingProfile | None = None, samples: int = 5,
                  scope: str | None = None, file_name: str | None = None) -> dict[str, Any]:
    """What an import of this table would do — profile problems, quarantine reasons, and
    how many rows would be new, updated or unchanged in the database. Writes nothing.
    Kinds without a profile (ACLED, UCDP, ODK exports) are read with their own parser."""
    if not access.can_import(actor):
        raise PermissionDenied("Seuls les administrateurs et les analystes importent.")
    mapping = _profile_of(kind, profile)
    if mapping is None:
        return _dry_run_parsed(kind, Path(path), name=file_name or Path(path).name,
                               samples=samples, scope=scope)
    try:
        report = core.dry_run(path, mapping, sample_size=samples)
    except core.IntakeError as error:
        raise IntakeFileRefused(str(error), core_code=getattr(error, "code", "file")) from None
    outcome = {"new": 0, "updated": 0, "unchanged": 0}
    if report.ok:
        scope = scope or f"{kind}:{mapping.name}"
        chunk: list[Any] = []
        for result in parse_file(kind, Path(path), mapping, name=Path(path).name):
            if not isinstance(result, QuarantinedRow):
                chunk.append(result)
                if len(chunk) >= 500:
                    _tally_known(scope, chunk, outcome)
                    chunk = []
        if chunk:
            _tally_known(scope, chunk, outcome)
    return {"ok": report.ok, "problems": list(report.problems), "header": list(report.header),
            "rows": report.total_rows, "parsed": report.parsed_rows,
            "quarantined": report.quarantined_rows,
            "quarantine_reasons": dict(report.quarantine_reasons), **outcome,
            "sample_quarantined": [{"row_number": q.row_number, "field": q.field,
                                    "reason_code": q.reason_code, "message": q.message}
                                   for q in report.sample_quarantined]}


def _dry_run_parsed(kind: str, path: Path, *, name: str, samples: int,
                    scope: str | None) -> dict[str, Any]:
    """Dry run of a kind read without a profile: the same counts as an import would give
    (new / updated / unchanged against the database, quarantined with reasons), plus how many
    records of the scope a full export would flag as deleted upstream. Writes nothing."""
    if kind not in KINDS:
        problems = Problems("import")
        problems.add("kind", "choice.unknown", f"Type d'import inconnu : {kind}.")
        problems.raise_if_any()
    if scope is None:
        scope = f"odk:{Path(name).stem}" if kind == "odk_export" else SCOPES.get(kind, kind)
    outcome = {"new": 0, "updated": 0, "unchanged": 0}
    reasons: dict[str, int] = {}
    sample_quarantined: list[dict[str, Any]] = []
    rows = quarantined = 0
    chunk: list[Any] = []
    for result in _guarded(parse_file(kind, path, None, name=name)):
        rows += 1
        if isinstance(result, QuarantinedRow):
            quarantined += 1
            reasons[result.reason_code] = reasons.get(result.reason_code, 0) + 1
            if len(sample_quarantined) < samples:
                sample_quarantined.append({"row_number": result.row_number,
                                           "field": result.field,
                                           "reason_code": result.reason_code,
                                           "message": result.message})
            continue
        chunk.append(result)
        if len(chunk) >= 500:
            _tally_known(scope, chunk, outcome)
            chunk = []
    if chunk:
        _tally_known(scope, chunk, outcome)
    known_alive = ImportedRecord.objects.filter(scope=scope, deleted_upstream=False).count()
    return {"ok": True, "problems": [], "header": [], "rows": rows,
            "parsed": rows - quarantined, "quarantined": quarantined,
            "quarantine_reasons": reasons, **outcome, "scope": scope,
            "would_flag_deleted": max(known_alive - outcome["updated"] - outcome["unchanged"], 0)
            if kind in ("acled", "acled_json", "ucdp") else 0,
            "sample_quarantined": sample_quarantined}


def _retry_results(batch: ImportBatch, raw: dict[str, Any], row_number: int) -> list[RowResult]:
    """Re-parse one (fixed) verbatim row with the batch's own parser and profile."""
    if batch.kind == "odk":
        from temoin.core.intake.odk import Submission, submission_to_row

        fields = {k: str(v) for k, v in raw.items()}
        instance = fields.get("meta/instanceID") or fields.get("instanceID") or ""
        form_id = batch.scope.split(":", 1)[-1]
        return [submission_to_row(Submission(form_id, None, instance, None, fields, {}))]
    with tempfile.TemporaryDirectory() as folder:
        temp = Path(folder) / (Path(batch.file_name).stem + ".csv")
        with open(temp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(list(raw))
            writer.writerow([raw[k] if raw[k] is not None else "" for k in raw])
        mapping = MappingProfile.from_dict(batch.profile) if batch.profile else None
        kind = "acled" if batch.kind == "acled_json" else batch.kind
        results = list(_guarded(parse_file(kind, temp, mapping, name=batch.file_name)))
    fixed = []
    for result in results:
        fixed.append(_renumber(result, row_number))
    return fixed


def _renumber(result: RowResult, row_number: int) -> RowResult:
    from dataclasses import replace

    return replace(result, row_number=row_number)  # type: ignore[type-var]


def quarantine_retry(*, actor: Any, row: QuarantineModel,
                     fixes: Mapping[str, str] | None = None) -> QuarantineModel:
    """Apply the analyst's fixes to the verbatim row and run it again through the batch's
    parser; it is imported into its batch (counts adjusted) or stays quarantined."""
    if not access.can_import(actor):
        raise PermissionDenied("Seuls les administrateurs et les analystes relancent un import.")
    if row.status == QuarantineModel.Status.IMPORTED:
        problems = Problems(f"quarantined row {row.pk}")
        problems.add("status", "quarantine.already_imported", "Cette ligne est déjà importée.")
        problems.raise_if_any()
    raw = open_raw(row)
    if raw is None:
        from temoin.errors import Conflict

        raise Conflict("Ligne scellée : les clés doivent être descellées pour la relancer.",
                       code="keys.sealed")
    unknown = [k for k in (fixes or {}) if k not in raw]
    if unknown:
        problems = Problems(f"quarantined row {row.pk}")
        for name in unknown:
            problems.add(name, "unknown_field", f"Colonne inconnue dans la ligne : {name}.")
        problems.raise_if_any()
    raw.update(fixes or {})
    batch = row.batch
    results = _retry_results(batch, raw, row.row_number)
    gazetteer = geodata.gazetteer() if batch.settings.get("geocode") else None
    writer = BatchWriter(batch=batch, actor=actor, gazetteer=gazetteer,
                         origin=ORIGINS.get(batch.kind, batch.kind),
                         source_type=batch.settings.get("source_type"),
                         reliability_map=batch.settings.get("reliability_map") or {},
                         seal_raw=row.raw_sealed is not None,
                         confidentiality=int(batch.settings.get("confidentiality", 1)))
    with transaction.atomic():
        parsed = [r for r in results if not isinstance(r, QuarantinedRow)]
        row.attempts += 1
        row.retried_at = timezone.now()
        if parsed:
            before = batch.quarantined
            writer.write_chunk(parsed)
            batch.refresh_from_db()
            batch.rows -= 1  # the row was counted once already
            batch.quarantined = before - 1
            batch.save(update_fields=["rows", "quarantined"])
            row.status = QuarantineModel.Status.IMPORTED
            row.record = ImportedRecord.objects.filter(
                scope=batch.scope, upstream_id=record_key(parsed[0])).first()
            if batch.kind == "odk":
                from temoin.intake import odk

                odk.after_retry(actor=actor, batch=batch, raw=raw,
                                instance_id=parsed[0].upstream_id or "")
        else:
            failing = next((r for r in results if isinstance(r, QuarantinedRow)), None)
            row.status = QuarantineModel.Status.STILL_FAILING
            if failing is not None:
                row.field, row.reason_code = (failing.field or "")[:120], failing.reason_code
                row.message = failing.message
        if row.raw_sealed is None:
            row.raw = raw
        row.save()
        audit_record(actor=actor, action="intake.quarantine_retry", target=row, details={
            "batch": batch.pk, "row_number": row.row_number, "status": row.status,
            "fixed_fields": sorted(fixes or {})})
    return row


def intake_rewrap_keys(*, actor: Any, old: Any, new_public_key: bytes, new_key_id: str) -> int:
    """After a key rotation: re-wrap sealed quarantine rows, the ODK private keys and sealed
    testimony submissions to the new organisation key. Call inside the rotation's transaction
    (``identities_rotate``) with the old keys in memory. Returns the number of re-wrapped blobs."""
    from pathlib import Path

    from temoin.core import sealing
    from temoin.intake.importer import raw_context
    from temoin.intake.models import OdkKeyPair, OdkSubmission, QuarantinedRow
    from temoin.intake.odk import _key_context, _odk_dir, _xml_context
    from temoin.intake.storage import store_bytes

    count = 0
    for row in QuarantinedRow.objects.select_for_update().exclude(raw_sealed=None):
        row.raw_sealed = sealing.rewrap_identity(
            bytes(row.raw_sealed), old, new_public_key, new_key_id,
            context=raw_context(row.batch_id, row.row_number))
        row.save(update_fields=["raw_sealed"])
        count += 1
    for pair in OdkKeyPair.objects.select_for_update().exclude(sealed_with=new_key_id):
        pair.private_sealed = sealing.rewrap_identity(
            bytes(pair.private_sealed), old, new_public_key, new_key_id,
            context=_key_context(pair.key_id))
        pair.sealed_with = new_key_id
        pair.save(update_fields=["private_sealed", "sealed_with"])
        count += 1
    for submission in OdkSubmission.objects.select_for_update().filter(xml_sealed=True):
        blob = Path(submission.xml_path).read_bytes()
        stored = store_bytes(sealing.rewrap_identity(
            blob, old, new_public_key, new_key_id, context=_xml_context(submission.instance_id)),
            folder=_odk_dir())
        submission.xml_path = str(stored.path)
        submission.save(update_fields=["xml_path"])
        count += 1
    audit_record(actor=actor, action="intake.rewrap", details={"count": count,
                                                                "key_id": new_key_id})
    return count
