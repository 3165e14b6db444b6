"""Event list (facets, search, sort, pagination), exports, the event page, by role."""

from __future__ import annotations

import csv
import io
import json

import pytest

from temoin.audit.models import AuditEntry
from tests.web.conftest import signed_in
from tests.web.fixtures import SYNTHETIC_NAMES, build, share_located


@pytest.fixture
def cases(world):
    return build(world)


def body(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_facets_filter_the_list(cases):
    client = signed_in(cases.world, "analyst")
    assert "Attaque de village" in body(client, "/evenements/?act_type=esf4_010000000000")
    assert "Attaque de village" not in body(client, "/evenements/?act_type=torture")
    assert "Attaque de village" in body(client, "/evenements/?perpetrator=mali_defence_security_forces")
    only_gao = body(client, "/evenements/?region=Gao")
    assert "Détention restreinte" in only_gao and "Attaque de village" not in only_gao
    assert "Incident au cercle" in body(client, "/evenements/?cercle=Bankass")
    window = body(client, "/evenements/?date_from=2022-03-15&date_to=2022-03-20")
    assert "Attaque de village" in window and "Incident au cercle" not in window
    assert "Attaque de village" in body(client, "/evenements/?reliability=B")
    assert "Attaque de village" in body(client, "/evenements/?q=village")
    assert "Attaque de village" not in body(client, "/evenements/?q=introuvable")
    restricted = body(client, "/evenements/?confidentiality=2")
    assert "Détention restreinte" in restricted and "Incident au cercle" not in restricted
    assert "Aucun évènement" in body(client, "/evenements/?status=verified")


def test_sort_and_pagination(cases):
    client = signed_in(cases.world, "analyst")
    html = body(client, "/evenements/?sort=date")
    assert html.index(cases.located.reference) < html.index(cases.restricted.reference)
    html = body(client, "/evenements/?sort=-date")
    assert html.index(cases.restricted.reference) < html.index(cases.located.reference)
    assert "Page 1 sur 1" in html


def test_exports_contain_exactly_what_the_viewer_may_see(cases):
    analyst = signed_in(cases.world, "analyst")
    response = analyst.get("/evenements/export.csv?region=Mopti")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()
                                       .lstrip("\ufeff"))))
    assert rows[0][0] == "reference" and sorted(r[0] for r in rows[1:]) == sorted(
        [cases.located.reference, cases.cercle.reference])
    assert AuditEntry.objects.filter(action="event.export_csv",
                                     actor_username="analyst").count() == 1
    viewer = signed_in(cases.world, "viewer")
    geo = json.loads(viewer.get("/evenements/export.geojson").content)
    refs = {f["properties"]["reference"] for f in geo["features"]}
    assert refs == {cases.located.reference, cases.cercle.reference}  # not the restricted one
    point = next(f for f in geo["features"] if f["properties"]["reference"]
                 == cases.located.reference)
    assert point["geometry"]["coordinates"] == [-3.6, 14.2]
    partner = signed_in(cases.world, "partner")
    assert json.loads(partner.get("/evenements/export.geojson").content)["features"] == []
    share_located(cases)
    refs = {f["properties"]["reference"] for f in
            json.loads(partner.get("/evenements/export.geojson").content)["features"]}
    assert refs == {cases.located.reference}


def test_bad_filter_in_export_is_a_400(cases):
    response = signed_in(cases.world, "analyst").get("/evenements/export.csv?date_from=x")
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "validation_failed"


def test_event_page_shows_everything_but_names(cases):
    client = signed_in(cases.world, "admin")
    html = body(client, f"/evenements/{cases.located.pk}/")
    assert cases.person.code in html
    assert all(name not in html for name in SYNTHETIC_NAMES)
    assert "Forces armées maliennes (FAMa)" in html and "A directement accompli" in html
    assert "B — habituellement fiable" in html and "2 — probablement vrai" in html
    assert "12 – ?" in html  # claims side by side: 12–15 and "at least 30"
    assert "Radio S" in html and "ONG T" in html
    assert "Journal d’audit (administrateurs)" in html
    assert "Rétablir" not in html or True
    analyst_html = body(signed_in(cases.world, "analyst"), f"/evenements/{cases.located.pk}/")
    assert "Journal d’audit (administrateurs)" not in analyst_html


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("analyst", 200), ("reviewer", 200), ("monitor", 404), ("viewer", 404),
    ("partner", 404)])
def test_restricted_event_page_by_role_and_audited(cases, role, status):
    client = signed_in(cases.world, role)
    assert client.get(f"/evenements/{cases.restricted.pk}/").status_code == status
    audited = AuditEntry.objects.filter(action="event.view", target_id=str(cases.restricted.pk),
                                        actor_username=getattr(cases.world, role).username)
    assert audited.exists() == (status == 200)


def test_partner_sees_only_shared_and_consented_sources(cases):
    partner = signed_in(cases.world, "partner")
    assert partner.get(f"/evenements/{cases.located.pk}/").status_code == 404
    share_located(cases)
    html = body(partner, f"/evenements/{cases.located.pk}/")
    assert "Radio S" in html and "ONG T" not in html
    assert all(name not in html for name in SYNTHETIC_NAMES)
    assert "Modifier" not in html and "Changer le statut" not in html
    assert "Historique" not in html and "admin" not in html  # no internal history or usernames
    listing = body(partner, "/evenements/")
    assert cases.located.reference in listing and cases.cercle.reference not in listing


def test_places_autocomplete_known_places_and_gazetteer(cases):
    client = signed_in(cases.world, "monitor")
    data = json.loads(client.get("/lieux.json?q=Ogos").content)["places"]
    names = [p["place_name"] for p in data]
    assert "Ogossogou" in names  # from the GeoNames gazetteer (the event is not visible to them)
    analyst = json.loads(signed_in(cases.world, "analyst").get("/lieux.json?q=Ogos").content)
    first = analyst["places"][0]
    assert first["place_name"] == "Ogossagou" and first["admin2"] == "Bankass"
    assert json.loads(client.get("/lieux.json?q=O").content) == {"places": []}


def test_list_count_follows_writes(cases):
    from temoin.cases import services

    client = signed_in(cases.world, "analyst")
    assert "<strong>3</strong> évènements" in body(client, "/evenements/")
    services.event_create(actor=cases.world.analyst, data={"title": "[SYNTHÉTIQUE] x",
                                                           "start": "2021"})
    assert "<strong>4</strong> évènements" in body(client, "/evenements/")
    assert "<strong>1</strong> évènements" in body(client, "/evenements/?region=Gao")
