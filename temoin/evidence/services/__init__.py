"""Every write of the evidence domain: permission → validation (all at once) → vault
(custody entry in the core log) → rows + audit row in one transaction.

The vault operation runs *before* the database transaction (a multi-GB stream must not hold
the database write lock). If the database part fails afterwards, the vault holds an item the
database does not know yet: the next ingest of the same bytes is recognised as a duplicate
and creates the missing row. Audit details hold hashes, ids and codes — never file names.
"""

from temoin.evidence.services.common import (
    FILENAME_CONTEXT,
    JUDICIAL,
    RECIPIENT_KINDS,
    custody_actor,
)
from temoin.evidence.services.exports import ExportOutcome, evidence_export
from temoin.evidence.services.items import (
    IngestOutcome,
    evidence_derive,
    evidence_ingest,
    evidence_link,
    evidence_open_original,
    evidence_unlink,
    field_record_from,
)
from temoin.evidence.services.upkeep import (
    VerifyOutcome,
    evidence_checkpoint,
    evidence_rewrap_keys,
    evidence_shred,
    evidence_verify,
)
from temoin.evidence.services.witnessing import (
    CosignatureRefused,
    CosignOutcome,
    PublishOutcome,
    TimestampResult,
    checkpoint_timestamp,
    custody_checkpoint_publish,
    witness_cosignature_accept,
    witness_key_add,
    witness_key_revoke,
)

__all__ = [
    "CosignOutcome",
    "CosignatureRefused",
    "PublishOutcome",
    "TimestampResult",
    "checkpoint_timestamp",
    "custody_checkpoint_publish",
    "witness_cosignature_accept",
    "witness_key_add",
    "witness_key_revoke",
    "FILENAME_CONTEXT",
    "JUDICIAL",
    "RECIPIENT_KINDS",
    "ExportOutcome",
    "IngestOutcome",
    "VerifyOutcome",
    "custody_actor",
    "evidence_checkpoint",
    "evidence_derive",
    "evidence_export",
    "evidence_ingest",
    "evidence_link",
    "evidence_open_original",
    "evidence_rewrap_keys",
    "evidence_shred",
    "evidence_unlink",
    "evidence_verify",
    "field_record_from",
]
