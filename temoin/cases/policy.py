"""Who may see and do what: the one module that holds the access policy. Deny by default.

| role          | sees events                                               | identities |
|---------------|-----------------------------------------------------------|------------|
| administrator | all                                                       | yes        |
| analyst       | up to *restricted*; strictly confidential if assigned     | yes (≤ clearance) |
| reviewer      | as analyst                                                | yes (≤ clearance) |
| monitor       | public, and those they created or are assigned to         | of persons they created |
| viewer        | public and internal                                       | never      |
| partner       | only events shared with their organisation (never strictly confidential); only sources whose consent names them | never |
| anonymous     | nothing through the API (published versions only)         | never      |

Editing: administrators and analysts edit every event they can see; monitors their own events
until review starts; reviewers move events through review; partners and viewers never write.
Every interface (API, web, CLI) asks this module; nothing else decides.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from temoin.accounts.models import Role
from temoin.cases.models import (
    Confidentiality,
    EventAssignment,
    EventShare,
    Information,
    ReviewStatus,
    Source,
)

STAFF_CLEARANCE = {
    Role.ADMINISTRATOR: Confidentiality.STRICTLY_CONFIDENTIAL,
    Role.ANALYST: Confidentiality.RESTRICTED,
    Role.REVIEWER: Confidentiality.RESTRICTED,
    Role.MONITOR: Confidentiality.PUBLIC,
    Role.VIEWER: Confidentiality.INTERNAL,
}
PARTNER_CEILING = Confidentiality.RESTRICTED
IDENTITY_ROLES = {Role.ADMINISTRATOR, Role.ANALYST, Role.REVIEWER, Role.MONITOR}
EDIT_ROLES = {Role.ADMINISTRATOR, Role.ANALYST, Role.MONITOR}
REVIEW_ROLES = {Role.ADMINISTRATOR, Role.REVIEWER}


def _active(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False)
                and viewer.is_active and viewer.organisation_id is not None)


def is_host_staff(viewer: Any) -> bool:
    return _active(viewer) and viewer.organisation.is_host and viewer.role != Role.PARTNER


def is_partner(viewer: Any) -> bool:
    return _active(viewer) and viewer.role == Role.PARTNER and not viewer.organisation.is_host


def event_filter(viewer: Any) -> Q:
    """A Q over Event that keeps exactly what ``viewer`` may see (nothing when unsure)."""
    nothing = Q(pk__in=[])
    if is_host_staff(viewer):
        clearance = STAFF_CLEARANCE.get(viewer.role)
        if clearance is None:
            return nothing
        q = Q(confidentiality__lte=clearance)
        if viewer.role != Role.VIEWER:
            # subqueries, not joins: no duplicate rows, so no DISTINCT over the whole list
            q |= Q(pk__in=EventAssignment.objects.filter(user=viewer).values("event_id"))
            q |= Q(created_by=viewer)
        return q
    if is_partner(viewer):
        shared = EventShare.objects.filter(organisation=viewer.organisation_id).values("event_id")
        return Q(pk__in=shared) & Q(confidentiality__lte=PARTNER_CEILING)
    return nothing


def event_filter_split(viewer: Any) -> tuple[Q, Q] | None:
    """``event_filter(viewer)`` as two disjoint parts: one over the ``confidentiality`` and
    ``created_by`` columns only (which the dashboard's precomputed cells carry), and the
    events seen beyond it by assignment. None for partners and anyone seeing nothing."""
    if not is_host_staff(viewer) or STAFF_CLEARANCE.get(viewer.role) is None:
        return None
    columns = Q(confidentiality__lte=STAFF_CLEARANCE[viewer.role])
    if viewer.role == Role.VIEWER:
        return columns, Q(pk__in=[])
    columns |= Q(created_by=viewer)
    assigned = Q(pk__in=EventAssignment.objects.filter(user=viewer).values("event_id"))
    return columns, assigned & ~columns


def source_filter(viewer: Any) -> Q:
    """Sources visible to ``viewer``: staff by clearance; partners only with their consent."""
    nothing = Q(pk__in=[])
    if is_host_staff(viewer):
        clearance = STAFF_CLEARANCE.get(viewer.role)
        if clearance is None:
            return nothing
        q = Q(confidentiality__lte=clearance)
        if viewer.role != Role.VIEWER:
            q |= Q(created_by=viewer)
        return q
    if is_partner(viewer):
        shared = EventShare.objects.filter(organisation=viewer.organisation_id).values("event_id")
        consented = Source.consent_partners.through.objects.filter(
            organisation_id=viewer.organisation_id).values("source_id")
        linked = Information.objects.filter(event_id__in=shared).values("source_id")
        # consent_partners is emptied whenever "named_partners" leaves the consent list
        return (Q(pk__in=linked) & Q(pk__in=consented)
                & Q(confidentiality__lte=PARTNER_CEILING))
    return nothing


def source_clearance(viewer: Any) -> int | None:
    """The level n such that ``source_filter(viewer)`` keeps exactly the sources of
    confidentiality ≤ n, when that alone decides (the dashboard then reads precomputed
    per-level claim figures); None when it does not: partners (consent decides) and staff
    who created sources above their clearance."""
    if not is_host_staff(viewer):
        return None
    clearance = STAFF_CLEARANCE.get(viewer.role)
    if clearance is None:
        return None
    if viewer.role != Role.VIEWER and Source.objects.filter(
            created_by=viewer, confidentiality__gt=clearance).exists():
        return None
    return int(clearance)


def can_read_identities(viewer: Any, person: Any) -> bool:
    if not is_host_staff(viewer) or viewer.role not in IDENTITY_ROLES:
        return False
    if viewer.role == Role.MONITOR:
        return bool(person.created_by_id == viewer.pk)
    return bool(person.confidentiality <= STAFF_CLEARANCE[viewer.role])


def can_edit_event(viewer: Any, event: Any) -> bool:
    if not is_host_staff(viewer) or viewer.role not in EDIT_ROLES:
        return False
    if viewer.role == Role.MONITOR:
        return bool(
            event.created_by_id == viewer.pk
            and event.review_status in (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)
        )
    return True


def can_review(viewer: Any) -> bool:
    return is_host_staff(viewer) and viewer.role in REVIEW_ROLES


def can_share(viewer: Any) -> bool:
    return is_host_staff(viewer) and viewer.role in {Role.ADMINISTRATOR, Role.ANALYST}


def can_create(viewer: Any) -> bool:
    return is_host_staff(viewer) and viewer.role in EDIT_ROLES


def can_administer(viewer: Any) -> bool:
    return is_host_staff(viewer) and viewer.role == Role.ADMINISTRATOR


def can_read_audit(viewer: Any) -> bool:
    return can_administer(viewer)


def redact_sources_for(viewer: Any) -> bool:
    """Partners see only consented sources and never a source person's identity."""
    return is_partner(viewer)


# --- evidence vault (temoin.evidence) -------------------------------------------------------
EVIDENCE_ORIGINAL_ROLES = {Role.ADMINISTRATOR, Role.ANALYST, Role.REVIEWER}


def can_ingest_evidence(viewer: Any) -> bool:
    """Administrators, analysts and monitors add evidence (to events they may edit)."""
    return can_create(viewer)


def can_open_evidence_original(viewer: Any, item: Any) -> bool:
    """Originals (and working copies) can identify people: administrators, analysts and
    reviewers; a monitor only what they ingested; never viewers or partners."""
    if not is_host_staff(viewer):
        return False
    if viewer.role == Role.MONITOR:
        return bool(item.ingested_by_id == viewer.pk)
    return viewer.role in EVIDENCE_ORIGINAL_ROLES


def can_see_import_files(viewer: Any) -> bool:
    """Import source files in the vault (ingested unlinked, referenced by an import batch):
    administrators and analysts see those of their organisation's batches; anyone else only
    the files they imported themselves."""
    return is_host_staff(viewer) and viewer.role in {Role.ADMINISTRATOR, Role.ANALYST}


def can_export_evidence(viewer: Any) -> bool:
    return can_share(viewer)


def can_maintain_evidence(viewer: Any) -> bool:
    """Fixity checks, checkpoints, shredding, server-side export paths: administrators."""
    return can_administer(viewer)
