"""Administration pages: administrators only; each action goes through its service."""

from __future__ import annotations

import pytest

from temoin.accounts.models import User
from temoin.audit.models import AuditEntry
from temoin.cases.models import Term
from temoin.keys import keystore
from tests.app.conftest import PASSPHRASE
from tests.web.conftest import signed_in

PAGES = ["/administration/utilisateurs/", "/administration/partages/",
         "/administration/vocabulaires/", "/administration/cles/",
         "/administration/journal/"]


@pytest.mark.parametrize("role", ["analyst", "reviewer", "monitor", "viewer", "partner"])
def test_everyone_else_gets_404_and_changes_nothing(world, role):
    client = signed_in(world, role)
    for url in PAGES:
        assert client.get(url).status_code == 404, url
    before = AuditEntry.objects.count()
    assert client.post("/administration/cles/", {"action": "seal"}).status_code == 404
    assert client.post(f"/administration/utilisateurs/{world.viewer.pk}/",
                       {"role": "administrator"}).status_code == 404
    assert client.post("/administration/vocabulaires/", {
        "vocabulary": "act_types", "code": "x_local", "label_fr": "x", "label_en": "x"}
    ).status_code == 404
    assert keystore.unsealed_keys() is not None
    assert User.objects.get(pk=world.viewer.pk).role == "viewer"
    assert AuditEntry.objects.count() == before


def test_admin_pages_render(world):
    client = signed_in(world, "admin")
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert "other_partner" in client.get(PAGES[0]).content.decode()


def test_admin_creates_user_changes_role_and_deactivates(world):
    client = signed_in(world, "admin")
    response = client.post("/administration/utilisateurs/", {
        "username": "nouvel_observateur", "password": "motdepasse-456",
        "organisation": world.host.pk, "role": "monitor"})
    assert response.status_code == 302
    user = User.objects.get(username="nouvel_observateur")
    client.post(f"/administration/utilisateurs/{user.pk}/", {"role": "analyst"})
    user.refresh_from_db()
    assert user.role == "analyst"
    client.post(f"/administration/utilisateurs/{user.pk}/", {"deactivate": "1", "reason": "départ"})
    user.refresh_from_db()
    assert not user.is_active


def test_admin_seals_and_unseals(world):
    client = signed_in(world, "admin")
    client.post("/administration/cles/", {"action": "seal"})
    assert keystore.unsealed_keys() is None
    assert "Identités scellées" in client.get("/administration/cles/").content.decode()
    response = client.post("/administration/cles/", {"action": "unseal",
                                                     "passphrase": "mauvaise phrase de passe"})
    assert "incorrecte" in client.get(response["Location"]).content.decode()
    assert keystore.unsealed_keys() is None
    client.post("/administration/cles/", {"action": "unseal", "passphrase": PASSPHRASE})
    assert keystore.unsealed_keys() is not None
    assert PASSPHRASE not in str(list(AuditEntry.objects.values_list("details", "reason")))


def test_admin_adds_a_local_term_and_searches_the_audit(world):
    client = signed_in(world, "admin")
    client.post("/administration/vocabulaires/", {
        "vocabulary": "act_types", "code": "vol_betail", "parent_code": "",
        "label_fr": "Vol de bétail", "label_en": "Cattle theft"})
    assert Term.objects.filter(vocabulary="act_types", code="vol_betail").exists()
    html = client.get("/administration/journal/?action=term.&verify=1").content.decode()
    assert "term." in html and "Chaîne d’audit intacte" in html


def test_admin_creates_a_partner_organisation(world):
    from temoin.accounts.models import Organisation

    client = signed_in(world, "admin")
    response = client.post("/administration/utilisateurs/", {
        "org-name": "Mécanisme de test", "org-short_name": "MEC-T", "org-kind": "un_mechanism"})
    assert response.status_code == 302
    org = Organisation.objects.get(short_name="MEC-T")
    assert not org.is_host and org.kind == "un_mechanism"
    assert "MEC-T" in client.get("/administration/utilisateurs/").content.decode()
    assert signed_in(world, "analyst").post("/administration/utilisateurs/", {
        "org-name": "X", "org-short_name": "X-T", "org-kind": "ngo"}).status_code == 404
    assert not Organisation.objects.filter(short_name="X-T").exists()
