"""Incident linkage (event coreference): one massacre in twelve reports.

Reports are compared on date (interval with precision), place (same village, same
commune, distance, same cercle), act types, alleged perpetrators and casualty claims.
The resulting incident clusters keep *every* source's claims side by side
(:class:`IncidentCluster`): nothing is averaged or overwritten, because counts differ
by source by large factors and attribution is contested.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from temoin.core.linkage.engine import run_splink
from temoin.core.linkage.incident_comparisons import incident_splink_settings
from temoin.core.linkage.persons import _as_records, _empty_run, _label_ids, finish_run
from temoin.core.linkage.prepare import UnlinkedRecord, place_key
from temoin.core.linkage.records import IncidentRecord, date_interval
from temoin.core.linkage.run import LinkageRun, ReviewedPair
from temoin.core.linkage.settings import INCIDENT_BLOCKING_COLUMNS, LinkageSettings

__all__ = ["IncidentCluster", "incident_clusters", "link_incidents", "prepare_incidents"]

_COLUMNS = [
    "record_id",
    "list_id",
    "stratum",
    "event_low",
    "event_high",
    "event_year",
    "event_month",
    "village_key",
    "commune_key",
    "cercle_key",
    "region_key",
    "lat",
    "lon",
    "act_types",
    "perpetrators",
    "killed_low",
    "killed_high",
]


def prepare_incidents(
    records: Sequence[IncidentRecord],
) -> tuple[pd.DataFrame, list[UnlinkedRecord]]:
    """Comparison table of incident reports; reports with neither date nor place are set aside."""
    rows: list[dict[str, Any]] = []
    unlinked: list[UnlinkedRecord] = []
    seen: set[tuple[str, str]] = set()
    for record in records:
        key = (record.list_id, record.record_id)
        if key in seen:
            unlinked.append(
                UnlinkedRecord(
                    record.record_id,
                    record.list_id,
                    "repeated_record",
                    "the same report id appears twice in one list",
                )
            )
            continue
        seen.add(key)
        low, high = date_interval(record.date, record.date_precision)
        has_place = any(
            v is not None
            for v in (record.village, record.commune, record.cercle, record.region, record.latitude)
        )
        if low is None or not has_place:
            unlinked.append(
                UnlinkedRecord(
                    record.record_id,
                    record.list_id,
                    "insufficient_evidence",
                    "a report needs at least a date and a place to be linked",
                )
            )
            continue
        rows.append(
            {
                "record_id": record.record_id,
                "list_id": record.list_id,
                "stratum": record.region,
                "event_low": low,
                "event_high": high,
                "event_year": record.date.year if record.date else None,
                "event_month": f"{record.date:%Y-%m}"
                if record.date and record.date_precision != "year"
                else None,
                "village_key": place_key(record.village),
                "commune_key": place_key(record.commune),
                "cercle_key": place_key(record.cercle),
                "region_key": place_key(record.region),
                "lat": record.latitude,
                "lon": record.longitude,
                "act_types": list(record.act_types) or None,
                "perpetrators": list(record.perpetrators) or None,
                "killed_low": record.killed_low,
                "killed_high": record.killed_high
                if record.killed_high is not None
                else record.killed_low,
            }
        )
    table = pd.DataFrame(rows, columns=_COLUMNS)
    table["unique_id"] = range(len(table))
    return table, unlinked


def link_incidents(
    records: Sequence[IncidentRecord] | pd.DataFrame | Any,
    *,
    settings: LinkageSettings | None = None,
    labels: Sequence[ReviewedPair] = (),
    model: dict[str, Any] | None = None,
) -> LinkageRun:
    """Cluster incident reports into incidents.  Defaults: :meth:`LinkageSettings.for_incidents`."""
    started = time.perf_counter()
    settings = (settings or LinkageSettings.for_incidents()).validate(
        allowed_blocking_columns=INCIDENT_BLOCKING_COLUMNS
    )
    items = _as_records(records, IncidentRecord)
    if not items:
        return _empty_run(
            "incidents", settings, items, (), "empty_input", "empty input: nothing to link"
        )
    table, unlinked = prepare_incidents(items)
    if len(items) == 1:
        return _empty_run(
            "incidents",
            settings,
            items,
            unlinked,
            "single_record",
            "one report only: nothing to link it to",
        )
    if len(table) < 2:
        return _empty_run(
            "incidents",
            settings,
            items,
            unlinked,
            "nothing_to_link",
            f"{len(table)} linkable report(s): nothing to link",
        )
    index = {
        (lst, rid): int(uid)
        for lst, rid, uid in table[["list_id", "record_id", "unique_id"]].itertuples(index=False)
    }
    must, cannot = _label_ids(labels, index, {(r.list_id, r.record_id) for r in items})
    present = {column for column in table.columns if table[column].notna().any()}
    result = run_splink(
        table,
        settings=settings,
        build_settings=lambda cols, prior: incident_splink_settings(
            settings, present_columns=cols, prior=prior
        ),
        present=present,
        matched_label_ids=must,
        model=model,
    )
    return finish_run(
        kind="incidents",
        records=items,
        table=table,
        unlinked=tuple(unlinked),
        pairs=result.pairs,
        model=result.model,
        settings=settings,
        must=must,
        cannot=cannot,
        messages=list(result.messages),
        started=started,
    )


@dataclass(frozen=True)
class IncidentCluster:
    """One incident as the sources report it; every report's claims are kept as given."""

    cluster_id: int
    reports: tuple[IncidentRecord, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({report.list_id for report in self.reports}))

    @property
    def killed_claims(self) -> tuple[tuple[str, str, int | None, int | None], ...]:
        """(list_id, record_id, low, high) for every report, unmerged."""
        return tuple((r.list_id, r.record_id, r.killed_low, r.killed_high) for r in self.reports)

    @property
    def killed_range(self) -> tuple[int | None, int | None]:
        lows = [r.killed_low for r in self.reports if r.killed_low is not None]
        highs = [
            r.killed_high if r.killed_high is not None else r.killed_low
            for r in self.reports
            if r.killed_low is not None
        ]
        return (
            min(lows) if lows else None,
            max(h for h in highs if h is not None) if highs else None,
        )

    @property
    def alleged_perpetrators(self) -> dict[str, tuple[str, ...]]:
        """Actor → the reports (record ids) that allege it."""
        out: dict[str, list[str]] = {}
        for report in self.reports:
            for actor in report.perpetrators:
                out.setdefault(actor, []).append(report.record_id)
        return {actor: tuple(ids) for actor, ids in sorted(out.items())}


def incident_clusters(run: LinkageRun, records: Sequence[IncidentRecord]) -> list[IncidentCluster]:
    """Group the input reports by the run's clusters (ordered by cluster id)."""
    by_key = {(r.list_id, r.record_id): r for r in records}
    return [
        IncidentCluster(cluster_id=cluster, reports=tuple(by_key[key] for key in members))
        for cluster, members in sorted(run.clusters().items())
    ]
