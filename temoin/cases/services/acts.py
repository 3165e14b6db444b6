"""Writes on acts, perpetrator involvements, sources, information and casualty claims."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from temoin.accounts.models import Organisation, User
from temoin.audit.services import audit_record
from temoin.cases import facts, history, policy, validation
from temoin.cases.models import (
    Act,
    Actor,
    Claim,
    ClaimQualifier,
    Event,
    Information,
    Intervention,
    Involvement,
    Person,
    Recipient,
    Source,
)
from temoin.cases.services.common import record_change, reindex_act, reindex_source
from temoin.cases.services.events import PLACE_FIELDS, consent_problems, stored_date
from temoin.errors import PermissionDenied, Problems

ACT_FIELDS = PLACE_FIELDS | {"act_type", "victim_person_id", "named_victim_ids", "victim_group",
                             "victim_count_min",
                             "victim_count_max", "start", "methods", "consequences",
                             "status_at_end", "confidentiality"}


def _validated_act(record: str, event: Event, data: Mapping[str, Any], current: Act | None
                   ) -> dict[str, Any]:
    problems = Problems(record)
    validation.unknown_fields(problems, data, ACT_FIELDS)
    values = {k: v for k, v in data.items() if k in ACT_FIELDS - {"start", "named_victim_ids"}}
    named = list(data.get("named_victim_ids") or [])
    if named and Person.objects.filter(pk__in=named).count() != len(set(named)):
        problems.add("named_victim_ids", "not_found", "Personne nommée introuvable.")
    if current is None and not data.get("act_type"):
        problems.add("act_type", "required", "Le type d'acte est obligatoire.")
    validation.term(problems, "act_type", "act_types", data.get("act_type"))
    for code in data.get("methods") or []:
        validation.term(problems, "methods", "methods", code)
    validation.term(problems, "status_at_end", "status_at_end_of_act", data.get("status_at_end"))
    low = data.get("victim_count_min", current.victim_count_min if current else None)
    high = data.get("victim_count_max", current.victim_count_max if current else None)
    validation.count_range(problems, "victim_count_min", low, "victim_count_max", high)
    person_id = data.get("victim_person_id", current.victim_person_id if current else None)
    group = data.get("victim_group", current.victim_group if current else "")
    if person_id is None and not group:
        problems.add("victim_person_id", "act.no_victim",
                     "Un acte vise une personne ou un groupe (avec un nombre).")
    if person_id is not None and not Person.objects.filter(pk=person_id).exists():
        problems.add("victim_person_id", "not_found", f"Personne {person_id} introuvable.")
    if "start" in data:
        start = validation.partial_date(problems, "start", data["start"])
        event_start = stored_date(event, "start")
        if start and event_start and start.latest and event_start.earliest \
                and start.latest < event_start.earliest:
            problems.add("start", "date.before_event", "L'acte précède le début de l'évènement.")
        if start:
            values.update(start_earliest=start.earliest, start_latest=start.latest,
                          start_precision=str(start.precision), start_text=start.text)
    validation.place(problems, {k: data[k] for k in PLACE_FIELDS if k in data})
    validation.confidentiality(problems, data.get("confidentiality"))
    problems.raise_if_any()
    return values


def act_create(*, actor: User, event: Event, data: Mapping[str, Any], reason: str = "") -> Act:
    if not policy.can_edit_event(actor, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {event.reference}.")
    values = _validated_act(f"act (new) of {event.reference}", event, data, None)
    with transaction.atomic():
        act = Act.objects.create(event=event, **values)
        if data.get("named_victim_ids"):
            act.named_victims.set(data["named_victim_ids"])
        reindex_act(act)
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="act", instance=act, change="create", reason=reason)
    return act


def act_update(*, actor: User, act: Act, changes: Mapping[str, Any], reason: str = "") -> Act:
    if not policy.can_edit_event(actor, act.event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {act.event.reference}.")
    values = _validated_act(f"act {act.pk} of {act.event.reference}", act.event, changes, act)
    with transaction.atomic():
        before = history.snapshot(act)
        for name, value in values.items():
            setattr(act, name, value)
        act.save()
        if "named_victim_ids" in changes:
            act.named_victims.set(changes["named_victim_ids"] or [])
        reindex_act(act)
        facts.refresh_events([act.event_id])
        record_change(actor=actor, target_type="act", instance=act, change="update",
                      reason=reason, before=before)
    return act


def involvement_add(*, actor: User, act: Act, degree: str, perpetrator_actor: Actor | None = None,
                    perpetrator_person: Person | None = None, attributed_by: Source | None = None,
                    remarks: str = "") -> Involvement:
    if not policy.can_edit_event(actor, act.event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {act.event.reference}.")
    problems = Problems(f"involvement (new) in act {act.pk}")
    validation.term(problems, "degree", "involvement_degrees", degree)
    if (perpetrator_actor is None) == (perpetrator_person is None):
        problems.add("perpetrator", "involvement.one_perpetrator",
                     "Indiquez soit un acteur armé, soit une personne.")
    problems.raise_if_any()
    with transaction.atomic():
        involvement = Involvement.objects.create(
            act=act, actor=perpetrator_actor, person=perpetrator_person, degree=degree,
            attributed_by=attributed_by, remarks=remarks)
        facts.refresh_events([act.event_id])
        record_change(actor=actor, target_type="involvement", instance=involvement,
                      change="create",
                      details={"act": act.pk, "event": act.event_id, "degree": degree,
                               "actor": perpetrator_actor.code if perpetrator_actor else None})
    return involvement


SOURCE_FIELDS = {"source_type", "title", "origin", "content", "person_id", "reliability", "language",
                 "date_received", "consent", "consent_partner_ids", "confidentiality",
                 "upstream_id", "synthetic"}


def _validated_source(record: str, data: Mapping[str, Any], creating: bool,
                      current: Source | None = None
                      ) -> tuple[dict[str, Any], list[Organisation] | None]:
    problems = Problems(record)
    validation.unknown_fields(problems, data, SOURCE_FIELDS)
    values = {k: v for k, v in data.items() if k in SOURCE_FIELDS - {"consent_partner_ids",
                                                                      "date_received"}}
    if creating and not data.get("source_type"):
        problems.add("source_type", "required", "Le type de source est obligatoire.")
    if creating and not str(data.get("title", "")).strip():
        problems.add("title", "required", "Le titre est obligatoire.")
    validation.term(problems, "source_type", "source_types", data.get("source_type"))
    validation.term(problems, "language", "languages", data.get("language"))
    validation.choice(problems, "reliability", data.get("reliability"),
                      validation.CHOICES["reliability"])
    validation.consent(problems, data.get("consent"))
    validation.confidentiality(problems, data.get("confidentiality"))
    if "date_received" in data and data["date_received"] is not None:
        received = validation.partial_date(problems, "date_received", data["date_received"])
        if received is not None:
            values["date_received"] = received.earliest
    partners = None
    if "consent_partner_ids" in data:
        ids = list(data["consent_partner_ids"] or [])
        partners = list(Organisation.objects.filter(pk__in=ids, is_host=False))
        if len(partners) != len(set(ids)):
            problems.add("consent_partner_ids", "not_found", "Organisation partenaire inconnue.")
    consent = data.get("consent", current.consent if current else [])
    if isinstance(consent, list) and Recipient.PARTNERS not in consent:
        if partners:
            problems.add("consent_partner_ids", "consent.partners_not_consented",
                         "Des partenaires sont nommés mais le consentement exclut les partenaires.")
        if "consent" in data:
            partners = []
    person_id = data.get("person_id")
    if person_id is not None and not Person.objects.filter(pk=person_id).exists():
        problems.add("person_id", "not_found", f"Personne {person_id} introuvable.")
    problems.raise_if_any()
    return values, partners


def source_create(*, actor: User, data: Mapping[str, Any], reason: str = "") -> Source:
    if not policy.can_create(actor):
        raise PermissionDenied("Vous ne pouvez pas créer de source.")
    values, partners = _validated_source("source (new)", data, creating=True)
    with transaction.atomic():
        source = Source.objects.create(organisation=actor.organisation, created_by=actor, **values)
        if partners:
            source.consent_partners.set(partners)
        record_change(actor=actor, target_type="source", instance=source, change="create",
                      reason=reason)
    return source


def source_update(*, actor: User, source: Source, changes: Mapping[str, Any],
                  reason: str = "") -> Source:
    if not policy.can_create(actor) or (actor.role == "monitor" and source.created_by_id != actor.pk):
        raise PermissionDenied(f"Vous ne pouvez pas modifier la source {source.pk}.")
    values, partners = _validated_source(f"source {source.pk}", changes, creating=False,
                                         current=source)
    with transaction.atomic():
        before = history.snapshot(source)
        for name, value in values.items():
            setattr(source, name, value)
        source.save()
        if partners is not None:
            source.consent_partners.set(partners)
        # A narrowed consent must not leave the source visible where it may no longer go.
        problems = Problems(f"source {source.pk}")
        for event in Event.objects.filter(information__source=source).distinct():
            for share in event.shares.select_related("organisation"):
                for field, issues in consent_problems(
                        event=event, organisation=share.organisation).fields.items():
                    for code, message in issues:
                        problems.add(field, code, message)
        problems.raise_if_any()
        reindex_source(source)
        facts.refresh_events(facts.source_events([source.pk]))
        record_change(actor=actor, target_type="source", instance=source, change="update",
                      reason=reason, before=before)
    return source


def information_add(*, actor: User, source: Source, event: Event, act: Act | None = None,
                    credibility: int = 6, remarks: str = "") -> Information:
    if not policy.can_edit_event(actor, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {event.reference}.")
    problems = Problems(f"information (source {source.pk} → {event.reference})")
    if credibility not in range(1, 7):
        problems.add("credibility", "choice.unknown", "La crédibilité va de 1 à 6.")
    if act is not None and act.event_id != event.pk:
        problems.add("act", "act.other_event", "Cet acte appartient à un autre évènement.")
    for share in event.shares.select_related("organisation"):
        for field, issues in consent_problems(event=event, organisation=share.organisation,
                                              extra_sources=[source]).fields.items():
            for code, message in issues:
                problems.add(field, code, message)
    problems.raise_if_any()
    with transaction.atomic():
        info, _ = Information.objects.update_or_create(
            source=source, event=event, act=act,
            defaults={"credibility": credibility, "remarks": remarks})
        reindex_source(source)
        audit_record(actor=actor, action="information.link", target=event,
                     details={"source": source.pk, "act": act.pk if act else None,
                              "credibility": credibility})
    return info


def claim_add(*, actor: User, event: Event, source: Source, kind: str, count_min: int,
              count_max: int | None = None, qualifier: str = ClaimQualifier.EXACT,
              remarks: str = "") -> Claim:
    problems = Problems(f"claim (new) on {event.reference}")
    validation.choice(problems, "kind", kind, validation.CHOICES["kind"])
    validation.choice(problems, "qualifier", qualifier, validation.CHOICES["qualifier"])
    validation.count_range(problems, "count_min", count_min, "count_max", count_max)
    if qualifier == ClaimQualifier.RANGE and count_max is None:
        problems.add("count_max", "required", "Une fourchette a un maximum.")
    if qualifier == ClaimQualifier.EXACT and count_max not in (None, count_min):
        problems.add("count_max", "claim.exact_range", "Un chiffre exact n'a pas de fourchette.")
    problems.raise_if_any()
    with transaction.atomic():
        if not Information.objects.filter(source=source, event=event).exists():
            information_add(actor=actor, source=source, event=event)
        elif not policy.can_edit_event(actor, event):
            raise PermissionDenied(f"Vous ne pouvez pas modifier {event.reference}.")
        claim = Claim.objects.create(event=event, source=source, kind=kind, count_min=count_min,
                                     count_max=count_max if qualifier != ClaimQualifier.EXACT
                                     else count_min, qualifier=qualifier, remarks=remarks)
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="claim", instance=claim, change="create",
                      details={"event": event.pk, "source": source.pk, "kind": kind})
    return claim


def intervention_add(*, actor: User, event: Event, person: Person | None = None,
                     intervening_organisation: str = "", intervention_type: str = "",
                     date: Any = None, remarks: str = "") -> Intervention:
    if not policy.can_edit_event(actor, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {event.reference}.")
    problems = Problems(f"intervention (new) on {event.reference}")
    if person is None and not intervening_organisation.strip():
        problems.add("person", "intervention.nobody", "Indiquez une personne ou une organisation.")
    day = validation.partial_date(problems, "date", date) if date else None
    problems.raise_if_any()
    with transaction.atomic():
        intervention = Intervention.objects.create(
            event=event, person=person, intervening_organisation=intervening_organisation,
            intervention_type=intervention_type, date=day.earliest if day else None,
            remarks=remarks)
        audit_record(actor=actor, action="intervention.create", target=event,
                     details={"intervention": intervention.pk,
                              "person": person.code if person else None})
    return intervention
