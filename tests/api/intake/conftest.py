"""Intake API tests share the app tests' fixtures (one definition)."""

from tests.app.intake.conftest import (  # noqa: F401
    acled_file,
    django_db_setup,
    installed_geodata,
    shared_data_dir,
    temoin_home,
    world,
)
