"""Intake API tests share the app tests' fixtures (one definition)."""

import pytest

from tests.app.intake.conftest import (  # noqa: F401
    acled_file,
    django_db_setup,
    installed_geodata,
    shared_data_dir,
    temoin_home,
    world,
)


@pytest.fixture
def openrosa_basic(settings):  # type: ignore[no-untyped-def]
    """Basic over HTTPS enabled (off by default): the tests that post with Basic headers."""
    settings.TEMOIN_OPENROSA_AUTH = ("digest", "basic")
