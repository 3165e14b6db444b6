"""ACLED import into the case database, beside DuckDB's read_csv of the same file, same run.

Files: the real ACLED Mali export (3,990 rows, shared data folder; never copied) and
SYNTHETIC ACLED-format files (HDX columns + HXL row) that this script generates into /tmp
with ``benchmarks/intake_acled.make_synthetic`` (100,000 and 1,000,000 rows by default; never
committed).

For each file, every measurement runs in its own fresh process (peak RSS = ru_maxrss of that
process alone; wall *and* CPU seconds, because the machine is shared and wall time swings
with other people's load while CPU time much less):

* ``duckdb``   DuckDB ``read_csv`` with 1 thread, every column read as text and aggregated
               (so every cell is parsed) — the baseline. It only *scans* the file: no
               validation, no records, nothing written.
* ``parse``    ``temoin.core.intake.iter_acled`` alone: decoding, validation, act mapping,
               records and fingerprints, the in-file duplicate check; nothing written.
* ``import``   ``batch_import(kind="acled", geocode=False)`` into a fresh database (SQLite
               by default; ``--database-url`` for PostgreSQL): the file kept in the evidence
               vault, then per row an event, source, information, acts, involvements, a
               claim, version 1 of event/source/acts, three search entries (FTS5 on SQLite),
               the imported-record row with its flat record; one audit row per chunk.
               Then the same file again (every row unchanged: the idempotency path).
* ``floor``    the physical floor of that write volume, same run: every row the import
               wrote to the case tables (event, source, information, act, involvement, claim,
               version, search entry, imported record, the dashboard's fact tables) is read
               back and inserted again, with no Python logic, into a fresh database of the
               same schema (indexes, triggers), committing every 5,000 rows per table: bare
               ``executemany`` on SQLite (search entries through one ``INSERT … SELECT`` per
               chunk, as the import does, so that FTS5 indexes them in one statement), ``COPY``
               on PostgreSQL (as the import's inserter). What is left between ``import`` and ``floor`` is our code;
               the floor itself is the data model's write volume.
* ``update``   (real file) a newer export where every 10th row changed: versions + diffs.
* ``geocode``  (real file) the first import with the gazetteer checking every place.

The database, its migrations, users and keys are created by a separate setup process first
(Argon2 key derivation and migrations would otherwise dominate the peak RSS).

Run: .venv/bin/python benchmarks/intake_import.py [--rows 100000 --rows 1000000]
     [--real-only] [--no-real] [--no-reimport] [--no-floor] [--database-url postgres://…]
     [--keep]
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
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
REAL_NAME = "acled_mali_hdx_hxl_1997-2020-07.csv"


def shared_data() -> Path:
    env = os.environ.get("TEMOIN_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


# ---------------------------------------------------------------- inside the worker processes
def _django(home: Path) -> None:
    os.environ["TEMOIN_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django

    django.setup()


def setup_home(home: Path) -> None:
    """Migrations, vocabularies, one organisation, an analyst and the organisation keys."""
    _recreate_postgres_database()
    _django(home)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from temoin.accounts.services import organisation_create, user_create
    from temoin.cases.services import vocabularies_load
    from temoin.keys.services import keys_init

    vocabularies_load(actor=None)
    org = organisation_create(actor=None, name="Benchmark", short_name="BENCH", kind="ngo",
                              is_host=True)
    user_create(actor=None, username="bench", password="bench-password-1", organisation=org,
                role="analyst")
    keys_init(actor=None, passphrase="benchmark passphrase, long enough")  # the vault's keys


def _recreate_postgres_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _bench_user() -> Any:
    from temoin.accounts.models import User

    return User.objects.get(username="bench")


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


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def _database_mb(home: Path) -> float:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return float(cursor.fetchone()[0]) / 1e6
    return sum(p.stat().st_size for p in home.glob("temoin.sqlite3*")) / 1e6


def worker(kind: str, path: Path, home: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {"kind": kind}
    if kind == "duckdb":
        import duckdb

        from tests.core.intake.synthetic import HDX_COLUMNS

        clock = Clock()
        connection = duckdb.connect(config={"threads": 1})
        aggregates = ", ".join(f'max(length("{c}"))' for c in HDX_COLUMNS)
        row = connection.execute(f"SELECT count(*), {aggregates} FROM read_csv('{path}', "
                                 "header=true, all_varchar=true)").fetchone()
        assert row is not None
        result["rows"] = int(row[0]) - 1  # the HXL hashtag row is a data row for DuckDB
        result["seconds"], result["cpu"] = clock.read()
    elif kind == "floor":
        assert home is not None
        _django(home)
        source_url = os.environ.get("BENCH_SOURCE_URL", "")
        result.update(floor(source_url or Path(os.environ["BENCH_SOURCE_HOME"])))
    elif kind == "parse":
        from temoin.core.intake import iter_acled

        clock = Clock()
        result["rows"] = sum(1 for _ in iter_acled(path))
        result["seconds"], result["cpu"] = clock.read()
    else:
        assert home is not None
        _django(home)
        from temoin.intake.services import batch_import

        actor = _bench_user()
        geocode = kind == "geocode"
        if geocode:
            from temoin.intake import geodata

            geodata.install_from(shared_data())
            geodata.gazetteer()  # loaded before the clock starts
        clock = Clock()
        batch = batch_import(actor=actor, kind="acled", path=path, geocode=geocode)
        result["seconds"], result["cpu"] = clock.read()
        result.update(rows=batch.rows, new=batch.new, quarantined=batch.quarantined,
                      warnings=batch.warnings, status=batch.status)
        if kind == "import" and os.environ.get("BENCH_REIMPORT", "1") == "1":
            clock = Clock()
            again = batch_import(actor=actor, kind="acled", path=path, geocode=False)
            result["reimport_seconds"], result["reimport_cpu"] = clock.read()
            result["reimport_unchanged"] = again.unchanged
        if kind == "update":
            newer = home / "newer.csv"
            _modified_copy(path, newer)
            clock = Clock()
            update = batch_import(actor=actor, kind="acled", path=newer, geocode=False)
            result["update_seconds"], result["update_cpu"] = clock.read()
            result.update(updated=update.updated, unchanged=update.unchanged)
        result["db_mb"] = _database_mb(home)
    result["rss_mb"] = peak_rss_mb()
    return result


FLOOR_TABLES = (  # in an order that satisfies the foreign keys at each commit
    "intake_importbatch", "cases_event", "cases_source", "cases_information", "cases_act",
    "cases_involvement", "cases_claim", "cases_version", "cases_searchentry", "intake_importedrecord",
    "cases_eventfact", "cases_claimfact", "cases_acttypefact", "cases_actorfact",
    "cases_factcell",
)
FLOOR_CHUNK = 5000


def _source_rows(source: Path | str, table: str) -> Any:
    """(column names, iterator of row tuples) of ``table`` in the imported database."""
    if isinstance(source, Path):
        import sqlite3

        connection = sqlite3.connect(f"file:{source / 'temoin.sqlite3'}?mode=ro", uri=True)
        cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid')  # noqa: S608
        columns = [d[0] for d in cursor.description]
    else:
        import psycopg

        connection = psycopg.connect(source)
        types = connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
            " ORDER BY ordinal_position", [table]).fetchall()
        columns = [name for name, _ in types]
        select = ", ".join(f'"{n}"::text' if t in ("json", "jsonb") else f'"{n}"'
                           for n, t in types)
        cursor = connection.cursor(name="floor")  # server-side: memory stays flat
        cursor.execute(f'SELECT {select} FROM "{table}" ORDER BY 1')  # noqa: S608

    def rows() -> Any:
        while batch := cursor.fetchmany(FLOOR_CHUNK):
            yield batch
        connection.close()

    return columns, rows()


def floor(source: Path | str) -> dict[str, Any]:
    """Insert the imported rows again into this (fresh) database by bare executemany."""
    from django.db import connection, transaction

    spent_wall = spent_cpu = 0.0
    written = 0
    per_table: dict[str, float] = {}
    for table in FLOOR_TABLES:
        columns, batches = _source_rows(source, table)
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        insert = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'  # noqa: S608
        staged = table == "cases_searchentry" and connection.vendor == "sqlite"
        started = spent_cpu
        existing = 0  # rows of the setup (the same ids in both databases) are skipped
        if "id" in columns:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
                existing = cursor.fetchone()[0]
        key = columns.index("id") if "id" in columns else 0
        for batch in batches:
            batch = [row for row in batch if row[key] > existing] if existing else batch
            if not batch:
                continue
            clock = Clock()
            with transaction.atomic(), connection.cursor() as cursor:
                if staged:  # one statement feeds FTS5, as the import's StagedInserter
                    cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS floor_stage AS SELECT '
                                   f'{quoted} FROM "{table}" WHERE 0')  # noqa: S608
                    cursor.executemany(f"INSERT INTO floor_stage ({quoted}) VALUES ({marks})",
                                       batch)
                    cursor.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {quoted} '
                                   "FROM floor_stage ORDER BY rowid")  # noqa: S608
                    cursor.execute("DELETE FROM floor_stage")
                elif connection.vendor == "postgresql":  # COPY, as the import's inserter
                    with cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    cursor.executemany(insert, batch)
            wall, cpu = clock.read()
            spent_wall += wall
            spent_cpu += cpu
            written += len(batch)
        per_table[table] = round(spent_cpu - started, 2)
    return {"seconds": spent_wall, "cpu": spent_cpu, "db_rows": written, "tables": per_table}


def peak_rss_mb() -> float:
    """Peak RSS of this process: VmHWM (ru_maxrss of a child started by vfork/exec can also
    count its parent's memory on Linux), else ru_maxrss."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- the driver
def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          cwd=REPO, env={**env, "PYTHONPATH": str(REPO)}, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{' '.join(args)} failed (exit {done.returncode})")
    return done.stdout


def measure(kind: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    if kind in ("duckdb", "parse"):
        out = _run(["--worker", kind, str(path)], env)
    else:
        with tempfile.TemporaryDirectory(prefix="temoin-bench-") as folder:
            home = Path(folder) / "home"
            _run(["--setup", str(home)], env)
            out = _run(["--worker", kind, str(path), str(home)], env)
            if kind == "import" and env.get("BENCH_FLOOR", "1") == "1":
                result = json.loads(out.strip().splitlines()[-1])
                result["floor"] = _measure_floor(path, home, env)
                out = json.dumps(result)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    print(f"{path.name} {json.dumps(result)}", file=sys.stderr, flush=True)  # partial results
    return result


def _measure_floor(path: Path, source_home: Path, env: dict[str, str]) -> dict[str, Any]:
    """The floor worker, into a fresh database (PostgreSQL: ``<name>_floor``)."""
    target = source_home.parent / "floor"
    floor_env = {**env, "BENCH_SOURCE_HOME": str(source_home)}
    if env.get("DATABASE_URL", "").startswith("postgres"):
        floor_env["BENCH_SOURCE_URL"] = env["DATABASE_URL"]
        floor_env["DATABASE_URL"] = env["DATABASE_URL"] + "_floor"
    _run(["--setup", str(target)], floor_env)
    out = _run(["--worker", "floor", str(path), str(target)], floor_env)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if "BENCH_SOURCE_URL" in floor_env:
        import psycopg

        url = floor_env["DATABASE_URL"]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')
    return result


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _seconds(r: dict[str, Any], key: str = "seconds") -> str:
    cpu_key = key.replace("seconds", "cpu")
    return f"{float(r[key]):.1f} ({float(r[cpu_key]):.1f})"


def _ratio(r: dict[str, Any], baseline: dict[str, Any]) -> str:
    """How many times DuckDB's time: wall (CPU)."""
    return (f"{float(r['seconds']) / float(baseline['seconds']):.0f}× "
            f"({float(r['cpu']) / max(float(baseline['cpu']), 1e-3):.0f}×)")


def _floor(imp: dict[str, Any]) -> str:
    if "floor" not in imp:
        return "–"
    return f"{_seconds(imp['floor'])} ({int(imp['floor']['db_rows']):,})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, action="append", default=None,
                        help="synthetic sizes (repeatable; default 100000 and 1000000)")
    parser.add_argument("--real-only", action="store_true", help="only the real ACLED file")
    parser.add_argument("--no-real", action="store_true", help="skip the real ACLED file")
    parser.add_argument("--no-reimport", action="store_true",
                        help="skip the second (all unchanged) import")
    parser.add_argument("--database-url", default="",
                        help="PostgreSQL URL of a scratch database (dropped and recreated)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the bare-executemany floor of the import's writes")
    parser.add_argument("--worker", nargs="+", metavar="ARG")
    parser.add_argument("--setup", metavar="HOME")
    args = parser.parse_args()
    if args.setup:
        setup_home(Path(args.setup))
        return 0
    if args.worker:
        kind, path, *home = args.worker
        print(json.dumps(worker(kind, Path(path), Path(home[0]) if home else None)))
        return 0
    from intake_acled import make_synthetic

    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.no_reimport:
        env["BENCH_REIMPORT"] = "0"
    if args.no_floor:
        env["BENCH_FLOOR"] = "0"
    backend = "PostgreSQL" if args.database_url else "SQLite"
    files: list[tuple[str, Path, bool]] = []
    if not args.no_real:
        files.append(("real ACLED Mali", shared_data() / "acled" / REAL_NAME, False))
    generated = []
    for rows in [] if args.real_only else (args.rows or [100_000, 1_000_000]):
        path = Path("/tmp") / f"temoin_synthetic_acled_{rows}.csv"
        if not path.exists():
            started = time.perf_counter()
            make_synthetic(path, rows)
            print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
            generated.append(path)
        files.append((f"synthetic {rows:,}", path, True))
    print(f"Database: {backend}. Seconds as wall (CPU of the process). Load average at start: "
          f"{_load()}.\n")
    print("| file | rows | MB | DuckDB read_csv s | parse s | × DuckDB | import s | "
          "import rows/s | × DuckDB | floor s (DB rows) | floor × DuckDB | "
          "RSS MB parse / import | notes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|", flush=True)
    for label, path, synthetic in files:
        duck = measure("duckdb", path, env)
        parse = measure("parse", path, env)
        imp = measure("import", path, env)
        rows = int(imp["rows"])
        notes = [f"{imp['new']:,} new, {imp['quarantined']} quarantined, db {imp['db_mb']:,.0f} MB",
                 f"DuckDB {duck['rows']:,} rows"]
        if "reimport_seconds" in imp:
            notes.append(f"same file again: {imp['reimport_unchanged']:,} unchanged in "
                         f"{_seconds(imp, 'reimport_seconds')} s "
                         f"({rows / float(imp['reimport_seconds']):,.0f} rows/s)")
        if not synthetic:
            update = measure("update", path, env)
            notes.append(f"newer export: {update['updated']:,} updated, "
                         f"{update['unchanged']:,} unchanged in "
                         f"{_seconds(update, 'update_seconds')} s")
            geocode = measure("geocode", path, env)
            notes.append(f"import with geocoding: {_seconds(geocode)} s, "
                         f"{geocode['warnings']} rows with a place warning")
        print(f"| {label} | {rows:,} | {path.stat().st_size / 1e6:,.0f} | {_seconds(duck)} | "
              f"{_seconds(parse)} | {_ratio(parse, duck)} | {_seconds(imp)} | "
              f"{rows / float(imp['seconds']):,.0f} ({rows / float(imp['cpu']):,.0f}) | "
              f"{_ratio(imp, duck)} | {_floor(imp)} | "
              f"{_ratio(imp['floor'], duck) if 'floor' in imp else '–'} | "
              f"{float(parse['rss_mb']):.0f} / {float(imp['rss_mb']):.0f} | "
              f"{'; '.join(notes)} |", flush=True)
    print(f"\nLoad average at the end: {_load()}.")
    if not args.keep:
        for path in generated:
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
