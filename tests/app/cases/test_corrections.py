"""Removing an involvement, correcting and withdrawing a claim: same permission rule as the
additions, validated all at once, versioned (history and revert) and audited; refused →
nothing changed; withdrawn claims kept, shown as withdrawn and no longer counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from temoin.audit.models import AuditEntry
from temoin.cases import access, selectors, services
from temoin.cases.models import Actor, Claim, ClaimFact, EventFact, Involvement, Version
from temoin.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

MOURA = {"title": "Exécutions à Moura (SYNTHÉTIQUE)", "start": "27 mars 2022",
         "place_name": "Moura", "admin1": "Mopti", "admin2": "Djenné", "confidentiality": 1}


@dataclass
class Case:
    event: Any
    act: Any
    source: Any
    involvement: Any
    claim: Any


@pytest.fixture
def case(world: Any) -> Case:
    event = services.event_create(actor=world.monitor, data=MOURA)
    act = services.act_create(actor=world.monitor, event=event, data={
        "act_type": "summary_execution", "victim_group": "hommes", "victim_count_min": 30})
    source = services.source_create(actor=world.monitor, data={
        "source_type": "ngo_report", "title": "Rapport (synthétique)", "reliability": "B",
        "confidentiality": 1})
    involvement = services.involvement_add(
        actor=world.monitor, act=act, degree="direct_perpetrator",
        perpetrator_actor=Actor.objects.get(code="fama"), attributed_by=source)
    claim = services.claim_add(actor=world.monitor, event=event, source=source, kind="killed",
                               count_min=30, count_max=40, qualifier="range")
    return Case(event=event, act=act, source=source, involvement=involvement, claim=claim)


def state(case: Case) -> tuple[Any, ...]:
    claims = tuple(Claim.objects.filter(event=case.event).order_by("pk").values_list(
        "count_min", "count_max", "qualifier", "withdrawn_at"))
    return (claims, Involvement.objects.filter(act=case.act).count(), Version.objects.count(),
            AuditEntry.objects.count())


def test_adds_are_versioned(case: Case) -> None:
    assert list(Version.objects.filter(target_type="involvement", target_id=case.involvement.pk)
                .values_list("number", "change")) == [(1, "create")]
    assert list(Version.objects.filter(target_type="claim", target_id=case.claim.pk)
                .values_list("number", "change")) == [(1, "create")]
    entry = AuditEntry.objects.get(action="claim.create")
    assert (entry.target_type, entry.target_id) == ("cases.claim", str(case.claim.pk))
    assert (entry.details["event"], entry.details["version"]) == (case.event.pk, 1)


def test_involvement_remove_versions_audits_and_reverts(world: Any, case: Case) -> None:
    pk = case.involvement.pk
    assert EventFact.objects.get(event=case.event).first_actor_id is not None
    services.involvement_remove(actor=world.analyst, involvement=case.involvement,
                                reason="attribution erronée")
    assert not Involvement.objects.filter(pk=pk).exists()
    assert EventFact.objects.get(event=case.event).first_actor_id is None
    history = selectors.record_history(target_type="involvement", target_id=pk)
    assert [(h.number, h.change, h.actor, h.reason) for h in history] == [
        (1, "create", "monitor", ""), (2, "remove", "analyst", "attribution erronée")]
    entry = AuditEntry.objects.get(action="involvement.remove")
    assert (entry.actor_username, entry.reason, entry.details["degree"],
            entry.details["actor"]) == ("analyst", "attribution erronée",
                                        "direct_perpetrator", "fama")
    services.version_revert(actor=world.analyst, target_type="involvement", target_id=pk,
                            number=1, reason="retrait annulé")
    restored = Involvement.objects.get(pk=pk)
    assert (restored.actor.code, restored.degree, restored.attributed_by_id) == (
        "fama", "direct_perpetrator", case.source.pk)
    assert [h.change for h in selectors.record_history(target_type="involvement",
                                                       target_id=pk)] == [
        "create", "remove", "revert"]


@pytest.mark.parametrize("role", ["viewer", "partner", "reviewer", "other_monitor"])
def test_involvement_remove_refused_changes_nothing(world: Any, case: Case, role: str) -> None:
    before = state(case)
    with pytest.raises(PermissionDenied):
        services.involvement_remove(actor=getattr(world, role), involvement=case.involvement,
                                    reason="non")
    assert state(case) == before


def test_involvement_remove_needs_a_reason(world: Any, case: Case) -> None:
    before = state(case)
    with pytest.raises(ValidationFailed) as raised:
        services.involvement_remove(actor=world.analyst, involvement=case.involvement,
                                    reason="  ")
    assert raised.value.fields["reason"][0][0] == "required"
    assert state(case) == before


def test_claim_update_versions_with_field_diff(world: Any, case: Case) -> None:
    services.claim_update(actor=world.analyst, claim=case.claim,
                          changes={"count_min": 35, "count_best": 38}, reason="rectificatif")
    case.claim.refresh_from_db()
    assert (case.claim.count_min, case.claim.count_max, case.claim.count_best) == (35, 40, 38)
    history = selectors.record_history(target_type="claim", target_id=case.claim.pk)
    assert [(h.number, h.change) for h in history] == [(1, "create"), (2, "update")]
    assert {(c.field, c.old, c.new) for c in history[1].changes} == {
        ("count_min", 30, 35), ("count_best", None, 38)}
    entry = AuditEntry.objects.get(action="claim.update")
    assert sorted(entry.details["fields"]) == ["count_best", "count_min"]
    assert ClaimFact.objects.get(event=case.event, kind="killed", level=1).low == 35
    services.version_revert(actor=world.analyst, target_type="claim", target_id=case.claim.pk,
                            number=1, reason="retour")
    case.claim.refresh_from_db()
    assert (case.claim.count_min, case.claim.count_best) == (30, None)


@pytest.mark.parametrize(("changes", "fields"), [
    ({"count_min": 50}, {"count_min"}),                              # above max 40
    ({"qualifier": "exact", "count_max": 41}, {"count_max"}),
    ({"count_best": 99, "kind": "eaten", "colour": "x"}, {"count_best", "kind", "colour"}),
    ({"count_min": -1, "count_max": "x"}, {"count_min", "count_max"}),
])
def test_claim_update_invalid_all_at_once_changes_nothing(world: Any, case: Case,
                                                          changes: dict[str, Any],
                                                          fields: set[str]) -> None:
    before = state(case)
    with pytest.raises(ValidationFailed) as raised:
        services.claim_update(actor=world.analyst, claim=case.claim, changes=changes,
                              reason="")
    assert set(raised.value.fields) == fields | {"reason"}
    assert state(case) == before


def test_claim_update_to_exact_sets_max(world: Any, case: Case) -> None:
    services.claim_update(actor=world.analyst, claim=case.claim,
                          changes={"qualifier": "exact", "count_min": 33}, reason="précision")
    case.claim.refresh_from_db()
    assert (case.claim.qualifier, case.claim.count_min, case.claim.count_max) == (
        "exact", 33, 33)


def test_claim_withdraw_kept_shown_and_not_counted(world: Any, case: Case) -> None:
    other = services.source_create(actor=world.analyst, data={
        "source_type": "media", "title": "Radio (synthétique)", "confidentiality": 1})
    services.claim_add(actor=world.analyst, event=case.event, source=other, kind="killed",
                       count_min=12)
    services.claim_withdraw(actor=world.analyst, claim=case.claim, reason="saisie erronée")
    case.claim.refresh_from_db()
    assert (case.claim.withdrawn_by, case.claim.withdrawal_reason) == (
        world.analyst, "saisie erronée")
    assert case.claim.withdrawn_at is not None
    (summary,) = selectors.event_claims(viewer=world.analyst, event=case.event)
    assert (summary.low, summary.high) == (12, 12)
    assert [c.pk for c in summary.withdrawn] == [case.claim.pk]
    fact = ClaimFact.objects.get(event=case.event, kind="killed", level=1)
    assert (fact.low, fact.high) == (12, 12)
    assert [h.change for h in selectors.record_history(
        target_type="claim", target_id=case.claim.pk)] == ["create", "withdraw"]
    with pytest.raises(ValidationFailed) as raised:
        services.claim_withdraw(actor=world.analyst, claim=case.claim, reason="encore")
    assert raised.value.fields["claim"][0][0] == "claim.already_withdrawn"
    with pytest.raises(Conflict):
        services.claim_update(actor=world.analyst, claim=case.claim,
                              changes={"count_min": 1}, reason="x")
    # revert to the version before the withdrawal: a current claim again
    services.version_revert(actor=world.analyst, target_type="claim", target_id=case.claim.pk,
                            number=1, reason="retrait annulé")
    case.claim.refresh_from_db()
    assert (case.claim.withdrawn_at, case.claim.withdrawn_by_id,
            case.claim.withdrawal_reason) == (None, None, "")
    assert ClaimFact.objects.get(event=case.event, kind="killed", level=1).high == 40


def test_only_withdrawn_claims_leave_no_range(world: Any, case: Case) -> None:
    services.claim_withdraw(actor=world.analyst, claim=case.claim, reason="saisie erronée")
    (summary,) = selectors.event_claims(viewer=world.analyst, event=case.event)
    assert (summary.kind, summary.low, summary.high, summary.claims) == ("killed", None, None, [])
    assert not ClaimFact.objects.filter(event=case.event).exists()


@pytest.mark.parametrize("role", ["viewer", "partner", "reviewer", "other_monitor"])
def test_claim_writes_refused_change_nothing(world: Any, case: Case, role: str) -> None:
    before = state(case)
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(actor=user, claim=case.claim, reason="non")
    with pytest.raises(PermissionDenied):
        services.claim_update(actor=user, claim=case.claim, changes={"count_min": 1},
                              reason="non")
    assert state(case) == before


def test_access_lookups_hide_what_the_viewer_cannot_see(world: Any, case: Case) -> None:
    assert access.access_claim_by_id(world.analyst, case.claim.pk) == case.claim
    assert access.access_involvement_by_id(world.viewer, case.involvement.pk) == case.involvement
    for lookup, pk in ((access.access_claim_by_id, case.claim.pk),
                       (access.access_involvement_by_id, case.involvement.pk)):
        with pytest.raises(NotFound):
            lookup(world.partner, pk)  # not shared with the partner
        with pytest.raises(NotFound):
            lookup(world.analyst, pk + 1000)
