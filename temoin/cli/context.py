"""Django start-up for the command line, and the audit context of a command."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager

_ready = False


def setup_django(settings_module: str = "config.settings.dev") -> None:
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    _ready = True


@contextmanager
def cli_context() -> Iterator[None]:
    setup_django()
    from temoin.audit.context import audit_context

    with audit_context(via="cli", ip=f"local:{getpass.getuser()}"):
        yield
