"""French by default, English on request; localised dates."""

from __future__ import annotations

from django.test import Client

from tests.web.conftest import signed_in
from tests.web.fixtures import build


def test_french_by_default_and_english_on_request(world):
    cases = build(world)
    client = signed_in(world, "analyst")
    french = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert '<html lang="fr">' in french and "Bilans annoncés (par source)" in french
    assert "1 mars 2022" in french  # localised date (earliest of "mars 2022")
    response = client.post("/langue/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    english = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert '<html lang="en">' in english and "Reported tolls (by source)" in english
    assert "Identities unsealed" in english and "March 1, 2022" in english
    assert "Killing" in english  # vocabulary labels follow the language
    assert "Dashboard" in client.get("/").content.decode()


def test_sign_in_page_in_english_by_browser_preference(world):
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/connexion/").content.decode()
    assert "Sign in" in html


def test_counts_are_grouped_by_language():
    from django.utils import translation

    from temoin.web.templatetags.temoin_web import number

    with translation.override("fr"):
        assert number(12345) == "12\u00a0345"
    with translation.override("en"):
        assert number(12345) == "12,345"
