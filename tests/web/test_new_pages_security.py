"""The evidence, import and editing pages under the same rules as every page: strict CSP,
no inline script or style, nothing external, French by default and English on request."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.web.conftest import signed_in
from tests.web.fixtures import build
from tests.web.test_evidence_pages import _upload, jpeg_with_exif
from tests.web.test_import_pages import _post, _token, five_rows


@pytest.fixture(autouse=True)
def files(settings, tmp_path):  # type: ignore[no-untyped-def]
    from temoin.evidence.vaultsetup import forget_vaults

    settings.TEMOIN_VAULT_ROOT = str(tmp_path / "vault")
    settings.TEMOIN_HOME = tmp_path / "home"
    forget_vaults()
    yield
    forget_vaults()


def _pages(world):  # type: ignore[no-untyped-def]
    from temoin.intake.models import ImportBatch, QuarantinedRow

    cases = build(world)
    client = signed_in(world, "admin")
    content = jpeg_with_exif()
    _upload(client, cases.located, content)
    client.post("/imports/confirmer/", {"token": _token(_post(client, five_rows()).content
                                                        .decode())})
    sha256 = hashlib.sha256(content).hexdigest()
    pk = cases.located.pk
    return client, {
        f"/evenements/{pk}/": "Pièces (coffre de preuves)",
        f"/evenements/{pk}/pieces/": "Ajouter une pièce",
        f"/pieces/{sha256}/": "Registre de garde",
        f"/evenements/{pk}/sources-auteurs/": "Auteurs présumés par acte",
        f"/sources/{cases.source.pk}/modifier/": "Modifier la source",
        "/imports/": "Lots d’import", "/imports/nouveau/": "Importer un fichier",
        f"/imports/{ImportBatch.objects.get().pk}/": "Changements par champ",
        "/imports/quarantaine/": "Lignes en quarantaine",
        f"/imports/quarantaine/{QuarantinedRow.objects.get().pk}/": "Relancer cette ligne",
        "/doublons/": "Doublons : liaisons",
    }


ENGLISH = ["Evidence (vault)", "Add evidence", "Custody log", "Alleged perpetrators per act",
           "Edit the source", "Import batches", "Import a file", "Changes per field",
           "Quarantined rows", "Retry this row", "Duplicates: linkage runs"]


def test_new_pages_csp_no_inline_nothing_external_and_both_languages(world):
    client, pages = _pages(world)
    for url, french in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "http" not in csp
        html = response.content.decode()
        assert french in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r'(src|href|action)="(https?:)?//', html), url
    client.post("/langue/", {"language": "en", "next": "/"})
    for (url, french), english in zip(pages.items(), ENGLISH, strict=True):
        html = client.get(url).content.decode()
        assert english in html and french not in html, url
        assert html.count("No external resource is loaded.") == 1, url  # no doubled msgstr


def test_no_english_message_repeats_itself():
    """A damaged catalogue once repeated long translations five times (continuation lines
    appended after a one-line msgstr)."""
    import re
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "temoin/locale/en/LC_MESSAGES/django.po"
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr and msgid.group(1).strip() != "\"\"":
            source = "".join(re.findall(r'"(.*)"', msgid.group(1)))
            text = "".join(re.findall(r'"(.*)"', msgstr.group(1)))
            assert len(text) < 2.2 * len(source) + 20, source[:60]
