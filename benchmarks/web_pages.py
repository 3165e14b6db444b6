"""Web pages at scale: server time and bytes of the dashboard, the filtered list, the map data
and the event page, on the SYNTHETIC scenario loaded with ``temoin.cases.bulk.ScenarioLoader``.

    .venv/bin/python benchmarks/web_pages.py --incidents 27000 --victim-scale 4.0 \
        --home /tmp/temoin-web-bench          # loads once (~13 min), then reuses the database
    .venv/bin/python benchmarks/web_pages.py --home /tmp/temoin-web-bench --requests 100
    .venv/bin/python benchmarks/web_pages.py --home /tmp/temoin-webbench-pg \
        --database-url postgres://temoin:temoin-test@127.0.0.1:5432/temoin_webbench

Every dashboard, list and map request is **uncached**: the cache is cleared before each one
(outside the timed span), because every new filter combination is a cold computation. The
dashboard and map rows are timed twice in the same run: reading the precomputed facts
(``temoin.cases.facts``, the default) and, as the baseline, the straightforward queries over
the case tables (``TEMOIN_WEB_FACTS = False``, fewer requests: they take seconds each).
Server time through Django's test client (the whole middleware stack, template rendering
included; no network), p50/p95 per row, signed in as a TOTP-verified analyst. Bytes: the body
as sent (map JSON gzipped by Témoin when the browser accepts it; HTML never compressed by
Témoin — CSRF tokens, BREACH) and its gzip size for reference. Not a test: numbers are read,
never asserted.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STATIC = Path(__file__).resolve().parents[1] / "temoin" / "web" / "static"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(args: argparse.Namespace) -> None:
    from temoin.accounts.services import organisation_create, user_create
    from temoin.cases.bulk import ScenarioLoader
    from temoin.cases.services import vocabularies_load
    from temoin.core.scenario.generator import generate
    from temoin.keys.services import keys_init

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


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[max(math.ceil(len(ordered) * p) - 1, 0)]


def static_bytes(html: bytes) -> tuple[int, int]:
    """(raw, gzip) bytes of the stylesheets, scripts and icon a page links to."""
    raw = packed = 0
    for path in re.findall(rb'(?:href|src)="/static/([^"]+)"', html):
        data = (STATIC / path.decode()).read_bytes()
        raw += len(data)
        packed += len(gzip.compress(data, compresslevel=6))
    return raw, packed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--victim-scale", type=float, default=4.0)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--baseline-requests", type=int, default=10,
                        help="requests per row of the straightforward (before) path")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="time only the rows whose label has this")
    parser.add_argument("--home", default="/tmp/temoin-web-bench")
    parser.add_argument("--database-url", default="", help="PostgreSQL; default SQLite")
    args = parser.parse_args()

    Path(args.home).mkdir(parents=True, exist_ok=True)
    os.environ["TEMOIN_HOME"] = args.home
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from temoin.accounts.models import User
    from temoin.cases.models import Act, Claim, Event

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)  # a first migrate to 0006 builds the facts
    migrate_seconds = time.perf_counter() - t0
    if not User.objects.filter(username="analyst").exists():
        load(args)
    analyst = User.objects.get(username="analyst")
    device = TOTPDevice.objects.filter(user=analyst).first() or TOTPDevice.objects.create(
        user=analyst, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip, deflate")
    client.force_login(analyst)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    total = Event.objects.count()
    sample = Event.objects.order_by("pk")[total // 2]
    dated = "date_from=2019-01-01&date_to=2019-12-31"
    pages = [
        ("dashboard, no filter", "/", True),
        ("dashboard, region Mopti", "/?region=Mopti", True),
        ("dashboard, act type killing + year 2019", f"/?act_type=killing&{dated}", True),
        ("dashboard, perpetrator fama, kind injured", "/?perpetrator=fama&kind=injured", True),
        ("list, no filter", "/evenements/", False),
        ("list, region + act type + sort", "/evenements/?region=Mopti&act_type=killing&sort=date",
         False),
        ("list, full text + perpetrator", "/evenements/?q=village&perpetrator=fama", False),
        ("list, page 500", "/evenements/?page=500", False),
        ("map data, no filter (≤ 5000 points)", "/carte/donnees.json", True),
        ("map data, region Mopti", "/carte/donnees.json?region=Mopti", True),
        ("map data, act type + year, colour by perpetrator",
         f"/carte/donnees.json?act_type=killing&{dated}&colour=perpetrator", True),
        ("event page", f"/evenements/{sample.pk}/", False),
    ]
    print(f"\n## Web pages ({connection.vendor}, {total:,} events, "
          f"{Act.objects.count():,} acts, {Claim.objects.count():,} claims; "
          f"TOTP-verified analyst; every request uncached)\n")
    print(f"migrate on start: {migrate_seconds:.1f} s\n")
    print("| page | path | requests | p50 ms | p95 ms | bytes sent | gzip bytes |")
    print("|---|---|---|---|---|---|---|")
    bodies: dict[str, bytes] = {}

    def run(label: str, url: str, path: str, requests: int) -> None:
        client.get(url)  # warm process caches (vocabularies, outlines) before timing
        times = []
        for _ in range(requests):
            cache.clear()  # outside the timed span: every request computes
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        body = response.content
        plain = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
        bodies[url] = plain
        print(f"| {label} | {path} | {requests} | {statistics.median(times):.1f} | "
              f"{percentile(times, 0.95):.1f} | {len(body):,} | "
              f"{len(gzip.compress(plain, compresslevel=6)):,} |", flush=True)

    for label, url, has_baseline in pages:
        if args.only and args.only not in label:
            continue
        run(label, url, "facts" if has_baseline else "—", args.requests)
        if has_baseline and args.baseline_requests:
            with override_settings(TEMOIN_WEB_FACTS=False):
                run(label, url, "straightforward (before)", args.baseline_requests)

    if not args.only:
        first_load(client, bodies)
    print(f"\npeak RSS {rss_mb():.0f} MB")


def first_load(client: Any, bodies: dict[str, bytes]) -> None:
    """Bytes of a first visit (empty browser cache): the page and everything it pulls in."""
    print("\n## First page load (empty browser cache)\n")
    print("| page | HTML | static (raw / gzip) | data (as sent) | total as sent by Témoin | "
          "total if static is gzipped |")
    print("|---|---|---|---|---|---|")
    for label, url, data_urls in (
            ("dashboard", "/", []),
            ("event list", "/evenements/", []),
            ("map", "/carte/", ["/carte/limites-1.geojson", "/carte/limites-2.geojson",
                                "/carte/donnees.json"])):
        html = client.get(url).content
        raw, packed = static_bytes(html)
        data = sum(len(client.get(u).content) for u in data_urls)
        print(f"| {label} | {len(html):,} | {raw:,} / {packed:,} | {data:,} | "
              f"{len(html) + raw + data:,} | {len(html) + packed + data:,} |")


if __name__ == "__main__":
    main()
