"""Removing an involvement, correcting and withdrawing a claim over HTTP: the access matrix
(404 for what the viewer cannot see, 403 for who sees but may not edit), one error shape,
nothing changed on refusal, history and revert of a claim."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from temoin.cases import services
from temoin.cases.models import Actor, Claim, Involvement, Version

MOURA = {"title": "Exécutions à Moura (SYNTHÉTIQUE)", "start": "27 mars 2022",
         "admin1": "Mopti", "confidentiality": 1}


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def records(world: Any) -> tuple[Any, Any, Any]:
    event = services.event_create(actor=world.analyst, data=MOURA)
    act = services.act_create(actor=world.analyst, event=event, data={
        "act_type": "killing", "victim_group": "hommes", "victim_count_min": 3})
    source = services.source_create(actor=world.analyst, data={
        "source_type": "ngo_report", "title": "Rapport (synthétique)", "confidentiality": 1})
    involvement = services.involvement_add(
        actor=world.analyst, act=act, degree="direct_perpetrator",
        perpetrator_actor=Actor.objects.get(code="fama"))
    claim = services.claim_add(actor=world.analyst, event=event, source=source, kind="killed",
                               count_min=3, count_max=5, qualifier="range")
    return event, involvement, claim


def snapshot() -> tuple[Any, ...]:
    return (list(Claim.objects.order_by("pk").values_list("count_min", "count_max",
                                                           "withdrawn_at")),
            Involvement.objects.count(), Version.objects.count())


def test_analyst_removes_involvement(world: Any, records: Any) -> None:
    event, involvement, _claim = records
    api = client_for(world.analyst)
    missing = api.post(f"/api/involvements/{involvement.pk}/remove/", {}, format="json")
    assert (missing.status_code, list(missing.json()["error"]["fields"])) == (400, ["reason"])
    response = api.post(f"/api/involvements/{involvement.pk}/remove/",
                        {"reason": "attribution erronée"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["involvements"] == []
    assert not Involvement.objects.filter(pk=involvement.pk).exists()
    again = api.post(f"/api/involvements/{involvement.pk}/remove/", {"reason": "x"},
                     format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "not_found")


def test_analyst_corrects_withdraws_and_reverts_a_claim(world: Any, records: Any) -> None:
    event, _involvement, claim = records
    api = client_for(world.analyst)
    bad = api.patch(f"/api/claims/{claim.pk}/", {"count_min": 9, "colour": "x"},
                    format="json")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "validation_failed")
    assert set(bad.json()["error"]["fields"]) == {"count_min", "colour", "reason"}
    fixed = api.patch(f"/api/claims/{claim.pk}/", {"count_min": 4, "reason": "rectificatif"},
                      format="json")
    assert fixed.status_code == 200, fixed.json()
    assert (fixed.json()["count_min"], fixed.json()["count_max"]) == (4, 5)
    withdrawn = api.post(f"/api/claims/{claim.pk}/withdraw/", {"reason": "doublon"},
                         format="json")
    assert withdrawn.status_code == 200, withdrawn.json()
    assert (withdrawn.json()["withdrawn"], withdrawn.json()["withdrawal_reason"]) == (
        True, "doublon")
    detail = api.get(f"/api/events/{event.pk}/").json()
    assert detail["claims"][0]["by_source"] == []
    assert [c["id"] for c in detail["claims"][0]["withdrawn"]] == [claim.pk]
    assert (detail["claims"][0]["low"], detail["claims"][0]["high"]) == (None, None)
    history = api.get(f"/api/claims/{claim.pk}/history/").json()
    assert [(h["number"], h["change"]) for h in history] == [
        (1, "create"), (2, "update"), (3, "withdraw")]
    assert {c["field"] for c in history[1]["changes"]} == {"count_min"}
    conflict = api.patch(f"/api/claims/{claim.pk}/", {"count_min": 1, "reason": "x"},
                         format="json")
    assert (conflict.status_code, conflict.json()["error"]["code"]) == (409, "conflict")
    reverted = api.post(f"/api/claims/{claim.pk}/revert/", {"number": 2, "reason": "retour"},
                        format="json")
    assert reverted.status_code == 200, reverted.json()
    assert (reverted.json()["withdrawn"], reverted.json()["count_min"]) == (False, 4)


@pytest.mark.parametrize(("role", "status"), [
    ("viewer", 403), ("reviewer", 403), ("monitor", 404),  # monitors: public + their own
    ("partner", 404), ("other_partner", 404)])
def test_access_matrix_refused_changes_nothing(world: Any, records: Any, role: str,
                                               status: int) -> None:
    _event, involvement, claim = records
    api = client_for(getattr(world, role))
    before = snapshot()
    calls = [
        api.post(f"/api/involvements/{involvement.pk}/remove/", {"reason": "x"}, format="json"),
        api.patch(f"/api/claims/{claim.pk}/", {"count_min": 1, "reason": "x"}, format="json"),
        api.post(f"/api/claims/{claim.pk}/withdraw/", {"reason": "x"}, format="json"),
        api.post(f"/api/claims/{claim.pk}/revert/", {"number": 1, "reason": "x"},
                 format="json"),
    ]
    assert [r.status_code for r in calls] == [status] * 4
    assert {r.json()["error"]["code"] for r in calls} == {
        "permission_denied" if status == 403 else "not_found"}
    assert snapshot() == before


def test_anonymous_refused(records: Any) -> None:
    _event, involvement, claim = records
    response = APIClient().post(f"/api/claims/{claim.pk}/withdraw/", {"reason": "x"},
                                format="json")
    assert response.status_code in (401, 403)
    assert "error" in response.json()
    assert Claim.objects.get(pk=claim.pk).withdrawn_at is None
