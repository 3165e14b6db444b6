"""Court and partner packages with consent limits and redacted working copies.

Courts get originals with their full item records. Every other recipient gets a *redacted*
package (``disclosure="redacted"``: reduced records without file name, location, device or
EXIF values). The public and the media get redacted working copies only (an original without
one is excluded); partners and UN mechanisms get the newest redacted working copy when one
exists, else the original (its bytes are what they are; its record is reduced). A working
copy whose own bytes still carry GPS/EXIF values is never sent outside a court package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q

import temoin
from temoin.audit.services import audit_record
from temoin.cases import policy
from temoin.cases.access import visible_events
from temoin.cases.models import Event, Recipient, Source
from temoin.core.package import ExportItem, build_package
from temoin.core.package.redaction import identifying_content_fields
from temoin.errors import PermissionDenied, Problems
from temoin.evidence.access import visible_evidence
from temoin.evidence.errors import vault_errors
from temoin.evidence.models import EvidenceExport, EvidenceItem
from temoin.evidence.services.common import (
    JUDICIAL,
    RECIPIENT_KINDS,
    _check_reason,
    custody_actor,
)
from temoin.evidence.vaultsetup import open_vault, signing_vault, unsealed_or_raise

# Recipients that may only receive redacted working copies, never an original.
WORKING_COPIES_ONLY = {Recipient.MEDIA, Recipient.PUBLIC}


def _consent_allows(source: Source, kind: str, organisation: Any) -> bool:
    consent = set(source.consent or [])
    if kind == Recipient.PARTNERS:
        return bool(Recipient.PARTNERS in consent and organisation is not None
                    and source.consent_partners.filter(pk=organisation.pk).exists())
    return kind in consent


@dataclass(frozen=True)
class ExportOutcome:
    export: EvidenceExport
    path: Path
    items: list[str]
    excluded: list[dict[str, Any]]
    substituted: dict[str, str]
    checkpoint_size: int


def _select_for_export(actor: Any, selected: Sequence[EvidenceItem], kind: str, organisation: Any
                       ) -> tuple[dict[str, EvidenceItem], list[dict[str, Any]], dict[str, str]]:
    chosen: dict[str, EvidenceItem] = {}
    excluded: list[dict[str, Any]] = []
    substituted: dict[str, str] = {}
    for item in sorted(selected, key=lambda i: i.ingest_seq):
        if item.shredded:
            excluded.append({"sha256": item.sha256, "code": "evidence.shredded",
                             "message": f"La pièce {item.sha256[:12]} a été détruite."})
            continue
        refusing = [s.pk for s in item.sources.all() if not _consent_allows(s, kind, organisation)]
        if refusing:
            names = ", ".join(f"source {pk}" for pk in refusing)
            excluded.append({"sha256": item.sha256, "code": "consent.forbids_recipient",
                             "sources": refusing,
                             "message": f"Pièce {item.sha256[:12]} : le consentement de la {names} "
                                        f"n'autorise pas la transmission à « {kind} »."})
            continue
        chosen_item = item
        if kind not in JUDICIAL and item.derived_from_id is None:
            copy = (item.derivatives.filter(redacted=True, shredded=False)
                    .order_by("-ingest_seq").first())
            if copy is not None:
                substituted[item.sha256] = copy.sha256
                chosen_item = copy
        if kind in WORKING_COPIES_ONLY and not (chosen_item.derived_from_id and chosen_item.redacted):
            excluded.append({"sha256": item.sha256, "code": "evidence.no_redacted_copy",
                             "message": f"Pièce {item.sha256[:12]} : aucune copie de travail expurgée ; "
                                        f"seule une copie expurgée peut aller à « {kind} »."})
            continue
        chosen[chosen_item.sha256] = chosen_item
    return chosen, excluded, substituted


def _refuse_if_nothing(chosen: dict[str, EvidenceItem], excluded: list[dict[str, Any]], *,
                       refuse_on_consent: bool) -> None:
    refusal = Problems("evidence export")
    if refuse_on_consent:
        for entry in excluded:
            if entry["code"] == "consent.forbids_recipient":
                refusal.add("consent", entry["code"], entry["message"])
    if not chosen:
        for entry in excluded:
            refusal.add("consent" if entry["code"].startswith("consent") else "selection",
                        entry["code"], entry["message"])
        refusal.add("selection", "evidence.nothing_to_export", "Aucune pièce exportable.")
    refusal.raise_if_any()


def evidence_export(*, actor: Any, recipient_kind: str, reason: str, destination: Path,
                    event: Event | None = None, items: Sequence[EvidenceItem] = (),
                    recipient_organisation: Any = None, refuse_on_consent: bool = False
                    ) -> ExportOutcome:
    """Build a court/partner package (BagIt, standalone verifier) of an event's items or of
    given items. Consent limits: an item linked to a source whose consent does not include the
    recipient kind (``courts``, ``named_partners`` + the organisation, ``public``…) is excluded
    — or, with ``refuse_on_consent``, the export is refused — with the reason naming the
    source. Non-judicial recipients get a redacted working copy instead of an original when one
    exists. Needs unsealed keys (originals are decrypted, the checkpoint is signed)."""
    if not policy.can_export_evidence(actor):
        raise PermissionDenied("Vous ne pouvez pas exporter de pièces.")
    problems = Problems("evidence export")
    _check_reason(problems, reason)
    if recipient_kind not in RECIPIENT_KINDS:
        problems.add("recipient_kind", "choice",
                     f"« {recipient_kind} » n'est pas un destinataire : {sorted(RECIPIENT_KINDS)}.")
    if recipient_kind == Recipient.PARTNERS and recipient_organisation is None:
        problems.add("recipient_organisation", "required", "Un partenaire nommé est attendu.")
    if (event is None) == (not items):
        problems.add("selection", "required", "Choisir un évènement ou une liste de pièces.")
    if event is not None and not visible_events(actor).filter(pk=event.pk).exists():
        problems.add("event", "not_found", f"Évènement {event.pk} introuvable.")
    problems.raise_if_any()
    selected = (list(visible_evidence(actor).filter(Q(events=event) | Q(acts__event=event)).distinct())
                if event is not None else list(items))
    chosen, excluded, substituted = _select_for_export(actor, selected, recipient_kind,
                                                       recipient_organisation)
    _refuse_if_nothing(chosen, excluded, refuse_on_consent=refuse_on_consent)
    unsealed_or_raise()
    if recipient_kind not in JUDICIAL:
        with vault_errors():
            vault = open_vault()
            for sha, item in list(chosen.items()):
                leaking = identifying_content_fields(vault.read_record(sha)) if item.derived_from_id else []
                if leaking:
                    del chosen[sha]
                    excluded.append({"sha256": sha, "code": "evidence.working_copy_identifying",
                                     "fields": leaking,
                                     "message": f"Copie de travail {sha[:12]} : ses octets portent encore "
                                                f"{', '.join(leaking)} ; retirez-les et déposez une nouvelle copie."})
        _refuse_if_nothing(chosen, excluded, refuse_on_consent=refuse_on_consent)
    visible = visible_events(actor)
    export_items = [ExportItem(sha, {
        "events": [e.reference for e in item.events.all() if visible.filter(pk=e.pk).exists()],
        "acts": [a.pk for a in item.acts.all()], "sources": [s.pk for s in item.sources.all()],
        "working_copy_of": item.derived_from.sha256 if item.derived_from else None,
    }) for sha, item in chosen.items()]
    from temoin.evidence.services.witnessing import export_anchors, export_recorded

    with vault_errors(), signing_vault() as vault:
        assert vault.log.signer is not None
        result = build_package(vault, export_items, destination, actor=custody_actor(actor),
                               reason=reason, log_signer=vault.log.signer,
                               organisation_name=actor.organisation.short_name,
                               disclosure="full" if recipient_kind in JUDICIAL else "redacted",
                               **export_anchors(vault, list(chosen.values())))  # witnesses, TSAs
        export_recorded(vault, result.checkpoint_size)
    with transaction.atomic():
        export = EvidenceExport.objects.create(
            created_by=actor, recipient_kind=recipient_kind,
            recipient_organisation=recipient_organisation, reason=reason,
            settings={"event": event.reference if event else None, "refuse_on_consent": refuse_on_consent,
                      "disclosure": "full" if recipient_kind in JUDICIAL else "redacted",
                      "selected": [i.sha256 for i in selected], "substituted": substituted},
            items=list(result.items), excluded=excluded, checkpoint_size=result.checkpoint_size,
            package_name=destination.name, temoin_version=temoin.__version__)
        audit_record(actor=actor, action="evidence.export", target=export, reason=reason, details={
            "recipient_kind": recipient_kind,
            "recipient_organisation": recipient_organisation.short_name if recipient_organisation else "",
            "items": list(result.items), "excluded": [e["sha256"] for e in excluded],
            "substituted": substituted, "checkpoint_size": result.checkpoint_size})
    return ExportOutcome(export, result.path, list(result.items), excluded, substituted,
                         result.checkpoint_size)


