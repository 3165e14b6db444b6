"""Errors of the multiple systems estimation core.

Every error has a stable ``code`` (for the API's single error shape) and a human message
naming the stratum, row and column at fault — never a person::

    EstimationError              code="estimation_error"
    ├── InvalidTableError        code="invalid_table"        (file, row, column)
    ├── InvalidSettingsError     code="invalid_settings"     (all problems at once)
    ├── TooSparseError           code="too_sparse"           (the counts that make it so)
    ├── ModelNotEstimableError   code="model_not_estimable"  (MLE missing / not identifiable)
    └── NumericalError           code="numerical_failure"    (fit did not converge)
"""

from __future__ import annotations

__all__ = [
    "EstimationError",
    "InvalidSettingsError",
    "InvalidTableError",
    "ModelNotEstimableError",
    "NumericalError",
    "TooSparseError",
]


class EstimationError(Exception):
    """Base class of every error raised by ``temoin.core.estimation``."""

    code = "estimation_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTableError(EstimationError):
    """A capture-history file or list-overlap table is malformed."""

    code = "invalid_table"

    def __init__(
        self, *, source: str, problem: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.source = source
        self.row = row
        self.column = column
        where = source
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")


class InvalidSettingsError(EstimationError):
    """Settings failed validation; ``problems`` lists every problem found, not just the first."""

    code = "invalid_settings"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid estimation settings: " + "; ".join(self.problems))


class TooSparseError(EstimationError):
    """A stratum has too little information for the requested method.

    ``counts`` holds the numbers that make it so (individuals per list, overlaps…).
    """

    code = "too_sparse"

    def __init__(self, *, stratum: str | None, reason: str, counts: dict[str, int]) -> None:
        self.stratum = stratum
        self.reason = reason
        self.counts = dict(counts)
        shown = ", ".join(f"{key}={value}" for key, value in self.counts.items())
        label = f"stratum {stratum!r}" if stratum is not None else "table"
        super().__init__(f"{label} refused: {reason} ({shown})")


class ModelNotEstimableError(EstimationError):
    """The (extended) maximum likelihood estimate of a log-linear model does not exist or
    is not identifiable; ``verdict`` is 1 (does not exist), 2 (not identifiable) or 3 (both),
    as in SparseMSE's ``checkident``."""

    code = "model_not_estimable"

    def __init__(self, *, model: str, verdict: int) -> None:
        self.model = model
        self.verdict = verdict
        reasons = []
        if verdict & 1:
            reasons.append("the maximum likelihood estimate does not exist (infinite)")
        if verdict & 2:
            reasons.append("the model is not identifiable from these data")
        super().__init__(f"model {model} cannot be fitted: " + " and ".join(reasons))


class NumericalError(EstimationError):
    """An iterative fit failed to converge."""

    code = "numerical_failure"
