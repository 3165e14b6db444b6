from tests.app.conftest import django_db_setup, world  # noqa: F401  (shared fixtures)
from tests.app.linkage.conftest import loaded  # noqa: F401  (synthetic scenario in the database)
