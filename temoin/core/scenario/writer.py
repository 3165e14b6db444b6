"""Stream a scenario to CSV or JSONL files in one pass, with bounded memory.

:func:`write_scenario` writes one file per record type into a directory:

==========================  =====================================================
``organisations``           :class:`Organisation`
``reports``                 :class:`Report` (Témoin Event candidates)
``acts``                    :class:`ActRecord`
``persons``                 :class:`PersonRecord` (the organisations' victim lists)
``truth_incidents``         :class:`TrueIncident`          (ground truth)
``truth_persons``           :class:`TruePerson`            (ground truth)
``truth_report_links``      :class:`ReportLink`            (ground truth)
``truth_person_links``      :class:`PersonLink`            (ground truth)
``truth_totals``            :class:`StratumTotal`          (ground truth)
``truth_capture_histories`` :class:`CaptureCount`          (ground truth)
``scenario.json``           seed, settings, counts, ``"synthetic": true``
==========================  =====================================================

CSV flattening: a nested record becomes prefixed columns (``date_earliest``,
``place_admin1``, ``source_reliability``…); tuples and sets of strings are joined with ``|``;
tuples of records (``attributions``, ``claims``, ``perpetrators``) are JSON arrays in one
column. JSONL keeps the nesting (dates as ISO strings, sets as sorted lists).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from temoin.core.scenario.errors import ScenarioWriterError
from temoin.core.scenario.generator import Scenario, TotalsAccumulator
from temoin.core.scenario.records import (
    ActRecord,
    CaptureCount,
    Organisation,
    PersonLink,
    PersonRecord,
    Report,
    ReportLink,
    StratumTotal,
    TrueIncident,
    TruePerson,
)

__all__ = [
    "FILES",
    "WriteSummary",
    "csv_columns",
    "csv_values",
    "to_csv_row",
    "to_jsonable",
    "write_scenario",
]

#: Stem of each output file -> record type written to it.
FILES: dict[str, type] = {
    "organisations": Organisation,
    "reports": Report,
    "acts": ActRecord,
    "persons": PersonRecord,
    "truth_incidents": TrueIncident,
    "truth_persons": TruePerson,
    "truth_report_links": ReportLink,
    "truth_person_links": PersonLink,
    "truth_totals": StratumTotal,
    "truth_capture_histories": CaptureCount,
}
FORMATS = ("csv", "jsonl")


@dataclass(frozen=True, slots=True)
class WriteSummary:
    """What was written: directory, format and number of rows per file stem."""

    directory: Path
    format: str
    rows: dict[str, int]


def to_jsonable(value: Any) -> Any:
    """Nested JSON-compatible form of a record or value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return "|".join(sorted(str(v) for v in value))
    if isinstance(value, tuple):
        if all(isinstance(v, str) for v in value):
            return "|".join(value)
        return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))
    return value


_NESTED_CACHE: dict[tuple[type, str], type | None] = {}


def _nested_type(cls: type, name: str) -> type | None:
    key = (cls, name)
    if key not in _NESTED_CACHE:
        _NESTED_CACHE[key] = _find_nested_type(cls, name)
    return _NESTED_CACHE[key]


def _find_nested_type(cls: type, name: str) -> type | None:
    hint = typing.get_type_hints(cls)[name]
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    for candidate in (hint, *(typing.get_args(hint) if union else ())):
        if dataclasses.is_dataclass(candidate) and isinstance(candidate, type):
            return candidate
    return None


_PLANS: dict[type, tuple[tuple[str, type | None], ...]] = {}
_COLUMNS: dict[type, list[str]] = {}


def _plan(cls: type) -> tuple[tuple[str, type | None], ...]:
    if cls not in _PLANS:
        _PLANS[cls] = tuple((f.name, _nested_type(cls, f.name)) for f in dataclasses.fields(cls))
    return _PLANS[cls]


def csv_columns(cls: type, *, prefix: str = "") -> list[str]:
    """CSV header for a record type (nested records expanded with a ``<field>_`` prefix)."""
    if not prefix and cls in _COLUMNS:
        return list(_COLUMNS[cls])
    columns: list[str] = []
    for name, nested in _plan(cls):
        columns.extend(
            csv_columns(nested, prefix=f"{prefix}{name}_") if nested else [f"{prefix}{name}"]
        )
    if not prefix:
        _COLUMNS[cls] = list(columns)
    return columns


def _flat_values(record: Any, cls: type, out: list[Any]) -> None:
    for name, nested in _plan(cls):
        value = getattr(record, name)
        if nested is None:
            out.append(_csv_value(value))
        elif value is None:
            out.extend([""] * len(csv_columns(nested)))
        else:
            _flat_values(value, nested, out)


def csv_values(record: Any) -> list[Any]:
    """Flat CSV values of a record, in :func:`csv_columns` order."""
    out: list[Any] = []
    _flat_values(record, type(record), out)
    return out


def to_csv_row(record: Any) -> dict[str, Any]:
    """Flat CSV row of a record (nested records become ``<field>_<subfield>`` columns)."""
    return dict(zip(csv_columns(type(record)), csv_values(record), strict=True))


class _Sink:
    def __init__(self, path: Path, fmt: str, record_type: type) -> None:
        self.path = path
        self.format = fmt
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        self.writer: Any = None
        if fmt == "csv":
            self.writer = csv.writer(self.handle, lineterminator="\n")
            self.writer.writerow(csv_columns(record_type))
        self.count = 0

    def write(self, records: Iterable[Any]) -> None:
        for record in records:
            if self.format == "jsonl":
                self.handle.write(
                    json.dumps(to_jsonable(record), ensure_ascii=False, separators=(",", ":"))
                )
                self.handle.write("\n")
            elif self.writer is not None:
                self.writer.writerow(csv_values(record))
            self.count += 1

    def close(self) -> None:
        self.handle.close()


def write_scenario(scenario: Scenario, directory: Path, *, format: str = "csv") -> WriteSummary:
    """Write every record type of ``scenario`` to ``directory`` (created) in one streaming pass."""
    if format not in FORMATS:
        raise ScenarioWriterError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        sinks = {
            stem: _Sink(directory / f"{stem}.{format}", format, kind)
            for stem, kind in FILES.items()
        }
    except OSError as exc:
        raise ScenarioWriterError(
            f"cannot write scenario files to {directory}: {exc.strerror}"
        ) from exc
    totals = TotalsAccumulator()
    try:
        sinks["organisations"].write(scenario.organisations())
        for bundle in scenario.bundles():
            sinks["reports"].write(bundle.reports)
            sinks["acts"].write(bundle.acts)
            sinks["persons"].write(bundle.persons)
            sinks["truth_incidents"].write((bundle.incident,))
            sinks["truth_persons"].write(bundle.true_persons)
            sinks["truth_report_links"].write(bundle.report_links)
            sinks["truth_person_links"].write(bundle.person_links)
            totals.add(bundle)
        sinks["truth_totals"].write(totals.totals())
        sinks["truth_capture_histories"].write(totals.capture_histories())
    finally:
        for sink in sinks.values():
            sink.close()
    rows = {stem: sink.count for stem, sink in sinks.items()}
    meta = {
        "synthetic": True,
        "notice": "SYNTHETIC DATA — fictional incidents, organisations and people generated for testing Témoin.",
        "seed": scenario.seed,
        "settings": scenario.settings.to_dict(),
        "gazetteer": scenario.gazetteer.source,
        "format": format,
        "rows": rows,
    }
    (directory / "scenario.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    return WriteSummary(directory=directory, format=format, rows=rows)
