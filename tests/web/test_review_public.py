"""Review workflow pages and the public version of published events."""

from __future__ import annotations

import pytest
from django.test import Client

from temoin.audit.models import AuditEntry
from temoin.cases.models import Event, EventAssignment, EventShare
from tests.web.conftest import signed_in
from tests.web.fixtures import SYNTHETIC_NAMES, build


@pytest.fixture
def cases(world):
    return build(world)


def move(client, event, to: str, comment: str = ""):  # type: ignore[no-untyped-def]
    return client.post(f"/evenements/{event.pk}/statut/", {"to": to, "comment": comment})


def test_submit_review_verify_publish(cases):
    event = cases.located
    admin = signed_in(cases.world, "admin")
    reviewer = signed_in(cases.world, "reviewer")
    assert move(admin, event, "submitted").status_code == 302
    queue = reviewer.get("/revision/").content.decode()
    assert event.reference in queue
    assert move(reviewer, event, "in_review").status_code == 302
    assert move(reviewer, event, "verified", "deux sources concordantes").status_code == 302
    event.refresh_from_db()
    assert event.review_status == "verified"
    page = reviewer.get(f"/evenements/{event.pk}/").content.decode()
    assert "deux sources concordantes" in page and "Publier la version publique" in page
    assert reviewer.post(f"/evenements/{event.pk}/publier/").status_code == 302
    event.refresh_from_db()
    assert event.published
    assert AuditEntry.objects.filter(action__startswith="event.", actor_username="reviewer",
                                     target_id=str(event.pk)).exists()


def test_bad_transition_is_reported_and_changes_nothing(cases):
    reviewer = signed_in(cases.world, "reviewer")
    response = move(reviewer, cases.located, "verified")  # draft → verified is not allowed
    assert response.status_code == 302
    page = reviewer.get(response["Location"]).content.decode()
    assert "Passage impossible" in page
    cases.located.refresh_from_db()
    assert cases.located.review_status == "draft"


@pytest.mark.parametrize("role", ["viewer", "partner", "monitor"])
def test_refused_roles_change_nothing(cases, role):
    client = signed_in(cases.world, role)
    for url, data in [(f"/evenements/{cases.located.pk}/statut/", {"to": "submitted"}),
                      (f"/evenements/{cases.located.pk}/publier/", {}),
                      (f"/evenements/{cases.located.pk}/assigner/", {"username": "monitor"}),
                      (f"/evenements/{cases.located.pk}/partager/",
                       {"organisation": cases.world.partner_org.pk})]:
        assert client.post(url, data).status_code in (302, 404)
    cases.located.refresh_from_db()
    assert cases.located.review_status == "draft" and not cases.located.published
    assert not EventAssignment.objects.exists() and not EventShare.objects.exists()
    assert client.get("/revision/").status_code == 404


def test_assignment_gives_the_monitor_access(cases):
    monitor = signed_in(cases.world, "monitor")
    assert monitor.get(f"/evenements/{cases.restricted.pk}/").status_code == 404
    reviewer = signed_in(cases.world, "reviewer")
    assert reviewer.post(f"/evenements/{cases.restricted.pk}/assigner/",
                         {"username": "monitor"}).status_code == 302
    assert monitor.get(f"/evenements/{cases.restricted.pk}/").status_code == 200


def test_share_refused_without_consent_then_allowed(cases):
    analyst = signed_in(cases.world, "analyst")
    response = analyst.post(f"/evenements/{cases.located.pk}/partager/",
                            {"organisation": cases.world.partner_org.pk})
    page = analyst.get(response["Location"]).content.decode()
    assert "consentement" in page.lower() and not EventShare.objects.exists()


def publish(cases) -> Event:  # type: ignore[no-untyped-def]
    admin = signed_in(cases.world, "admin")
    for to in ("submitted", "in_review", "verified"):
        move(admin, cases.located, to)
    admin.post(f"/evenements/{cases.located.pk}/publier/")
    cases.located.refresh_from_db()
    assert cases.located.published
    return cases.located


def test_public_page_has_no_identity_and_a_coarsened_place(cases):
    event = publish(cases)
    anonymous = Client()
    listing = anonymous.get("/public/").content.decode()
    assert event.reference in listing and cases.cercle.reference not in listing
    html = anonymous.get(f"/public/{event.reference}/").content.decode()
    assert "Bankass, Mopti" in html and "Ogossagou" not in html  # coarsened to the cercle
    assert "14.2" not in html and "-3.6" not in html
    assert cases.person.code not in html and all(n not in html for n in SYNTHETIC_NAMES)
    assert "Radio S" in html and "ONG T" not in html  # only sources consenting to the public
    assert "Meurtre" in html
    assert anonymous.get(f"/public/{cases.cercle.reference}/").status_code == 404
    assert anonymous.get(f"/evenements/{event.pk}/").status_code == 302


def test_link_events_then_related_shown_both_ways(cases):
    analyst = signed_in(cases.world, "analyst")
    response = analyst.post(f"/evenements/{cases.located.pk}/lier/",
                            {"reference": cases.cercle.reference, "relation": "followed"})
    assert response.status_code == 302
    html = analyst.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert f">{cases.cercle.reference}</a>" in html and "A suivi" in html
    other = analyst.get(f"/evenements/{cases.cercle.pk}/").content.decode()
    assert f">{cases.located.reference}</a>" in other
    viewer = signed_in(cases.world, "viewer")
    assert viewer.post(f"/evenements/{cases.located.pk}/lier/", {
        "reference": cases.cercle.reference, "relation": "caused"}).status_code == 404
    from temoin.cases.models import EventLink

    assert EventLink.objects.count() == 1
