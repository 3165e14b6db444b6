"""Editing an existing event's perpetrators, sources and claims from the web; a source's
fields are versioned and revert works; refusals change nothing. SYNTHETIC data."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import signed_in
from tests.web.fixtures import build

ROLES = ["admin", "analyst", "reviewer", "monitor", "viewer", "partner"]


def _url(event) -> str:  # type: ignore[no-untyped-def]
    return f"/evenements/{event.pk}/sources-auteurs/"


def _snapshot(event):  # type: ignore[no-untyped-def]
    from temoin.cases.models import Claim, Information, Involvement, Source

    return (Involvement.objects.filter(act__event=event).count(),
            Information.objects.filter(event=event).count(),
            Claim.objects.filter(event=event).count(), Source.objects.count())


def test_add_perpetrator_with_degree_to_an_existing_act(world):
    from temoin.audit.models import AuditEntry
    from temoin.cases.models import Involvement

    cases = build(world)
    client = signed_in(world, "analyst")
    act = cases.located.acts.order_by("pk").last()  # the abduction, no perpetrator yet
    response = client.post(_url(cases.located), {
        "action": "involvement", "inv-act": str(act.pk), "inv-perpetrator": "fama",
        "inv-degree": "command_responsibility", "inv-attributed_by": str(cases.source.pk)})
    assert response.status_code == 302
    involvement = Involvement.objects.get(act=act)
    assert (involvement.actor.code, involvement.degree, involvement.attributed_by) == \
        ("fama", "command_responsibility", cases.source)
    assert AuditEntry.objects.filter(action="involvement.create",
                                     actor_username="analyst").count() == 1
    page = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert "Auteur présumé ajouté." in page
    # the same perpetrator and degree twice is refused, nothing added
    before = _snapshot(cases.located)
    again = client.post(_url(cases.located), {
        "action": "involvement", "inv-act": str(act.pk), "inv-perpetrator": "fama",
        "inv-degree": "command_responsibility"})
    assert again.status_code == 400 and _snapshot(cases.located) == before


def test_add_new_source_with_reliability_credibility_and_claim_then_more_claims(world):
    from temoin.cases.models import Claim, Information, Source

    cases = build(world)
    client = signed_in(world, "analyst")
    response = client.post(_url(cases.located), {
        "action": "source_new", "src-source_type": "witness_testimony",
        "src-source_title": "Témoin T-9 (synthétique)", "src-origin": "entretien",
        "src-reliability": "B", "src-credibility": "2", "src-consent": ["internal"],
        "src-claim_kind": "killed", "src-claim_qualifier": "about", "src-claim_min": "14"})
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(title="Témoin T-9 (synthétique)")
    assert source.reliability == "B"
    assert Information.objects.get(source=source, event=cases.located).credibility == 2
    claim = Claim.objects.get(source=source)
    assert (claim.kind, claim.count_min, claim.qualifier) == ("killed", 14, "about")
    response = client.post(_url(cases.located), {
        "action": "claim", "claim-source": str(source.pk), "claim-kind": "injured",
        "claim-qualifier": "range", "claim-count_min": "3", "claim-count_max": "5"})
    assert response.status_code == 302
    assert Claim.objects.filter(source=source, kind="injured", count_max=5).exists()
    response = client.post(_url(cases.located), {
        "action": "credibility", "source": str(source.pk), "credibility": "4"})
    assert response.status_code == 302
    assert Information.objects.get(source=source, event=cases.located).credibility == 4


def test_claim_errors_next_to_the_field_and_nothing_written(world):
    cases = build(world)
    client = signed_in(world, "analyst")
    before = _snapshot(cases.located)
    response = client.post(_url(cases.located), {
        "action": "claim", "claim-source": str(cases.source.pk), "claim-kind": "killed",
        "claim-qualifier": "range", "claim-count_min": "9", "claim-count_max": "3"})
    assert response.status_code == 400
    assert 'id="id_claim-count_min-error"' in response.content.decode() or \
        'id="id_claim-count_max-error"' in response.content.decode()
    assert _snapshot(cases.located) == before


def test_link_an_existing_source(world):
    from temoin.cases import services
    from temoin.cases.models import Information

    cases = build(world)
    other = services.source_create(actor=world.analyst, data={
        "source_type": "media", "title": "Article (synthétique)", "reliability": "C"})
    client = signed_in(world, "analyst")
    response = client.post(_url(cases.cercle), {"action": "source_link",
                                                "source_id": str(other.pk), "credibility": "3"})
    assert response.status_code == 302
    assert Information.objects.get(source=other, event=cases.cercle).credibility == 3
    response = client.post(_url(cases.cercle), {"action": "source_link", "source_id": "999999"})
    assert response.status_code == 400 and "Source introuvable." in response.content.decode()


def test_source_edit_is_versioned_and_revert_works(world):
    from temoin.cases.models import Version

    cases = build(world)
    client = signed_in(world, "analyst")
    url = f"/sources/{cases.source.pk}/modifier/"
    page = client.get(url).content.decode()
    assert "Radio locale (synthétique)" in page
    response = client.post(url, {"source_type": "media", "title": "Radio locale (corrigée)",
                                 "origin": "Radio S", "reliability": "D",
                                 "consent": ["internal", "named_partners", "public"],
                                 "reason": "relecture"})
    assert response.status_code == 302
    cases.source.refresh_from_db()
    assert (cases.source.title, cases.source.reliability) == ("Radio locale (corrigée)", "D")
    page = client.get(url).content.decode()
    assert "<del>B</del>" in page and "<ins>D</ins>" in page and "relecture" in page
    response = client.post(f"/sources/{cases.source.pk}/retablir/",
                           {"number": "1", "reason": "erreur de saisie"})
    assert response.status_code == 302
    cases.source.refresh_from_db()
    assert (cases.source.title, cases.source.reliability) == ("Radio locale (synthétique)", "B")
    assert list(Version.objects.filter(target_type="source", target_id=cases.source.pk)
                .values_list("change", flat=True).order_by("number")) == \
        ["create", "update", "revert"]


def test_restricted_event_parties_page_is_audited(world):
    from temoin.audit.models import AuditEntry

    cases = build(world)
    client = signed_in(world, "analyst")
    assert client.get(_url(cases.restricted)).status_code == 200
    assert AuditEntry.objects.filter(action="event.view",
                                     target_id=str(cases.restricted.pk)).count() == 1
    assert client.get(_url(cases.located)).status_code == 200  # internal: not audited
    assert not AuditEntry.objects.filter(action="event.view",
                                         target_id=str(cases.located.pk)).exists()


@pytest.mark.parametrize("role", ROLES)
def test_editing_pages_role_matrix(world, role):
    """Editors of the (admin's internal) event: administrators and analysts. Source edit:
    creators (monitor: only their own sources). Everyone else: 404, nothing changed."""
    from temoin.cases.models import Source

    cases = build(world)
    client = signed_in(world, role)
    editor = role in ("admin", "analyst")
    assert client.get(_url(cases.located)).status_code == (200 if editor else 404)
    before = _snapshot(cases.located)
    response = client.post(_url(cases.located), {
        "action": "claim", "claim-source": str(cases.source.pk), "claim-kind": "killed",
        "claim-qualifier": "exact", "claim-count_min": "1"})
    assert response.status_code == (302 if editor else 404)
    if not editor:
        assert _snapshot(cases.located) == before
    url = f"/sources/{cases.source.pk}/modifier/"
    source_editor = role in ("admin", "analyst")  # the monitor did not create it
    assert client.get(url).status_code == (200 if source_editor else 404)
    title = Source.objects.get(pk=cases.source.pk).title
    response = client.post(url, {"source_type": "media", "title": "X", "reliability": "A"})
    assert response.status_code == (302 if source_editor else 404)
    if not source_editor:
        assert Source.objects.get(pk=cases.source.pk).title == title
        assert client.post(f"/sources/{cases.source.pk}/retablir/",
                           {"number": "1", "reason": "x"}).status_code == 404


def test_monitor_edits_own_event_and_source(world):
    from temoin.web import flows

    monitor = world.monitor
    event = flows.event_record(actor=monitor, event_data={
        "title": "[SYNTHÉTIQUE] Relevé du moniteur", "start": "2022-03-27",
        "confidentiality": 1}, acts=[("act0-", {"act_type": "killing",
                                                "victim_group": "villageois"})],
        source=("src-", {"source_type": "media", "source_title": "Radio M (synthétique)",
                         "reliability": "C", "consent": ["internal"], "credibility": 3}))
    client = signed_in(world, "monitor")
    assert client.get(_url(event)).status_code == 200
    source = event.information.get().source
    assert client.get(f"/sources/{source.pk}/modifier/").status_code == 200


def test_perpetrator_and_degree_must_be_chosen(world):
    cases = build(world)
    client = signed_in(world, "analyst")
    act = cases.located.acts.order_by("pk").last()
    page = client.get(_url(cases.located)).content.decode()
    assert re.search(r'<select[^>]*name="inv-perpetrator"[^>]*><option value="">', page)
    before = _snapshot(cases.located)
    response = client.post(_url(cases.located), {"action": "involvement",
                                                 "inv-act": str(act.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_inv-perpetrator-error"' in html and 'id="id_inv-degree-error"' in html
    assert _snapshot(cases.located) == before
