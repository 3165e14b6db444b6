"""Case services: validation naming record and field, nothing written on refusal, versions,
audit rows in the same transaction, claims side by side, consent enforced at sharing."""

from __future__ import annotations

import datetime as dt

import pytest

from temoin.audit.models import AuditEntry
from temoin.cases import selectors, services
from temoin.cases.models import Act, Actor, Event, Information, Version
from temoin.errors import Conflict, PermissionDenied, ValidationFailed

MOURA = {
    "title": "Exécutions sommaires à Moura (SYNTHÉTIQUE)",
    "description": "Récit synthétique pour les tests.",
    "start": "27 mars 2022", "end": "31 mars 2022",
    "place_name": "Moura", "admin1": "Mopti", "admin2": "Djenné",
    "latitude": 14.03, "longitude": -4.6, "geo_precision": "exact",
    "confidentiality": 1,
}


def counts() -> tuple[int, int, int, int]:
    return (Event.objects.count(), Act.objects.count(), Version.objects.count(),
            AuditEntry.objects.count())


def test_event_create_stores_partial_dates_versions_and_audits(world):
    before_audit = AuditEntry.objects.count()
    event = services.event_create(actor=world.monitor, data=MOURA, reason="témoignage T-1")
    event.refresh_from_db()
    assert event.reference == "E-2022-00001"
    assert (event.start_earliest, event.start_latest, event.start_precision) == (
        dt.date(2022, 3, 27), dt.date(2022, 3, 27), "day")
    assert event.end_latest == dt.date(2022, 3, 31)
    assert event.review_status == "draft"
    assert Version.objects.filter(target_type="event", target_id=event.pk).count() == 1
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert AuditEntry.objects.count() == before_audit + 1
    assert (entry.action, entry.target_id, entry.actor_username, entry.reason) == (
        "event.create", str(event.pk), "monitor", "témoignage T-1")


def test_month_precision_from_french_text(world):
    event = services.event_create(actor=world.analyst, data={**MOURA, "start": "début mars 2022",
                                                             "end": None})
    assert (event.start_earliest, event.start_latest, event.start_precision) == (
        dt.date(2022, 3, 1), dt.date(2022, 3, 10), "range")


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"start": "31/02/2022"}, "start", "date.impossible"),
        ({"start": "2999-01-01"}, "start", "date.future"),
        ({"start": "2022-03-31", "end": "2022-03-01"}, "end", "date.reversed_range"),
        ({"latitude": 48.85, "longitude": 2.35}, "latitude", "geo.outside_mali"),
        ({"latitude": -4.6, "longitude": 14.03}, "latitude", "geo.outside_mali"),
        ({"title": "  "}, "title", "required"),
        ({"confidentiality": 7}, "confidentiality", "choice.unknown"),
        ({"colour": "red"}, "colour", "field.unknown"),
    ],
)
def test_event_create_refuses_bad_input_and_writes_nothing(world, changes, field, code):
    before = counts()
    with pytest.raises(ValidationFailed) as raised:
        services.event_create(actor=world.analyst, data={**MOURA, **changes})
    assert raised.value.record == "event (new)"
    assert code in [c for c, _ in raised.value.fields[field]]
    assert counts() == before


def test_swapped_coordinates_get_a_hint(world):
    with pytest.raises(ValidationFailed) as raised:
        services.event_create(actor=world.analyst,
                              data={**MOURA, "latitude": -4.6, "longitude": 14.03})
    assert "inversées" in raised.value.fields["latitude"][0][1]


def test_all_problems_reported_at_once(world):
    with pytest.raises(ValidationFailed) as raised:
        services.event_create(actor=world.analyst, data={**MOURA, "title": "", "start": "31/02/2022",
                                                         "latitude": 60.0})
    assert set(raised.value.fields) == {"title", "start", "latitude"}


def test_act_validation_unknown_term_and_count_range(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    before = counts()
    with pytest.raises(ValidationFailed) as raised:
        services.act_create(actor=world.analyst, event=event, data={
            "act_type": "no_such_act", "victim_group": "hommes du village",
            "victim_count_min": 30, "victim_count_max": 12})
    assert raised.value.record == f"act (new) of {event.reference}"
    assert [c for c, _ in raised.value.fields["act_type"]] == ["vocabulary.unknown_term"]
    assert [c for c, _ in raised.value.fields["victim_count_min"]] == ["count.min_above_max"]
    assert counts() == before


def test_act_needs_a_victim(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    with pytest.raises(ValidationFailed) as raised:
        services.act_create(actor=world.analyst, event=event, data={"act_type": "killing"})
    assert "victim_person_id" in raised.value.fields


def test_claims_side_by_side_never_one_number(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    army = services.source_create(actor=world.analyst, data={
        "source_type": "official_statement", "title": "Communiqué (synthétique)", "reliability": "D",
        "consent": ["internal", "public"]})
    ngo = services.source_create(actor=world.analyst, data={
        "source_type": "ngo_report", "title": "Rapport d'ONG (synthétique)", "reliability": "B",
        "consent": ["internal", "public"]})
    un = services.source_create(actor=world.analyst, data={
        "source_type": "un_report", "title": "Rapport ONU (synthétique)", "reliability": "A",
        "consent": ["internal", "public"]})
    services.claim_add(actor=world.analyst, event=event, source=army, kind="killed", count_min=203)
    services.claim_add(actor=world.analyst, event=event, source=ngo, kind="killed", count_min=300,
                       qualifier="about")
    services.claim_add(actor=world.analyst, event=event, source=un, kind="killed", count_min=500,
                       qualifier="at_least")
    (summary,) = selectors.event_claims(viewer=world.analyst, event=event)
    assert (summary.kind, summary.low, summary.high) == ("killed", 203, None)
    assert sorted((c.source.title, c.count_min, c.qualifier) for c in summary.claims) == [
        ("Communiqué (synthétique)", 203, "exact"), ("Rapport ONU (synthétique)", 500, "at_least"),
        ("Rapport d'ONG (synthétique)", 300, "about")]
    assert Information.objects.filter(event=event).count() == 3


def test_claim_min_above_max_refused(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    source = services.source_create(actor=world.analyst, data={
        "source_type": "media", "title": "Radio (synthétique)"})
    with pytest.raises(ValidationFailed) as raised:
        services.claim_add(actor=world.analyst, event=event, source=source, kind="killed",
                           count_min=10, count_max=5, qualifier="range")
    assert raised.value.fields["count_min"][0][0] == "count.min_above_max"
    assert not event.claims.exists()
    assert not Information.objects.filter(event=event).exists()


def test_share_refused_when_consent_forbids_and_nothing_changes(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    witness = services.source_create(actor=world.analyst, data={
        "source_type": "witness_testimony", "title": "Témoin T-7 (synthétique)",
        "consent": ["internal", "named_partners"], "consent_partner_ids": [world.other_partner_org.pk]})
    services.information_add(actor=world.analyst, source=witness, event=event, credibility=2)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        services.event_share(actor=world.analyst, event=event, organisation=world.partner_org)
    assert raised.value.fields["consent"][0][0] == "consent.forbids_recipient"
    assert not event.shares.exists()
    assert AuditEntry.objects.count() == audit_before
    share = services.event_share(actor=world.analyst, event=event,
                                 organisation=world.other_partner_org)
    assert share.organisation == world.other_partner_org


def test_linking_a_non_consenting_source_to_a_shared_event_is_refused(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    services.event_share(actor=world.analyst, event=event, organisation=world.partner_org)
    private = services.source_create(actor=world.analyst, data={
        "source_type": "victim_testimony", "title": "Survivante S-2 (synthétique)",
        "consent": ["internal"]})
    with pytest.raises(ValidationFailed):
        services.information_add(actor=world.analyst, source=private, event=event)
    assert not Information.objects.filter(source=private).exists()


def test_strictly_confidential_event_cannot_be_shared(world):
    event = services.event_create(actor=world.analyst, data={**MOURA, "confidentiality": 3})
    with pytest.raises(ValidationFailed) as raised:
        services.event_share(actor=world.admin, event=event, organisation=world.partner_org)
    assert "confidentiality" in raised.value.fields


def test_shared_event_cannot_become_strictly_confidential(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    services.event_share(actor=world.analyst, event=event, organisation=world.partner_org)
    with pytest.raises(Conflict):
        services.event_update(actor=world.analyst, event=event, changes={"confidentiality": 3})
    event.refresh_from_db()
    assert event.confidentiality == 1


def test_involvement_with_degree_and_attribution(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    act = services.act_create(actor=world.analyst, event=event, data={
        "act_type": "summary_execution", "victim_group": "hommes", "victim_count_min": 300,
        "methods": ["shooting"], "status_at_end": "dead"})
    source = services.source_create(actor=world.analyst, data={
        "source_type": "un_report", "title": "Rapport (synthétique)"})
    fama = Actor.objects.get(code="fama")
    involvement = services.involvement_add(actor=world.analyst, act=act, degree="direct_perpetrator",
                                           perpetrator_actor=fama, attributed_by=source)
    assert (involvement.actor.code, involvement.degree, involvement.attributed_by) == (
        "fama", "direct_perpetrator", source)
    with pytest.raises(ValidationFailed) as raised:
        services.involvement_add(actor=world.analyst, act=act, degree="watched")
    assert set(raised.value.fields) == {"degree", "perpetrator"}


def test_history_diff_and_revert(world):
    event = services.event_create(actor=world.analyst, data=MOURA)
    services.event_update(actor=world.analyst, event=event, changes={
        "title": "Titre corrigé (synthétique)", "admin2": "Mopti"}, reason="correction")
    history = selectors.record_history(target_type="event", target_id=event.pk)
    assert [h.number for h in history] == [1, 2]
    assert {(c.field, c.old, c.new) for c in history[1].changes} == {
        ("title", MOURA["title"], "Titre corrigé (synthétique)"), ("admin2", "Djenné", "Mopti")}
    services.version_revert(actor=world.analyst, target_type="event", target_id=event.pk,
                            number=1, reason="retour")
    event.refresh_from_db()
    assert (event.title, event.admin2) == (MOURA["title"], "Djenné")
    history = selectors.record_history(target_type="event", target_id=event.pk)
    assert [(h.number, h.change) for h in history] == [(1, "create"), (2, "update"), (3, "revert")]
    assert AuditEntry.objects.filter(action="event.revert", target_id=str(event.pk)).count() == 1


def test_review_workflow(world):
    event = services.event_create(actor=world.monitor, data=MOURA)
    with pytest.raises(PermissionDenied):
        services.event_transition(actor=world.other_monitor, event=event, to="submitted")
    services.event_transition(actor=world.monitor, event=event, to="submitted")
    with pytest.raises(PermissionDenied):
        services.event_transition(actor=world.monitor, event=event, to="in_review")
    services.event_transition(actor=world.reviewer, event=event, to="in_review")
    with pytest.raises(ValidationFailed):
        services.event_publish(actor=world.reviewer, event=event)
    services.event_transition(actor=world.reviewer, event=event, to="verified", comment="3 sources")
    services.event_publish(actor=world.reviewer, event=event)
    event.refresh_from_db()
    assert (event.review_status, event.published) == ("verified", True)
    with pytest.raises(ValidationFailed) as raised:
        services.event_transition(actor=world.reviewer, event=event, to="draft")
    assert raised.value.fields["review_status"][0][0] == "review.bad_transition"


def test_monitor_cannot_edit_after_review_starts(world):
    event = services.event_create(actor=world.monitor, data=MOURA)
    services.event_transition(actor=world.monitor, event=event, to="submitted")
    services.event_transition(actor=world.reviewer, event=event, to="in_review")
    with pytest.raises(PermissionDenied):
        services.event_update(actor=world.monitor, event=event, changes={"title": "x"})


@pytest.mark.parametrize("role", ["viewer", "partner", "reviewer"])
def test_roles_that_cannot_create(world, role):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.event_create(actor=getattr(world, role), data=MOURA)
    assert counts() == before
