"""The package's public surface: ``__all__`` is complete, sorted and importable; the core never
imports Django; every error has a stable code."""

from __future__ import annotations

import subprocess
import sys

import temoin.core.estimation as estimation
from temoin.core.estimation import errors


def test_all_is_sorted_and_importable() -> None:
    assert estimation.__all__ == sorted(estimation.__all__)
    for name in estimation.__all__:
        assert getattr(estimation, name) is not None


def test_error_codes_are_stable_and_distinct() -> None:
    codes = {cls.__name__: cls.code for cls in (
        errors.EstimationError, errors.InvalidTableError, errors.InvalidSettingsError,
        errors.TooSparseError, errors.ModelNotEstimableError, errors.NumericalError)}
    assert codes == {
        "EstimationError": "estimation_error", "InvalidTableError": "invalid_table",
        "InvalidSettingsError": "invalid_settings", "TooSparseError": "too_sparse",
        "ModelNotEstimableError": "model_not_estimable", "NumericalError": "numerical_failure"}
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.EstimationError)


def test_core_does_not_import_django() -> None:
    code = ("import sys, temoin.core.estimation, temoin.core.estimation.plots; "
            "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert output == "False"
