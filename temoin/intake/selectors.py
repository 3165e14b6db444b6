"""Reads of the intake app, always through the viewer (administrators and analysts)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from temoin.intake.access import can_import
from temoin.intake.importer import open_raw
from temoin.intake.models import ImportBatch, QuarantinedRow, RowChange
from temoin.intake.reasons import reason_label, row_message


def batches_list(*, viewer: Any, kind: str | None = None):  # type: ignore[no-untyped-def]
    if not can_import(viewer):
        return ImportBatch.objects.none()
    batches = ImportBatch.objects.select_related("created_by").order_by("-pk")
    return batches.filter(kind=kind) if kind else batches


def quarantine_list(*, viewer: Any, batch_id: int | None = None,
                    status: str | None = "open"):  # type: ignore[no-untyped-def]
    if not can_import(viewer):
        return QuarantinedRow.objects.none()
    rows = QuarantinedRow.objects.select_related("batch").order_by("batch_id", "row_number")
    if batch_id is not None:
        rows = rows.filter(batch_id=batch_id)
    if status:
        rows = rows.filter(status=status)
    return rows


def batch_changes(*, viewer: Any, batch: ImportBatch):  # type: ignore[no-untyped-def]
    if not can_import(viewer):
        return RowChange.objects.none()
    return RowChange.objects.filter(batch=batch).select_related("record").order_by("pk")


def batch_summary(batch: ImportBatch) -> dict[str, Any]:
    return {"id": batch.pk, "kind": batch.kind, "scope": batch.scope, "status": batch.status,
            "file_name": batch.file_name, "file_sha256": batch.file_sha256,
            "file_size": batch.file_size, "importer_version": batch.importer_version,
            "created_by": batch.created_by.username, "started_at": batch.started_at,
            "finished_at": batch.finished_at, "seconds": round(batch.seconds, 3),
            "counts": {"rows": batch.rows, "new": batch.new, "updated": batch.updated,
                       "unchanged": batch.unchanged, "quarantined": batch.quarantined,
                       "flagged_deleted": batch.flagged_deleted, "warnings": batch.warnings},
            "failure": batch.failure}


def batch_detail(batch: ImportBatch) -> dict[str, Any]:
    return {**batch_summary(batch), "profile": batch.profile, "settings": batch.settings,
            "report": batch.report, "stored_path": batch.stored_path,
            "vault": "pending (file kept in TEMOIN_HOME/imports/<sha256>)"}


def quarantined_row_view(row: QuarantinedRow, *, with_raw: bool = False) -> dict[str, Any]:
    """A quarantined row for display. A sealed row shows only its column names and reason;
    its content is shown only when asked for and the keys are unsealed."""
    data: dict[str, Any] = {
        "id": row.pk, "batch": row.batch_id, "row_number": row.row_number,
        "upstream_id": row.upstream_id, "field": row.field, "reason_code": row.reason_code,
        "message": row.message, "status": row.status, "attempts": row.attempts,
        "sealed": row.sealed, "field_names": row.field_names,
        # the same in the active language (web choice / API Accept-Language), code unchanged
        "language": get_language() or "fr", "reason": reason_label(row.reason_code),
        "message_localized": row_message(row)}
    if with_raw and not row.sealed:
        data["raw"] = open_raw(row)
    return data
