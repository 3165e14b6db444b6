"""Splink comparisons for incident reports (event coreference).

Date (interval with precision), place (village, commune, distance, cercle), act types
and alleged perpetrators (set overlap) and casualty claims (ranges overlap or within a
factor 3).  Shares the level helpers of :mod:`temoin.core.linkage.comparisons`.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
from splink import SettingsCreator
from splink.internals.comparison_creator import ComparisonCreator

from temoin.core.linkage.comparisons import (
    _custom,
    _date_comparison,
    _lvl,
    _place_comparison,
    blocking_rule_sql,
)
from temoin.core.linkage.settings import LinkageSettings

__all__ = ["incident_splink_settings"]


def incident_splink_settings(
    settings: LinkageSettings, *, present_columns: set[str], prior: float
) -> SettingsCreator:
    """Splink settings for event coreference: date, place, acts, perpetrators, casualty claims."""
    link_only = settings.link_type == "link_only"
    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        _date_comparison("event_date", "event_low", "event_high", settings.death_date_windows_days),
        _place_comparison(settings, with_coordinates="lat" in present_columns),
        {
            "output_column_name": "act_types",
            "comparison_levels": [
                _lvl(
                    _custom("act_types_l IS NULL OR act_types_r IS NULL"), "null", 0, 0, null=True
                ),
                _lvl(
                    cll.ArrayIntersectLevel("act_types", 2), "two or more acts in common", 0.5, 0.05
                ),
                _lvl(cll.ArrayIntersectLevel("act_types", 1), "an act in common", 0.4, 0.3),
                _lvl(cll.ElseLevel(), "no act in common", 0.1, 0.65),
            ],
        },
        {
            "output_column_name": "perpetrators",
            "comparison_levels": [
                _lvl(
                    _custom("perpetrators_l IS NULL OR perpetrators_r IS NULL"),
                    "null",
                    0,
                    0,
                    null=True,
                ),
                _lvl(
                    cll.ArrayIntersectLevel("perpetrators", 1),
                    "an alleged perpetrator in common",
                    0.7,
                    0.3,
                ),
                _lvl(cll.ElseLevel(), "different alleged perpetrators", 0.3, 0.7),
            ],
        },
        {
            "output_column_name": "casualties",
            "comparison_levels": [
                _lvl(
                    _custom("killed_low_l IS NULL OR killed_low_r IS NULL"), "null", 0, 0, null=True
                ),
                _lvl(
                    _custom("killed_low_l <= killed_high_r AND killed_low_r <= killed_high_l"),
                    "claims overlap",
                    0.5,
                    0.2,
                ),
                _lvl(
                    _custom(
                        "greatest(killed_high_l, killed_high_r) <= 3 * greatest(1, least(killed_low_l, killed_low_r))"
                    ),
                    "claims within a factor 3",
                    0.4,
                    0.3,
                ),
                _lvl(cll.ElseLevel(), "claims far apart", 0.1, 0.5),
            ],
        },
    ]
    # Splink accepts SQL strings as blocking rules (its annotation lists only creators/dicts).
    rules: list[Any] = [
        blocking_rule_sql(rule, link_only=link_only)
        for rule in settings.blocking
        if set(rule) <= present_columns
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules or ["1 = 1"],
        probability_two_random_records_match=prior,
        max_iterations=settings.em_max_iterations,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["record_id", "list_id"],
    )
