"""Typed, validated settings of a synthetic scenario (validated all at once, serialisable)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temoin.core.scenario.errors import SettingsError

__all__ = ["DEFAULT_ORGANISATIONS", "PERIODS", "ScenarioSettings"]

#: Slugs of the built-in documenting organisations (see :mod:`.organisations`).
DEFAULT_ORGANISATIONS: tuple[str, ...] = (
    "osdh",
    "cndh",
    "radio",
    "sahelwatch",
    "digest",
    "unhrd",
    "army",
)
#: Stratum period granularities.
PERIODS: tuple[str, ...] = ("year", "half", "quarter")

FIRST_YEAR, LAST_YEAR = 2012, 2025


@dataclass(frozen=True, slots=True)
class ScenarioSettings:
    """Settings of :func:`temoin.core.scenario.generate`.

    Attributes:
        n_incidents: number of true incidents (≥ 0).
        start_year / end_year: incident years, inclusive, within 2012–2025.
        period: stratum granularity for ground-truth totals: ``year``, ``half`` (``2019-H1``)
            or ``quarter`` (``2019-Q2``).
        organisations: slugs of the documenting organisations to simulate (subset of
            :data:`DEFAULT_ORGANISATIONS`, at least one).
        victim_scale: multiplier on victim counts per incident (> 0; 1.0 = calibrated default).
        capture_scale: multiplier on the odds that an organisation documents an incident
            (> 0; 1.0 = default; larger → more overlap between lists).
        name_variation: multiplier on every spelling-variation probability (0 = organisations
            copy names perfectly; 1.0 = default rates).
        within_list_duplicate_rate: probability that a named victim is listed twice in the same
            report (different spellings), in [0, 0.5].
        use_gazetteer: read the GeoNames dump (True) or use the built-in fallback towns.
        gazetteer_path: explicit path of ``geonames_ML.txt`` (None = shared data folder).
    """

    n_incidents: int = 1000
    start_year: int = 2012
    end_year: int = 2024
    period: str = "year"
    organisations: tuple[str, ...] = DEFAULT_ORGANISATIONS
    victim_scale: float = 1.0
    capture_scale: float = 1.0
    name_variation: float = 1.0
    within_list_duplicate_rate: float = 0.01
    use_gazetteer: bool = True
    gazetteer_path: Path | None = field(default=None)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise SettingsError(problems)

    def problems(self) -> dict[str, str]:
        """Every invalid field with the reason (empty when valid)."""
        problems: dict[str, str] = {}
        if (
            not isinstance(self.n_incidents, int)
            or isinstance(self.n_incidents, bool)
            or self.n_incidents < 0
        ):
            problems["n_incidents"] = f"must be an integer ≥ 0, got {self.n_incidents!r}"
        for name in ("start_year", "end_year"):
            value = getattr(self, name)
            if not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
                problems[name] = f"must be a year in {FIRST_YEAR}–{LAST_YEAR}, got {value!r}"
        if (
            "start_year" not in problems
            and "end_year" not in problems
            and self.start_year > self.end_year
        ):
            problems["end_year"] = f"must be ≥ start_year ({self.start_year}), got {self.end_year}"
        if self.period not in PERIODS:
            problems["period"] = f"must be one of {', '.join(PERIODS)}, got {self.period!r}"
        unknown = [o for o in self.organisations if o not in DEFAULT_ORGANISATIONS]
        if (
            not self.organisations
            or unknown
            or len(set(self.organisations)) != len(self.organisations)
        ):
            problems["organisations"] = (
                f"must be distinct slugs among {', '.join(DEFAULT_ORGANISATIONS)}, got {self.organisations!r}"
            )
        for name in ("victim_scale", "capture_scale"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                problems[name] = f"must be a finite number > 0, got {value!r}"
        if not isinstance(self.name_variation, (int, float)) or not 0 <= self.name_variation <= 5:
            problems["name_variation"] = f"must be in [0, 5], got {self.name_variation!r}"
        rate = self.within_list_duplicate_rate
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 0.5:
            problems["within_list_duplicate_rate"] = f"must be in [0, 0.5], got {rate!r}"
        return problems

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict of the settings (store it with every generated data set)."""
        data = dataclasses.asdict(self)
        data["organisations"] = list(self.organisations)
        data["gazetteer_path"] = str(self.gazetteer_path) if self.gazetteer_path else None
        return data
