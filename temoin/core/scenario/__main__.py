"""Command line: write a synthetic Mali scenario to CSV or JSONL files.

python -m temoin.core.scenario --seed 42 --incidents 1000 --out /tmp/scenario [--format jsonl]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from temoin.core.scenario.errors import ScenarioError
from temoin.core.scenario.generator import generate
from temoin.core.scenario.writer import write_scenario


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, generate and write; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m temoin.core.scenario", description=__doc__)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--incidents", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--start-year", type=int, default=2012)
    parser.add_argument("--end-year", type=int, default=2024)
    parser.add_argument("--victim-scale", type=float, default=1.0)
    parser.add_argument(
        "--no-gazetteer", action="store_true", help="use the built-in fallback towns"
    )
    args = parser.parse_args(argv)
    try:
        scenario = generate(
            args.seed,
            n_incidents=args.incidents,
            start_year=args.start_year,
            end_year=args.end_year,
            victim_scale=args.victim_scale,
            use_gazetteer=not args.no_gazetteer,
        )
        summary = write_scenario(scenario, args.out, format=args.format)
    except ScenarioError as exc:
        parser.error(str(exc))
    for stem, count in summary.rows.items():
        print(f"{stem:<20} {count:>10}")
    print(f"SYNTHETIC data written to {summary.directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
