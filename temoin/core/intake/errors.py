"""Errors raised by the intake core.

A bad *row* never raises: it becomes a :class:`~temoin.core.intake.records.QuarantinedRow`.
These exceptions are for problems with a whole file, a mapping profile or a submission,
where no row-level answer makes sense. Every error has a stable ``code`` and a message that
names the file (and the field, when there is one) but never personal data from the content.

Exception tree::

    IntakeError                      code="intake_error"
    ├── UnreadableFileError          code="file_unreadable"  (missing, a folder, no permission)
    ├── FileFormatError              code="file_format"      (wrong kind of file, no header…)
    │   ├── EmptyFileError           code="empty_file"
    │   └── EncodingError            code="encoding"         (undecodable bytes)
    ├── ProfileError                 code="profile_invalid"  (all problems listed in .problems)
    └── SubmissionError              code="submission_invalid"
        ├── ManifestError            code="manifest_invalid"
        ├── DecryptionError          code="decryption_failed"
        ├── MissingAttachmentError   code="attachment_missing"
        └── SignatureMismatchError   code="signature_mismatch"
    AuthorizationError           code="authorization_invalid" (a malformed Digest header)

Row-level problems are not exceptions: a :class:`~temoin.core.intake.records.QuarantinedRow`
carries one of the stable ``reason_code`` values of :data:`QUARANTINE_REASONS` (a test checks
that every code the parsers write is listed there, and that the apps translate each one;
:func:`error_codes` lists the codes of the exception tree above).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "QUARANTINE_REASONS",
    "AuthorizationError",
    "DecryptionError",
    "EmptyFileError",
    "EncodingError",
    "FileFormatError",
    "IntakeError",
    "ManifestError",
    "MissingAttachmentError",
    "ProfileError",
    "SignatureMismatchError",
    "SubmissionError",
    "UnreadableFileError",
    "error_codes",
]


class IntakeError(Exception):
    """Base of every intake error; ``code`` is stable and safe to show in an API."""

    code = "intake_error"

    def __init__(self, message: str, *, source_name: str | None = None, field: str | None = None):
        self.message = message
        self.source_name = source_name
        self.field = field
        where = ""
        if source_name:
            where += f"{source_name}: "
        if field:
            where += f"field {field!r}: "
        super().__init__(where + message)


class UnreadableFileError(IntakeError):
    """The file cannot be opened (missing, a directory, no permission)."""

    code = "file_unreadable"


class FileFormatError(IntakeError):
    """The file is not of the expected kind (no header, wrong columns, not JSON…)."""

    code = "file_format"


class EmptyFileError(FileFormatError):
    """The file has no bytes, or no header row."""

    code = "empty_file"


class EncodingError(FileFormatError):
    """The bytes cannot be decoded with the detected encoding."""

    code = "encoding"


class ProfileError(IntakeError):
    """A column-mapping profile is invalid; ``problems`` lists every problem at once."""

    code = "profile_invalid"

    def __init__(self, problems: list[str], *, source_name: str | None = None):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems), source_name=source_name)


class SubmissionError(IntakeError):
    """An OpenRosa submission (plain or encrypted) cannot be accepted."""

    code = "submission_invalid"


class ManifestError(SubmissionError):
    """The encrypted-submission manifest is malformed or incomplete."""

    code = "manifest_invalid"


class DecryptionError(SubmissionError):
    """The symmetric key or a file could not be decrypted with the given private key."""

    code = "decryption_failed"


class MissingAttachmentError(SubmissionError):
    """A file named by the manifest was not supplied."""

    code = "attachment_missing"


class SignatureMismatchError(SubmissionError):
    """The decrypted content does not match the submission's element signature."""

    code = "signature_mismatch"


class AuthorizationError(IntakeError):
    """An HTTP ``Authorization: Digest …`` header that cannot be parsed or lacks a field."""

    code = "authorization_invalid"


QUARANTINE_REASONS: Mapping[str, str] = MappingProxyType({
    "bad_coordinate": "a coordinate is not a number, is out of range, or is given without "
                      "the other one",
    "bad_date": "a date that cannot be read or does not exist",
    "bad_number": "a count that is not a whole number of at least 0",
    "bad_range": "the end (or maximum) comes before the start (or minimum)",
    "bad_shape": "the row does not have the expected shape (extra cells, not a JSON object)",
    "duplicate_id": "the upstream id is already used by an earlier row of the same file",
    "id_too_long": "the upstream id is longer than the database column (never truncated)",
    "missing_id": "the upstream id is empty",
    "missing_value": "a required value is empty",
    "unknown_act_type": "a partner's act label that the mapping profile does not map",
    "unknown_event_type": "an event type that the source's type mapping does not know",
})
"""Every ``QuarantinedRow.reason_code`` with its meaning in English."""


def error_codes() -> frozenset[str]:
    """The ``code`` of every exception class of this module's tree."""
    codes: set[str] = set()
    pending: list[type[IntakeError]] = [IntakeError]
    while pending:
        cls = pending.pop()
        codes.add(cls.code)
        pending.extend(cls.__subclasses__())
    return frozenset(codes)
