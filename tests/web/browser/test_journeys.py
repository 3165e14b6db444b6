"""User journeys in a real browser: Playwright driving Debian's chromium against
pytest-django's live server. Screenshots go to ``test-artifacts/``.

Skipped cleanly when /usr/bin/chromium or Playwright is missing. Never downloads a browser.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.web.conftest import drop_audit_triggers, totp_now

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "motdepasse-123"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing"),
              pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                                 reason="browser journeys run on SQLite (the live server's "
                                        "flush meets PostgreSQL's append-only audit triggers)")]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def site(request, live_server, world):  # type: ignore[no-untyped-def]
    """A browser on the live server; records CSP violations and external requests."""
    request.node.temoin_flushed = True  # conftest restores triggers + vocabularies after
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # ORM calls beside Playwright's loop
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)

        def new_page():  # type: ignore[no-untyped-def]
            context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text)
                    if "Content Security Policy" in m.text or (
                        m.type == "error" and "Failed to load resource" not in m.text)
                    else None)
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("request", lambda r: problems.append("external: " + r.url)
                    if not r.url.startswith(live_server.url) else None)
            return page

        yield live_server.url, new_page, problems
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    drop_audit_triggers()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def sign_in_with_totp(page, url: str, user) -> None:  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in(page, url, user.username)
    if page.url.endswith("/configurer/"):
        page.wait_for_selector("#totp-secret")
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        page.fill("#id_token", totp_now(device))
    else:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        page.fill("#id_token", totp_now(device))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_sign_in_with_totp_first_time_and_weight(site, world):
    url, new_page, problems = site
    page = new_page()
    sizes: list[int] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
    page.goto(f"{url}/connexion/")
    page.wait_for_load_state("networkidle")
    assert sum(sizes) < 400_000, sum(sizes)  # first page load, everything included
    shot(page, "01-connexion")
    sign_in(page, url, "analyst")
    page.wait_for_selector("#totp-secret")
    shot(page, "02-configuration-totp")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.fill("#id_token", totp_now(TOTPDevice.objects.get(user=world.analyst)))
    page.click("button[type=submit]")
    page.wait_for_selector("text=Identités descellées")
    assert "Tableau de bord" in page.content()
    shot(page, "03-tableau-de-bord")
    assert problems == []


def test_monitor_records_an_incident_and_sees_it_on_the_map(site, world):
    url, new_page, problems = site
    page = new_page()
    sign_in(page, url, "monitor")
    page.goto(f"{url}/evenements/nouveau/")
    page.fill("#id_title", "[SYNTHÉTIQUE] Attaque du marché de Sévaré")
    page.fill("#id_start", "vers le 27 mars 2022")
    page.fill("#id_place_name", "Sévar")
    page.wait_for_timeout(600)  # the autocomplete request (debounced)
    page.fill("#id_place_name", "Sévaré")
    page.select_option("#id_admin1", "Mopti")
    page.fill("#id_admin2", "Mopti")
    page.fill("#id_latitude", "14.53")
    page.fill("#id_longitude", "-4.10")
    page.select_option("#id_geo_precision", "commune")
    page.select_option("#id_act0-act_type", "killing")
    page.fill("#id_act0-victim_group", "commerçants")
    page.fill("#id_act0-victim_count_min", "3")
    page.fill("#id_act0-victim_count_max", "5")
    page.select_option("#id_act0-perpetrator", "fama")
    page.select_option("#id_act0-degree", "direct_perpetrator")
    page.select_option("#id_act1-act_type", "abduction")
    page.fill("#id_act1-victim_given_name", "Awa-Synth")
    page.fill("#id_act1-victim_family_name", "Koné-Synth")
    page.select_option("#id_src-source_type", "witness_testimony")
    page.fill("#id_src-source_title", "Témoin T-1 (synthétique)")
    page.select_option("#id_src-reliability", "C")
    page.select_option("#id_src-credibility", "3")
    page.select_option("#id_src-claim_kind", "killed")
    page.select_option("#id_src-claim_qualifier", "about")
    page.fill("#id_src-claim_min", "4")
    draft = page.evaluate("localStorage.getItem('temoin-draft:/evenements/nouveau/')")
    assert "Sévaré" in draft and "Awa-Synth" not in draft and "Koné-Synth" not in draft
    shot(page, "04-formulaire")
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Attaque du marché')")
    html = page.content()
    assert "Awa-Synth" not in html and re.search(r"V-\d{4}", html)
    assert page.evaluate("localStorage.getItem('temoin-draft:/evenements/nouveau/')") is None
    shot(page, "05-evenement")
    fresh = new_page()  # a first visit: nothing cached by the browser
    sign_in(fresh, url, "monitor")
    fresh.wait_for_url(re.compile(r".*/$"))
    sizes: list[int] = []
    fresh.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
    fresh.goto(f"{url}/carte/?region=Mopti")
    fresh.wait_for_selector("#map[data-ready='1']")
    fresh.wait_for_load_state("networkidle")
    assert sum(sizes) < 400_000, sum(sizes)  # the heaviest page, Leaflet and outlines included
    page.goto(f"{url}/carte/?region=Mopti")
    page.wait_for_selector("#map[data-ready='1']")
    page.wait_for_selector(".leaflet-overlay-pane canvas", state="attached")
    shot(page, "06-carte")
    assert problems == []


def test_error_keeps_input_and_draft_survives_a_reload(site, world):
    url, new_page, problems = site
    page = new_page()
    sign_in(page, url, "monitor")
    page.goto(f"{url}/evenements/nouveau/")
    page.fill("#id_title", "[SYNTHÉTIQUE] Brouillon")
    page.fill("#id_start", "2099-01-01")
    page.fill("#id_description", "texte long saisi hors connexion")
    page.reload()  # a dropped connection / closed tab: the draft comes back
    assert page.input_value("#id_description") == "texte long saisi hors connexion"
    assert page.is_visible("#draft-note")
    page.click("button.primary")
    page.wait_for_selector("#id_start-error")
    assert page.input_value("#id_title") == "[SYNTHÉTIQUE] Brouillon"
    shot(page, "07-erreur-formulaire")


def test_analyst_edits_and_reverts_reviewer_verifies_and_publishes(site, world):
    from tests.web.fixtures import build

    cases = build(world)
    url, new_page, problems = site
    page = new_page()
    sign_in_with_totp(page, url, world.analyst)
    page.goto(f"{url}/evenements/{cases.located.pk}/modifier/")
    page.fill("#id_title", "[SYNTHÉTIQUE] Attaque de village (corrigé)")
    page.fill("#reason", "relecture")
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('(corrigé)')")
    page.fill("#historique ~ ol input[name=reason]", "erreur de saisie")
    page.click("#historique ~ ol button:has-text('Rétablir la v1')")
    page.wait_for_selector("text=erreur de saisie")
    assert "(corrigé)" not in page.inner_text("h1")
    page.click("button:has-text('Changer le statut')")  # draft → submitted
    shot(page, "08-historique")
    reviewer = new_page()
    sign_in_with_totp(reviewer, url, world.reviewer)
    reviewer.goto(f"{url}/revision/")
    reviewer.click(f"text={cases.located.reference}")
    for status in ("in_review", "verified"):
        reviewer.select_option("#to", status)
        reviewer.fill("#comment", "vérifié par deux sources" if status == "verified" else "")
        reviewer.click("button:has-text('Changer le statut')")
        reviewer.wait_for_selector("text=Statut modifié.")
    reviewer.click("button:has-text('Publier la version publique')")
    reviewer.wait_for_selector("text=Version publique publiée.")
    shot(reviewer, "09-revision")
    public = new_page()
    public.goto(f"{url}/public/{cases.located.reference}/")
    text = public.content()
    assert "Bankass, Mopti" in text and "Ogossagou" not in text
    assert cases.person.code not in text and "Awa-Synth" not in text
    shot(public, "10-version-publique")
    assert problems == []


def test_partner_sees_only_what_was_shared_and_never_a_name(site, world):
    from tests.web.fixtures import build, share_located

    cases = build(world)
    share_located(cases)
    url, new_page, problems = site
    page = new_page()
    sign_in(page, url, "partner")
    page.goto(f"{url}/evenements/")
    listing = page.content()
    assert cases.located.reference in listing
    assert cases.cercle.reference not in listing and cases.restricted.reference not in listing
    page.click(f"text={cases.located.reference}")
    page.wait_for_selector("h1")
    html = page.content()
    assert "Awa-Synth" not in html and "Koné-Synth" not in html and "ONG T" not in html
    shot(page, "11-partenaire")
    assert problems == []
    response = page.goto(f"{url}/evenements/{cases.restricted.pk}/")
    assert response.status == 404
    problems.clear()  # the expected 404 above is logged by the browser
    english = new_page()
    sign_in(english, url, "viewer")
    english.click("button[name=language][value=en]")
    english.wait_for_selector("text=Dashboard")
    shot(english, "12-english-dashboard")
    assert problems == []


@pytest.fixture
def vault_and_home(settings, tmp_path):  # type: ignore[no-untyped-def]
    """A fresh vault and TEMOIN_HOME (import staging) for the journeys that write files."""
    from temoin.evidence.vaultsetup import forget_vaults

    settings.TEMOIN_VAULT_ROOT = str(tmp_path / "vault")
    settings.TEMOIN_HOME = tmp_path / "home"
    forget_vaults()
    yield tmp_path
    forget_vaults()


def test_monitor_attaches_a_photo_and_sees_its_custody_timeline(site, world, vault_and_home):
    import hashlib

    from temoin.web import flows
    from tests.web.test_evidence_pages import jpeg_with_exif

    event = flows.event_record(actor=world.monitor, event_data={
        "title": "[SYNTHÉTIQUE] Incendie de greniers", "start": "vers le 27 mars 2022",
        "admin1": "Mopti", "admin2": "Bankass", "geo_precision": "cercle",
        "confidentiality": 1}, acts=[("act0-", {"act_type": "looting",
                                                "victim_group": "cultivateurs"})],
        source=None)
    photo = vault_and_home / "photo-synthetique.jpg"
    photo.write_bytes(jpeg_with_exif())
    sha256 = hashlib.sha256(photo.read_bytes()).hexdigest()
    url, new_page, problems = site
    page = new_page()
    sign_in(page, url, "monitor")
    page.goto(f"{url}/evenements/{event.pk}/#pieces")
    page.set_input_files("#id_file", str(photo))
    page.select_option("#id_attach_to", "event")
    page.fill("#id_reason", "photo remise par le moniteur (synthétique)")
    shot(page, "13-evenement-ajout-piece")
    page.click("text=Déposer au coffre")
    page.wait_for_selector("text=Registre de garde")
    html = page.content()
    assert sha256 in html and hashlib.sha512(photo.read_bytes()).hexdigest() in html
    assert "Pièce enregistrée au coffre." in html and "photo-synthetique" not in html
    row = page.inner_text("table.timeline tbody tr")
    assert "Entrée au coffre" in row and "monitor" in row and "Observateur de terrain" in row \
        and "AMT" in row and "photo remise par le moniteur (synthétique)" in row
    assert "SyntheticCam" in html  # the monitor ingested it: may read its metadata
    shot(page, "14-piece-registre-de-garde")
    page.click("button[name=language][value=en]")
    page.wait_for_selector("text=Custody log")
    assert "Entered the vault" in page.inner_text("table.timeline")
    shot(page, "14b-item-custody-log-english")
    page.click("button[name=language][value=fr]")
    page.wait_for_selector("text=Registre de garde")
    page.goto(f"{url}/evenements/{event.pk}/")
    assert sha256[:12] in page.inner_text("#pieces + table")
    page.click("text=Sources, bilans et auteurs")  # perpetrators of an existing event
    page.select_option("#id_inv-perpetrator", "fama")
    page.select_option("#id_inv-degree", "direct_perpetrator")
    page.click("text=Ajouter l’auteur")
    page.wait_for_selector("text=Auteur présumé ajouté.")
    page.fill("#id_src-source_title", "Radio locale (synthétique)")
    page.select_option("#id_src-source_type", "media")
    page.select_option("#id_src-reliability", "B")
    page.select_option("#id_src-claim_kind", "killed")
    page.select_option("#id_src-claim_qualifier", "at_least")
    page.fill("#id_src-claim_min", "2")
    page.click("text=Ajouter la source")
    page.wait_for_selector("text=Source ajoutée.")
    assert "Radio locale (synthétique)" in page.inner_text("#sources + table")
    shot(page, "14c-sources-bilans-auteurs")
    assert problems == []


def test_analyst_imports_an_acled_format_file_with_a_dry_run(site, world, vault_and_home):
    import csv

    from tests.core.intake.synthetic import HDX_COLUMNS, synthetic_row

    rows = [synthetic_row(n) for n in range(1, 6)]  # SYNTHETIC, never real ACLED rows
    rows[4]["event_type"] = "SYNTHETIC unknown type"
    path = vault_and_home / "acled-synthetique.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HDX_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    url, new_page, problems = site
    page = new_page()
    sign_in_with_totp(page, url, world.analyst)
    page.click("nav.main >> text=Imports")
    page.click("text=Nouvel import")
    page.select_option("#id_kind", "acled")
    page.set_input_files("#id_file", str(path))
    page.uncheck("#id_geocode")
    shot(page, "15-import-formulaire")
    page.click("button.primary")
    page.wait_for_selector("#dry-run-counts")
    counts = {name: page.inner_text(f"#dry-run-counts [data-count={name}]")
              for name in ("rows", "new", "updated", "unchanged", "quarantined")}
    assert counts == {"rows": "5", "new": "4", "updated": "0", "unchanged": "0",
                      "quarantined": "1"}
    from temoin.intake.models import ImportBatch

    assert ImportBatch.objects.count() == 0  # a dry run writes nothing
    shot(page, "16-import-essai-a-blanc")
    page.click("text=Confirmer l’import")
    page.wait_for_selector("text=Import terminé.")
    batch = ImportBatch.objects.get()
    assert (batch.new, batch.quarantined, batch.created_by_id) == (4, 1, world.analyst.pk)
    assert page.inner_text("#batch-counts [data-count=new]") == "4"
    assert batch.file_sha256 in page.content()
    shot(page, "17-import-lot")
    page.click("nav.tabs >> text=Lots d’import")
    page.wait_for_selector(f"text=n° {batch.pk}")
    page.click("nav.tabs >> text=Quarantaine")
    page.click("table a[href^='/imports/quarantaine/']")
    page.wait_for_selector("text=Relancer cette ligne")
    shot(page, "18-import-quarantaine")
    assert problems == []
