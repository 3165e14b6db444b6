"""Who may import, and permission-checked lookups of batches and quarantined rows.

Importing (and reading batches, quarantine) is for administrators and analysts of the host
organisation. ``access_<thing>_by_id`` gives the same ``NotFound`` for missing and forbidden.
"""

from __future__ import annotations

from typing import Any

from temoin.accounts.models import Role
from temoin.cases import policy
from temoin.errors import NotFound

IMPORT_ROLES = {Role.ADMINISTRATOR, Role.ANALYST}


def can_import(viewer: Any) -> bool:
    """Administrators and analysts (proposed for ``temoin.cases.policy``)."""
    return policy.is_host_staff(viewer) and viewer.role in IMPORT_ROLES


def access_batch_by_id(viewer: Any, batch_id: Any):  # type: ignore[no-untyped-def]
    from temoin.intake.models import ImportBatch

    if not can_import(viewer):
        raise NotFound(f"Lot d'import {batch_id} introuvable.")
    try:
        return ImportBatch.objects.select_related("created_by").get(pk=int(batch_id))
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Lot d'import {batch_id} introuvable.") from None


def access_quarantined_row_by_id(viewer: Any, row_id: Any):  # type: ignore[no-untyped-def]
    from temoin.intake.models import QuarantinedRow

    if not can_import(viewer):
        raise NotFound(f"Ligne en quarantaine {row_id} introuvable.")
    try:
        return QuarantinedRow.objects.select_related("batch").get(pk=int(row_id))
    except (QuarantinedRow.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Ligne en quarantaine {row_id} introuvable.") from None
