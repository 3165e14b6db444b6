"""Error analysis of person linkage on the SYNTHETIC Mali lists (scenario ground truth).

    .venv/bin/python benchmarks/linkage_errors.py --seed 11            # 10k records
    .venv/bin/python benchmarks/linkage_errors.py --seed 12 --labels 600

Splits the pairwise errors of the final clusters into false merges (pairs put together
that are two people) and missed links (pairs of one person left apart), and each by
cause: namesakes in one incident, a missing given name or an initial, dates, ages,
place, transitive chains in the clustering, blocking misses, the threshold.  Prints
F1 and the table.  ``--labels N`` simulates N reviewed pairs answered from the ground
truth (the uncertain pairs of a first run, as the review queue would present them) and
re-runs through the real review path (``link_persons(labels=...)``): reported apart from
the unsupervised figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temoin.core.linkage import (  # noqa: E402
    LinkageSettings,
    ReviewedPair,
    link_persons,
    review_queue,
    review_sample,
)
from temoin.core.linkage.comparisons import usable_rules  # noqa: E402
from temoin.core.linkage.evaluation import (  # noqa: E402
    _agrees,
    cluster_pairs_from_assignments,
    pair_scores,
    true_pairs,
)
from temoin.core.linkage.scenario_adapter import scenario_persons  # noqa: E402
from temoin.core.scenario import generate  # noqa: E402

INCIDENTS_PER_10K_RECORDS = 1360


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        mapping = {-1: "null"}
        for position, level in enumerate(levels):
            mapping[len(levels) - 1 - position] = str(level.get("label_for_charts"))
        out[comparison["output_column_name"]] = mapping
    return out


def _partial(row: Any) -> str | None:
    """Which side lost name information: a missing given name or an initial."""
    for side in ("l", "r"):
        given = row.get(f"given_norm_{side}")
        if given is None or (isinstance(given, float)):
            return "missing given name"
    for side in ("l", "r"):
        if len(str(row.get(f"given_norm_{side}"))) == 1:
            return "initial"
    return None


def analyse(
    seed: int, *, size: int, labels: int, settings: LinkageSettings, strategy: str = "sample"
) -> dict[str, Any]:
    scenario = generate(seed, n_incidents=size * INCIDENTS_PER_10K_RECORDS // 10_000)
    lists = scenario_persons(scenario)
    person_incident = {p.true_person_id: p.true_incident_id for p in scenario.true_persons()}
    true_name = {p.true_person_id: (p.given_name, p.family_name) for p in scenario.true_persons()}
    truth = lists.truth
    started = time.perf_counter()
    run = link_persons(lists.records, settings=settings)
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {"seed": seed, "records": len(lists.records), "seconds": seconds}
    if labels:
        review = _simulated_review(run, truth, labels, strategy)
        started = time.perf_counter()
        run = link_persons(lists.records, settings=settings, labels=review)
        result["labelled_seconds"] = time.perf_counter() - started
        result["labels"] = len(review)
        result["label_matches"] = sum(r.decision == "match" for r in review)
    result.update(
        error_causes(
            run,
            truth=truth,
            person_incident=person_incident,
            true_name=true_name,
            settings=settings,
        )
    )
    return result


def error_causes(
    run: Any,
    *,
    truth: dict[tuple[str, str], str],
    person_incident: dict[str, str],
    true_name: dict[str, tuple[Any, Any]],
    settings: LinkageSettings,
) -> dict[str, Any]:
    """Scores of ``run`` and its false merges / missed links counted by cause."""
    actual = true_pairs(truth)
    predicted = cluster_pairs_from_assignments(run.assignments)
    result: dict[str, Any] = {"scores": pair_scores(predicted, actual)}
    table = run.comparison_table
    assert table is not None
    pairs = run.pairs
    key_of = dict(
        zip(table["unique_id"], zip(table["list_id"], table["record_id"], strict=True), strict=True)
    )
    by_pair: dict[frozenset[tuple[str, str]], Any] = {}
    for row in pairs.to_dict("records"):
        by_pair[frozenset((key_of[row["unique_id_l"]], key_of[row["unique_id_r"]]))] = row
    labels_of = _level_labels(run.splink_model or {"comparisons": []})
    threshold = settings.match_threshold
    present = {c for c in table.columns if table[c].notna().any()}
    rules = usable_rules(settings.blocking, present)
    values = table.set_index(["list_id", "record_id"]).astype(object)
    values = values.where(values.notna(), None).to_dict("index")

    def describe(row: dict[str, Any]) -> dict[str, str]:
        return {
            name: labels_of[name].get(int(row[f"gamma_{name}"]), "?")
            for name in labels_of
            if f"gamma_{name}" in row
        }

    false_merge: Counter[str] = Counter()
    for pair in predicted - actual:
        left, right = sorted(pair)
        p_left, p_right = truth[left], truth[right]
        same_incident = person_incident[p_left] == person_incident[p_right]
        namesake = true_name[p_left] == true_name[p_right]
        row = by_pair.get(pair)
        direct = row is not None and row["match_probability"] >= threshold
        how = "direct pair" if direct else "chained (transitive)"
        if same_incident and namesake:
            cause = "namesake in the same incident"
        elif same_incident and row is not None and _partial(row):
            cause = f"same incident, {_partial(row)}"
        elif same_incident:
            cause = "same incident, similar names"
        else:
            cause = "different incidents"
        false_merge[f"{how} | {cause}"] += 1
    missed: Counter[str] = Counter()
    missed_levels: Counter[str] = Counter()
    for pair in actual - predicted:
        left, right = sorted(pair)
        row = by_pair.get(pair)
        a, b = values.get(left), values.get(right)
        if row is None:
            blocked = (
                a is not None
                and b is not None
                and any(all(_agrees(a, b, c) for c in rule) for rule in rules)
            )
            missed["scored below review_low (0.05)" if blocked else "blocking miss"] += 1
            continue
        if row["match_probability"] >= threshold:
            missed["pair above threshold, kept apart by clustering"] += 1
            continue
        levels = describe(row)
        partial = _partial(row)
        name = levels.get("name", "?")
        place = levels.get("death_date_place", "?")
        if partial:
            cause = partial
        elif not place.startswith("same village, within 1"):
            cause = f"date/place: {place}"
        elif name not in ("exact", "same variant families", "same names, other order"):
            cause = f"name: {name}"
        elif levels.get("birth", "").startswith("different") or levels.get("birth", "").startswith(
            "within"
        ):
            cause = "age disagrees"
        elif levels.get("sex") == "different":
            cause = "sex disagrees"
        elif levels.get("same_list") == "same list":
            cause = "same list (within-list duplicate)"
        else:
            cause = "other (threshold)"
        missed[f"below threshold | {cause}"] += 1
        missed_levels[" / ".join(f"{k}={v}" for k, v in levels.items())] += 1
    result["false_merges"] = false_merge
    result["missed"] = missed
    result["missed_levels"] = missed_levels
    return result


def _simulated_review(
    run: Any, truth: dict[tuple[str, str], str], n: int, strategy: str
) -> list[ReviewedPair]:
    """``n`` reviewed pairs answered from the SYNTHETIC ground truth.

    ``queue``: the first ``n`` items of :func:`review_queue` (decision impact order);
    ``sample``: :func:`review_sample` (a random sample of the uncertain band).
    """
    if strategy == "queue":
        items = [(item.left, item.right) for item in review_queue(run, limit=n)]
    else:
        items = [(item.left, item.right) for item in review_sample(run, n=n, seed=0)]
    return [
        ReviewedPair(left, right, "match" if truth[left] == truth[right] else "non_match")
        for left, right in items
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--labels", type=int, default=0)
    parser.add_argument("--strategy", choices=["sample", "queue"], default="sample")
    parser.add_argument("--detail", action="store_true")
    args = parser.parse_args()
    result = analyse(
        args.seed,
        size=args.size,
        labels=args.labels,
        settings=LinkageSettings(),
        strategy=args.strategy,
    )
    s = result["scores"]
    print(
        f"seed {result['seed']} records {result['records']} labels {result.get('labels', 0)}"
        f" (matches {result.get('label_matches', 0)}): F1 {s.f1:.4f} precision"
        f" {s.precision:.4f} recall {s.recall:.4f} (tp {s.true_positives}, predicted"
        f" {s.predicted}, actual {s.actual}) in {result['seconds']:.1f} s"
    )
    print(f"\nfalse merges (pairs): {sum(result['false_merges'].values())}")
    for cause, count in result["false_merges"].most_common():
        print(f"  {count:6d}  {cause}")
    print(f"\nmissed links (pairs): {sum(result['missed'].values())}")
    for cause, count in result["missed"].most_common():
        print(f"  {count:6d}  {cause}")
    if args.detail:
        print("\nmissed, by comparison levels:")
        for levels, count in result["missed_levels"].most_common(25):
            print(f"  {count:5d}  {levels}")


if __name__ == "__main__":
    main()
