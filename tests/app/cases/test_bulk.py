"""The scenario loader writes the same shapes as the services: versions, search entries,
sealed identities, claims side by side, and one audit row per batch."""

from __future__ import annotations

from temoin.audit.models import AuditEntry
from temoin.audit.selectors import audit_verify
from temoin.cases import selectors, services
from temoin.cases.bulk import ScenarioLoader
from temoin.cases.history import snapshot
from temoin.cases.models import Act, Claim, Event, Person, SearchEntry, Version
from temoin.core.scenario.generator import generate


def test_scenario_load_matches_the_scenario(world):
    scenario = generate(11, n_incidents=12)
    bundles = list(scenario.bundles())
    loader = ScenarioLoader(actor=world.admin, organisation=world.host, keep_maps=True,
                            organisations={o.organisation_id: o for o in scenario.organisations()})
    result = loader.load(bundles, batch_incidents=5)
    reports = [r for b in bundles for r in b.reports]
    records = [p for b in bundles for p in b.persons]
    assert (result.events, result.persons, result.batches) == (len(reports), len(records), 3)
    assert Event.objects.filter(synthetic=True).count() == len(reports)
    assert Act.objects.count() == sum(len(b.acts) for b in bundles)
    assert Claim.objects.count() == sum(len(r.claims) for r in reports)
    assert AuditEntry.objects.filter(action="scenario.import_batch").count() == 3
    assert audit_verify().ok
    # a loaded event's version equals a fresh snapshot of the row (same shape as services)
    event = Event.objects.get(pk=result.report_event[reports[0].report_id])
    version = Version.objects.get(target_type="event", target_id=event.pk)
    assert version.data == snapshot(event)
    assert SearchEntry.objects.filter(doc_type="event", doc_id=event.pk).exists()
    # identities are sealed and readable when unsealed
    record = records[0]
    person = Person.objects.get(pk=result.record_person[record.person_record_id])
    assert record.family_name.encode() not in bytes(person.identity_blob)
    identity = services.person_identity(viewer=world.analyst, person=person)
    assert identity.get("family_name", "") == record.family_name
    assert person.named_in.get().event.upstream_id == record.report_id
    # the list API filters work on loaded data
    region = reports[0].place.admin1
    listed = selectors.events_list(viewer=world.admin, filters={"region": region})
    assert listed.count() == sum(1 for r in reports if r.place.admin1.lower() == region.lower())
