"""Every page × every role: allowed (200) or refused (404, or the sign-in page when
anonymous). The event used is internal, created by the administrator, not shared."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.conftest import signed_in
from tests.web.fixtures import build

ROLES = ["admin", "analyst", "reviewer", "monitor", "viewer", "partner", "anonymous"]
EVERY_USER = {r: 200 for r in ROLES if r != "anonymous"}
ADMIN_ONLY = {r: (200 if r == "admin" else 404) for r in ROLES if r != "anonymous"}
HOST_READ = {**EVERY_USER, "monitor": 404, "partner": 404}  # internal event, not shared
EDITORS = {**HOST_READ, "reviewer": 404, "viewer": 404}
CREATORS = {**EVERY_USER, "reviewer": 404, "viewer": 404, "partner": 404}
REVIEWERS = {r: (200 if r in ("admin", "reviewer") else 404) for r in ROLES
             if r != "anonymous"}
LINKAGE_READERS = {r: (200 if r in ("admin", "analyst", "reviewer") else 404) for r in ROLES
                   if r != "anonymous"}

PAGES = {
    "/": EVERY_USER, "/evenements/": EVERY_USER, "/carte/": EVERY_USER,
    "/carte/donnees.json": EVERY_USER, "/carte/limites-1.geojson": EVERY_USER,
    "/evenements/export.csv": EVERY_USER, "/evenements/export.geojson": EVERY_USER,
    "/lieux.json?q=Mo": EVERY_USER,
    "/evenements/{pk}/": HOST_READ, "/evenements/{pk}/modifier/": EDITORS,
    "/evenements/nouveau/": CREATORS, "/revision/": REVIEWERS,
    "/administration/utilisateurs/": ADMIN_ONLY, "/administration/partages/": ADMIN_ONLY,
    "/administration/vocabulaires/": ADMIN_ONLY, "/administration/cles/": ADMIN_ONLY,
    "/administration/journal/": ADMIN_ONLY, "/doublons/": LINKAGE_READERS,
}


@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(world, role):
    cases = build(world)
    client = Client() if role == "anonymous" else signed_in(world, role)
    for template, expected in PAGES.items():
        url = template.format(pk=cases.cercle.pk)
        status = client.get(url).status_code
        if role == "anonymous":
            assert status == 302, url
        else:
            assert status == expected[role], (url, role, status)
    assert client.get("/public/").status_code == 200
    assert client.get("/connexion/").status_code == 200
