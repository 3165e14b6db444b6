"""Linkage through HTTP: start a run, status, results, capture histories, the review queue,
decide and undo — and the role matrix (administrators and analysts run and decide, reviewers
read, monitors/viewers/partners refused with nothing written). One error shape."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from temoin.audit.models import AuditEntry
from temoin.keys import keystore
from temoin.linkage.models import CandidatePair, LinkageRun, ReviewDecision


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def run_id(world, loaded):  # type: ignore[no-untyped-def]
    response = client_for(world.analyst).post("/api/linkage/runs/", {"kind": "persons"},
                                              format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_run_status_results_queue_decide_undo(world, run_id):
    api = client_for(world.analyst)
    detail = api.get(f"/api/linkage/runs/{run_id}/").json()
    assert (detail["status"], detail["identity_mode"], detail["progress"]) == ("done", "names",
                                                                              1.0)
    assert detail["splink_model"]["comparisons"] and detail["input_count"] == 312
    results = api.get(f"/api/linkage/runs/{run_id}/results/?min_size=2").json()
    assert results["clusters"] and all(c["size"] >= 2 for c in results["clusters"])
    assert all(r["code"].startswith("V-") for c in results["clusters"] for r in c["records"])
    histories = api.get(f"/api/linkage/runs/{run_id}/capture-histories/?stratum=region").json()
    assert len(histories["rows"]) == detail["metrics"]["clusters"]
    assert histories["lists"] == detail["input_description"]["lists"]
    queue = api.get(f"/api/linkage/runs/{run_id}/queue/?limit=5").json()
    assert len(queue["items"]) == 5 and [i["rank"] for i in queue["items"]] == [1, 2, 3, 4, 5]
    item = queue["items"][0]
    assert {"comparison", "level", "match_weight", "verdict"} <= set(item["fields"][0])
    decided = api.post(f"/api/linkage/pairs/{item['id']}/decisions/",
                       {"decision": "accept", "comment": "même village, même jour"},
                       format="json")
    assert decided.status_code == 201, decided.json()
    assert decided.json()["pair"]["currently_linked"] is True
    after = api.get(f"/api/linkage/runs/{run_id}/queue/?limit=5").json()["items"]
    assert item["id"] not in [i["id"] for i in after]
    undone = api.post(f"/api/linkage/decisions/{decided.json()['decision']}/undo/",
                      format="json")
    assert undone.status_code == 200 and undone.json()["pair"]["decision"] is None
    assert undone.json()["pair"]["currently_linked"] is item["currently_linked"]
    estimation = api.post(f"/api/linkage/runs/{run_id}/estimation/",
                          {"title": "[SYNTHÉTIQUE] victimes", "methods": ["loglinear"],
                           "n_boot": 0}, format="json")
    assert estimation.status_code == 201, estimation.json()
    assert estimation.json()["status"] in ("done", "failed")
    bad = api.post(f"/api/linkage/pairs/{item['id']}/decisions/", {"decision": "oui"},
                   format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_failed"
    assert "decision" in bad.json()["error"]["fields"]


def test_identities_only_on_post_and_never_cached(world, run_id):
    pair = CandidatePair.objects.filter(run_id=run_id).first()
    response = client_for(world.reviewer).post(f"/api/linkage/pairs/{pair.pk}/identities/",
                                               {"reason": "revue"}, format="json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert set(response.json()) == {"left", "right"}
    keystore.forget()
    sealed = client_for(world.reviewer).post(f"/api/linkage/pairs/{pair.pk}/identities/",
                                             format="json")
    assert (sealed.status_code, sealed.json()["error"]["code"]) == (409, "keys.sealed")
    refused = client_for(world.analyst).post("/api/linkage/runs/",
                                             {"kind": "persons", "use_names": True},
                                             format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "keys.sealed")
    blind = client_for(world.analyst).post("/api/linkage/runs/", {"kind": "persons"},
                                           format="json").json()
    assert blind["identity_mode"] == "blind_index" and blind["hidden"]


ROLES = [("admin", 200, 201), ("analyst", 200, 201), ("reviewer", 200, 403),
         ("monitor", 404, 403), ("viewer", 404, 403), ("partner", 404, 403)]


def test_role_matrix(world, run_id):
    """Every role × endpoint (one database load for the whole matrix, refused roles first)."""
    pair = CandidatePair.objects.filter(run_id=run_id, review_rank=1).get()
    other = CandidatePair.objects.filter(run_id=run_id, review_rank=2).get()
    from temoin.linkage.services import linkage_decide

    existing = linkage_decide(actor=world.admin, pair=other, decision="accept")
    for role, read, run in sorted(ROLES, key=lambda r: r[2] == 201):
        api = client_for(getattr(world, role))
        runs_before, audit_before = LinkageRun.objects.count(), AuditEntry.objects.count()
        decisions_before = ReviewDecision.objects.count()
        for url in (f"/api/linkage/runs/{run_id}/", f"/api/linkage/runs/{run_id}/results/",
                    f"/api/linkage/runs/{run_id}/queue/",
                    f"/api/linkage/runs/{run_id}/capture-histories/",
                    f"/api/linkage/pairs/{pair.pk}/"):
            response = api.get(url)
            assert response.status_code == read, (role, url, response.content)
            if read != 200:
                assert response.json()["error"]["code"] == "not_found"
        listing = api.get("/api/linkage/runs/")
        assert listing.status_code == (200 if read == 200 else 403), role
        started = api.post("/api/linkage/runs/", {"kind": "events"}, format="json")
        assert started.status_code == run, role
        decide = api.post(f"/api/linkage/pairs/{pair.pk}/decisions/", {"decision": "reject"},
                          format="json")
        assert decide.status_code == (201 if run == 201 else 403 if read == 200 else 404), role
        undo = api.post(f"/api/linkage/decisions/{decide.json().get('decision', 0)}/undo/"
                        if run == 201 else f"/api/linkage/decisions/{existing.pk}/undo/",
                        format="json")
        assert undo.status_code == (200 if run == 201 else 403 if read == 200 else 404), role
        if run != 201:
            assert LinkageRun.objects.count() == runs_before, role
            assert ReviewDecision.objects.count() == decisions_before, role
            assert AuditEntry.objects.count() == audit_before, role
