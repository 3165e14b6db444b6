"""Shared fixtures: the real shared data folder (read-only) and synthetic files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    env = os.environ.get("TEMOIN_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} not present")
    return path


@pytest.fixture(scope="session")
def acled_file(shared_data: Path) -> Path:
    path = shared_data / "acled" / "acled_mali_hdx_hxl_1997-2020-07.csv"
    if not path.is_file():
        pytest.skip("real ACLED file not present")
    return path
