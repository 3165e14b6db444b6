"""Every role × endpoint × confidentiality × sharing state, through real HTTP requests:
allowed and refused both asserted; refused reads answer the same 404 as missing records."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from temoin.cases import services
from temoin.cases.models import Event

ROLES = ["admin", "analyst", "reviewer", "monitor", "viewer", "partner", "other_partner",
         "anonymous"]
# (confidentiality, shared with the partner's organisation)
STATES = [(0, False), (0, True), (1, False), (1, True), (2, False), (2, True), (3, False)]

# What each role may READ, written out by hand from the policy table in the README.
def may_read(role: str, confidentiality: int, shared: bool, assigned_to_monitor: bool) -> bool:
    return {
        "admin": True,
        "analyst": confidentiality <= 2,
        "reviewer": confidentiality <= 2,
        "monitor": confidentiality == 0 or assigned_to_monitor,
        "viewer": confidentiality <= 1,
        "partner": shared,
        "other_partner": False,
        "anonymous": False,
    }[role]


def may_edit(role: str) -> bool:
    return role in ("admin", "analyst")


@pytest.fixture
def matrix(world):
    events = {}
    source = services.source_create(actor=world.admin, data={
        "source_type": "ngo_report", "title": "Rapport partagé (synthétique)",
        "consent": ["internal", "named_partners"], "consent_partner_ids": [world.partner_org.pk],
        "confidentiality": 1})
    for confidentiality, shared in STATES:
        event = services.event_create(actor=world.admin, data={
            "title": f"Évènement c{confidentiality} s{int(shared)} (synthétique)",
            "start": "2020-01-15", "admin1": "Mopti", "confidentiality": confidentiality})
        services.information_add(actor=world.admin, source=source, event=event)
        if shared:
            services.event_share(actor=world.admin, event=event, organisation=world.partner_org)
        events[(confidentiality, shared)] = event
    services.event_assign(actor=world.admin, event=events[(3, False)], user=world.monitor)
    return world, events


def client_for(world, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(getattr(world, role))
    return client


@pytest.mark.parametrize("role", ROLES)
def test_read_matrix(matrix, role):
    world, events = matrix
    client = client_for(world, role)
    listing = client.get("/api/events/?page_size=200")
    if role == "anonymous":
        assert listing.status_code in (401, 403)
        assert listing.json()["error"]["code"] in ("not_authenticated", "notauthenticated")
    else:
        assert listing.status_code == 200
    listed = {e["id"] for e in listing.json().get("results", [])}
    for (confidentiality, shared), event in events.items():
        expected = may_read(role, confidentiality, shared, assigned_to_monitor=(confidentiality == 3))
        detail = client.get(f"/api/events/{event.pk}/")
        history = client.get(f"/api/events/{event.pk}/history/")
        if role == "anonymous":
            assert detail.status_code in (401, 403) and history.status_code in (401, 403)
            continue
        assert (event.pk in listed) == expected, (role, confidentiality, shared)
        assert detail.status_code == (200 if expected else 404), (role, confidentiality, shared)
        assert history.status_code == (200 if expected else 404)
    if role != "anonymous":
        missing = client.get("/api/events/999999/")
        assert missing.status_code == 404
        refused = [e for k, e in events.items() if not may_read(role, *k, k[0] == 3)]
        if refused:
            assert client.get(f"/api/events/{refused[0].pk}/").json() == {
                "error": {"code": "not_found", "message": f"Évènement {refused[0].pk} introuvable."}}
            assert missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("role", ROLES)
def test_edit_matrix_and_nothing_changes_when_refused(matrix, role):
    world, events = matrix
    client = client_for(world, role)
    for (confidentiality, shared), event in events.items():
        before = Event.objects.get(pk=event.pk).title
        response = client.patch(f"/api/events/{event.pk}/", {"title": "Modifié"}, format="json")
        readable = may_read(role, confidentiality, shared, confidentiality == 3)
        if role == "anonymous":
            assert response.status_code in (401, 403)
        elif not readable:
            assert response.status_code == 404
        elif may_edit(role):
            assert response.status_code == 200, response.json()
        else:
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "permission_denied"
        after = Event.objects.get(pk=event.pk).title
        assert (after == "Modifié") == (response.status_code == 200)
        assert after in (before, "Modifié")


def test_partner_never_sees_non_consented_sources_or_names(matrix):
    world, events = matrix
    event = events[(1, True)]
    private = services.source_create(actor=world.admin, data={
        "source_type": "witness_testimony", "title": "Témoin privé (synthétique)",
        "consent": ["internal"]})
    # linking it to a shared event is refused, so link it to an unshared one and share nothing
    other = events[(1, False)]
    services.information_add(actor=world.admin, source=private, event=other)
    client = client_for(world, "partner")
    body = client.get(f"/api/events/{event.pk}/").json()
    assert [s["title"] for s in body["sources"]] == ["Rapport partagé (synthétique)"]
    assert client.get(f"/api/sources/{private.pk}/").status_code == 404
    assert client.get("/api/persons/").json()["results"] == []


@pytest.mark.parametrize(("role", "action", "payload"), list(itertools.product(
    ["viewer", "partner", "monitor"],
    ["share", "publish", "transition"],
    [None])))
def test_actions_refused_leave_no_trace(matrix, role, action, payload):
    world, events = matrix
    event = events[(0, True)]  # visible to all three roles, so refusals are 403, not 404
    body = {"share": {"organisation": "CADHP-T"}, "publish": {},
            "transition": {"to": "in_review"}}[action]
    response = client_for(world, role).post(f"/api/events/{event.pk}/{action}/", body,
                                             format="json")
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.review_status, event.published, event.shares.count()) == ("draft", False, 1)
