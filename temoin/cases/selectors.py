"""Reads of case records, always through the viewer: what comes out is what they may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from temoin.cases import policy
from temoin.cases.history import FieldChange, diff
from temoin.cases.models import Act, Actor, Claim, Event, Information, Source, Term, Version
from temoin.cases.search import matching_event_ids
from temoin.errors import Problems

FILTERS = {"date_from", "date_to", "region", "cercle", "act_type", "perpetrator", "status",
           "reliability", "confidentiality", "q", "published"}


def _descendant_codes(vocabulary: str, code: str) -> list[str]:
    codes, frontier = [code], [code]
    while frontier:
        frontier = list(Term.objects.filter(vocabulary=vocabulary, parent_code__in=frontier)
                        .values_list("code", flat=True))
        codes += frontier
    return codes


def _actor_and_units(code: str) -> list[int]:
    ids = list(Actor.objects.filter(code=code).values_list("pk", flat=True))
    frontier = ids
    while frontier:
        frontier = list(Actor.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def _date(problems: Problems, name: str, value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.add(name, "date.unparseable", f"Date AAAA-MM-JJ attendue : {value!r}.")
        return None


def events_list(*, viewer: Any, filters: Mapping[str, str] | None = None) -> QuerySet[Event]:
    """Events the viewer may see, filtered. Date filters keep events whose *possible* dates
    overlap the window (a "March 2022" event is in a 2022-03-15..2022-03-20 window)."""
    return Event.objects.filter(event_conditions(viewer=viewer, filters=filters)).order_by(
        "-start_earliest", "-pk")


def event_conditions(*, viewer: Any, filters: Mapping[str, str] | None = None) -> Q:
    """The Q of ``events_list``: access policy and filters, over ``Event`` columns and
    ``pk`` only (so it applies unchanged to ``EventFact``, and through ``facts.rebase`` to
    the other fact tables, which carry the same columns)."""
    return policy.event_filter(viewer) & filter_conditions(filters)


def filter_conditions(filters: Mapping[str, str] | None) -> Q:
    """The filters alone as a Q over ``Event`` columns and ``pk`` (validated all at once)."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    problems = Problems("event filters")
    for name in filters:
        if name not in FILTERS:
            problems.add(name, "filter.unknown", f"Filtre inconnu : {name}.")
    q = Q()
    if "date_from" in filters and (d := _date(problems, "date_from", filters["date_from"])):
        q &= Q(start_latest__gte=d) | Q(start_latest__isnull=True, start_earliest__gte=d)
    if "date_to" in filters and (d := _date(problems, "date_to", filters["date_to"])):
        q &= Q(start_earliest__lte=d)
    if "region" in filters:
        q &= Q(admin1__iexact=filters["region"])
    if "cercle" in filters:
        q &= Q(admin2__iexact=filters["cercle"])
    if "status" in filters:
        q &= Q(review_status=filters["status"])
    if "confidentiality" in filters:
        try:
            q &= Q(confidentiality=int(filters["confidentiality"]))
        except ValueError:
            problems.add("confidentiality", "filter.invalid", "Niveau 0 à 3 attendu.")
    if "published" in filters:
        q &= Q(published=filters["published"] in ("1", "true", "True"))
    if "act_type" in filters:
        codes = _descendant_codes("act_types", filters["act_type"])
        q &= Q(pk__in=Act.objects.filter(act_type__in=codes).values("event_id"))
    if "perpetrator" in filters:
        ids = _actor_and_units(filters["perpetrator"])
        q &= Q(pk__in=Act.objects.filter(involvements__actor_id__in=ids).values("event_id"))
    if "reliability" in filters:
        grades = [g for g in "ABCDEF" if g <= filters["reliability"].upper()[:1]]
        q &= Q(pk__in=Source.objects.filter(reliability__in=grades)
               .values("information__event_id"))
    if "q" in filters:
        ids = matching_event_ids(filters["q"])
        if ids is not None:
            q &= Q(pk__in=ids)
    problems.raise_if_any()
    return q


@dataclass(frozen=True)
class ClaimSummary:
    """One casualty kind: the range across the current claims (None when every claim of
    that kind was withdrawn) and the withdrawn claims, shown as such, never hidden."""

    kind: str
    low: int | None
    high: int | None
    claims: list[Claim]
    withdrawn: list[Claim] = field(default_factory=list)


def event_claims(*, viewer: Any, event: Event) -> list[ClaimSummary]:
    """Casualty claims side by side: the range across sources and who says what."""
    claims = list(event.claims.select_related("source").order_by("pk"))
    visible = set(Source.objects.filter(pk__in={c.source_id for c in claims})
                  .filter(policy.source_filter(viewer)).values_list("pk", flat=True))
    current: dict[str, list[Claim]] = {}
    withdrawn: dict[str, list[Claim]] = {}
    for claim in (c for c in claims if c.source_id in visible):
        bucket = current if claim.withdrawn_at is None else withdrawn
        bucket.setdefault(claim.kind, []).append(claim)
    result = []
    for kind in sorted(set(current) | set(withdrawn)):
        kept = current.get(kind, [])
        highs = [c.count_max for c in kept]
        result.append(ClaimSummary(
            kind=kind, low=min((c.count_min for c in kept), default=None),
            high=None if not kept or any(h is None for h in highs)
            else max(h for h in highs if h is not None),
            claims=kept, withdrawn=withdrawn.get(kind, [])))
    return result


def event_sources(*, viewer: Any, event: Event) -> QuerySet[Source]:
    ids = Information.objects.filter(event=event).values("source_id")
    return Source.objects.filter(pk__in=ids).filter(policy.source_filter(viewer))


@dataclass(frozen=True)
class HistoryEntry:
    number: int
    change: str
    actor: str
    at: dt.datetime
    reason: str
    changes: list[FieldChange]


def record_history(*, target_type: str, target_id: int) -> list[HistoryEntry]:
    """Every version of a record with the field diff against the one before it."""
    previous: dict[str, Any] = {}
    entries = []
    for version in Version.objects.filter(target_type=target_type, target_id=target_id
                                          ).select_related("actor").order_by("number"):
        entries.append(HistoryEntry(
            number=version.number, change=version.change,
            actor=version.actor.username if version.actor else "",
            at=version.at, reason=version.reason, changes=diff(previous, version.data)))
        previous = version.data
    return entries


def integrity_report() -> dict[str, int]:
    """Counts an administrator should see at zero (or understand)."""
    from temoin.cases.models import Person
    from temoin.keys.models import Keyring

    known_keys = set(Keyring.objects.values_list("key_id", flat=True))
    return {
        "évènements sans acte": Event.objects.filter(acts__isnull=True).count(),
        "sources sans information": Source.objects.filter(information__isnull=True).count(),
        "personnes sans rôle": Person.objects.filter(
            victim_of__isnull=True, source_of__isnull=True, perpetrator_in__isnull=True,
            named_in__isnull=True).count(),
        "identités en attente d'index": Person.objects.filter(blind_pending=True).count(),
        "identités sous une clé inconnue": Person.objects.exclude(identity_blob=None)
        .exclude(key_id__in=known_keys).count(),
    }
