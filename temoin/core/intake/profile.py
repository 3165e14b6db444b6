"""Column-mapping profiles for generic spreadsheets (CSV, XLSX) and Uwazi exports.

A :class:`MappingProfile` says which column of a partner's table holds which Témoin field
(``date``, ``location``, ``killed``…), how to read dates (day first, as in French use) and
how the partner's act labels map to Témoin act-type codes. It is saved as JSON with every
import batch, reused for the next file from the same partner, and validated *all at once*:
:func:`validate_profile` returns every problem, :meth:`MappingProfile.from_dict` raises one
:class:`ProfileError` listing them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temoin.core.intake.errors import ProfileError

__all__ = [
    "LIST_TARGETS",
    "MappingProfile",
    "PROFILE_TARGETS",
    "load_profile",
    "save_profile",
    "validate_profile",
]

PROFILE_TARGETS = frozenset(
    {
        "upstream_id", "title", "description", "date", "date_start", "date_end", "location",
        "admin1", "admin2", "admin3", "latitude", "longitude", "geolocation", "act_type",
        "actors", "killed", "killed_min", "killed_max", "injured", "source_text", "url", "tags",
    }
)  # fmt: skip
LIST_TARGETS = frozenset({"actors"})
_DATE_STYLES = ("day_first", "month_first")


@dataclass(frozen=True)
class MappingProfile:
    """How to read one partner's table; see module docstring. JSON round-trips exactly."""

    name: str
    columns: Mapping[str, str | tuple[str, ...]]
    claimed_by: str
    date_style: str = "day_first"
    excel_serial_dates: bool = True
    act_type_values: Mapping[str, str] = field(default_factory=dict)
    default_act_type: str | None = None
    list_separator: str = ";"
    sheet: str | None = None
    header_row: int = 1
    source_kind: str = "table"
    version: int = 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form (lists for tuples)."""
        return {
            "name": self.name,
            "version": self.version,
            "source_kind": self.source_kind,
            "columns": {k: list(v) if isinstance(v, tuple) else v for k, v in self.columns.items()},
            "claimed_by": self.claimed_by,
            "date_style": self.date_style,
            "excel_serial_dates": self.excel_serial_dates,
            "act_type_values": dict(self.act_type_values),
            "default_act_type": self.default_act_type,
            "list_separator": self.list_separator,
            "sheet": self.sheet,
            "header_row": self.header_row,
        }

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        header: Iterable[str] | None = None,
        act_type_codes: Iterable[str] | None = None,
    ) -> MappingProfile:
        """Build and validate; raise :class:`ProfileError` listing *every* problem."""
        problems: list[str] = []
        if not isinstance(data, Mapping):
            raise ProfileError(["a profile must be a JSON object"])
        known = {
            "name", "version", "source_kind", "columns", "claimed_by", "date_style",
            "excel_serial_dates", "act_type_values", "default_act_type", "list_separator",
            "sheet", "header_row",
        }  # fmt: skip
        problems += [f"unknown profile key {key!r}" for key in sorted(set(map(str, data)) - known)]
        raw_columns = data.get("columns")
        columns: dict[str, str | tuple[str, ...]] = {}
        if not isinstance(raw_columns, Mapping):
            problems.append("'columns' must be an object of field → column name")
        else:
            for target, column in raw_columns.items():
                if isinstance(column, str):
                    columns[str(target)] = column
                elif isinstance(column, list) and all(isinstance(c, str) for c in column):
                    columns[str(target)] = tuple(column)
                else:
                    problems.append(f"column for {target!r} must be a name or a list of names")

        def typed(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
            value = data.get(key, default)
            if value is not None and not isinstance(value, kind):
                problems.append(f"{key!r} has the wrong type")
                return default
            return value

        act_values = typed("act_type_values", Mapping, {})
        if any(not isinstance(k, str) or not isinstance(v, str) for k, v in act_values.items()):
            problems.append("'act_type_values' must map labels (text) to codes (text)")
            act_values = {}
        profile = cls(
            name=typed("name", str, "") or "",
            version=typed("version", int, 1),
            source_kind=typed("source_kind", str, "table") or "table",
            columns=columns,
            claimed_by=typed("claimed_by", str, "") or "",
            date_style=typed("date_style", str, "day_first") or "day_first",
            excel_serial_dates=bool(typed("excel_serial_dates", bool, True)),
            act_type_values=dict(act_values),
            default_act_type=typed("default_act_type", str, None),
            list_separator=typed("list_separator", str, ";") or ";",
            sheet=typed("sheet", str, None),
            header_row=typed("header_row", int, 1),
        )
        problems += validate_profile(profile, header=header, act_type_codes=act_type_codes)
        if problems:
            raise ProfileError(problems, source_name=profile.name or None)
        return profile


def validate_profile(
    profile: MappingProfile,
    *,
    header: Iterable[str] | None = None,
    act_type_codes: Iterable[str] | None = None,
) -> list[str]:
    """Every problem with ``profile`` (empty list when valid).

    With ``header``, also checks that each named column exists (ignoring case and spaces);
    with ``act_type_codes``, that each act code the profile can produce is known.
    """
    problems: list[str] = []
    columns = profile.columns
    if not profile.name.strip():
        problems.append("'name' is required")
    if not profile.claimed_by.strip():
        problems.append("'claimed_by' is required: who makes the claims in this table")
    for target in sorted(set(columns) - PROFILE_TARGETS):
        problems.append(f"unknown target field {target!r}")
    for target, column in columns.items():
        if target in LIST_TARGETS and not isinstance(column, tuple):
            problems.append(f"{target!r} must be a list of column names")
        if target not in LIST_TARGETS and not isinstance(column, str):
            problems.append(f"{target!r} must be a single column name")
    if "date" not in columns and "date_start" not in columns:
        problems.append("a 'date' or 'date_start' column is required")
    if "date" in columns and ("date_start" in columns or "date_end" in columns):
        problems.append("use either 'date' or 'date_start'/'date_end', not both")
    if "killed" in columns and ("killed_min" in columns or "killed_max" in columns):
        problems.append("use either 'killed' or 'killed_min'/'killed_max', not both")
    if ("killed_min" in columns) != ("killed_max" in columns):
        problems.append("'killed_min' and 'killed_max' go together")
    if ("latitude" in columns) != ("longitude" in columns):
        problems.append("'latitude' and 'longitude' go together")
    if "geolocation" in columns and "latitude" in columns:
        problems.append("use either 'geolocation' or 'latitude'/'longitude', not both")
    if profile.date_style not in _DATE_STYLES:
        problems.append(f"'date_style' must be one of {', '.join(_DATE_STYLES)}")
    if profile.header_row < 1:
        problems.append("'header_row' must be 1 or more")
    if len(profile.list_separator) != 1:
        problems.append("'list_separator' must be one character")
    if act_type_codes is not None:
        codes = set(act_type_codes)
        produced = set(profile.act_type_values.values())
        if profile.default_act_type:
            produced.add(profile.default_act_type)
        for code in sorted(produced - codes):
            problems.append(f"act type code {code!r} is not in the vocabulary")
    if header is not None:
        available = {column.strip().casefold() for column in header}
        for target, column in sorted(columns.items()):
            for name in column if isinstance(column, tuple) else (column,):
                if isinstance(name, str) and name.strip().casefold() not in available:
                    problems.append(f"column {name!r} (for {target!r}) is not in the file")
    return problems


def save_profile(profile: MappingProfile, path: str | os.PathLike[str]) -> None:
    """Write the profile as pretty JSON (UTF-8)."""
    Path(path).write_text(
        json.dumps(profile.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def load_profile(
    path: str | os.PathLike[str], *, act_type_codes: Iterable[str] | None = None
) -> MappingProfile:
    """Read and validate a saved profile; any problem raises :class:`ProfileError`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProfileError(
            [f"cannot read profile: {error}"], source_name=Path(path).name
        ) from error
    return MappingProfile.from_dict(data, act_type_codes=act_type_codes)
