"""Running an estimation and storing it (inputs frozen, settings validated all at once)."""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.db import transaction

import temoin
from temoin.audit.services import audit_record
from temoin.cases import policy
from temoin.core.estimation import EstimationError, LcmcrSettings, read_overlap_csv
from temoin.core.estimation.compare import compare_strata
from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.plots import plot_results
from temoin.errors import PermissionDenied, Problems
from temoin.estimation.models import EstimationRun

METHODS = ("loglinear", "dga", "lcmcr")


def _settings(problems: Problems, methods: list[str], n_boot: int, seed: int,
              lcmcr: dict[str, Any]) -> LcmcrSettings | None:
    for method in methods:
        if method not in METHODS:
            problems.add("methods", "estimation.unknown_method", f"Méthode inconnue : {method}.")
    if not methods:
        problems.add("methods", "required", "Au moins une méthode.")
    if not 0 <= n_boot <= 5000:
        problems.add("n_boot", "estimation.n_boot", "n_boot entre 0 et 5000.")
    unknown = set(lcmcr) - set(LcmcrSettings.__dataclass_fields__)
    for name in sorted(unknown):
        problems.add(f"lcmcr.{name}", "field.unknown", f"Réglage LCMCR inconnu : {name}.")
    if unknown:
        return None
    settings = LcmcrSettings(**{**lcmcr, "seed": lcmcr.get("seed", seed)})
    try:
        settings.validate()
    except EstimationError as exc:
        problems.add("lcmcr", getattr(exc, "code", "estimation.settings"), str(exc))
    return settings


def estimation_run_from_csv(*, actor: Any, title: str, csv_bytes: bytes, name: str = "table.csv",
                            stratum_column: str | None = None, methods: list[str] | None = None,
                            n_boot: int = 200, seed: int = 1234,
                            lcmcr: dict[str, Any] | None = None) -> EstimationRun:
    """Parse a list-overlap table or capture histories (format of ../shared/data/mse/), run
    every requested method per stratum and on the combined total, and store the run."""
    if not policy.is_host_staff(actor) or actor.role not in ("administrator", "analyst"):
        raise PermissionDenied("Seuls les analystes et administrateurs lancent une estimation.")
    methods = list(methods or METHODS)
    problems = Problems(f"estimation run {title!r}")
    if not title.strip():
        problems.add("title", "required", "Le titre est obligatoire.")
    lcmcr_settings = _settings(problems, methods, n_boot, seed, lcmcr or {})
    tables: dict[str | None, ListOverlapTable] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(name).name or "table.csv")
        path.write_bytes(csv_bytes)
        try:
            tables = read_overlap_csv(path, stratum_column=stratum_column)
        except EstimationError as exc:
            problems.add("file", getattr(exc, "code", "estimation.invalid_table"), str(exc))
    problems.raise_if_any()
    return _run(actor=actor, title=title, input_kind="csv", input_name=name, tables=tables,
                methods=methods, n_boot=n_boot, seed=seed, lcmcr=lcmcr_settings,
                digest=hashlib.sha256(csv_bytes).hexdigest())


def _run(*, actor: Any, title: str, input_kind: str, input_name: str,
         tables: dict[str | None, ListOverlapTable], methods: list[str], n_boot: int, seed: int,
         lcmcr: LcmcrSettings | None, digest: str) -> EstimationRun:
    settings = {"n_boot": n_boot, "seed": seed, "lcmcr": asdict(lcmcr) if lcmcr else None}
    started = time.perf_counter()
    results, failure, png = None, "", None
    try:
        report = compare_strata(tables, methods=methods, n_boot=n_boot, lcmcr=lcmcr, seed=seed)
        results = json.loads(json.dumps(report.to_dict(), default=float))
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "plot.png"
            plot_results(report.all_results(), target, title=title)
            png = target.read_bytes()
    except EstimationError as exc:
        failure = f"{getattr(exc, 'code', 'estimation.error')}: {exc}"
    with transaction.atomic():
        run = EstimationRun.objects.create(
            title=title, input_kind=input_kind, input_name=input_name, input_sha256=digest,
            inputs={str(k): t.to_dict() for k, t in tables.items()}, settings=settings,
            methods=methods, results=results, plot_png=png,
            status=EstimationRun.Status.FAILED if failure else EstimationRun.Status.DONE,
            failure=failure, temoin_version=temoin.__version__,
            seconds=time.perf_counter() - started, created_by=actor)
        audit_record(actor=actor, action="estimation.run", target=run,
                     details={"status": run.status, "methods": methods, "input": digest,
                              "strata": len(tables)})
    return run


def estimation_run_from_histories(*, actor: Any, title: str, rows: list[dict[str, Any]],
                                  list_names: tuple[str, ...] | list[str],
                                  stratum_of: Any, methods: list[str] | None = None,
                                  n_boot: int = 200, seed: int = 1234,
                                  lcmcr: dict[str, Any] | None = None,
                                  input_name: str = "capture histories") -> EstimationRun:
    """An estimation run from capture histories given as plain rows (e.g. a linkage run's).

    Each row has ``lists`` (names of the lists that documented the individual); ``stratum_of``
    maps a row to its stratum (``None``: one table). Added for the linkage app
    (``temoin.linkage.services.linkage_estimation_run``).
    """
    if not policy.is_host_staff(actor) or actor.role not in ("administrator", "analyst"):
        raise PermissionDenied("Seuls les analystes et administrateurs lancent une estimation.")
    methods = list(methods or METHODS)
    names = tuple(list_names)
    problems = Problems(f"estimation run {title!r}")
    if not title.strip():
        problems.add("title", "required", "Le titre est obligatoire.")
    if len(names) < 2:
        problems.add("list_names", "estimation.lists", "Au moins deux listes.")
    lcmcr_settings = _settings(problems, methods, n_boot, seed, lcmcr or {})
    position = {name: i for i, name in enumerate(names)}
    cells: dict[str | None, Any] = {}
    for index, row in enumerate(rows):
        unknown = [name for name in row["lists"] if name not in position]
        if unknown or not row["lists"]:
            problems.add(f"rows[{index}]", "estimation.row",
                         f"Listes inconnues ou vides : {unknown}.")
            continue
        stratum = stratum_of(row)
        key = None if stratum is None else str(stratum)
        counts = cells.setdefault(key, [0] * (1 << len(names)))
        counts[sum(1 << position[name] for name in set(row["lists"]))] += 1
    problems.raise_if_any()
    tables: dict[str | None, ListOverlapTable] = {}
    for key, counts in sorted(cells.items(), key=lambda item: str(item[0])):
        try:
            tables[key] = ListOverlapTable(names, counts, key)
        except EstimationError as exc:
            problems.add("rows", getattr(exc, "code", "estimation.invalid_table"), str(exc))
    problems.raise_if_any()
    digest = hashlib.sha256(json.dumps(
        [{"lists": sorted(r["lists"]), "stratum": stratum_of(r)} for r in rows],
        sort_keys=True, default=str).encode()).hexdigest()
    return _run(actor=actor, title=title, input_kind="linkage_run", input_name=input_name,
                tables=tables, methods=methods, n_boot=n_boot, seed=seed, lcmcr=lcmcr_settings,
                digest=digest)
