"""Web pages at scale: server time and bytes of the dashboard, the filtered list, the map data
and the event page, on the SYNTHETIC scenario loaded with ``temoin.cases.bulk.ScenarioLoader``.

    .venv/bin/python benchmarks/web_pages.py --incidents 27000 --victim-scale 4.0 \
        --home /tmp/temoin-web-bench          # loads once, then reuses the database
    .venv/bin/python benchmarks/web_pages.py --home /tmp/temoin-web-bench --requests 100

Dashboard and map data are cached until the next write (the audit head versions the key):
"cold" rows clear the cache before each request (outside the timed span), "cached" rows do not.
Server time is measured through Django's test client (the whole middleware stack, template
rendering included; no network), p50/p95 over --requests requests per row, signed in as a
TOTP-verified analyst. The baseline row is the sign-in page (no database query of note).
Not a test: numbers are read, never asserted.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from temoin.accounts.services import organisation_create, user_create
    from temoin.cases.bulk import ScenarioLoader
    from temoin.cases.services import vocabularies_load
    from temoin.core.scenario.generator import generate
    from temoin.keys.services import keys_init

    call_command("migrate", verbosity=0)
    vocabularies_load(actor=None)
    org = organisation_create(actor=None, name="[SYNTHÉTIQUE] Bench", short_name="BENCH",
                              kind="ngo", is_host=True)
    admin = user_create(actor=None, username="bench", password="bench-password-1",
                        organisation=org, role="administrator")
    user_create(actor=None, username="analyst", password="bench-password-1",
                organisation=org, role="analyst")
    keys_init(actor=None, passphrase="benchmark passphrase only")
    scenario = generate(args.seed, n_incidents=args.incidents, victim_scale=args.victim_scale)
    loader = ScenarioLoader(actor=admin, organisation=org, organisations={
        o.organisation_id: o for o in scenario.organisations()})
    t0 = time.perf_counter()
    result = loader.load(scenario.bundles(), batch_incidents=500)
    print(f"loaded {result.events} events, {result.acts} acts, {result.persons} persons in "
          f"{time.perf_counter() - t0:.0f} s (peak RSS {rss_mb():.0f} MB)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--victim-scale", type=float, default=4.0)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--cold-requests", type=int, default=20,
                        help="requests for the uncached (cold) dashboard and map rows")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="time only the rows whose label has this")
    parser.add_argument("--home", default="/tmp/temoin-web-bench")
    args = parser.parse_args()

    Path(args.home).mkdir(parents=True, exist_ok=True)
    os.environ["TEMOIN_HOME"] = args.home
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from temoin.accounts.models import User
    from temoin.cases.models import Event

    if not (Path(args.home) / "temoin.sqlite3").exists() or not User.objects.filter(
            username="analyst").exists():
        load(args)
    analyst = User.objects.get(username="analyst")
    device = TOTPDevice.objects.filter(user=analyst).first() or TOTPDevice.objects.create(
        user=analyst, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(analyst)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    total = Event.objects.count()
    sample = Event.objects.order_by("pk")[total // 2]
    pages = {
        "baseline: sign-in page (anonymous)": ("anon", "/connexion/"),
        "dashboard, no filter — cold (cache cleared)": ("cold", "/"),
        "dashboard, no filter — cached": ("user", "/"),
        "dashboard, region + year — cold": ("cold", "/?region=Mopti&date_from=2019-01-01&date_to=2019-12-31"),
        "dashboard, region + year — cached": ("user", "/?region=Mopti&date_from=2019-01-01&date_to=2019-12-31"),
        "list, no filter": ("user", "/evenements/"),
        "list, region + act type + sort": ("user", "/evenements/?region=Mopti&act_type=killing&sort=date"),
        "list, full text + perpetrator": ("user", "/evenements/?q=village&perpetrator=fama"),
        "list, page 500": ("user", "/evenements/?page=500"),
        "map data, no filter (≤ 5000 points) — cold": ("cold", "/carte/donnees.json"),
        "map data, no filter — cached": ("user", "/carte/donnees.json"),
        "map data, region Mopti — cold": ("cold", "/carte/donnees.json?region=Mopti"),
        "map data, act type, colour by perpetrator — cold": ("cold", "/carte/donnees.json?act_type=killing&colour=perpetrator"),
        "event page": ("user", f"/evenements/{sample.pk}/"),
    }
    anonymous = Client(HTTP_HOST="127.0.0.1")
    print(f"\n## Web pages (SQLite, {total} events, {args.requests} requests per row, "
          f"TOTP-verified analyst)\n")
    print(f"Cold rows: {args.cold_requests} requests each.\n")
    print("| page | p50 ms | p95 ms | bytes (HTML/JSON) | gzip bytes |")
    print("|---|---|---|---|---|")
    for label, (who, url) in pages.items():
        if args.only and args.only not in label and not label.startswith("baseline"):
            continue
        browser = anonymous if who == "anon" else client
        browser.get(url)  # warm caches (vocabularies, boundaries) before timing
        times = []
        for _ in range(args.cold_requests if who == "cold" else args.requests):
            if who == "cold":
                cache.clear()  # outside the timed span: measures the uncached computation
            t0 = time.perf_counter()
            response = browser.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        gz = len(gzip.compress(response.content, compresslevel=6))
        print(f"| {label} | {statistics.median(times):.1f} | "
              f"{times[max(int(len(times) * 0.95) - 1, 0)]:.1f} | {len(response.content):,} | "
              f"{gz:,} |", flush=True)
    static = Path(__file__).resolve().parents[1] / "temoin" / "web" / "static" / "web"
    css = (static / "temoin.css").stat().st_size + (static / "favicon.svg").stat().st_size
    map_assets = sum((static / p).stat().st_size for p in (
        "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "map.js",
        "vendor/markercluster/leaflet.markercluster.js",
        "vendor/markercluster/MarkerCluster.css"))
    print(f"\nStatic: temoin.css + favicon {css:,} bytes; map page scripts and styles "
          f"{map_assets:,} bytes (uncompressed); peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
