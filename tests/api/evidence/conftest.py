from tests.app.conftest import django_db_setup, world  # noqa: F401
from tests.app.evidence.conftest import case, vault_root  # noqa: F401
