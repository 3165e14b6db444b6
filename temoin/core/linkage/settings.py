"""Typed, validated linkage settings, stored as JSON with every run.

:class:`LinkageSettings` holds every choice a linkage result depends on; ``validate()``
reports *all* problems at once (:class:`InvalidSettingsError.problems`).  The Splink
settings are derived from it (see :mod:`temoin.core.linkage.comparisons`), and both the
Témoin settings and the trained Splink model are stored in each :class:`LinkageRun`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from temoin.core.linkage.errors import InvalidSettingsError

__all__ = [
    "DEFAULT_INCIDENT_BLOCKING",
    "DEFAULT_PERSON_BLOCKING",
    "INCIDENT_BLOCKING_COLUMNS",
    "PERSON_BLOCKING_COLUMNS",
    "PERSON_BLOCKING_PROFILES",
    "SCALE_PERSON_BLOCKING",
    "LinkageSettings",
]

PERSON_BLOCKING_COLUMNS = frozenset(
    {
        "given_canon",
        "family_canon",
        "given_phon",
        "family_phon",
        "given_first_canon",
        "death_year",
        "birth_year",
        "village_key",
        "commune_key",
        "cercle_key",
        "document_id",
        "document_sorted",
        "birth_text",
        "sex",
        "name_script_key",
        "family_first_letter",
        "given_first_letter",
        "swapped_names",
        "birth_low",
        "death_low",
        "address_key",
        "name_min",
        "name_max",
    }
)
INCIDENT_BLOCKING_COLUMNS = frozenset(
    {"event_year", "event_month", "commune_key", "cercle_key", "region_key", "village_key"}
)
DEFAULT_PERSON_BLOCKING: tuple[tuple[str, ...], ...] = (
    ("family_canon", "given_canon"),
    ("swapped_names",),
    ("given_phon", "family_phon"),
    ("family_canon", "death_year"),
    ("given_canon", "death_year"),
    ("given_canon", "birth_year"),
    ("family_canon", "birth_year"),
    ("given_first_canon", "village_key"),
    ("family_canon", "village_key"),
    ("document_id",),
    ("name_script_key",),
    ("birth_low", "village_key"),
    ("birth_low", "commune_key"),
    ("death_low", "village_key"),
    ("address_key",),
    ("family_canon", "cercle_key"),
    ("given_canon", "cercle_key"),
    ("name_min", "village_key"),
    ("name_max", "village_key"),
    ("name_min", "cercle_key"),
    ("name_max", "cercle_key"),
    ("family_phon", "village_key"),
    ("given_phon", "village_key"),
    ("given_first_letter", "family_first_letter", "village_key"),
    # Typed lists (FEBRL-like): full birth dates, transposed digits, suburb + postcode.
    ("birth_text", "given_first_letter"),
    ("birth_text", "family_first_letter"),
    ("document_sorted",),
    ("village_key", "commune_key"),
)
# Blocking for large inputs (hundreds of thousands of records and more): every rule is
# scoped by a place (village, cercle) or a day, so block sizes stay bounded as lists grow.
# The default rules also block on a name within a whole year, whose pairs grow with the
# square of the input (36.9M pairs at 100k records).  Measured by benchmarks/linkage_scale.py
# on the synthetic Mali lists: blocking recall 0.9963 vs 0.9996 at 100k, same F1, 18x fewer
# pairs; 1M records in under 10 minutes.
SCALE_PERSON_BLOCKING: tuple[tuple[str, ...], ...] = (
    ("family_canon", "given_canon", "cercle_key"),
    ("family_canon", "given_canon", "death_year"),
    ("swapped_names", "cercle_key"),
    ("given_phon", "family_phon", "cercle_key"),
    ("given_first_canon", "village_key"),
    ("family_canon", "village_key"),
    ("document_id",),
    ("name_script_key",),
    ("birth_low", "village_key"),
    ("death_low", "village_key"),
    ("address_key",),
    ("name_min", "village_key"),
    ("name_max", "village_key"),
    ("family_phon", "village_key"),
    ("given_phon", "village_key"),
    ("given_first_letter", "family_first_letter", "village_key"),
    ("family_canon", "death_low", "cercle_key"),
    ("given_canon", "death_low", "cercle_key"),
)
PERSON_BLOCKING_PROFILES: dict[str, tuple[tuple[str, ...], ...]] = {
    "default": DEFAULT_PERSON_BLOCKING,
    "scale": SCALE_PERSON_BLOCKING,
}
DEFAULT_INCIDENT_BLOCKING: tuple[tuple[str, ...], ...] = (
    ("cercle_key", "event_year"),
    ("region_key", "event_month"),
    ("region_key", "event_year"),
    ("village_key",),
)

Backend = Literal["duckdb", "spark"]
Training = Literal["em", "priors"]
LinkType = Literal["link_and_dedupe", "link_only"]
Clustering = Literal["list_aware", "components"]


@dataclass(frozen=True)
class LinkageSettings:
    """Every knob of a linkage run.  Immutable; build a new one to change it."""

    link_type: LinkType = "link_and_dedupe"
    backend: Backend = "duckdb"
    training: Training = "priors"
    # Calibrated on scenario seed 12 (0.5–0.7 equally good there), evaluated on seed 11.
    match_threshold: float = 0.7
    review_low: float = 0.05
    review_high: float = 0.98
    blocking: tuple[tuple[str, ...], ...] = DEFAULT_PERSON_BLOCKING
    em_blocking: tuple[tuple[str, ...], ...] = (
        ("death_low", "village_key"),
        ("village_key",),
        ("birth_low",),
        ("document_id",),
    )
    jaro_winkler_thresholds: tuple[float, ...] = (0.94, 0.88)
    damerau_levenshtein_threshold: int = 2
    death_date_windows_days: tuple[int, ...] = (1, 7, 31)
    birth_gap_years: tuple[int, ...] = (2, 5)
    distance_km_thresholds: tuple[float, ...] = (5.0, 25.0)
    use_term_frequencies: bool = False
    incident_context: bool = True
    clustering: Clustering = "list_aware"
    # List-aware clustering joins two clusters only if the mean probability over all
    # their cross pairs (unscored pairs count 0) reaches this: a chain A–B, B–C does not
    # make A and C one person when A–C was never scored as a likely match.
    cluster_min_average: float = 0.3
    min_evidence_fields: int = 2
    require_name_evidence: bool = True
    probability_two_random_records_match: float | None = None
    # Splink's default; 2e6 cost twice the time for the same F1 (Mali 10k: 0.9437 vs 0.9445).
    u_max_pairs: float = 1e6
    em_max_iterations: int = 25
    seed: int = 20260101
    # Budget for the whole process's resident memory (RSS, MiB) during the run: DuckDB's
    # limit is re-set at each phase to what the rest of the process leaves (see
    # temoin.core.linkage.backends).  0 or None: no budget.
    memory_limit_mb: int | None = None
    threads: int | None = None
    predict_chunks: int = 1
    temp_directory: str | None = None
    alternative_clusterings: int = 0
    large_cluster_size: int = 6
    extra: dict[str, Any] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """Every problem with these settings (empty when valid)."""
        found: list[str] = []
        if self.link_type not in ("link_and_dedupe", "link_only"):
            found.append(f"link_type {self.link_type!r} is not link_and_dedupe or link_only")
        if self.backend not in ("duckdb", "spark"):
            found.append(f"backend {self.backend!r} is not duckdb or spark")
        if self.clustering not in ("list_aware", "components"):
            found.append(f"clustering {self.clustering!r} is not list_aware or components")
        if self.training not in ("em", "priors"):
            found.append(f"training {self.training!r} is not em or priors")
        for name in ("match_threshold", "review_low", "review_high"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                found.append(f"{name} must be strictly between 0 and 1 (got {value})")
        if not self.review_low < self.match_threshold <= self.review_high:
            found.append("need review_low < match_threshold <= review_high")
        if not self.blocking:
            found.append("blocking needs at least one rule")
        for group_name in ("blocking", "em_blocking"):
            for rule in getattr(self, group_name):
                if not rule:
                    found.append(f"{group_name} has an empty rule")
                if len(set(rule)) != len(rule):
                    found.append(f"{group_name} rule {rule} repeats a column")
        if not self.jaro_winkler_thresholds or any(
            not 0.5 <= t < 1.0 for t in self.jaro_winkler_thresholds
        ):
            found.append("jaro_winkler_thresholds must be in [0.5, 1)")
        if list(self.jaro_winkler_thresholds) != sorted(self.jaro_winkler_thresholds, reverse=True):
            found.append("jaro_winkler_thresholds must be decreasing")
        if not 1 <= self.damerau_levenshtein_threshold <= 3:
            found.append("damerau_levenshtein_threshold must be 1, 2 or 3")
        for name in ("death_date_windows_days", "birth_gap_years", "distance_km_thresholds"):
            values = list(getattr(self, name))
            if not values or values != sorted(values) or values[0] <= 0:
                found.append(f"{name} must be positive and increasing")
        if not 0.0 <= self.cluster_min_average < 1.0:
            found.append("cluster_min_average must be in [0, 1)")
        if self.min_evidence_fields < 0:
            found.append("min_evidence_fields must be >= 0")
        prior = self.probability_two_random_records_match
        if prior is not None and not 0.0 < prior < 1.0:
            found.append("probability_two_random_records_match must be in (0, 1)")
        if self.u_max_pairs < 1e3:
            found.append("u_max_pairs must be >= 1000")
        if self.em_max_iterations < 1:
            found.append("em_max_iterations must be >= 1")
        if self.memory_limit_mb and self.memory_limit_mb < 64:
            found.append("memory_limit_mb must be >= 64 (or 0/None: no budget)")
        if self.threads is not None and self.threads < 1:
            found.append("threads must be >= 1")
        if self.predict_chunks < 1:
            found.append("predict_chunks must be >= 1")
        if not 0 <= self.alternative_clusterings <= 10_000:
            found.append("alternative_clusterings must be in 0..10000")
        if self.large_cluster_size < 2:
            found.append("large_cluster_size must be >= 2")
        return found

    def validate(
        self, *, allowed_blocking_columns: frozenset[str] = PERSON_BLOCKING_COLUMNS
    ) -> LinkageSettings:
        """Raise :class:`InvalidSettingsError` listing all problems; return self when valid."""
        found = self.problems()
        for group_name in ("blocking", "em_blocking"):
            for rule in getattr(self, group_name):
                unknown = sorted(set(rule) - allowed_blocking_columns)
                if unknown:
                    found.append(f"{group_name} rule {rule} uses unknown columns {unknown}")
        if found:
            raise InvalidSettingsError(found)
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists)."""
        data: dict[str, Any] = json.loads(json.dumps(asdict(self)))
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageSettings:
        """Rebuild settings saved by :meth:`to_dict`; unknown keys are a settings error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidSettingsError([f"unknown setting {name!r}" for name in unknown])
        values = dict(data)
        for key in ("blocking", "em_blocking"):
            if key in values:
                values[key] = tuple(tuple(rule) for rule in values[key])
        for key in (
            "jaro_winkler_thresholds",
            "death_date_windows_days",
            "birth_gap_years",
            "distance_km_thresholds",
        ):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> LinkageSettings:
        return cls.from_dict(json.loads(text))

    @classmethod
    def for_incidents(cls, **overrides: Any) -> LinkageSettings:
        """Defaults suited to event coreference (few records, expert priors)."""
        base: dict[str, Any] = {
            "training": "priors",
            "match_threshold": 0.8,
            "blocking": DEFAULT_INCIDENT_BLOCKING,
            "em_blocking": (("cercle_key",),),
            "death_date_windows_days": (1, 3, 10),
            "distance_km_thresholds": (10.0, 50.0),
        }
        base.update(overrides)
        return cls(**base)
