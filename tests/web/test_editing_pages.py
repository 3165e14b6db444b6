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


def _corrections(event):  # type: ignore[no-untyped-def]
    from temoin.cases.models import Claim, Involvement

    return (list(Involvement.objects.filter(act__event=event).values_list("pk", flat=True)),
            list(Claim.objects.filter(event=event).order_by("pk").values_list(
                "count_min", "count_max", "qualifier", "withdrawn_at")))


def test_remove_perpetrator_with_reason_kept_in_history(world):
    from temoin.audit.models import AuditEntry
    from temoin.cases import selectors
    from temoin.cases.models import Involvement

    cases = build(world)
    client = signed_in(world, "analyst")
    involvement = Involvement.objects.get(act__event=cases.located)
    page = client.get(_url(cases.located)).content.decode()
    assert f'name="involvement" value="{involvement.pk}"' in page
    before = _corrections(cases.located)
    missing = client.post(_url(cases.located), {"action": "involvement_remove",
                                                "involvement": str(involvement.pk)})
    assert missing.status_code == 400 and _corrections(cases.located) == before
    response = client.post(_url(cases.located), {
        "action": "involvement_remove", "involvement": str(involvement.pk),
        "reason": "attribution non étayée"})
    assert response.status_code == 302
    assert not Involvement.objects.filter(pk=involvement.pk).exists()
    assert [(h.change, h.reason) for h in selectors.record_history(
        target_type="involvement", target_id=involvement.pk)] == [
        ("create", ""), ("remove", "attribution non étayée")]
    assert AuditEntry.objects.filter(action="involvement.remove",
                                     actor_username="analyst").count() == 1
    page = client.get(_url(cases.located)).content.decode()
    assert "Auteur présumé retiré (conservé dans l’historique)." in page


def test_correct_then_withdraw_claim_shown_as_withdrawn(world):
    from temoin.cases.models import Claim

    cases = build(world)
    client = signed_in(world, "analyst")
    claim = Claim.objects.get(event=cases.located, source=cases.source)
    bad = client.post(_url(cases.located), {
        "action": "claim_correct", "claim": str(claim.pk), "qualifier": "range",
        "count_min": "20", "count_max": "15", "reason": "rectificatif"})
    assert bad.status_code == 400
    assert "Rien n’a été enregistré" in bad.content.decode()
    assert Claim.objects.get(pk=claim.pk).count_min == 12
    fixed = client.post(_url(cases.located), {
        "action": "claim_correct", "claim": str(claim.pk), "qualifier": "range",
        "count_min": "13", "count_max": "16", "reason": "rectificatif de la radio"})
    assert fixed.status_code == 302
    claim.refresh_from_db()
    assert (claim.count_min, claim.count_max) == (13, 16)
    withdrawn = client.post(_url(cases.located), {
        "action": "claim_withdraw", "claim": str(claim.pk), "reason": "doublon"})
    assert withdrawn.status_code == 302
    claim.refresh_from_db()
    assert claim.withdrawal_reason == "doublon" and claim.withdrawn_at is not None
    for url in (_url(cases.located), f"/evenements/{cases.located.pk}/"):
        html = client.get(url).content.decode()
        item = re.search(r'<li class="withdrawn">(.*?)</li>', html, re.S)
        assert item is not None, url
        assert "Radio S" in item.group(1) and "retiré" in item.group(1)
        assert "doublon" in item.group(1) and "13–16" in item.group(1)
        assert "30 – ?" in html  # the range counts only the claim still in force


def test_corrections_in_english(world):
    cases = build(world)
    client = signed_in(world, "analyst")
    from temoin.cases.models import Claim

    claim = Claim.objects.get(event=cases.located, source=cases.source)
    client.post(_url(cases.located), {"action": "claim_withdraw", "claim": str(claim.pk),
                                      "reason": "doublon"})
    html = client.get(_url(cases.located), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Remove this perpetrator" in html and "Correct or withdraw this figure" in html
    assert "withdrawn" in html


@pytest.mark.parametrize("role", ROLES)
def test_corrections_role_matrix(world, role):
    """Only the event's editors (administrators, analysts here) correct; others get 404 and
    nothing changes."""
    from temoin.cases.models import Claim, Involvement

    cases = build(world)
    client = signed_in(world, role)
    editor = role in ("admin", "analyst")
    involvement = Involvement.objects.get(act__event=cases.located)
    claim = Claim.objects.get(event=cases.located, source=cases.source)
    before = _corrections(cases.located)
    posts = [
        {"action": "claim_correct", "claim": str(claim.pk), "qualifier": "range",
         "count_min": "13", "count_max": "16", "reason": "x"},
        {"action": "claim_withdraw", "claim": str(claim.pk), "reason": "x"},
        {"action": "involvement_remove", "involvement": str(involvement.pk), "reason": "x"},
    ]
    codes = [client.post(_url(cases.located), data).status_code for data in posts]
    assert codes == ([302] * 3 if editor else [404] * 3)
    if editor:
        claim.refresh_from_db()
        assert (claim.count_min, claim.withdrawal_reason) == (13, "x")
        assert not Involvement.objects.filter(pk=involvement.pk).exists()
    else:
        assert _corrections(cases.located) == before


def test_claim_of_another_event_is_not_found(world):
    from temoin.cases import services
    from temoin.cases.models import Claim

    cases = build(world)
    other = services.claim_add(actor=world.admin, event=cases.cercle, source=cases.source,
                               kind="injured", count_min=2)
    client = signed_in(world, "analyst")
    response = client.post(_url(cases.located), {
        "action": "claim_withdraw", "claim": str(other.pk), "reason": "x"})
    assert response.status_code == 400
    assert "Bilan introuvable." in response.content.decode()
    assert Claim.objects.get(pk=other.pk).withdrawn_at is None


def test_withdrawn_claim_not_counted_by_stats_nor_public_page(world):
    from temoin.cases import services
    from temoin.cases.models import Claim, Event
    from temoin.web import public, stats

    cases = build(world)
    claim = Claim.objects.get(event=cases.located, source=cases.source)
    events = Event.objects.filter(pk=cases.located.pk)
    assert stats.event_claim_bounds(events, world.analyst, "killed") == {
        cases.located.pk: (12, 30, 1)}
    services.claim_withdraw(actor=world.analyst, claim=claim, reason="doublon")
    assert stats.event_claim_bounds(events, world.analyst, "killed") == {
        cases.located.pk: (30, 30, 1)}
    # the radio (consent "public") gave the only publishable figure: none is left
    assert public.public_version(cases.located, act_labels={}).claims == []
