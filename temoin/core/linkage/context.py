"""Incident context: how much a shared name proves *among the victims of one incident*.

Victims of one massacre share the village and the day, and often a community: two
"Amadou Traoré" killed in the same village on the same day are two people, while the
only Traoré on a list for that incident is very likely the "A. Traoré" of another list.
Splink's u probabilities come from random pairs across the whole input, where sharing
a name is rare; among the victims of one incident it is not.  This module corrects the
match weight of pairs that Splink placed in the same incident (top level of the joint
date-and-place comparison), in the spirit of term-frequency adjustment:

* **name within the incident** — for the partial-name level reached by the pair, the key
  that agreed (family name, family name + initial, given name) is counted in the
  pair's *incident group* (same village and day of death, same list).  The chance that
  another victim of that incident shares it is estimated per side as
  ``(c − 1 + k·g) / (n − 1 + k)`` (c: records of the group with that key, n: group size,
  g: share of the key in the whole input, k = 2 pseudo-records; the pair's own records
  are not counted), both sides are averaged, and the weight moves by ``log2(Ū / u)``
  where Ū is the average chance that two
  random records agree on that key (what the random-sample u already contains);
* **size of the incident** — "same village, same day" proves less in a massacre of 150
  than in a killing of 2: the weight of that level moves by ``log2(u_level / tf)``,
  tf being the incident's share of all records (Splink's term-frequency formula).

Adjustments are bounded (``MIN_ADJUSTMENT``..``MAX_ADJUSTMENT`` bits each), computed in
pandas after prediction, so they are identical on DuckDB and Spark; the columns
``tf_adjustment_name`` and ``tf_adjustment_incident`` keep them for the review screen.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["add_context_keys", "apply_incident_context"]

PSEUDO_RECORDS = 2.0
MIN_ADJUSTMENT = -10.0
MAX_ADJUSTMENT = 6.0
# A first-pass link this strong accounts for a victim (see ``exclusive``).
ACCOUNTED_PROBABILITY = 0.9
# Birth intervals further apart than this rule a namesake out as the same person.
INCOMPATIBLE_BIRTH_GAP_DAYS = 730

# Name level label (prefix) → key whose agreement the level rests on.
# Full-name levels (exact, same variant families, other order) are left alone: a list
# that names one victim twice would read as two namesakes and break true links (measured:
# worse F1 on the synthetic scenario); the clustering's one-record-per-list rule and the
# age comparison handle namesakes there.
_LEVEL_KEYS: tuple[tuple[str, str], ...] = (
    ("family agrees, first given name agrees", "ctx_family_first"),
    ("family agrees, given JW", "ctx_family"),
    ("given agrees, family JW", "ctx_given"),
    ("family agrees, given similar", "ctx_family"),
    ("given agrees, family similar", "ctx_given"),
    ("family agrees, given initial agrees", "ctx_family_initial"),
    ("family agrees, a given name missing", "ctx_family"),
    ("family agrees, related given name", "ctx_family"),
    ("given agrees, a family name missing", "ctx_given"),
)
# Full-name levels: a same-list pair there is "named twice" (duplicate or namesakes).
_FULL_NAME_LEVELS = ("exact", "same variant families", "same names, other order")
# Weight (bits) of each other list that names the same full name twice in the incident.
NAMED_TWICE_BITS = -3.0
_KEYS = ("ctx_family", "ctx_family_first", "ctx_family_initial", "ctx_given")
_SAME_INCIDENT_PREFIX = "same village, within"


def _join(*parts: pd.Series) -> pd.Series:
    out = parts[0].astype("string")
    for part in parts[1:]:
        out = out + "|" + part.astype("string")
    return out


def add_context_keys(table: pd.DataFrame) -> pd.DataFrame:
    """Add the incident key and the name keys counted within an incident."""
    day_known = table["death_low"].notna() & (table["death_low"] == table["death_high"])
    incident = _join(table["village_key"], table["death_low"].astype("Int64"))
    table = table.assign(incident_key=incident.where(day_known & table["village_key"].notna()))
    initial = table["given_norm"].str[:1]
    first = table["given_first_canon"]
    return table.assign(
        ctx_family=table["family_canon"],
        ctx_family_first=_join(table["family_canon"], first),
        ctx_family_initial=_join(table["family_canon"], initial),
        ctx_given=table["given_canon"],
        ctx_full=_full_name_key(table),
    )


def _full_name_key(table: pd.DataFrame) -> pd.Series:
    """Given and family name, in either order ("Traoré Moussa" = "Moussa Traoré")."""
    given = table["given_canon"].astype("string")
    family = table["family_canon"].astype("string")
    in_order = (given <= family).fillna(False).astype(bool)
    key = _join(given.where(in_order, family), family.where(in_order, given))
    return key.where(given.notna() & family.notna())


def _within_incident_counts(table: pd.DataFrame) -> dict[str, Any]:
    """Per record: incident group id and size, and per key its count in the group and share."""
    group = _join(table["incident_key"], table["list_id"])
    codes, _ = pd.factorize(group, use_na_sentinel=True)
    out: dict[str, Any] = {
        "info": {
            "list_id": table["list_id"].astype(str).to_numpy(dtype=object),
            "sex": table["sex"].to_numpy(dtype=object),
            "birth_low": table["birth_low"].to_numpy(dtype=float),
            "birth_high": table["birth_high"].to_numpy(dtype=float),
        },
        "group": codes,
        "n": group.map(group.value_counts()).to_numpy(dtype=float),
    }
    for key in _KEYS:
        values = table[key]
        counts = values.value_counts()
        total = float(counts.sum())
        if total == 0:
            continue
        share = counts / total
        combined = _join(group, values)
        valid = table["incident_key"].notna().to_numpy() & values.notna().to_numpy()
        out["values_" + key] = values.to_numpy(dtype=object)
        out[key] = (
            np.where(valid, combined.map(combined.value_counts()).to_numpy(dtype=float), np.nan),
            values.map(share).to_numpy(dtype=float),
            float((share * share).sum()),
        )
    return out


def _pair_u(
    counts: dict[str, Any],
    key: str,
    left: np.ndarray,
    right: np.ndarray,
    not_competing: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Chance that another victim of the pair's incident shares the key (mean of both sides).

    Each side looks at the *other* records of its own list for that incident (the pair's
    own records excluded, so a list's duplicate of one victim is not read as a namesake).
    ``not_competing`` (per side) takes out of the key count the records that share the
    key but cannot be the other record's person (see :func:`_not_competing`); the group
    size stays whole — every victim still tells how common the name is there.
    """
    c, g, _ = counts[key]
    n, group = counts["n"], counts["group"]
    same_group = (group[left] == group[right]) & (group[left] >= 0)
    sides = []
    for position, side in enumerate((left, right)):
        own = 1.0 + same_group
        taken = 0.0 if not_competing is None else not_competing[position]
        sides.append(
            (c[side] - taken - own + PSEUDO_RECORDS * g[side]) / (n[side] - own + PSEUDO_RECORDS)
        )
    stacked = np.vstack(sides)
    known = (~np.isnan(stacked)).sum(axis=0)
    total = np.nansum(stacked, axis=0)
    return np.where(known > 0, total / np.maximum(known, 1), np.nan)


def _gamma_of(comparison: dict[str, Any], label_prefix: str) -> int | None:
    levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
    for position, level in enumerate(levels):
        if str(level.get("label_for_charts", "")).startswith(label_prefix):
            return len(levels) - 1 - position
    return None


def _comparison(model: dict[str, Any], name: str) -> dict[str, Any] | None:
    for comparison in model.get("comparisons", []):
        if comparison.get("output_column_name") == name:
            found: dict[str, Any] = comparison
            return found
    return None


def _pair_max(values: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.fmax(values[left], values[right])
    return out


def apply_incident_context(
    pairs: pd.DataFrame, table: pd.DataFrame, model: dict[str, Any], *, exclusive: bool = True
) -> pd.DataFrame:
    """Pairs with match weight and probability corrected for the incident context.

    ``exclusive``: a second pass leaves out of the namesake counts the victims that a
    first pass already linked (probability >= ``ACCOUNTED_PROBABILITY``) to another
    record of the pair's other list — a list names a victim once, so the Traoré of list
    B already matched to "Moussa Traoré" of list A is no candidate for "Traoré" of list A.
    """
    name = _comparison(model, "name")
    place = _comparison(model, "death_date_place")
    needed = {"gamma_name", "gamma_death_date_place", "match_weight"}
    if not len(pairs) or name is None or place is None or not needed <= set(pairs.columns):
        return pairs
    if "incident_key" not in table or table["incident_key"].isna().all():
        return pairs
    same_gammas = [
        len([lvl for lvl in place["comparison_levels"] if not lvl.get("is_null_level")]) - 1
    ]
    top_label = str(
        next(lvl for lvl in place["comparison_levels"] if not lvl.get("is_null_level"))[
            "label_for_charts"
        ]
    )
    if not top_label.startswith(_SAME_INCIDENT_PREFIX):
        return pairs
    counts = _within_incident_counts(table)
    left = pairs["unique_id_l"].to_numpy(dtype=np.int64)
    right = pairs["unique_id_r"].to_numpy(dtype=np.int64)
    same_incident = pairs["gamma_death_date_place"].isin(same_gammas).to_numpy()
    gamma_name = pairs["gamma_name"].to_numpy()
    incident_adjustment = _incident_size_adjustment(table, place, left, right, same_incident)
    base_weight = pairs["match_weight"].to_numpy(dtype=float) + incident_adjustment
    name_adjustment = _name_adjustment(counts, name, left, right, same_incident, gamma_name)
    name_adjustment += _named_twice_elsewhere(table, name, left, right, same_incident, gamma_name)
    weight = base_weight + name_adjustment
    if exclusive:
        # Second pass: victims of the incident already confidently linked to another
        # record of the other list are accounted for, not competitors any more.
        claimed = _claims(counts["info"]["list_id"], left, right, _probability(weight))
        name_adjustment = _name_adjustment(
            counts, name, left, right, same_incident, gamma_name, claimed=claimed
        ) + _named_twice_elsewhere(table, name, left, right, same_incident, gamma_name)
        weight = base_weight + name_adjustment
    probability = _probability(weight)
    return pairs.assign(
        tf_adjustment_name=name_adjustment,
        tf_adjustment_incident=incident_adjustment,
        match_weight=weight,
        match_probability=probability,
    )


def _named_twice_elsewhere(
    table: pd.DataFrame,
    name: dict[str, Any],
    left: np.ndarray,
    right: np.ndarray,
    same_incident: np.ndarray,
    gamma_name: np.ndarray,
) -> np.ndarray:
    """Two records of *one list* with the same full name: one victim written twice, or
    two namesakes?  Every *other* list that also names that full name twice among the
    incident's victims is evidence for two people (a list rarely repeats a victim; two
    lists repeating the same one is rarer still): ``NAMED_TWICE_BITS`` per such list.
    """
    out = np.zeros(len(left))
    full_levels = [
        gamma
        for gamma in (_gamma_of(name, label) for label in _FULL_NAME_LEVELS)
        if gamma is not None
    ]
    lists = table["list_id"].astype(str).to_numpy(dtype=object)
    rows = same_incident & np.isin(gamma_name, full_levels) & (lists[left] == lists[right])
    keyed = table["incident_key"].notna() & table["ctx_full"].notna()
    if not rows.any() or not keyed.any():
        return out
    named = pd.DataFrame(
        {
            "incident": table["incident_key"][keyed].to_numpy(),
            "full": table["ctx_full"][keyed].to_numpy(),
            "list": lists[keyed.to_numpy()],
        }
    )
    twice = named.groupby(["incident", "full", "list"]).size()
    twice = twice[twice >= 2].reset_index()[["incident", "full", "list"]]
    if not len(twice):
        return out
    query = pd.DataFrame(
        {
            "row": np.flatnonzero(rows),
            "incident": table["incident_key"].to_numpy()[left[rows]],
            "full": table["ctx_full"].to_numpy()[left[rows]],
            "own_list": lists[left[rows]],
        }
    ).dropna()
    joined = query.merge(twice, on=["incident", "full"], how="inner")
    joined = joined[joined["list"] != joined["own_list"]]
    lists_elsewhere = np.bincount(joined["row"].to_numpy(dtype=np.int64), minlength=len(left))
    out = np.maximum(NAMED_TWICE_BITS * lists_elsewhere, MIN_ADJUSTMENT).astype(float)
    return out


def _probability(weight: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))
    return out


def _name_adjustment(
    counts: dict[str, Any],
    name: dict[str, Any],
    left: np.ndarray,
    right: np.ndarray,
    same_incident: np.ndarray,
    gamma_name: np.ndarray,
    *,
    claimed: pd.DataFrame | None = None,
) -> np.ndarray:
    """Bounded correction (bits) of partial-name levels for the pairs of one incident."""
    out = np.zeros(len(left))
    for label, key in _LEVEL_KEYS:
        gamma = _gamma_of(name, label)
        if gamma is None or key not in counts:
            continue
        rows = same_incident & (gamma_name == gamma)
        if not rows.any():
            continue
        taken = _not_competing(counts, key, left[rows], right[rows], claimed)
        with np.errstate(all="ignore"):
            u = _pair_u(counts, key, left[rows], right[rows], taken)
            adjustment = np.log2(counts[key][2]) - np.log2(np.clip(u, 1e-9, 1.0))
        out[rows] = np.where(np.isnan(u), 0.0, adjustment)
    clipped: np.ndarray = np.clip(out, MIN_ADJUSTMENT, MAX_ADJUSTMENT)
    return clipped


def _claims(
    lists: np.ndarray, left: np.ndarray, right: np.ndarray, probability: np.ndarray
) -> pd.DataFrame:
    """Links of ``ACCOUNTED_PROBABILITY`` or more between lists, both ways round:
    ``record`` is linked to ``by_record`` of list ``by_list``."""
    strong = (probability >= ACCOUNTED_PROBABILITY) & (lists[left] != lists[right])
    return pd.DataFrame(
        {
            "record": np.concatenate([left[strong], right[strong]]),
            "by_record": np.concatenate([right[strong], left[strong]]),
            "by_list": np.concatenate([lists[right[strong]], lists[left[strong]]]),
        }
    ).drop_duplicates()


def _claimed_by_another(
    records: np.ndarray, partners: np.ndarray, lists: np.ndarray, claims: pd.DataFrame
) -> np.ndarray:
    """Whether each record is linked to a record of its partner's list *other than* the
    partner (a link to the partner itself is the very question, not an answer)."""
    per_list = claims.groupby(["record", "by_list"]).size().rename("links").reset_index()
    query = pd.DataFrame(
        {
            "record": np.asarray(records, dtype=np.int64),
            "by_list": lists[partners],
            "by_record": np.asarray(partners, dtype=np.int64),
        }
    )
    links = query.merge(per_list, on=["record", "by_list"], how="left")["links"]
    itself = query.merge(
        claims[["record", "by_record"]], on=["record", "by_record"], how="left", indicator=True
    )["_merge"]
    count = links.fillna(0).to_numpy(dtype=float) - (itself == "both").to_numpy(dtype=float)
    found: np.ndarray = count > 0
    return found


def _not_competing(
    counts: dict[str, Any],
    key: str,
    left: np.ndarray,
    right: np.ndarray,
    claimed: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per side of each pair: records of that side's incident group that share the key
    but are no candidate for the *other* record.

    A victim is no candidate when sex or age rule it out (both sexes known and
    different; birth intervals more than ``INCOMPATIBLE_BIRTH_GAP_DAYS`` apart) or, when
    ``claimed`` is given, when a first pass already linked it to another record of the
    other record's list (a list names each victim once).  The pair's own records never
    count (they are taken out as "own").
    """
    info = counts["info"]
    lists = info["list_id"]
    group = counts["group"]
    values = counts["values_" + key]
    valid = (group >= 0) & pd.notna(values)
    members = pd.DataFrame(
        {"record": np.flatnonzero(valid), "grp": group[valid], "val": values[valid]}
    )
    out = []
    for side, other in ((left, right), (right, left)):
        query = pd.DataFrame(
            {
                "row": np.arange(len(side)),
                "grp": group[side],
                "val": values[side],
                "own": side,
                "partner": other,
            }
        )
        joined = query.merge(members, on=["grp", "val"], how="inner")
        joined = joined[
            (joined["record"] != joined["own"]) & (joined["record"] != joined["partner"])
        ]
        z = joined["record"].to_numpy(dtype=np.int64)
        o = joined["partner"].to_numpy(dtype=np.int64)
        sex_z, sex_o = info["sex"][z], info["sex"][o]
        sex_clash = pd.notna(sex_z) & pd.notna(sex_o) & (sex_z != sex_o)
        low_z, high_z = info["birth_low"][z], info["birth_high"][z]
        low_o, high_o = info["birth_low"][o], info["birth_high"][o]
        with np.errstate(invalid="ignore"):
            gap = np.maximum(low_z - high_o, low_o - high_z)
        out_of_play = sex_clash | (np.nan_to_num(gap, nan=-1.0) > INCOMPATIBLE_BIRTH_GAP_DAYS)
        if claimed is not None and len(claimed):
            cross = lists[z] != lists[o]
            out_of_play |= cross & _claimed_by_another(z, o, lists, claimed)
        rows = joined["row"].to_numpy(dtype=np.int64)[out_of_play]
        out.append(np.bincount(rows, minlength=len(side)).astype(float))
    return out[0], out[1]


def _incident_size_adjustment(
    table: pd.DataFrame,
    place: dict[str, Any],
    left: np.ndarray,
    right: np.ndarray,
    same_incident: np.ndarray,
) -> np.ndarray:
    top = next(lvl for lvl in place["comparison_levels"] if not lvl.get("is_null_level"))
    u_level = top.get("u_probability")
    out = np.zeros(len(left))
    if not u_level:
        return out
    incident = table["incident_key"]
    share = incident.map(incident.value_counts() / len(table)).to_numpy(dtype=float)
    tf = _pair_max(share, left[same_incident], right[same_incident])
    adjustment = math.log2(float(u_level)) - np.log2(np.clip(tf, 1e-9, 1.0))
    out[same_incident] = np.clip(
        np.where(np.isnan(tf), 0.0, adjustment), MIN_ADJUSTMENT, MAX_ADJUSTMENT
    )
    return out
