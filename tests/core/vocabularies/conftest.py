"""Fixtures locating the real shared data (read-only) for vocabulary tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    """``$TEMOIN_SHARED_DATA`` or ``<repo>/../shared/data``."""
    return Path(os.environ.get("TEMOIN_SHARED_DATA") or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def esf_csv() -> Path:
    path = shared_data_dir() / "vocabularies" / "esf_microthesauri.csv"
    if not path.exists():
        pytest.skip(f"shared ESF CSV not available at {path}")
    return path


@pytest.fixture(scope="session")
def acled_csv() -> Path:
    path = shared_data_dir() / "acled" / "acled_mali_hdx_hxl_1997-2020-07.csv"
    if not path.exists():
        pytest.skip(f"shared ACLED file not available at {path}")
    return path
