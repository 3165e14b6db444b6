"""Correcting what was coded about an event: removing a perpetrator involvement, correcting
or withdrawing a casualty claim. Same rule as the additions (``policy.can_edit_event``),
validated all at once, atomic, versioned (``Version`` rows, so ``record_history`` and
``version_revert`` cover them) and audited (field names and ids, never values of persons).

Why two different removals:

- A **claim** is what a source said. Deleting it would lose that the source once gave this
  figure, so a claim is *withdrawn*: ``withdrawn_at``/``withdrawn_by``/``withdrawal_reason``
  are set, it stays on the event page marked as withdrawn, and every figure (the event's
  range, the dashboard facts, public pages, linkage) counts only current claims. A reverted
  withdrawal is a claim again.
- An **involvement** is the analyst's coding of an attribution ("group X, as direct
  perpetrator, per source S"), read by many places (facts SQL, the perpetrator filter,
  statistics, linkage, reports). A soft flag would have to be honoured by each of them, and
  one miss would keep accusing a group that was removed. So it is deleted from the live
  table, while its full last state is kept in a ``remove`` version (who, when, why): the
  history keeps it, and ``version_revert`` recreates it under the same id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from temoin.accounts.models import User
from temoin.cases import facts, history, policy, validation
from temoin.cases.models import Claim, ClaimQualifier, Involvement
from temoin.cases.services.common import record_change
from temoin.errors import Conflict, PermissionDenied, Problems

CLAIM_FIELDS = {"kind", "count_min", "count_max", "count_best", "qualifier", "remarks"}


def _reason_required(problems: Problems, reason: str) -> None:
    if not str(reason or "").strip():
        problems.add("reason", "required", "Indiquez la raison de la correction.")


def involvement_remove(*, actor: User, involvement: Involvement, reason: str) -> None:
    """Remove one perpetrator involvement; its last state stays in a ``remove`` version."""
    event = involvement.act.event
    if not policy.can_edit_event(actor, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {event.reference}.")
    problems = Problems(f"involvement {involvement.pk} in act {involvement.act_id}")
    _reason_required(problems, reason)
    problems.raise_if_any()
    with transaction.atomic():
        record_change(actor=actor, target_type="involvement", instance=involvement,
                      change="remove", reason=reason,
                      details={"act": involvement.act_id, "event": event.pk,
                               "degree": involvement.degree,
                               "actor": involvement.actor.code if involvement.actor else None})
        involvement.delete()
        facts.refresh_events([event.pk])


def _validated_claim_changes(problems: Problems, claim: Claim, changes: Mapping[str, Any]
                             ) -> dict[str, Any]:
    """The changed columns (the whole claim re-checked as it would be after the change)."""
    validation.unknown_fields(problems, changes, CLAIM_FIELDS)
    values = {k: v for k, v in changes.items() if k in CLAIM_FIELDS}
    well_typed = True
    for name in ("count_min", "count_max", "count_best"):
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            problems.add(name, "count.invalid", "Un nombre entier positif ou nul est attendu.")
            well_typed = False
    if "count_min" in values and values["count_min"] is None:
        problems.add("count_min", "required", "Le minimum est obligatoire.")
        well_typed = False
    validation.choice(problems, "kind", values.get("kind"), validation.CHOICES["kind"])
    validation.choice(problems, "qualifier", values.get("qualifier"),
                      validation.CHOICES["qualifier"])
    if not well_typed:  # the checks below compare numbers
        problems.raise_if_any()
    merged = {name: values.get(name, getattr(claim, name)) for name in CLAIM_FIELDS}
    if merged["qualifier"] == ClaimQualifier.EXACT and "count_max" not in values:
        merged["count_max"] = merged["count_min"]
    validation.count_range(problems, "count_min", merged["count_min"], "count_max",
                           merged["count_max"])
    if merged["qualifier"] == ClaimQualifier.RANGE and merged["count_max"] is None:
        problems.add("count_max", "required", "Une fourchette a un maximum.")
    if merged["qualifier"] == ClaimQualifier.EXACT and \
            merged["count_max"] not in (None, merged["count_min"]):
        problems.add("count_max", "claim.exact_range", "Un chiffre exact n'a pas de fourchette.")
    best = merged["count_best"]
    if best is not None and (best < merged["count_min"] or (
            merged["count_max"] is not None and best > merged["count_max"])):
        problems.add("count_best", "claim.best_outside",
                     "L'estimation retenue doit être entre le minimum et le maximum.")
    problems.raise_if_any()
    if merged["qualifier"] == ClaimQualifier.EXACT:
        merged["count_max"] = merged["count_min"]
    return {name: value for name, value in merged.items() if value != getattr(claim, name)}


def claim_update(*, actor: User, claim: Claim, changes: Mapping[str, Any], reason: str
                 ) -> Claim:
    """Correct a claim's figures, kind, qualifier or remarks (a new version; the earlier
    figures stay in the history). A withdrawn claim is not corrected: revert it first."""
    event = claim.event
    if not policy.can_edit_event(actor, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {event.reference}.")
    if claim.withdrawn_at is not None:
        raise Conflict(f"Le bilan {claim.pk} est retiré : rétablissez-le avant de le corriger.")
    problems = Problems(f"claim {claim.pk} on {event.reference}")
    _reason_required(problems, reason)
    values = _validated_claim_changes(problems, claim, changes)
    if not values:
        return claim
    with transaction.atomic():
        before = history.snapshot(claim)
        for name, value in values.items():
            setattr(claim, name, value)
        claim.save()
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="claim", instance=claim, change="update",
                      reason=reason, before=before,
                      details={"event": event.pk, "source": claim.source_id})
    return claim


def claim_withdraw(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Withdraw a claim: kept and shown as withdrawn, no longer counted anywhere."""
    event = claim.event
    if not policy.can_edit_event(actor, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {event.reference}.")
    problems = Problems(f"claim {claim.pk} on {event.reference}")
    _reason_required(problems, reason)
    if claim.withdrawn_at is not None:
        problems.add("claim", "claim.already_withdrawn", f"Le bilan {claim.pk} est déjà retiré.")
    problems.raise_if_any()
    with transaction.atomic():
        before = history.snapshot(claim)
        claim.withdrawn_at = timezone.now()
        claim.withdrawn_by = actor
        claim.withdrawal_reason = reason
        claim.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="claim", instance=claim, change="withdraw",
                      reason=reason, before=before,
                      details={"event": event.pk, "source": claim.source_id})
    return claim
