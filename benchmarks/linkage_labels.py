"""Learning curve of person linkage with analysts' decisions (SYNTHETIC Mali lists).

    nice -n 10 .venv/bin/python benchmarks/linkage_labels.py --seed 11 --per-round 300 --rounds 7
    nice -n 10 .venv/bin/python benchmarks/linkage_labels.py --size 100000 --per-round 1000

Simulates an analyst working in rounds: run; draw ``--per-round`` pairs with
:func:`review_sample` from the *current* run's uncertain band, leaving out pairs already
reviewed; answer them from the scenario's ground truth (as dedupe's oracle does in
``linkage_baselines.py``); re-run ``link_persons(labels=...)`` with every decision so far.
Prints one row per round (cumulative labels, labels per record, F1, precision, recall,
false merges, missed links, seconds of the run, peak RSS) and, with ``--causes``, the
error-cause table of ``linkage_errors.py`` for the first and the last run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_errors import INCIDENTS_PER_10K_RECORDS, error_causes  # noqa: E402

from temoin.core.linkage import (  # noqa: E402
    LinkageSettings,
    ReviewedPair,
    engine,
    link_persons,
    review_sample,
)
from temoin.core.linkage.evaluation import (  # noqa: E402
    cluster_pairs_from_assignments,
    pair_scores,
    true_pairs,
)
from temoin.core.linkage.scenario_adapter import scenario_persons  # noqa: E402
from temoin.core.scenario import generate  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print_causes(title: str, causes: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"  false merges (pairs): {sum(causes['false_merges'].values())}")
    for cause, count in causes["false_merges"].most_common():
        print(f"    {count:6d}  {cause}")
    print(f"  missed links (pairs): {sum(causes['missed'].values())}")
    for cause, count in causes["missed"].most_common():
        print(f"    {count:6d}  {cause}")
    sys.stdout.flush()


def _out_of_band(run: Any, predicted: set[Any], actual: set[Any]) -> tuple[int, int]:
    """Errors review_sample can never show: false merges whose own pair scored at or
    above ``review_high`` (settled) and missed links scored below ``review_low``."""
    pairs = run.pairs
    probability = {
        frozenset(((ll, rl), (lr, rr))): p
        for ll, rl, lr, rr, p in zip(
            pairs["list_id_l"],
            pairs["record_id_l"],
            pairs["list_id_r"],
            pairs["record_id_r"],
            pairs["match_probability"],
            strict=True,
        )
    }
    high, low = run.settings.review_high, run.settings.review_low
    merges = sum(probability.get(p, 0.0) >= high for p in predicted - actual)
    missed = sum(probability.get(p, 0.0) < low for p in actual - predicted)
    return merges, missed


def learning_curve(
    seed: int,
    *,
    size: int,
    per_round: int,
    rounds: int,
    settings: LinkageSettings,
    causes: bool,
) -> list[dict[str, Any]]:
    scenario = generate(seed, n_incidents=size * INCIDENTS_PER_10K_RECORDS // 10_000)
    lists = scenario_persons(scenario)
    truth = lists.truth
    actual = true_pairs(truth)
    context = {
        "truth": truth,
        "person_incident": {
            p.true_person_id: p.true_incident_id for p in scenario.true_persons()
        },
        "true_name": {
            p.true_person_id: (p.given_name, p.family_name) for p in scenario.true_persons()
        },
        "settings": settings,
    }
    n_records = len(lists.records)
    print(
        f"seed {seed}, {n_records} SYNTHETIC records, {per_round} reviewed pairs per round "
        f"(review_sample, seed = round)"
    )
    print(
        "| round | labels | labels/record | matches | F1 | precision | recall "
        "| false merges | missed links | F1 unreviewed records (unsupervised → now) | false merges scored ≥ review_high | missed links not scored or < review_low | run s | review s | peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    reviewed: list[ReviewedPair] = []
    rows: list[dict[str, Any]] = []
    unsupervised: set[Any] = set()
    for round_ in range(rounds + 1):
        started = time.perf_counter()
        run = link_persons(lists.records, settings=settings, labels=reviewed)
        seconds = time.perf_counter() - started
        result = error_causes(run, **context)
        s = result["scores"]
        # Generalisation: pairs of records that no reviewed pair touched (the forced
        # edges cannot have fixed them directly; only the model and the clustering can).
        # Compared with the unsupervised run on the same pairs (those records are the
        # easier ones: the band holds the hard ones, so the subset alone flatters).
        touched = {key for r in reviewed for key in (r.left, r.right)}
        predicted = cluster_pairs_from_assignments(run.assignments)
        if round_ == 0:
            unsupervised = predicted
        untouched_actual = {p for p in actual if not p & touched}
        held = pair_scores({p for p in predicted if not p & touched}, untouched_actual)
        held_before = pair_scores({p for p in unsupervised if not p & touched}, untouched_actual)
        hidden_merges, hidden_missed = _out_of_band(run, predicted, actual)
        row = {
            "round": round_,
            "labels": len(reviewed),
            "matches": sum(r.decision == "match" for r in reviewed),
            "f1": s.f1,
            "precision": s.precision,
            "recall": s.recall,
            "false_merges": sum(result["false_merges"].values()),
            "missed": sum(result["missed"].values()),
            "seconds": seconds,
        }
        if round_ in (0, rounds) and causes:
            _print_causes(f"causes after round {round_} ({len(reviewed)} labels):", result)
        review_seconds = 0.0
        if round_ < rounds:
            started = time.perf_counter()
            items = review_sample(
                run, n=per_round, seed=round_, exclude=[(r.left, r.right) for r in reviewed]
            )
            reviewed += [
                ReviewedPair(
                    item.left,
                    item.right,
                    "match" if truth[item.left] == truth[item.right] else "non_match",
                )
                for item in items
            ]
            review_seconds = time.perf_counter() - started
        row["review_seconds"] = review_seconds
        rows.append(row)
        print(
            f"| {round_} | {row['labels']} | {row['labels'] / n_records:.3f} | {row['matches']} "
            f"| {s.f1:.4f} | {s.precision:.4f} | {s.recall:.4f} | {row['false_merges']} "
            f"| {row['missed']} | {held_before.f1:.4f} → {held.f1:.4f} | {hidden_merges} | {hidden_missed} | {seconds:.1f} | {review_seconds:.1f} | {_peak_mb():.0f} |"
        )
        sys.stdout.flush()
        del run
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--per-round", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--causes", action="store_true")
    parser.add_argument(
        "--pseudo-count",
        type=float,
        default=None,
        help="ablation: engine.LABEL_PSEUDO_COUNT (1e12 = labels never move m)",
    )
    args = parser.parse_args()
    if args.pseudo_count is not None:
        engine.LABEL_PSEUDO_COUNT = args.pseudo_count
        print(f"LABEL_PSEUDO_COUNT = {args.pseudo_count:g}")
    learning_curve(
        args.seed,
        size=args.size,
        per_round=args.per_round,
        rounds=args.rounds,
        settings=LinkageSettings(),
        causes=args.causes,
    )


if __name__ == "__main__":
    main()
