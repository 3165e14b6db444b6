"""ACLED import into the case database (SQLite), beside DuckDB's read_csv of the same file.

Files: the real ACLED Mali export (3,990 rows, shared data folder) and SYNTHETIC ACLED-format
files generated into /tmp by ``benchmarks/intake_acled.make_synthetic`` (never committed).

Each measurement runs in a fresh subprocess on a fresh TEMOIN_HOME (migrations and user set
up before the clock starts) so that peak RSS (ru_maxrss) belongs to it alone:

* ``import``          batch_import(kind="acled", geocode=False): first import (all new), then
                      the same file again (all unchanged: the idempotency path)
* ``import+geocode``  the same first import with the gazetteer checking every place
* ``update``          first import, then a newer export where every 10th row changed
                      (fatalities): the ORM update path with versions and field diffs
* ``services``        the first 1,000 rows written through ``temoin.cases.services``
                      (event_create, source_create, act_create, involvement_add, claim_add:
                      one audit row, version and search update per record) — the path not taken
* ``parse``           temoin.core.intake.iter_acled alone (no database)
* ``duckdb-1``        DuckDB read_csv, 1 thread, every column read (the baseline)

Run: .venv/bin/python benchmarks/intake_import.py [--rows 100000] [--skip-update] [--real-only] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def shared_data() -> Path:
    env = os.environ.get("TEMOIN_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _setup(home: Path) -> object:
    os.environ["TEMOIN_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from temoin.accounts.services import organisation_create, user_create
    from temoin.cases.services import vocabularies_load

    from temoin.keys.services import keys_init

    vocabularies_load(actor=None)
    org = organisation_create(actor=None, name="Benchmark", short_name="BENCH", kind="ngo",
                              is_host=True)
    user = user_create(actor=None, username="bench", password="bench-password-1",
                       organisation=org, role="analyst")
    keys_init(actor=None, passphrase="benchmark passphrase, long enough")  # the vault's keys
    return user


def _modified_copy(path: Path, target: Path) -> int:
    """Every 10th data row gets a different fatalities count (a "newer export")."""
    changed = 0
    with open(path, encoding="utf-8", newline="") as source, \
            open(target, "w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        column = header.index("fatalities")
        for number, row in enumerate(reader):
            if row and not row[0].startswith("#") and number % 10 == 1:
                row[column] = str(int(row[column] or 0) + 1)
                changed += 1
            writer.writerow(row)
    return changed


def _through_services(actor: object, path: Path, limit: int) -> float:
    """Write ``limit`` parsed rows with the case services, as an interactive user would."""
    from itertools import islice

    from temoin.cases import services
    from temoin.cases.models import Actor
    from temoin.core.intake import ParsedRow, iter_acled
    from temoin.intake.conversions import ActorAliases, perpetrators

    aliases = ActorAliases()
    rows = [r for r in islice(iter_acled(path), limit * 2) if isinstance(r, ParsedRow)][:limit]
    started = time.perf_counter()
    for row in rows:
        when = row.event.date_start.isoformat() if row.event.date_start else None
        loc = row.event.location
        event = services.event_create(actor=actor, data={  # type: ignore[arg-type]
            "title": f"ACLED {row.upstream_id}", "description": row.event.description or "",
            "start": when, "place_name": loc.name or "", "admin1": loc.admin1 or "",
            "admin2": loc.admin2 or "", "upstream_id": row.upstream_id or ""})
        source = services.source_create(actor=actor, data={  # type: ignore[arg-type]
            "source_type": "acled_record", "title": f"ACLED {row.upstream_id}",
            "origin": "ACLED", "content": row.event.description or "", "reliability": "F",
            "upstream_id": row.upstream_id or ""})
        services.information_add(actor=actor, source=source, event=event)  # type: ignore[arg-type]
        found, _ = perpetrators(row, aliases)
        for code in dict.fromkeys(a.act_type_code for a in row.event.acts):
            act = services.act_create(actor=actor, event=event, data={  # type: ignore[arg-type]
                "act_type": code, "victim_group": "victimes non précisées"})
            for actor_pk, remark in found:
                services.involvement_add(actor=actor, act=act, degree="unknown",  # type: ignore[arg-type]
                                         perpetrator_actor=Actor.objects.get(pk=actor_pk),
                                         attributed_by=source, remarks=remark)
        for claim in row.event.casualties:
            services.claim_add(actor=actor, event=event, source=source,  # type: ignore[arg-type]
                               kind=claim.category, count_min=claim.count_min)
    return time.perf_counter() - started


def worker(kind: str, path_text: str) -> None:
    path = Path(path_text)
    result: dict[str, object] = {"kind": kind}
    if kind == "duckdb-1":
        import duckdb

        from tests.core.intake.synthetic import HDX_COLUMNS

        started = time.perf_counter()
        connection = duckdb.connect(config={"threads": 1})
        aggregates = ", ".join(f'max(length("{c}"))' for c in HDX_COLUMNS)
        row = connection.execute(f"SELECT count(*), {aggregates} FROM read_csv('{path}', "
                                 "header=true, all_varchar=true)").fetchone()
        assert row is not None
        result.update(rows=int(row[0]), seconds=time.perf_counter() - started)
    elif kind == "parse":
        from temoin.core.intake import iter_acled

        started = time.perf_counter()
        rows = sum(1 for _ in iter_acled(path))
        result.update(rows=rows, seconds=time.perf_counter() - started)
    elif kind == "services":
        with tempfile.TemporaryDirectory(prefix="temoin-bench-") as folder:
            actor = _setup(Path(folder) / "home")
            result.update(rows=1000, seconds=_through_services(actor, path, 1000))
    else:
        with tempfile.TemporaryDirectory(prefix="temoin-bench-") as folder:
            home = Path(folder) / "home"
            actor = _setup(home)
            from temoin.intake.services import batch_import

            geocode = kind == "import+geocode"
            if geocode:
                from temoin.intake import geodata

                geodata.install_from(shared_data())
                geodata.gazetteer()  # loaded before the clock starts
            started = time.perf_counter()
            batch = batch_import(actor=actor, kind="acled", path=path, geocode=geocode)
            result.update(rows=batch.rows, seconds=time.perf_counter() - started,
                          new=batch.new, quarantined=batch.quarantined, warnings=batch.warnings)
            if kind == "import":
                started = time.perf_counter()
                again = batch_import(actor=actor, kind="acled", path=path, geocode=False)
                result.update(reimport_seconds=time.perf_counter() - started,
                              reimport_unchanged=again.unchanged)
            if kind == "update":
                newer = Path(folder) / "newer.csv"
                _modified_copy(path, newer)
                started = time.perf_counter()
                update = batch_import(actor=actor, kind="acled", path=newer, geocode=False)
                result.update(update_seconds=time.perf_counter() - started,
                              updated=update.updated, unchanged=update.unchanged)
            db = home / "temoin.sqlite3"
            result["db_mb"] = db.stat().st_size / 1e6 + sum(
                p.stat().st_size for p in home.glob("temoin.sqlite3-*")) / 1e6
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(kind: str, path: Path) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(path)], check=True,
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, action="append", default=None,
                        help="synthetic sizes (repeatable; default 100000)")
    parser.add_argument("--skip-update", action="store_true")
    parser.add_argument("--real-only", action="store_true", help="only the real ACLED file")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"))
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    from intake_acled import make_synthetic

    files = [("real ACLED Mali", shared_data() / "acled" / "acled_mali_hdx_hxl_1997-2020-07.csv",
              False)]
    generated = []
    for rows in [] if args.real_only else (args.rows or [100_000]):
        path = Path("/tmp") / f"temoin_synthetic_acled_{rows}.csv"
        if not path.exists():
            make_synthetic(path, rows)
            generated.append(path)
        files.append((f"synthetic {rows:,}", path, True))
    print("| file | what | rows | seconds | rows/s | peak RSS MB | × DuckDB 1-thread time | notes |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for label, path, synthetic in files:
        duck = measure("duckdb-1", path)
        base = float(duck["seconds"])  # type: ignore[arg-type]
        kinds = ["parse", "services", "import", "import+geocode"]
        if not args.skip_update:
            kinds.append("update")
        for kind in ["duckdb-1", *kinds]:
            r = duck if kind == "duckdb-1" else measure(kind, path)
            seconds = float(r["seconds"])  # type: ignore[arg-type]
            rows = int(r["rows"])  # type: ignore[call-overload]
            notes = ""
            if kind == "services":
                notes = "first 1,000 rows only, through temoin.cases.services"
            if kind == "import":
                notes = (f"{r['new']} new, db {float(r['db_mb']):.0f} MB; same file again: "
                         f"{r['reimport_unchanged']} unchanged in {float(r['reimport_seconds']):.1f} s "
                         f"({rows / float(r['reimport_seconds']):,.0f} rows/s)")
            elif kind == "import+geocode":
                notes = f"{r['warnings']} rows with a place warning" + (
                    " (synthetic place names: mostly not found)" if synthetic else "")
            elif kind == "update":
                notes = (f"newer export: {r['updated']} updated, {r['unchanged']} unchanged in "
                         f"{float(r['update_seconds']):.1f} s "
                         f"({rows / float(r['update_seconds']):,.0f} rows/s)")
            print(f"| {label} | {kind} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | "
                  f"{float(r['rss_mb']):.0f} | {seconds / base:.0f}× | {notes} |",  # type: ignore[arg-type]
                  flush=True)
    if not args.keep:
        for path in generated:
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
