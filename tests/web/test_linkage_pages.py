"""The linkage review pages (« Doublons ») on a real small run over SYNTHETIC persons: who may
see them (others get 404, the same as missing), the queue in impact order, a decision posted
through the page (decision row, audit row, queue changed, next pair), undo, and names shown
only on an explicit, audited request — never in the pages themselves."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from temoin.audit.models import AuditEntry
from temoin.keys import keystore
from temoin.linkage import services
from temoin.linkage.models import CandidatePair, ReviewDecision
from tests.app.linkage.conftest import loaded  # noqa: F401  (synthetic scenario in the database)
from tests.web.conftest import signed_in

READERS = ("admin", "analyst", "reviewer")
REFUSED = ("monitor", "viewer", "partner")


@pytest.fixture
def run(world, loaded):  # type: ignore[no-untyped-def]  # noqa: F811  (the fixture)
    return services.linkage_run_start(actor=world.analyst, kind="persons")


def _queue_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/doublons/paires/(\d+)/"', html)]


def _leaks(html: str, names: list[str]) -> list[str]:
    text = html.lower()
    return [n for n in names if re.search(rf"\b{re.escape(n.lower())}\b", text)]


def test_access_per_role_and_navigation(world, run):
    pair = CandidatePair.objects.filter(run=run, review_rank=1).get()
    urls = ["/doublons/", f"/doublons/{run.pk}/", f"/doublons/paires/{pair.pk}/"]
    for role in READERS:
        client = signed_in(world, role)
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)
        assert 'href="/doublons/"' in client.get("/").content.decode(), role
        assert client.get(f"/doublons/{run.pk + 1000}/").status_code == 404
        assert client.get(f"/doublons/paires/{pair.pk + 100000}/").status_code == 404
    for role in REFUSED:
        client = signed_in(world, role)
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
        assert 'href="/doublons/"' not in client.get("/").content.decode(), role
        assert client.post(f"/doublons/paires/{pair.pk}/decision/",
                           {"decision": "accept"}).status_code == 404
        assert client.post(f"/doublons/paires/{pair.pk}/noms/").status_code == 404
    assert Client().get("/doublons/").status_code == 302  # anonymous: to the sign-in page
    # A reviewer reads but may not decide: no form, and a POST changes nothing.
    reviewer = signed_in(world, "reviewer")
    assert 'name="decision"' not in reviewer.get(f"/doublons/paires/{pair.pk}/").content.decode()
    assert reviewer.post(f"/doublons/paires/{pair.pk}/decision/",
                         {"decision": "accept"}).status_code == 404
    assert not ReviewDecision.objects.exists()


def test_run_list_and_queue_in_impact_order_paginated(world, run):
    client = signed_in(world, "analyst")
    listing = client.get("/doublons/").content.decode()
    assert f'href="/doublons/{run.pk}/"' in listing and "personnes" in listing
    assert "large_cluster_size=" in listing and "terminée" in listing
    page1 = client.get(f"/doublons/{run.pk}/").content.decode()
    ids = _queue_ids(page1)
    expected = list(CandidatePair.objects.filter(run=run, review_rank__isnull=False)
                    .order_by("review_rank").values_list("pk", flat=True))
    assert len(ids) == min(25, len(expected)) and ids == expected[:len(ids)]
    impacts = list(CandidatePair.objects.filter(pk__in=ids).order_by("review_rank")
                   .values_list("impact", flat=True))
    assert impacts == sorted(impacts, reverse=True)  # highest impact (most uncertain) first
    assert "Noms masqués" in page1 and "Grands groupes" in page1
    if len(expected) > 25:
        assert 'rel="next"' in page1
        page2 = _queue_ids(client.get(f"/doublons/{run.pk}/?page=2").content.decode())
        assert page2 == expected[25:50]


def test_decide_through_the_page_then_undo(world, run):
    client = signed_in(world, "analyst")
    first, second = CandidatePair.objects.filter(run=run, review_rank__in=(1, 2)).order_by(
        "review_rank")
    pair_html = client.get(f"/doublons/paires/{first.pk}/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in pair_html and 'value="accept"' in pair_html
    for field in first.fields[:3]:
        assert field["comparison"] in pair_html and field["level"] in pair_html
    audits = AuditEntry.objects.filter(action="linkage.decide").count()
    response = client.post(f"/doublons/paires/{first.pk}/decision/",
                           {"decision": "reject", "comment": "villages différents"})
    assert response.status_code == 302
    assert response["Location"] == f"/doublons/paires/{second.pk}/"  # next in the queue
    decision = ReviewDecision.objects.get(pair=first, undone_at__isnull=True)
    assert (decision.decision, decision.reviewer, decision.comment) == (
        "reject", world.analyst, "villages différents")
    assert AuditEntry.objects.filter(action="linkage.decide").count() == audits + 1
    queue = _queue_ids(client.get(f"/doublons/{run.pk}/").content.decode())
    assert first.pk not in queue and queue[0] == second.pk
    decided = client.get(f"/doublons/paires/{first.pk}/").content.decode()
    assert "Décision en vigueur" in decided and f"/doublons/decisions/{decision.pk}/annuler/" \
        in decided
    bad = client.post(f"/doublons/paires/{second.pk}/decision/", {"decision": "oui"},
                      follow=True)
    assert not ReviewDecision.objects.filter(pair=second).exists()
    assert "accept, reject ou unsure" in bad.content.decode()
    undone = client.post(f"/doublons/decisions/{decision.pk}/annuler/")
    assert undone.status_code == 302 and undone["Location"] == f"/doublons/paires/{first.pk}/"
    decision.refresh_from_db()
    assert decision.undone_at is not None and decision.undone_by == world.analyst
    assert AuditEntry.objects.filter(action="linkage.decision_undo").count() == 1
    assert _queue_ids(client.get(f"/doublons/{run.pk}/").content.decode())[0] == first.pk
    again = client.post(f"/doublons/decisions/{decision.pk}/annuler/", follow=True)
    assert "déjà annulée" in again.content.decode()
    assert AuditEntry.objects.filter(action="linkage.decision_undo").count() == 1


def test_names_only_on_audited_request(world, run, loaded):  # noqa: F811
    assert len(loaded.names) > 100
    pair = CandidatePair.objects.filter(run=run, review_rank=1).get()
    client = signed_in(world, "reviewer")
    for url in ("/doublons/", f"/doublons/{run.pk}/", f"/doublons/paires/{pair.pk}/"):
        html = client.get(url).content.decode()
        assert _leaks(html, loaded.names) == [], url
    reads = AuditEntry.objects.filter(action="person.identity_read").count()
    shown = client.post(f"/doublons/paires/{pair.pk}/noms/", {"reason": "revue"})
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action="person.identity_read").count() == reads + 2
    assert _leaks(shown.content.decode(), loaded.names)  # this pair's names, on this answer
    assert _leaks(client.get(f"/doublons/paires/{pair.pk}/").content.decode(),
                  loaded.names) == []
    keystore.forget()  # sealed: refused with a message, nothing shown
    sealed = client.post(f"/doublons/paires/{pair.pk}/noms/", follow=True)
    assert sealed.status_code == 200 and _leaks(sealed.content.decode(), loaded.names) == []


def test_pages_strict_csp_and_in_english(world, run):
    client = signed_in(world, "analyst")
    pair = CandidatePair.objects.filter(run=run, review_rank=1).get()
    for url in ("/doublons/", f"/doublons/{run.pk}/", f"/doublons/paires/{pair.pk}/"):
        response = client.get(url)
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r'(src|href|action)="(https?:)?//', html), url
    client.post("/langue/", {"language": "en", "next": "/"})
    assert "Duplicates" in client.get("/").content.decode()
    assert "Review queue" in client.get(f"/doublons/{run.pk}/").content.decode()
    html = client.get(f"/doublons/paires/{pair.pk}/").content.decode()
    assert "Compared fields" in html and "Names hidden" in html
    assert "Champs comparés" not in html


def test_incident_run_pages(world, loaded):  # noqa: F811
    run = services.linkage_run_start(actor=world.analyst, kind="events")
    client = signed_in(world, "analyst")
    html = client.get(f"/doublons/{run.pk}/").content.decode()
    assert "évènements" in html
    pair = CandidatePair.objects.filter(run=run, review_rank__isnull=False).order_by(
        "review_rank").first()
    assert pair is not None
    page = client.get(f"/doublons/paires/{pair.pk}/").content.decode()
    assert pair.left.event.reference in page and "Afficher les noms" not in page
    assert _queue_ids(html)[0] == pair.pk
