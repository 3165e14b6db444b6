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
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from temoin.core.linkage.settings import LinkageSettings

SWAPPED_NAMES = "swapped_names"
# Two imprecise ages whose intervals overlap and whose centres are this close agree.
CLOSE_CENTRES_DAYS = 3 * 365
# Pseudo-column in ``present_columns``: the input holds more than one list.
SEVERAL_LISTS = "__several_lists"

__all__ = [
    "SEVERAL_LISTS",
    "SWAPPED_NAMES",
    "blocking_rule_sql",
    "person_splink_settings",
]


def _lvl(
    creator: ComparisonLevelCreator,
    label: str,
    m: float,
    u: float,
    *,
    null: bool = False,
    tf: str | None = None,
) -> ComparisonLevelCreator:
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
    """SQL for the gap in days between two inclusive intervals (0 when they overlap).

    NULL when either side is missing: ``greatest`` skips NULLs in DuckDB and Spark, so
    the check is explicit (otherwise a missing date would look like the same day).
    """
    return (
        f"(CASE WHEN {low}_l IS NULL OR {low}_r IS NULL THEN NULL "
        f"ELSE greatest(0, {low}_l - {high}_r, {low}_r - {high}_l) END)"
    )


def _joint_name_comparison(
    settings: LinkageSettings, *, known_spellings: bool = False, initials: bool = False
) -> dict[str, Any]:
    """Given and family name scored *together* (order swaps and shared family names).

    Within one village many victims share a family name; only the pair (given, family)
    identifies.  A joint comparison also lets EM train names in sessions blocked on
    date and place.  Untransliterable names only reach the exact level when identical.
    """
    jw_high, jw_low = settings.jaro_winkler_thresholds[0], settings.jaro_winkler_thresholds[-1]
    both_scripts = "(name_script_key_l IS NOT NULL AND name_script_key_r IS NOT NULL)"
    no_name = "((given_norm_{s} IS NULL AND family_norm_{s} IS NULL))"
    family_same = cll.ExactMatchLevel("family_canon")
    given_same = cll.ExactMatchLevel("given_canon")
    one_missing = "(given_norm_l IS NULL OR given_norm_r IS NULL)"
    # Two different spellings the variant file knows are two names, not a typo: the
    # loose fuzzy levels need an unknown spelling on one side (see prepare._known_spellings).
    given_typo: list[ComparisonLevelCreator] = []
    family_typo: list[ComparisonLevelCreator] = []
    if known_spellings:
        given_typo = [_custom("NOT (given_known_l = 'y' AND given_known_r = 'y')")]
        family_typo = [_custom("NOT (family_known_l = 'y' AND family_known_r = 'y')")]
    # An initial agrees with a given name when it is the first letter of the name or of
    # a known variant of it ("U." for Oumar, written Umar on another list).
    initial_agrees = "(length(given_norm_l) = 1 OR length(given_norm_r) = 1) AND substr(given_norm_l, 1, 1) = substr(given_norm_r, 1, 1)"
    if initials:
        initial_agrees = (
            "(length(given_norm_l) = 1 AND instr(given_initials_r, given_norm_l) > 0)"
            " OR (length(given_norm_r) = 1 AND instr(given_initials_l, given_norm_r) > 0)"
        )
    tf = "family_canon" if settings.use_term_frequencies else None
    levels = [
        _lvl(
            _custom(f"({no_name.format(s='l')} OR {no_name.format(s='r')}) AND NOT {both_scripts}"),
            "null",
            0,
            0,
            null=True,
        ),
        _lvl(
            cll.Or(
                cll.And(cll.ExactMatchLevel("given_norm"), cll.ExactMatchLevel("family_norm")),
                cll.ExactMatchLevel("name_script_key"),
            ),
            "exact",
            0.5,
            0.0005,
        ),
        _lvl(cll.And(given_same, family_same), "same variant families", 0.15, 0.0003),
        _lvl(
            cll.And(
                _custom(
                    "given_norm_l IS NOT NULL AND family_norm_l IS NOT NULL AND given_norm_r IS NOT NULL AND family_norm_r IS NOT NULL AND name_min_l <> name_max_l"
                ),
                cll.Or(
                    cll.ColumnsReversedLevel("given_canon", "family_canon"),
                    cll.And(cll.ExactMatchLevel("name_min"), cll.ExactMatchLevel("name_max")),
                ),
            ),
            "same names, other order",
            0.08,
            0.0002,
        ),
        _lvl(
            cll.And(family_same, cll.ExactMatchLevel("given_first_canon")),
            "family agrees, first given name agrees",
            0.04,
            0.0005,
        ),
        _lvl(
            cll.And(family_same, cll.JaroWinklerLevel("given_norm", jw_high)),
            f"family agrees, given JW >= {jw_high}",
            0.05,
            0.0003,
        ),
        _lvl(
            cll.And(given_same, cll.JaroWinklerLevel("family_norm", jw_high)),
            f"given agrees, family JW >= {jw_high}",
            0.05,
            0.0003,
        ),
        _lvl(
            cll.And(
                family_same,
                cll.Or(
                    cll.JaroWinklerLevel("given_norm", jw_low),
                    cll.DamerauLevenshteinLevel(
                        "given_norm", settings.damerau_levenshtein_threshold
                    ),
                ),
                *given_typo,
            ),
            "family agrees, given similar",
            0.03,
            0.001,
        ),
        _lvl(
            cll.And(
                given_same,
                cll.Or(
                    cll.JaroWinklerLevel("family_norm", jw_low),
                    cll.DamerauLevenshteinLevel(
                        "family_norm", settings.damerau_levenshtein_threshold
                    ),
                ),
                *family_typo,
            ),
            "given agrees, family similar",
            0.03,
            0.001,
        ),
        _lvl(
            cll.And(
                cll.JaroWinklerLevel("given_norm", jw_low),
                cll.JaroWinklerLevel("family_norm", jw_low),
                *given_typo,
                *family_typo,
            ),
            "both similar",
            0.02,
            0.0005,
        ),
        _lvl(
            cll.And(
                family_same,
                _custom(initial_agrees),
            ),
            "family agrees, given initial agrees",
            0.04,
            0.001,
        ),
        _lvl(
            cll.And(family_same, _custom(one_missing)),
            "family agrees, a given name missing",
            0.02,
            0.003,
        ),
        _lvl(
            cll.And(family_same, cll.ExactMatchLevel("given_related")),
            "family agrees, related given name (weak)",
            0.01,
            0.001,
        ),
        _lvl(
            cll.And(given_same, _custom("(family_norm_l IS NULL OR family_norm_r IS NULL)")),
            "given agrees, a family name missing",
            0.02,
            0.003,
        ),
        _lvl(
            cll.And(
                cll.Or(
                    cll.JaroWinklerLevel("family_norm", jw_low),
                    cll.DamerauLevenshteinLevel(
                        "family_norm", settings.damerau_levenshtein_threshold
                    ),
                ),
                *family_typo,
                _custom(f"({initial_agrees}) OR {one_missing}"),
            ),
            "family similar, given initial or missing",
            0.005,
            0.0005,
        ),
        _lvl(family_same.configure(), "family name only agrees", 0.01, 0.02, tf=tf),
        _lvl(given_same, "given name only agrees", 0.01, 0.02),
        _lvl(cll.ElseLevel(), "different", 0.01, 0.97),
    ]
    return {"output_column_name": "name", "comparison_levels": levels}


def _date_comparison(
    name: str,
    low: str,
    high: str,
    windows: Iterable[int],
    *,
    text: str | None = None,
    same_day_m: float = 0.7,
    overlap_m: float = 0.1,
    precise_overlap_m: float | None = None,
) -> dict[str, Any]:
    """Interval dates: same day, a typo, overlapping intervals, within windows, else."""
    gap = _gap(low, high)
    levels = [
        _lvl(_custom(f"{low}_l IS NULL OR {low}_r IS NULL"), "null", 0, 0, null=True),
        _lvl(
            _custom(f"{low}_l = {low}_r AND {high}_l = {high}_r AND {low}_l = {high}_l"),
            "same day",
            same_day_m,
            0.001,
        ),
    ]
    if text is not None:
        levels.append(
            _lvl(cll.DamerauLevenshteinLevel(text, 1), "one typo in the date", 0.1, 0.002)
        )
    if precise_overlap_m is not None:
        # Two exact ages (birth intervals about two years wide) that overlap say much more
        # than two rounded or approximate ages (intervals of ten years) that do.
        narrow = f"{high}_l - {low}_l <= 800 AND {high}_r - {low}_r <= 800"
        levels.append(
            _lvl(
                _custom(f"{gap} = 0 AND {narrow}"),
                "precise intervals overlap (exact ages)",
                precise_overlap_m,
                0.01,
            )
        )
        # "About 40" and "about 45" overlap (± 5 years each) but say less than "about 40"
        # and "41": the centres of the intervals are compared too.
        centres = f"abs(({low}_l + {high}_l) - ({low}_r + {high}_r)) <= {2 * CLOSE_CENTRES_DAYS}"
        levels.append(
            _lvl(
                _custom(f"{gap} = 0 AND {centres}"),
                f"intervals overlap, centres within {CLOSE_CENTRES_DAYS // 365} years",
                overlap_m * 0.7,
                0.01,
            )
        )
        overlap_m *= 0.3
    levels.append(
        _lvl(_custom(f"{gap} = 0"), "intervals overlap (imprecise date)", overlap_m, 0.01)
    )
    for position, days in enumerate(windows):
        m, u = (0.1, 0.005) if position == 0 else (0.04, 0.02)
        levels.append(_lvl(_custom(f"{gap} <= {days}"), f"within {days} days", m, u))
    levels.append(_lvl(cll.ElseLevel(), "different", 0.01, 0.95))
    return {"output_column_name": name, "comparison_levels": levels}


def _place_comparison(settings: LinkageSettings, *, with_coordinates: bool) -> dict[str, Any]:
    def side(s: str) -> str:
        return f"(village_key_{s} IS NULL AND commune_key_{s} IS NULL AND cercle_key_{s} IS NULL AND lat_{s} IS NULL)"

    levels = [
        _lvl(_custom(f"{side('l')} OR {side('r')}"), "null", 0, 0, null=True),
        _lvl(
            _custom(
                "village_key_l = village_key_r AND (commune_key_l = commune_key_r OR commune_key_l IS NULL OR commune_key_r IS NULL)"
            ),
            "same village",
            0.7,
            0.01,
        ),
        _lvl(cll.JaroWinklerLevel("village_key", 0.88), "village spelt alike", 0.1, 0.002),
        _lvl(cll.ExactMatchLevel("commune_key"), "same commune", 0.15, 0.03),
    ]
    if with_coordinates:
        for position, km in enumerate(settings.distance_km_thresholds):
            m, u = (0.2, 0.005) if position == 0 else (0.1, 0.03)
            levels.append(_lvl(cll.DistanceInKMLevel("lat", "lon", km), f"within {km} km", m, u))
    levels.append(_lvl(cll.ExactMatchLevel("cercle_key"), "same cercle", 0.05, 0.1))
    levels.append(_lvl(cll.ElseLevel(), "different", 0.05, 0.8))
    return {"output_column_name": "place", "comparison_levels": levels}


def _address_comparison(settings: LinkageSettings) -> dict[str, Any]:
    levels = [
        _lvl(cll.NullLevel("address_key"), "null", 0, 0, null=True),
        _lvl(cll.ExactMatchLevel("address_key"), "exact", 0.6, 0.001),
    ]
    for threshold in settings.jaro_winkler_thresholds:
        levels.append(
            _lvl(
                cll.JaroWinklerLevel("address_key", threshold),
                f"Jaro-Winkler >= {threshold}",
                0.15,
                0.005,
            )
        )
    levels.append(_lvl(cll.ElseLevel(), "different", 0.1, 0.99))
    return {"output_column_name": "address", "comparison_levels": levels}


def _death_place_comparison(settings: LinkageSettings, *, with_coordinates: bool) -> dict[str, Any]:
    """Date of death and place *together*.

    Victims of one massacre share the day and the village, so the two fields are not
    independent given non-match: scoring them separately would count the same evidence
    ("same incident") twice.  One comparison on the pair of fields keeps Fellegi–Sunter
    honest: "same village, same day" gets the u it really has among non-matches.
    """
    gap = _gap("death_low", "death_high")
    close, far = settings.death_date_windows_days[0], settings.death_date_windows_days[-1]
    date_missing = "(death_low_l IS NULL OR death_low_r IS NULL)"

    def side(s: str) -> str:
        return f"(village_key_{s} IS NULL AND commune_key_{s} IS NULL AND cercle_key_{s} IS NULL AND lat_{s} IS NULL)"

    place_missing = f"({side('l')} OR {side('r')})"
    village = cll.Or(cll.ExactMatchLevel("village_key"), cll.JaroWinklerLevel("village_key", 0.88))
    near_parts: list[ComparisonLevelCreator] = [cll.ExactMatchLevel("commune_key")]
    if with_coordinates:
        near_parts.append(cll.DistanceInKMLevel("lat", "lon", settings.distance_km_thresholds[0]))
    near = cll.Or(*near_parts) if len(near_parts) > 1 else near_parts[0]
    levels = [
        _lvl(_custom(f"{date_missing} AND {place_missing}"), "null", 0, 0, null=True),
        _lvl(
            cll.And(village, _custom(f"{gap} <= {close}")),
            f"same village, within {close} day(s)",
            0.5,
            0.002,
        ),
        _lvl(cll.And(village, _custom(date_missing)), "same village, a date missing", 0.3, 0.002),
        _lvl(
            cll.And(village, _custom(f"{gap} <= {far}")),
            f"same village, within {far} days",
            0.05,
            0.001,
        ),
        _lvl(
            cll.And(near, _custom(f"{gap} <= {close} OR {date_missing}")),
            "nearby place, same day or a date missing",
            0.03,
            0.005,
        ),
        _lvl(
            cll.And(_custom(place_missing), _custom(f"{gap} <= {close}")),
            f"place missing, within {close} day(s)",
            0.03,
            0.003,
        ),
        _lvl(
            cll.And(
                cll.ExactMatchLevel("cercle_key"), _custom(f"{gap} <= {far} OR {date_missing}")
            ),
            "same cercle, close dates",
            0.04,
            0.01,
        ),
        _lvl(_custom(f"{gap} <= {far}"), f"within {far} days", 0.02, 0.02),
        _lvl(cll.ElseLevel(), "different incident", 0.03, 0.96),
    ]
    return {"output_column_name": "death_date_place", "comparison_levels": levels}


def _exact_comparison(column: str, m: float, u: float, *, tf: bool = False) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_levels": [
            _lvl(cll.NullLevel(column), "null", 0, 0, null=True),
            _lvl(cll.ExactMatchLevel(column), "exact", m, u, tf=column if tf else None),
            _lvl(cll.ElseLevel(), "different", 1 - m, 1 - u),
        ],
    }


def _same_list_comparison() -> dict[str, Any]:
    """Whether both records come from one list: lists rarely name a victim twice.

    Among matching pairs few are two entries of one list (m ≈ 0.05); among random pairs
    the share is the sum of squared list shares (u, estimated by random sampling).
    """
    return {
        "output_column_name": "same_list",
        "comparison_levels": [
            _lvl(cll.NullLevel("list_id"), "null", 0, 0, null=True),
            _lvl(cll.ExactMatchLevel("list_id"), "same list", 0.05, 0.25),
            _lvl(cll.ElseLevel(), "different lists", 0.95, 0.75),
        ],
    }


def blocking_rule_sql(
    columns: Iterable[str], *, link_only: bool, list_column: str = "list_id"
) -> str:
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


def usable_rules(
    rules: Iterable[tuple[str, ...]], present_columns: set[str]
) -> list[tuple[str, ...]]:
    """Rules whose columns all hold data in this input (others would block nothing)."""
    present = set(present_columns)
    if {"given_canon", "family_canon"} <= present:
        present.add(SWAPPED_NAMES)
    return [rule for rule in rules if set(rule) <= present]


def person_splink_settings(
    settings: LinkageSettings, *, present_columns: set[str], prior: float
) -> SettingsCreator:
    """Splink settings for person linkage; comparisons on absent fields are left out."""
    link_only = settings.link_type == "link_only"
    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        _joint_name_comparison(
            settings,
            known_spellings={"given_known", "family_known"} <= present_columns,
            initials="given_initials" in present_columns,
        )
    ]
    has_place = bool(present_columns & {"village_key", "commune_key", "cercle_key", "lat"})
    if "death_low" in present_columns and has_place:
        comparisons.append(
            _death_place_comparison(settings, with_coordinates="lat" in present_columns)
        )
    elif "death_low" in present_columns:
        comparisons.append(
            _date_comparison(
                "death_date", "death_low", "death_high", settings.death_date_windows_days
            )
        )
    if "birth_low" in present_columns:
        windows = [years * 365 for years in settings.birth_gap_years]
        comparisons.append(
            _date_comparison(
                "birth",
                "birth_low",
                "birth_high",
                windows,
                text="birth_text" if "birth_text" in present_columns else None,
                # Most birth intervals come from (approximate) ages: overlap is the usual match.
                same_day_m=0.3 if "birth_text" in present_columns else 0.05,
                overlap_m=0.5 if "birth_text" in present_columns else 0.35,
                precise_overlap_m=None if "birth_text" in present_columns else 0.45,
            )
        )
    if has_place and "death_low" not in present_columns:
        comparisons.append(_place_comparison(settings, with_coordinates="lat" in present_columns))
    if "address_key" in present_columns:
        comparisons.append(_address_comparison(settings))
    if "sex" in present_columns:
        comparisons.append(_exact_comparison("sex", 0.97, 0.5))
    if "document_id" in present_columns:
        comparisons.append(_exact_comparison("document_id", 0.8, 0.0001))
    if SEVERAL_LISTS in present_columns and not link_only:
        comparisons.append(_same_list_comparison())
    # Splink accepts SQL strings as blocking rules (its annotation lists only creators/dicts).
    rules: list[Any] = [
        blocking_rule_sql(rule, link_only=link_only)
        for rule in usable_rules(settings.blocking, present_columns)
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules
        or [blocking_rule_sql(settings.blocking[0], link_only=link_only)],
        probability_two_random_records_match=prior,
        max_iterations=settings.em_max_iterations,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["record_id", "list_id"],
    )
