"""Estimation runs through the API on a published table: stored with frozen inputs, the
log-linear figure as published (Kosovo, stepwise selection with two-way interactions: 14,342 in
Silverman, Chan & Vincent 2024 / MultipleSystemsEstimation), refused for roles that may not run
analyses, and bad tables named by file and field."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from temoin.audit.models import AuditEntry
from temoin.estimation.models import EstimationRun


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def kosovo(shared_data):
    return (shared_data / "mse" / "kosovo_1999_4lists.csv").read_bytes()


def test_run_stored_with_frozen_inputs(world, kosovo):
    api = client_for(world.analyst)
    response = api.post("/api/estimation/runs/", {
        "title": "Kosovo 1999 (données publiées)", "csv": kosovo.decode(),
        "methods": ["loglinear"], "n_boot": 20}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "done"
    run = EstimationRun.objects.get(pk=body["id"])
    assert run.inputs["None"]["n_observed"] == 4400 and run.inputs["None"]["cells"]["1111"] == 27
    text = str(run.results)
    assert "loglinear" in text
    assert AuditEntry.objects.filter(action="estimation.run", target_id=str(run.pk)).exists()
    detail = api.get(f"/api/estimation/runs/{run.pk}/").json()
    assert detail["settings"]["n_boot"] == 20 and detail["input_sha256"] == run.input_sha256
    plot = api.get(f"/api/estimation/runs/{run.pk}/plot.png")
    assert plot.status_code == 200 and plot.content[:8] == b"\x89PNG\r\n\x1a\n"
    (result,) = body["results"]["strata"]["None"]["results"]
    assert result["method"] == "loglinear" and result["n_observed"] == 4400
    assert abs(result["estimate"] - 14342) <= 0.5


@pytest.mark.parametrize("role", ["viewer", "monitor", "partner", "reviewer"])
def test_refused_roles_store_nothing(world, kosovo, role):
    response = client_for(getattr(world, role)).post(
        "/api/estimation/runs/", {"title": "x", "csv": kosovo.decode()}, format="json")
    assert response.status_code == 403
    assert not EstimationRun.objects.exists()


def test_bad_table_named(world):
    response = client_for(world.analyst).post("/api/estimation/runs/", {
        "title": "mauvais", "csv": "a,b,c,count\n1,0,0,5\n0,x,1,3\n", "methods": ["dga", "magic"]},
        format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"methods", "file"}
    assert not EstimationRun.objects.exists()


def test_runs_are_readable_by_reviewers_not_partners(world, kosovo):
    run_id = client_for(world.analyst).post("/api/estimation/runs/", {
        "title": "k", "csv": kosovo.decode(), "methods": ["loglinear"], "n_boot": 20},
        format="json").json()["id"]
    assert client_for(world.reviewer).get(f"/api/estimation/runs/{run_id}/").status_code == 200
    assert client_for(world.partner).get(f"/api/estimation/runs/{run_id}/").status_code == 404
