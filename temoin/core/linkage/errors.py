"""Errors of the record-linkage core.

Every error carries a stable ``code`` (for the API's single error shape) and a human
message that names the record and field at fault, never a person's name or contact::

    LinkageError                       code="linkage_error"
    ├── InvalidSettingsError           code="invalid_settings"      (all problems at once)
    ├── InvalidRecordError             code="invalid_record"        (record id + field)
    ├── VariantFileError               code="invalid_variant_file"  (line number)
    ├── BackendUnavailableError        code="backend_unavailable"   (e.g. pyspark missing)
    ├── MemoryLimitError               code="memory_limit_exceeded" (memory_limit_mb too low)
    └── LabelError                     code="invalid_label"         (reviewed pair unknown)
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "InvalidRecordError",
    "InvalidSettingsError",
    "LabelError",
    "LinkageError",
    "MemoryLimitError",
    "VariantFileError",
]


class LinkageError(Exception):
    """Base class of every error raised by ``temoin.core.linkage``."""

    code = "linkage_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidSettingsError(LinkageError):
    """Settings failed validation; ``problems`` lists every problem found (not just the first)."""

    code = "invalid_settings"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid linkage settings: " + "; ".join(self.problems))


class InvalidRecordError(LinkageError):
    """An input record is malformed (wrong type, impossible value)."""

    code = "invalid_record"

    def __init__(self, *, record_id: str, field: str, problem: str) -> None:
        self.record_id = record_id
        self.field = field
        super().__init__(f"record {record_id!r}, field {field!r}: {problem}")


class VariantFileError(LinkageError):
    """The name-variant data file is malformed."""

    code = "invalid_variant_file"


class BackendUnavailableError(LinkageError):
    """The requested backend (e.g. Spark) cannot be used in this environment."""

    code = "backend_unavailable"


class MemoryLimitError(LinkageError):
    """DuckDB could not finish within ``memory_limit_mb`` (some steps cannot spill to disk)."""

    code = "memory_limit_exceeded"


class LabelError(LinkageError):
    """A reviewed pair refers to a record that is not part of the input."""

    code = "invalid_label"
