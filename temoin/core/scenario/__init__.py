"""Synthetic Mali scenario generator (deterministic by seed, streaming, ground truth beside it).

    >>> from temoin.core.scenario import generate
    >>> scenario = generate(7, n_incidents=10)
    >>> bundle = next(scenario.bundles())
    >>> bundle.incident.synthetic, all(r.title.startswith("[SYNTH") for r in bundle.reports)
    (True, True)

See :mod:`temoin.core.scenario.records` for every field, :class:`ScenarioSettings` for the
knobs and :mod:`temoin.core.scenario.writer` for CSV/JSONL output.
"""

from temoin.core.scenario.errors import (
    GazetteerError,
    ScenarioError,
    ScenarioWriterError,
    SettingsError,
)
from temoin.core.scenario.generator import Scenario, TotalsAccumulator, generate
from temoin.core.scenario.places import MALI_BBOX, Gazetteer, GazetteerPlace, load_gazetteer
from temoin.core.scenario.records import (
    FATES,
    ActRecord,
    Attribution,
    CaptureCount,
    Claim,
    GroundTruth,
    IncidentBundle,
    Organisation,
    PartialDate,
    PersonLink,
    PersonRecord,
    Place,
    Report,
    ReportLink,
    SourceInfo,
    StratumTotal,
    TrueIncident,
    TruePerson,
)
from temoin.core.scenario.settings import DEFAULT_ORGANISATIONS, PERIODS, ScenarioSettings
from temoin.core.scenario.writer import WriteSummary, write_scenario

__all__ = [
    "DEFAULT_ORGANISATIONS",
    "FATES",
    "MALI_BBOX",
    "PERIODS",
    "ActRecord",
    "Attribution",
    "CaptureCount",
    "Claim",
    "Gazetteer",
    "GazetteerError",
    "GazetteerPlace",
    "GroundTruth",
    "IncidentBundle",
    "Organisation",
    "PartialDate",
    "PersonLink",
    "PersonRecord",
    "Place",
    "Report",
    "ReportLink",
    "Scenario",
    "ScenarioError",
    "ScenarioSettings",
    "ScenarioWriterError",
    "SettingsError",
    "SourceInfo",
    "StratumTotal",
    "TotalsAccumulator",
    "TrueIncident",
    "TruePerson",
    "WriteSummary",
    "generate",
    "load_gazetteer",
    "write_scenario",
]
