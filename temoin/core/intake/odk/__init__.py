"""ODK / OpenRosa: field forms (XLSForm → XForm), OpenRosa documents, submissions,
and decryption of encrypted submissions."""

from temoin.core.intake.odk.crypto import (
    DecryptedSubmission,
    EncryptedManifest,
    decrypt_submission,
    file_ivs,
    is_encrypted_manifest,
    load_private_key,
    parse_manifest,
    signature_source,
)
from temoin.core.intake.odk.exports import (
    export_attachments,
    iter_odk_export,
    read_export_attachment,
)
from temoin.core.intake.odk.forms import FORM_IDS, build_xform, form_workbook, write_xlsform
from temoin.core.intake.odk.openrosa import (
    OPENROSA_HEADERS,
    FormListEntry,
    MediaFile,
    Submission,
    form_list_xml,
    manifest_xml,
    md5_hash,
    parse_submission,
    submission_response_xml,
    submission_to_row,
)

__all__ = [
    "FORM_IDS",
    "OPENROSA_HEADERS",
    "DecryptedSubmission",
    "EncryptedManifest",
    "FormListEntry",
    "MediaFile",
    "Submission",
    "build_xform",
    "decrypt_submission",
    "export_attachments",
    "file_ivs",
    "form_list_xml",
    "form_workbook",
    "is_encrypted_manifest",
    "iter_odk_export",
    "load_private_key",
    "manifest_xml",
    "md5_hash",
    "parse_manifest",
    "parse_submission",
    "read_export_attachment",
    "signature_source",
    "submission_response_xml",
    "submission_to_row",
    "write_xlsform",
]
