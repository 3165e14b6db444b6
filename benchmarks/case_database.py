"""Case database at scale: load the synthetic scenario, then time the event list API.

    .venv/bin/python benchmarks/case_database.py --incidents 34000 --victim-scale 4.4
    .venv/bin/python benchmarks/case_database.py --incidents 34000 --victim-scale 4.4 \
        --database-url postgres://temoin:temoin-test@127.0.0.1:5432/temoin_bench

Prints two tables: the load (rows, seconds, rows/s, peak RSS) beside the baseline of merely
generating the same scenario in the same run; and the event list API (server time through
Django's test client, p50/p95 over --requests requests) per query kind, beside the baseline of
the unfiltered list. Not a test: numbers are read, never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--victim-scale", type=float, default=4.4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", default="",
                        help="reuse the TEMOIN_HOME of an earlier run: skip the load, time queries")
    args = parser.parse_args()

    home = args.home or tempfile.mkdtemp(prefix="temoin-bench-")
    os.environ["TEMOIN_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from temoin.accounts.services import organisation_create, user_create
    from temoin.cases.bulk import ScenarioLoader
    from temoin.cases.services import vocabularies_load
    from temoin.core.scenario.generator import generate
    from temoin.keys.services import keys_init

    if args.home:
        call_command("migrate", verbosity=0)
        query_api(args)
        return
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    vocabularies_load(actor=None)
    org = organisation_create(
        actor=None, name="[SYNTHÉTIQUE] Bench", short_name="BENCH", kind="ngo", is_host=True
    )
    admin = user_create(
        actor=None,
        username="bench",
        password="bench-password-1",
        organisation=org,
        role="administrator",
    )
    user_create(
        actor=None,
        username="analyst",
        password="bench-password-1",
        organisation=org,
        role="analyst",
    )
    keys_init(actor=None, passphrase="benchmark passphrase only")

    scenario = generate(args.seed, n_incidents=args.incidents, victim_scale=args.victim_scale)
    t0 = time.perf_counter()
    counts = {"events": 0, "acts": 0, "persons": 0}
    for bundle in scenario.bundles():
        counts["events"] += len(bundle.reports)
        counts["acts"] += len(bundle.acts)
        counts["persons"] += len(bundle.persons)
    generate_seconds = time.perf_counter() - t0
    rss_before = rss_mb()

    loader = ScenarioLoader(
        actor=admin,
        organisation=org,
        organisations={o.organisation_id: o for o in scenario.organisations()},
    )
    t0 = time.perf_counter()
    result = loader.load(scenario.bundles(), batch_incidents=500)
    load_seconds = time.perf_counter() - t0
    rss_after = rss_mb()

    print(
        f"\n## Load ({connection.vendor}, seed {args.seed}, {args.incidents} incidents, "
        f"victim scale {args.victim_scale})\n"
    )
    print(
        "| step | events | acts | persons | seconds | rows/s (events+acts+persons) | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|")
    total = counts["events"] + counts["acts"] + counts["persons"]
    print(
        f"| baseline: generate only | {counts['events']} | {counts['acts']} | "
        f"{counts['persons']} | {generate_seconds:.1f} | {total / generate_seconds:,.0f} | "
        f"{rss_before:.0f} |"
    )
    print(
        f"| generate + seal + load | {result.events} | {result.acts} | {result.persons} | "
        f"{load_seconds:.1f} | {total / load_seconds:,.0f} | {rss_after:.0f} |"
    )

    query_api(args)


def query_api(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from temoin.accounts.models import User
    from temoin.cases.models import Event

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="analyst"))

    sample = Event.objects.order_by("pk")[Event.objects.count() // 2]
    queries = {
        "baseline: unfiltered list": "",
        "region": "region=Mopti",
        "region + date range": "region=Mopti&date_from=2019-01-01&date_to=2019-12-31",
        "act type (with descendants)": "act_type=killing",
        "perpetrator (with units)": "perpetrator=fama",
        "reliability ≤ B": "reliability=B",
        "full text, common word": "q=synthetique",
        "full text, place": f"q={sample.place_name.split()[0] if sample.place_name else 'Mopti'}",
        "text + region + act type": "q=synthetique&region=Mopti&act_type=killing",
    }
    print(
        f"\n## Event list API ({connection.vendor}, {Event.objects.count()} events, "
        f"{args.requests} requests per row, analyst viewer)\n"
    )
    print("| query | results | p50 ms | p95 ms | bytes |")
    print("|---|---|---|---|---|")
    for label, query in queries.items():
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(f"/api/events/?{query}")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.content[:300]
        count = response.json()["count"]
        times.sort()
        print(
            f"| {label} | {count} | {statistics.median(times):.1f} | "
            f"{times[int(len(times) * 0.95) - 1]:.1f} | {len(response.content)} |"
        )


if __name__ == "__main__":
    main()
