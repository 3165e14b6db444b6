"""Results as data: estimate, interval, settings, versions, diagnostics and warnings.

Every estimator returns an :class:`EstimationResult`; ``to_dict()`` gives a JSON-ready form
(with the frozen input table) so that an estimation run can be stored and defended later.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from temoin.core.estimation.data import ListOverlapTable

__all__ = [
    "EstimationResult",
    "EstimationWarning",
    "Interval",
    "empty_list_warnings",
    "software_versions",
    "summarise_draws",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    """An interval for the total population size ``N`` (documented + undocumented)."""

    low: float
    high: float
    level: float = 0.95
    kind: str = "credible"  # credible | profile | bca | percentile | wald-log

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": _num(self.low),
            "high": _num(self.high),
            "level": self.level,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class EstimationWarning:
    """Something a reader of the number must know (stable ``code``, human ``message``)."""

    code: str  # two_lists | sparse_cells | not_estimable | not_converged | grid_edge | ...
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class EstimationResult:
    """One method's answer for one table (stratum) or for a stratified total."""

    method: str
    n_observed: int
    estimate: float
    interval: Interval | None
    settings: Mapping[str, Any]
    diagnostics: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[EstimationWarning, ...] = ()
    draws: FloatArray | None = field(default=None, repr=False)
    table: ListOverlapTable | None = field(default=None, repr=False)
    stratum: str | None = None
    estimate_kind: str = "median"  # median | mle | mean
    versions: Mapping[str, str] = field(default_factory=lambda: software_versions())

    @property
    def estimated_missing(self) -> float:
        return self.estimate - self.n_observed

    def quantile(self, q: float) -> float:
        if self.draws is None or len(self.draws) == 0:
            raise ValueError(f"{self.method} result has no draws")
        return float(np.quantile(self.draws, q))

    def has_warning(self, code: str) -> bool:
        return any(warning.code == code for warning in self.warnings)

    def to_dict(self, *, include_draws: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "stratum": self.stratum,
            "n_observed": self.n_observed,
            "estimate": _num(self.estimate),
            "estimate_kind": self.estimate_kind,
            "interval": self.interval.to_dict() if self.interval is not None else None,
            "settings": _jsonable(self.settings),
            "diagnostics": _jsonable(self.diagnostics),
            "warnings": [warning.to_dict() for warning in self.warnings],
            "versions": dict(self.versions),
            "input": self.table.to_dict() if self.table is not None else None,
        }
        if include_draws and self.draws is not None:
            out["draws"] = [float(x) for x in self.draws]
        return out


def summarise_draws(draws: npt.ArrayLike, *, level: float = 0.95) -> tuple[float, Interval]:
    """Median and equal-tailed interval of posterior draws of ``N``."""
    values = np.asarray(draws, dtype=np.float64)
    tail = (1.0 - level) / 2
    low, median, high = np.quantile(values, [tail, 0.5, 1.0 - tail])
    return float(median), Interval(float(low), float(high), level, "credible")


def software_versions() -> dict[str, str]:
    """Versions that produced a result (numba only when installed)."""
    import importlib.metadata

    import scipy

    from temoin import __version__

    versions = {
        "temoin": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }
    try:
        versions["numba"] = importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:
        pass
    return versions


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(item) for item in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(float(value))
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


def empty_list_warnings(table: ListOverlapTable) -> list[EstimationWarning]:
    """One ``empty_list`` warning per list on which nobody appears."""
    return [
        EstimationWarning(
            "empty_list",
            f"list {name} has nobody in this table; it carries no information "
            "(leave it out, as `estimate_all` does)",
        )
        for name, size in table.list_sizes().items()
        if size == 0
    ]
