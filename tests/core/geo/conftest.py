"""Geo fixtures: the real gazetteer and boundaries, loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from temoin.core.geo import Gazetteer

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    env = os.environ.get("TEMOIN_SHARED_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    if not (path / "gazetteer" / "geonames_ML.txt").is_file():
        pytest.skip(f"gazetteer not present under {path}")
    return path


@pytest.fixture(scope="session")
def gazetteer(shared_data: Path) -> Gazetteer:
    return Gazetteer.load(shared_data)
