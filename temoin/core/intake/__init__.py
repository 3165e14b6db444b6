"""Pure intake core: parsers that turn upstream files into plain records, without Django.

Every parser streams ``ParsedRow | QuarantinedRow`` in file order and raises an
:class:`~temoin.core.intake.errors.IntakeError` only for problems with the whole file
(checked when the parser is *called*, before the first row is yielded).

    iter_acled(path) / iter_acled_json(payload)   ACLED CSV (HXL or not) / API JSON
    iter_ucdp(path)                               UCDP GED CSV
    iter_table(path, profile) / dry_run(...)      CSV/XLSX through a MappingProfile
    iter_uwazi(path, profile)                     Uwazi CSV export
    temoin.core.intake.odk                        XLSForms, OpenRosa, submissions, encrypted
                                                  submissions, ODK Central/KoBo exports
    record_fingerprint / diff_records / detect_deletions   idempotent re-imports
"""

from temoin.core.intake.acled import ACLED_ATTRIBUTION, iter_acled, iter_acled_json, parse_acled_row
from temoin.core.intake.actmap import ActMapping, ActTypeMap, load_act_type_map
from temoin.core.intake.errors import (
    DecryptionError,
    EmptyFileError,
    EncodingError,
    FileFormatError,
    IntakeError,
    ManifestError,
    MissingAttachmentError,
    ProfileError,
    SignatureMismatchError,
    SubmissionError,
    UnreadableFileError,
)
from temoin.core.intake.fingerprint import (
    DeletionReport,
    FieldChange,
    detect_deletions,
    diff_records,
    flatten_record,
    record_fingerprint,
)
from temoin.core.intake.profile import (
    MappingProfile,
    load_profile,
    save_profile,
    validate_profile,
)
from temoin.core.intake.records import (
    ActClaim,
    ActorName,
    CasualtyClaim,
    DatePrecision,
    EventRecord,
    LocationClaim,
    ParsedRow,
    QuarantinedRow,
    RowResult,
    SourceRecord,
)
from temoin.core.intake.table import DryRunReport, dry_run, iter_table, iter_uwazi, uwazi_profile
from temoin.core.intake.textio import TextFileInfo, parse_date, sniff_text_file
from temoin.core.intake.ucdp import UCDP_ATTRIBUTION, iter_ucdp

__all__ = [
    "ACLED_ATTRIBUTION",
    "UCDP_ATTRIBUTION",
    "DryRunReport",
    "MappingProfile",
    "dry_run",
    "iter_table",
    "iter_ucdp",
    "iter_uwazi",
    "load_profile",
    "save_profile",
    "uwazi_profile",
    "validate_profile",
    "ActClaim",
    "ActMapping",
    "ActTypeMap",
    "ActorName",
    "CasualtyClaim",
    "DatePrecision",
    "DecryptionError",
    "DeletionReport",
    "EmptyFileError",
    "EncodingError",
    "EventRecord",
    "FieldChange",
    "FileFormatError",
    "IntakeError",
    "LocationClaim",
    "ManifestError",
    "MissingAttachmentError",
    "ParsedRow",
    "ProfileError",
    "QuarantinedRow",
    "RowResult",
    "SignatureMismatchError",
    "SourceRecord",
    "SubmissionError",
    "TextFileInfo",
    "UnreadableFileError",
    "detect_deletions",
    "diff_records",
    "flatten_record",
    "iter_acled",
    "iter_acled_json",
    "load_act_type_map",
    "parse_acled_row",
    "parse_date",
    "record_fingerprint",
    "sniff_text_file",
]
