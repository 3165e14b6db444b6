"""Linkage review in a real browser: an analyst opens « Doublons », the run, the first pair of
the queue, rejects it with a reason, lands on the next pair, comes back and undoes it. No name
on any page; strict CSP, nothing external. SQLite only, like the other journeys."""

from __future__ import annotations

import re

from tests.app.linkage.conftest import loaded  # noqa: F401  (synthetic scenario in the database)
from tests.web.browser.test_journeys import (  # noqa: F401  (the shared fixture)
    pytestmark,
    shot,
    sign_in_with_totp,
    site,
)


def test_analyst_reviews_a_pair_decides_and_undoes(site, world, loaded):  # noqa: F811
    from temoin.linkage import services
    from temoin.linkage.models import CandidatePair, ReviewDecision

    run = services.linkage_run_start(actor=world.analyst, kind="persons")
    first, second = CandidatePair.objects.filter(run=run, review_rank__in=(1, 2)).order_by(
        "review_rank")
    url, new_page, problems = site
    page = new_page()
    sign_in_with_totp(page, url, world.analyst)
    page.click("nav.main a:has-text('Doublons')")
    page.click(f"a[href='/doublons/{run.pk}/']")
    page.wait_for_selector("h2#file")
    shot(page, "20-doublons-liaison")
    page.click(f"a[href='/doublons/paires/{first.pk}/']")
    page.wait_for_selector("text=Champs comparés")
    assert not [n for n in loaded.names if re.search(rf"\b{re.escape(n)}\b", page.content())]
    shot(page, "21-doublons-paire")
    page.fill("#comment", "villages différents")
    page.click("button[name=decision][value=reject]")
    page.wait_for_url(re.compile(rf".*/doublons/paires/{second.pk}/$"))
    page.wait_for_selector("text=Décision enregistrée")
    assert ReviewDecision.objects.filter(pair=first, decision="reject",
                                         undone_at__isnull=True).count() == 1
    page.goto(f"{url}/doublons/paires/{first.pk}/")
    page.click("button:has-text('Annuler cette décision')")
    page.wait_for_selector("text=Décision annulée")
    assert ReviewDecision.objects.get(pair=first).undone_at is not None
    assert problems == []
