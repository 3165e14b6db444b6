"""The event form: one flow for an event with acts, victims, perpetrators and a source;
partial dates; errors next to the field with nothing lost and nothing written; edit + revert."""

from __future__ import annotations

import re

import pytest

from temoin.cases.models import Act, Claim, Event, Information, Involvement, Person, Source, Version
from tests.web.conftest import signed_in
from tests.web.fixtures import SYNTHETIC_NAMES, build


def full_form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "[SYNTHÉTIQUE] Attaque de marché", "start": "vers le 27 mars 2022",
        "admin1": "Mopti", "admin2": "Bandiagara", "place_name": "Sévaré",
        "geo_precision": "commune", "violation_status": "alleged", "confidentiality": "1",
        "latitude": "14.53", "longitude": "-4.10", "act_count": "2",
        "act0-act_type": "killing", "act0-victim_group": "commerçants",
        "act0-victim_count_min": "3", "act0-victim_count_max": "5",
        "act0-perpetrator": "fama", "act0-degree": "direct_perpetrator",
        "act1-act_type": "abduction", "act1-victim_given_name": SYNTHETIC_NAMES[0],
        "act1-victim_family_name": SYNTHETIC_NAMES[1], "act1-victim_sex": "female",
        "src-source_type": "witness_testimony", "src-source_title": "Témoin T-1 (synthétique)",
        "src-origin": "entretien", "src-reliability": "C", "src-credibility": "3",
        "src-consent": "internal", "src-claim_kind": "killed", "src-claim_qualifier": "about",
        "src-claim_min": "4", "src-claim_max": "6",
    }
    data.update(overrides)
    return data


def test_monitor_records_event_with_two_acts_and_a_source(world):
    client = signed_in(world, "monitor")
    page = client.get("/evenements/nouveau/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert 'data-draft="/evenements/nouveau/"' in html and 'data-nodraft="1"' in html
    assert "\u00a0\u00a0Meurtre" in html  # hierarchical picker, indented child term
    response = client.post("/evenements/nouveau/", full_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="[SYNTHÉTIQUE] Attaque de marché")
    assert response["Location"] == f"/evenements/{event.pk}/"
    assert event.start_precision == "approximate" and event.start_text == "vers le 27 mars 2022"
    assert event.created_by == world.monitor
    acts = list(Act.objects.filter(event=event).order_by("pk"))
    assert [a.act_type for a in acts] == ["killing", "abduction"]
    assert (acts[0].victim_count_min, acts[0].victim_count_max) == (3, 5)
    assert Involvement.objects.get(act=acts[0]).actor.code == "fama"
    victim = acts[1].victim_person
    assert victim is not None and victim.identity_blob and victim.sex == "female"
    source = Source.objects.get(title="Témoin T-1 (synthétique)")
    assert Information.objects.get(source=source, event=event).credibility == 3
    claim = Claim.objects.get(event=event)
    assert (claim.kind, claim.count_min, claim.count_max, claim.qualifier) == \
        ("killed", 4, 6, "about")
    detail = client.get(response["Location"]).content.decode()
    assert victim.code in detail and all(n not in detail for n in SYNTHETIC_NAMES)


@pytest.mark.parametrize(("text", "precision"), [("mars 2022", "month"),
                                                  ("27/03/2022", "day"), ("2022", "year")])
def test_partial_dates(world, text, precision):
    client = signed_in(world, "analyst")
    data = {"title": f"[SYNTHÉTIQUE] date {text}", "start": text, "geo_precision": "unknown",
            "violation_status": "alleged", "confidentiality": "1", "act_count": "0"}
    assert client.post("/evenements/nouveau/", data).status_code == 302
    assert Event.objects.get(title=f"[SYNTHÉTIQUE] date {text}").start_precision == precision


def test_errors_next_to_the_field_nothing_lost_nothing_written(world):
    client = signed_in(world, "analyst")
    before = (Event.objects.count(), Act.objects.count(), Person.objects.count(),
              Source.objects.count(), Version.objects.count())
    data = full_form(start="2099-01-01", **{"act0-victim_count_min": "9",
                                            "act0-victim_count_max": "2"})
    response = client.post("/evenements/nouveau/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_start-error">[^<]+</p>', html)  # next to the date field
    assert "Rien n’a été enregistré" in html
    assert 'value="[SYNTHÉTIQUE] Attaque de marché"' in html and 'value="Sévaré"' in html
    assert (Event.objects.count(), Act.objects.count(), Person.objects.count(),
            Source.objects.count(), Version.objects.count()) == before
    # The act is validated after the event: fix the date and the act error shows up, still nothing written.
    response = client.post("/evenements/nouveau/", full_form(**{
        "act0-victim_count_min": "9", "act0-victim_count_max": "2"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_act0-victim_count_\w+-error">', html)
    assert Event.objects.count() == before[0] and Person.objects.count() == before[2]


def test_add_an_act_row_keeps_the_input(world):
    client = signed_in(world, "analyst")
    response = client.post("/evenements/nouveau/", {**full_form(), "add_act": "1"})
    html = response.content.decode()
    assert 'name="act2-act_type"' in html and 'value="Sévaré"' in html
    assert Event.objects.count() == 0


def test_refused_roles_cannot_open_the_form(world):
    for role in ("viewer", "partner", "reviewer"):
        client = signed_in(world, role)
        assert client.get("/evenements/nouveau/").status_code == 404
        assert client.post("/evenements/nouveau/", full_form()).status_code == 404
    assert Event.objects.count() == 0


def test_analyst_edits_then_reverts(world):
    cases = build(world)
    client = signed_in(world, "analyst")
    url = f"/evenements/{cases.located.pk}/modifier/"
    form = client.get(url).content.decode()
    assert 'value="[SYNTHÉTIQUE] Attaque de village"' in form and 'value="mars 2022"' in form
    response = client.post(url, {
        "title": "[SYNTHÉTIQUE] Attaque de village (corrigé)", "start": "mars 2022",
        "admin1": "Mopti", "admin2": "Bankass", "place_name": "Ogossagou",
        "geo_precision": "exact", "latitude": "14.2", "longitude": "-3.6",
        "violation_status": "corroborated", "confidentiality": "1",
        "coarsen_place_when_published": "on", "reason": "relecture"})
    assert response.status_code == 302
    cases.located.refresh_from_db()
    assert cases.located.title.endswith("(corrigé)")
    assert cases.located.violation_status == "corroborated"
    detail = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert "relecture" in detail and "Rétablir la v1" in detail and "<del>" in detail
    numbers = list(Version.objects.filter(target_type="event", target_id=cases.located.pk)
                   .values_list("number", flat=True))
    assert numbers == [1, 2]
    response = client.post(f"/evenements/{cases.located.pk}/retablir/",
                           {"number": "1", "reason": "erreur"})
    assert response.status_code == 302
    cases.located.refresh_from_db()
    assert cases.located.title == "[SYNTHÉTIQUE] Attaque de village"
    assert cases.located.violation_status == "alleged"


def test_viewer_cannot_edit_or_revert(world):
    cases = build(world)
    client = signed_in(world, "viewer")
    assert client.get(f"/evenements/{cases.located.pk}/modifier/").status_code == 404
    assert client.post(f"/evenements/{cases.located.pk}/retablir/",
                       {"number": "1", "reason": "x"}).status_code == 404
    assert Version.objects.filter(target_type="event", target_id=cases.located.pk).count() == 1


def test_edit_an_existing_act_and_refusals(world):
    cases = build(world)
    act = cases.located.acts.order_by("pk").first()
    analyst = signed_in(world, "analyst")
    assert f"/actes/{act.pk}/modifier/" in analyst.get(
        f"/evenements/{cases.located.pk}/").content.decode()
    bad = analyst.post(f"/actes/{act.pk}/modifier/", {
        "act_type": "killing", "victim_group": "villageois", "victim_count_min": "9",
        "victim_count_max": "2"})
    assert bad.status_code == 400 and "id_victim_count_" in bad.content.decode()
    act.refresh_from_db()
    assert (act.victim_count_min, act.victim_count_max) == (10, 20)
    ok = analyst.post(f"/actes/{act.pk}/modifier/", {
        "act_type": "summary_execution", "victim_group": "villageois",
        "victim_count_min": "11", "victim_count_max": "20", "reason": "bilan revu"})
    assert ok.status_code == 302
    act.refresh_from_db()
    assert (act.act_type, act.victim_count_min) == ("summary_execution", 11)
    for role in ("viewer", "reviewer", "partner"):
        assert signed_in(world, role).post(f"/actes/{act.pk}/modifier/", {
            "act_type": "torture"}).status_code == 404
    act.refresh_from_db()
    assert act.act_type == "summary_execution"
