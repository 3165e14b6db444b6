"""Shared helpers for the estimation benchmarks (timing, peak memory, data location)."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from temoin.core.estimation import ListOverlapTable, read_overlap_csv

REPO = Path(__file__).resolve().parents[1]
MSE_DIR = Path(os.environ.get("TEMOIN_SHARED_DATA", REPO.parent / "shared" / "data")) / "mse"


def load(name: str) -> ListOverlapTable:
    return read_overlap_csv(MSE_DIR / f"{name}.csv")[None]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)) + " |")
