"""Shared fixtures: where the real third-party data lives, and a small world of users.

Tests run on SQLite by default and on PostgreSQL when ``DATABASE_URL`` is set (CI does both).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("TEMOIN_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data")
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
