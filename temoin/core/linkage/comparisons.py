"""Splink comparisons and blocking rules built from :class:`LinkageSettings`.

Only dialect-neutral SQL is written by hand (``greatest``, ``abs``, ``length``,
``substr``); fuzzy functions come from Splink's level library, so the same settings run
on DuckDB and Spark.  Every level carries a prior (m, u) used when ``training="priors"``
and as the starting point of expectation-maximisation.

Name levels never treat two different untransliterable names as equal: their Latin
columns are null, and only an identical ``name_script_key`` reaches the exact level.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import splink.comparison_level_library as cll
from splink import SettingsCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from temoin.core.linkage.settings import LinkageSettings

SWAPPED_NAMES = "swapped_names"

__all__ = ["SWAPPED_NAMES", "blocking_rule_sql", "incident_splink_settings", "person_splink_settings"]


def _lvl(creator: ComparisonLevelCreator, label: str, m: float, u: float, *, null: bool = False, tf: str | None = None) -> ComparisonLevelCreator:
    options: dict[str, Any] = {"label_for_charts": label}
    if null:
        options["is_null_level"] = True
    else:
        options["m_probability"] = m
        options["u_probability"] = u
    if tf is not None:
        options["tf_adjustment_column"] = tf
        options["tf_adjustment_weight"] = 1.0
    return creator.configure(**options)


def _custom(sql: str) -> ComparisonLevelCreator:
    return cll.CustomLevel(sql)


def _gap(low: str, high: str) -> str:
    """SQL for the gap in days between two inclusive intervals (0 when they overlap)."""
    return f"greatest(0, {low}_l - {high}_r, {low}_r - {high}_l)"


def _name_comparison(part: str, other: str, settings: LinkageSettings, *, with_related: bool) -> dict[str, Any]:
    norm, canon = f"{part}_norm", f"{part}_canon"
    both_scripts = "(name_script_key_l IS NOT NULL AND name_script_key_r IS NOT NULL)"
    tf = canon if settings.use_term_frequencies else None
    levels = [
        _lvl(_custom(f"({norm}_l IS NULL OR {norm}_r IS NULL) AND NOT {both_scripts}"), "null", 0, 0, null=True),
        _lvl(_custom(f"{norm}_l = {norm}_r OR name_script_key_l = name_script_key_r"), "exact", 0.7, 0.01),
        _lvl(cll.ExactMatchLevel(canon), "same variant family", 0.15, 0.005, tf=tf),
        _lvl(cll.ColumnsReversedLevel(canon, f"{other}_canon"), "given/family swapped", 0.03, 0.0005),
    ]
    if part == "given":
        levels.append(_lvl(cll.ExactMatchLevel("given_first_canon"), "same first given name", 0.03, 0.005))
    for threshold in settings.jaro_winkler_thresholds:
        levels.append(_lvl(cll.JaroWinklerLevel(norm, threshold), f"Jaro-Winkler >= {threshold}", 0.03, 0.01))
    levels.append(_lvl(cll.DamerauLevenshteinLevel(norm, settings.damerau_levenshtein_threshold), f"Damerau-Levenshtein <= {settings.damerau_levenshtein_threshold}", 0.02, 0.01))
    if with_related:
        levels.append(_lvl(cll.ExactMatchLevel("given_related"), "related name (weak)", 0.01, 0.01))
    levels.append(_lvl(_custom(f"(length({norm}_l) = 1 OR length({norm}_r) = 1) AND substr({norm}_l, 1, 1) = substr({norm}_r, 1, 1)"), "initial agrees", 0.01, 0.02))
    levels.append(_lvl(cll.ElseLevel(), "different", 0.02, 0.94))
    return {"output_column_name": f"{part}_name", "comparison_levels": levels}


def _date_comparison(name: str, low: str, high: str, windows: Iterable[int], *, text: str | None = None) -> dict[str, Any]:
    gap = _gap(low, high)
    levels = [
        _lvl(_custom(f"{low}_l IS NULL OR {low}_r IS NULL"), "null", 0, 0, null=True),
        _lvl(_custom(f"{low}_l = {low}_r AND {high}_l = {high}_r AND {low}_l = {high}_l"), "same day", 0.7, 0.001),
    ]
    if text is not None:
        levels.append(_lvl(cll.DamerauLevenshteinLevel(text, 1), "one typo in the date", 0.1, 0.002))
    levels.append(_lvl(_custom(f"{gap} = 0"), "intervals overlap (imprecise date)", 0.1, 0.01))
    for days in windows:
        levels.append(_lvl(_custom(f"{gap} <= {days}"), f"within {days} days", 0.04, 0.02))
    levels.append(_lvl(cll.ElseLevel(), "different", 0.01, 0.95))
    return {"output_column_name": name, "comparison_levels": levels}


def _place_comparison(settings: LinkageSettings, *, with_coordinates: bool) -> dict[str, Any]:
    def side(s: str) -> str:
        return f"(village_key_{s} IS NULL AND commune_key_{s} IS NULL AND cercle_key_{s} IS NULL AND lat_{s} IS NULL)"

    levels = [
        _lvl(_custom(f"{side('l')} OR {side('r')}"), "null", 0, 0, null=True),
        _lvl(_custom("village_key_l = village_key_r AND (commune_key_l = commune_key_r OR commune_key_l IS NULL OR commune_key_r IS NULL)"), "same village", 0.7, 0.01),
        _lvl(cll.ExactMatchLevel("commune_key"), "same commune", 0.15, 0.03),
    ]
    if with_coordinates:
        for km in settings.distance_km_thresholds:
            levels.append(_lvl(cll.DistanceInKMLevel("lat", "lon", km), f"within {km} km", 0.05, 0.05))
    levels.append(_lvl(cll.ExactMatchLevel("cercle_key"), "same cercle", 0.05, 0.1))
    levels.append(_lvl(cll.ElseLevel(), "different", 0.05, 0.8))
    return {"output_column_name": "place", "comparison_levels": levels}


def _address_comparison(settings: LinkageSettings) -> dict[str, Any]:
    levels = [
        _lvl(cll.NullLevel("address_key"), "null", 0, 0, null=True),
        _lvl(cll.ExactMatchLevel("address_key"), "exact", 0.6, 0.001),
    ]
    for threshold in settings.jaro_winkler_thresholds:
        levels.append(_lvl(cll.JaroWinklerLevel("address_key", threshold), f"Jaro-Winkler >= {threshold}", 0.15, 0.005))
    levels.append(_lvl(cll.ElseLevel(), "different", 0.1, 0.99))
    return {"output_column_name": "address", "comparison_levels": levels}


def _exact_comparison(column: str, m: float, u: float, *, tf: bool = False) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_levels": [
            _lvl(cll.NullLevel(column), "null", 0, 0, null=True),
            _lvl(cll.ExactMatchLevel(column), "exact", m, u, tf=column if tf else None),
            _lvl(cll.ElseLevel(), "different", 1 - m, 1 - u),
        ],
    }


def blocking_rule_sql(columns: Iterable[str], *, link_only: bool, list_column: str = "list_id") -> str:
    """``l.a = r.a AND l.b = r.b`` (+ different lists for link-only runs).

    The pseudo-column ``swapped_names`` blocks given/family names written the other way round.
    """
    parts = []
    for column in columns:
        if column == SWAPPED_NAMES:
            parts.append("l.given_canon = r.family_canon AND l.family_canon = r.given_canon")
        else:
            parts.append(f"l.{column} = r.{column}")
    if link_only:
        parts.append(f"l.{list_column} <> r.{list_column}")
    return " AND ".join(parts)


def usable_rules(rules: Iterable[tuple[str, ...]], present_columns: set[str]) -> list[tuple[str, ...]]:
    """Rules whose columns all hold data in this input (others would block nothing)."""
    present = set(present_columns)
    if {"given_canon", "family_canon"} <= present:
        present.add(SWAPPED_NAMES)
    return [rule for rule in rules if set(rule) <= present]


def person_splink_settings(settings: LinkageSettings, *, present_columns: set[str], prior: float) -> SettingsCreator:
    """Splink settings for person linkage; comparisons on absent fields are left out."""
    link_only = settings.link_type == "link_only"
    comparisons: list[dict[str, Any]] = [
        _name_comparison("given", "family", settings, with_related="given_related" in present_columns),
        _name_comparison("family", "given", settings, with_related=False),
    ]
    if "death_low" in present_columns:
        comparisons.append(_date_comparison("death_date", "death_low", "death_high", settings.death_date_windows_days))
    if "birth_low" in present_columns:
        windows = [years * 365 for years in settings.birth_gap_years]
        comparisons.append(_date_comparison("birth", "birth_low", "birth_high", windows, text="birth_text" if "birth_text" in present_columns else None))
    if present_columns & {"village_key", "commune_key", "cercle_key", "lat"}:
        comparisons.append(_place_comparison(settings, with_coordinates="lat" in present_columns))
    if "address_key" in present_columns:
        comparisons.append(_address_comparison(settings))
    if "sex" in present_columns:
        comparisons.append(_exact_comparison("sex", 0.97, 0.5))
    if "document_id" in present_columns:
        comparisons.append(_exact_comparison("document_id", 0.8, 0.0001))
    rules = [blocking_rule_sql(rule, link_only=link_only) for rule in usable_rules(settings.blocking, present_columns)]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules or [blocking_rule_sql(settings.blocking[0], link_only=link_only)],
        probability_two_random_records_match=prior,
        max_iterations=settings.em_max_iterations,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["record_id", "list_id"],
    )


def incident_splink_settings(settings: LinkageSettings, *, present_columns: set[str], prior: float) -> SettingsCreator:
    """Splink settings for event coreference: date, place, acts, perpetrators, casualty claims."""
    link_only = settings.link_type == "link_only"
    comparisons: list[dict[str, Any]] = [
        _date_comparison("event_date", "event_low", "event_high", settings.death_date_windows_days),
        _place_comparison(settings, with_coordinates="lat" in present_columns),
        {
            "output_column_name": "act_types",
            "comparison_levels": [
                _lvl(_custom("act_types_l IS NULL OR act_types_r IS NULL"), "null", 0, 0, null=True),
                _lvl(cll.ArrayIntersectLevel("act_types", 2), "two or more acts in common", 0.5, 0.05),
                _lvl(cll.ArrayIntersectLevel("act_types", 1), "an act in common", 0.4, 0.3),
                _lvl(cll.ElseLevel(), "no act in common", 0.1, 0.65),
            ],
        },
        {
            "output_column_name": "perpetrators",
            "comparison_levels": [
                _lvl(_custom("perpetrators_l IS NULL OR perpetrators_r IS NULL"), "null", 0, 0, null=True),
                _lvl(cll.ArrayIntersectLevel("perpetrators", 1), "an alleged perpetrator in common", 0.7, 0.3),
                _lvl(cll.ElseLevel(), "different alleged perpetrators", 0.3, 0.7),
            ],
        },
        {
            "output_column_name": "casualties",
            "comparison_levels": [
                _lvl(_custom("killed_low_l IS NULL OR killed_low_r IS NULL"), "null", 0, 0, null=True),
                _lvl(_custom("killed_low_l <= killed_high_r AND killed_low_r <= killed_high_l"), "claims overlap", 0.5, 0.2),
                _lvl(_custom("greatest(killed_high_l, killed_high_r) <= 3 * greatest(1, least(killed_low_l, killed_low_r))"), "claims within a factor 3", 0.4, 0.3),
                _lvl(cll.ElseLevel(), "claims far apart", 0.1, 0.5),
            ],
        },
    ]
    rules = [blocking_rule_sql(rule, link_only=link_only) for rule in settings.blocking if set(rule) <= present_columns]
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
