"""Import pages: upload → dry run (nothing written) → confirm → batch; batch list and detail
(provenance, counts, per-field changes, flagged upstream deletions); quarantine and retry.
Administrators and analysts only. SYNTHETIC ACLED-format rows (never real ACLED rows)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.core.intake.synthetic import HDX_COLUMNS, synthetic_row
from tests.core.intake.test_table import PROFILE_DATA
from tests.web.conftest import signed_in

ROLES = ["admin", "analyst", "reviewer", "monitor", "viewer", "partner"]
IMPORTERS = ("admin", "analyst")


@pytest.fixture(autouse=True)
def temoin_home(tmp_path, settings):  # type: ignore[no-untyped-def]
    from temoin.intake import geodata

    settings.TEMOIN_HOME = tmp_path / "home"
    geodata._cache.clear()
    yield settings.TEMOIN_HOME


def acled_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HDX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def five_rows(*, bad: bool = True, **overrides: str) -> bytes:
    rows = [synthetic_row(n, **overrides) for n in range(1, 6)]
    if bad:
        rows[4]["event_type"] = "SYNTHETIC unknown type"
    return acled_csv(rows)


def _post(client, content: bytes, *, kind: str = "acled", name: str = "synthetique.csv", **extra):  # type: ignore[no-untyped-def]
    return client.post("/imports/nouveau/", {
        "kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        "geocode": "", "flag_deletions": "on", **extra})


def _token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)


def _count(html: str, name: str) -> str:
    return re.search(rf'data-count="{name}">([^<]+)<', html).group(1)


def _state():  # type: ignore[no-untyped-def]
    from temoin.cases.models import Event
    from temoin.intake.models import ImportBatch

    return Event.objects.count(), ImportBatch.objects.count()


def test_dry_run_writes_nothing_then_confirm_imports_the_batch(world, temoin_home):
    from temoin.audit.models import AuditEntry
    from temoin.intake.models import ImportBatch

    client = signed_in(world, "analyst")
    audits = AuditEntry.objects.count()
    response = _post(client, five_rows())
    assert response.status_code == 200
    html = response.content.decode()
    assert (_count(html, "rows"), _count(html, "new"), _count(html, "updated"),
            _count(html, "unchanged"), _count(html, "quarantined")) == ("5", "4", "0", "0", "1")
    assert "unknown_event_type" in html or "event_type" in html
    assert _state() == (0, 0) and AuditEntry.objects.count() == audits
    token = _token(html)
    assert (temoin_home / "imports" / "staging" / token).exists()
    response = client.post("/imports/confirmer/", {"token": token, "confirm": "1"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    assert (batch.rows, batch.new, batch.quarantined, batch.created_by) == (5, 4, 1, world.analyst)
    assert batch.file_name == "synthetique.csv"
    assert not (temoin_home / "imports" / "staging" / token).exists()
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "Import terminé." in page and batch.file_sha256 in page
    if not batch.stored_path:  # the source file is kept in the evidence vault
        assert f'href="/pieces/{batch.file_sha256}/"' in page
        assert client.get(f"/pieces/{batch.file_sha256}/").status_code == 200
    assert _count(page, "new") == "4" and _count(page, "quarantined") == "1"
    # the token is single-use
    again = client.post("/imports/confirmer/", {"token": token, "confirm": "1"})
    assert again.status_code == 302 and ImportBatch.objects.count() == 1


def test_same_file_again_is_unchanged_and_newer_export_shows_field_changes_and_deletions(world):
    from temoin.intake.models import ImportBatch

    client = signed_in(world, "analyst")
    first = five_rows(bad=False)
    client.post("/imports/confirmer/", {"token": _token(_post(client, first).content.decode())})
    html = _post(client, first).content.decode()
    assert (_count(html, "new"), _count(html, "unchanged")) == ("0", "5")
    rows = [synthetic_row(n) for n in range(1, 5)]  # SYN5 gone upstream
    rows[0]["fatalities"] = "7"
    rows[1]["notes"] = "SYNTHETIC note: corrected."
    html = _post(client, acled_csv(rows)).content.decode()
    assert (_count(html, "updated"), _count(html, "unchanged"), _count(html, "flagged")) == \
        ("2", "2", "1")
    client.post("/imports/confirmer/", {"token": _token(html)})
    batch = ImportBatch.objects.order_by("-pk").first()
    assert (batch.updated, batch.unchanged, batch.flagged_deleted) == (2, 2, 1)
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "SYN5" in page and "disparu en amont (signalé, non supprimé)" in page
    assert "SYNTHETIC note: corrected." in page
    flagged = client.get(f"/imports/{batch.pk}/?outcome=flagged_deleted").content.decode()
    assert "SYN5" in flagged and "SYN2" not in flagged
    listing = client.get("/imports/").content.decode()
    assert f'href="/imports/{batch.pk}/"' in listing


def test_cancel_removes_the_staged_file(world, temoin_home):
    client = signed_in(world, "admin")
    token = _token(_post(client, five_rows()).content.decode())
    response = client.post("/imports/confirmer/", {"token": token, "cancel": "1"})
    assert response.status_code == 302 and _state() == (0, 0)
    assert not (temoin_home / "imports" / "staging" / token).exists()


def test_another_users_token_is_refused(world):
    token = _token(_post(signed_in(world, "admin"), five_rows()).content.decode())
    response = signed_in(world, "analyst").post("/imports/confirmer/", {"token": token})
    assert response.status_code == 302 and _state() == (0, 0)


def test_table_needs_a_profile_and_a_bad_file_is_refused_with_its_reason(world):
    client = signed_in(world, "analyst")
    response = _post(client, b"a,b\n1,2\n", kind="table")
    assert response.status_code == 400
    assert "Un profil de correspondance est requis" in response.content.decode()
    response = _post(client, b"", kind="acled")
    assert response.status_code == 400
    assert _state() == (0, 0)


def test_table_with_a_profile_reused_from_an_earlier_batch(world):
    from temoin.intake.models import ImportBatch

    profile = PROFILE_DATA
    client = signed_in(world, "analyst")
    table = ("Réf;Date;Village;Cercle;Type;Tués;Auteurs;Résumé\n"
             "P-1;23/03/2019;Village-Synthétique;Bankass;Exécution sommaire;12;SYNTHETIC Auteur;"
             "SYNTHETIC résumé\n").encode()
    html = _post(client, table, kind="table", profile=json.dumps(profile)).content.decode()
    assert _count(html, "new") == "1"
    client.post("/imports/confirmer/", {"token": _token(html)})
    batch = ImportBatch.objects.get()
    form = client.get("/imports/nouveau/").content.decode()
    assert f'value="{batch.pk}"' in form and "SYNTHETIC partner sheet" in form
    html = _post(client, table, kind="table", saved_profile=str(batch.pk)).content.decode()
    assert _count(html, "unchanged") == "1"


def test_too_large_file_points_to_the_cli(world, settings):
    settings.TEMOIN_WEB_IMPORT_MAX_BYTES = 100
    response = _post(signed_in(world, "analyst"), five_rows())
    assert response.status_code == 413
    assert "temoin import acled FICHIER" in response.content.decode()
    assert _state() == (0, 0)


def test_quarantine_queue_view_is_audited_and_retry_imports_the_row(world):
    from temoin.audit.models import AuditEntry
    from temoin.intake.models import ImportBatch, QuarantinedRow

    client = signed_in(world, "analyst")
    client.post("/imports/confirmer/", {"token": _token(_post(client, five_rows()).content
                                                        .decode())})
    row = QuarantinedRow.objects.get()
    queue = client.get("/imports/quarantaine/").content.decode()
    assert f'href="/imports/quarantaine/{row.pk}/"' in queue and row.reason_code in queue
    page = client.get(f"/imports/quarantaine/{row.pk}/").content.decode()
    assert "SYNTHETIC unknown type" in page
    assert AuditEntry.objects.filter(action="intake.quarantine_view").count() == 1
    columns = re.findall(r'<label for="id_c(\d+)">([^<]+)</label>', page)
    assert [name for _, name in columns] == HDX_COLUMNS  # the file's column order

    def cells(row_values: dict[str, str]) -> dict[str, str]:
        return {f"c{i}": row_values[name] for i, name in columns}

    still = client.post(f"/imports/quarantaine/{row.pk}/",
                        cells(synthetic_row(5, event_type="Other nonsense")))
    assert still.status_code == 302
    row.refresh_from_db()
    assert row.status == "still_failing"
    response = client.post(f"/imports/quarantaine/{row.pk}/", cells(synthetic_row(5)))
    assert response.status_code == 302
    row.refresh_from_db()
    batch = ImportBatch.objects.get()
    assert row.status == "imported" and (batch.new, batch.quarantined) == (5, 0)


@pytest.mark.parametrize("role", ROLES)
def test_import_pages_role_matrix(world, role):
    """Importers get every page; everyone else the same 404, and nothing is written."""
    from temoin.intake.models import QuarantinedRow

    admin = signed_in(world, "admin")
    admin.post("/imports/confirmer/", {"token": _token(_post(admin, five_rows()).content
                                                       .decode())})
    batch_pk = __import__("temoin.intake.models", fromlist=["ImportBatch"]).ImportBatch \
        .objects.get().pk
    row = QuarantinedRow.objects.get()
    client = signed_in(world, role)
    expected = 200 if role in IMPORTERS else 404
    for url in ("/imports/", "/imports/nouveau/", f"/imports/{batch_pk}/",
                "/imports/quarantaine/", f"/imports/quarantaine/{row.pk}/"):
        assert client.get(url).status_code == expected, (url, role)
    before = _state()
    response = _post(client, five_rows(), name="autre.csv")
    assert response.status_code == expected
    if role not in IMPORTERS:
        assert _state() == before
        assert client.post(f"/imports/quarantaine/{row.pk}/", {}).status_code == 404
        assert client.post("/imports/confirmer/", {"token": "ab"}).status_code == 404
        row.refresh_from_db()
        assert row.attempts == 0
    nav = client.get("/").content.decode()
    assert ('href="/imports/"' in nav) == (role in IMPORTERS)


def test_quarantine_reasons_read_in_the_viewers_language(world):
    from temoin.intake.models import QuarantinedRow

    client = signed_in(world, "analyst")
    preview = client.post("/imports/nouveau/", {
        "kind": "acled", "file": SimpleUploadedFile("s.csv", five_rows(), "text/csv"),
        "geocode": "", "flag_deletions": "on"}).content.decode()
    assert "type d’évènement absent de la table de correspondance de la source" in preview
    client.post("/imports/confirmer/", {"token": _token(preview)})
    row = QuarantinedRow.objects.get()
    where = f"{row.row_number} (identifiant « {row.upstream_id} »)"
    french = (f"Ligne {where}, champ « event_type » : type d’évènement absent de la table de "
              "correspondance de la source (reçu : « SYNTHETIC unknown type »).")
    import html

    def text(url: str) -> str:
        return html.unescape(client.get(url).content.decode())

    assert french in text("/imports/quarantaine/")
    assert french in text(f"/imports/quarantaine/{row.pk}/")
    assert row.message in text(f"/imports/quarantaine/{row.pk}/")  # the core's, kept
    assert french in text(f"/imports/{row.batch_id}/")
    client.post("/langue/", {"language": "en", "next": "/"})
    english = (f"Row {row.row_number} (id “{row.upstream_id}”), field “event_type”: event "
               "type missing from the source’s type mapping (received: “SYNTHETIC unknown "
               "type”).")
    assert english in text("/imports/quarantaine/")
    assert english in text(f"/imports/quarantaine/{row.pk}/")
