from tests.app.conftest import django_db_setup, world  # noqa: F401
