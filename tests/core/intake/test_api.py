"""The public API: every exported name exists, and the core never imports Django."""

from __future__ import annotations

import subprocess
import sys

import pytest

import temoin.core.geo
import temoin.core.intake
import temoin.core.intake.odk


@pytest.mark.parametrize("module", [temoin.core.intake, temoin.core.intake.odk, temoin.core.geo])
def test_all_names_exist(module) -> None:
    assert len(set(module.__all__)) == len(module.__all__)
    assert [name for name in module.__all__ if not hasattr(module, name)] == []


def test_core_does_not_import_django_or_apps() -> None:
    code = (
        "import sys, temoin.core.intake, temoin.core.intake.odk, temoin.core.geo;"
        "bad=[m for m in sys.modules if m=='django' or m.startswith('django.')"
        " or (m.startswith('temoin.') and not m.startswith('temoin.core'))];"
        "print(bad)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


def test_error_codes_are_stable_and_distinct() -> None:
    from temoin.core.intake import errors

    classes = [name for name in errors.__all__ if isinstance(getattr(errors, name), type)]
    codes = {name: getattr(errors, name).code for name in classes}
    assert len(set(codes.values())) == len(codes)
    assert codes["SignatureMismatchError"] == "signature_mismatch"
    assert issubclass(errors.SignatureMismatchError, errors.IntakeError)
