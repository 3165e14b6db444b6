"""The minimal page set: sign-in required, lists and pages show only what the viewer may see,
restricted page views are audited, no identity ever rendered."""

from __future__ import annotations

import pytest
from django.test import Client

from temoin.audit.models import AuditEntry
from temoin.cases import services


@pytest.fixture
def pages(world):
    internal = services.event_create(actor=world.admin, data={
        "title": "Incident interne (synthétique)", "start": "2021-02", "admin1": "Gao",
        "confidentiality": 1})
    restricted = services.event_create(actor=world.admin, data={
        "title": "Incident restreint (synthétique)", "start": "2021-03", "admin1": "Kidal",
        "confidentiality": 2})
    person = services.person_create(actor=world.admin, data={},
                                    identity={"given_name": "Fatoumata", "family_name": "Dicko"})
    services.act_create(actor=world.admin, event=restricted, data={
        "act_type": "abduction", "victim_person_id": person.pk})
    return world, internal, restricted, person


def login(world, role: str) -> Client:
    from tests.web.conftest import signed_in

    return signed_in(world, role)


def test_anonymous_is_sent_to_sign_in(pages):
    for url in ("/", "/evenements/", "/carte/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")


@pytest.mark.parametrize(("role", "sees_restricted"), [
    ("admin", True), ("analyst", True), ("viewer", False), ("partner", False)])
def test_list_and_detail_by_role(pages, role, sees_restricted):
    world, internal, restricted, person = pages
    client = login(world, role)
    body = client.get("/evenements/").content.decode()
    assert ("Incident restreint" in body) == sees_restricted
    assert ("Incident interne" in body) == (role != "partner")
    detail = client.get(f"/evenements/{restricted.pk}/")
    assert detail.status_code == (200 if sees_restricted else 404)
    if sees_restricted:
        html = detail.content.decode()
        assert person.code in html and "Fatoumata" not in html and "Dicko" not in html
        assert AuditEntry.objects.filter(action="event.view", target_id=str(restricted.pk),
                                         actor_username=world.__dict__[role].username).exists()


def test_seal_state_is_visible(pages):
    world, *_ = pages
    assert "Identités descellées" in login(world, "analyst").get("/evenements/").content.decode()


def test_bad_filter_shown_not_crashing(pages):
    world, *_ = pages
    body = login(world, "analyst").get("/evenements/?date_from=mars").content.decode()
    assert "date_from" in body and "AAAA-MM-JJ attendue" in body
