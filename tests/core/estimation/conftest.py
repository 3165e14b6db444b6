"""Shared fixtures: the published MSE tables in ../shared/data/mse/ (read-only)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from temoin.core.estimation import ListOverlapTable, read_overlap_csv

REPO = Path(__file__).resolve().parents[3]
MSE_DIR = Path(os.environ.get("TEMOIN_SHARED_DATA", REPO.parent / "shared" / "data")) / "mse"


def load(name: str) -> ListOverlapTable:
    return read_overlap_csv(MSE_DIR / f"{name}.csv")[None]


@pytest.fixture(scope="session")
def reference() -> dict[str, Any]:
    path = MSE_DIR / "reference_values.json"
    if not path.exists():
        pytest.skip(f"shared MSE data not found at {MSE_DIR}")
    return json.loads(path.read_text(encoding="utf-8"))


def ref(reference: dict[str, Any], file: str, method_start: str) -> dict[str, Any]:
    """The reference entry of ``file`` whose method starts with ``method_start``."""
    for entry in reference[file]:
        if entry["method"].startswith(method_start):
            return entry
    raise KeyError(f"{file}: no reference method starting {method_start!r}")
