"""Fixtures of the intake app tests: the `world`, the real ACLED file, a temp TEMOIN_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.app.conftest import django_db_setup, world  # noqa: F401

REPO = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    return Path(os.environ.get("TEMOIN_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def acled_file() -> Path:
    path = shared_data_dir() / "acled" / "acled_mali_hdx_hxl_1997-2020-07.csv"
    if not path.is_file():
        pytest.skip("shared ACLED data not available")
    return path


@pytest.fixture(autouse=True)
def temoin_home(tmp_path, settings):  # type: ignore[no-untyped-def]
    """Imported files and geodata go to a temporary TEMOIN_HOME (no geodata unless asked)."""
    from temoin.intake import geodata

    settings.TEMOIN_HOME = tmp_path / "home"
    geodata._cache.clear()
    yield settings.TEMOIN_HOME


@pytest.fixture(scope="session")
def installed_geodata(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Geodata installed once per session from ../shared/data into a temp folder."""
    from temoin.intake import geodata

    source = shared_data_dir()
    if not (source / "gazetteer").is_dir():
        pytest.skip("shared geodata not available")
    target = tmp_path_factory.mktemp("geo") / "geodata"
    geodata.install_from(source, target=target)
    return target
