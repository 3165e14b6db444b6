"""Reduced item records for non-judicial recipients (``disclosure="redacted"`` packages).

A court gets the full item record the custody log committed to (file name, EXIF/GPS, device
and network values of Tella/ODK records, context).  Other recipients get
``record-redacted.json``: an allowlist of non-identifying values, the names (never the
values) of what was withheld, and the SHA-256 of the full record so a court can later be
shown that both describe the same item.

A working copy whose own bytes still carry location or EXIF values (seen at its ingest) is
not safe to hand out: :func:`identifying_content_fields` names them so the export is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["IDENTIFYING_CONTENT_PREFIXES", "identifying_content_fields", "redact_record"]

_KEPT_KEYS: Final[tuple[str, ...]] = (
    "version", "sha256", "sha512", "size", "media_type", "media_type_tool", "derived_from", "operation",
)
_KEPT_METADATA_PREFIXES: Final[tuple[str, ...]] = (
    "image.format", "image.width", "image.height", "perceptual_hash.", "video.duration_ms",
)
# Values extracted from the file's own bytes that locate or identify a person or device.
IDENTIFYING_CONTENT_PREFIXES: Final[tuple[str, ...]] = ("gps.", "exif.", "video.location")


def identifying_content_fields(record: Mapping[str, Any]) -> list[str]:
    """Names of identifying values extracted from the item's own bytes at ingest."""
    return sorted({
        str(entry.get("field"))
        for entry in record.get("metadata") or []
        if str(entry.get("field", "")).startswith(IDENTIFYING_CONTENT_PREFIXES)
    })


def redact_record(record: Mapping[str, Any], *, record_sha256: str) -> dict[str, Any]:
    """The reduced record of an item: allowlisted values only, withheld names listed."""
    summarised = {"proofs": "proofs (details)", "findings": "findings (messages)"}
    withheld = sorted(
        summarised.get(key, key)
        for key, value in record.items()
        if key not in _KEPT_KEYS and key != "metadata" and value not in (None, "", [], {})
    )
    kept_metadata = []
    withheld_metadata = set()
    for entry in record.get("metadata") or []:
        if str(entry.get("field", "")).startswith(_KEPT_METADATA_PREFIXES):
            kept_metadata.append(dict(entry))
        else:
            withheld_metadata.add(str(entry.get("field")))
    reduced: dict[str, Any] = {key: record[key] for key in _KEPT_KEYS if key in record}
    reduced["proofs"] = [{"type": p.get("type"), "result": p.get("result")} for p in record.get("proofs") or []]
    reduced["findings"] = [{"code": f.get("code")} for f in record.get("findings") or []]
    reduced["metadata"] = kept_metadata
    reduced["disclosure"] = "redacted"
    reduced["record_sha256"] = record_sha256
    reduced["withheld"] = sorted(withheld)
    reduced["withheld_metadata_fields"] = sorted(withheld_metadata)
    reduced["note"] = (
        "reduced record for a non-judicial recipient; the full record (committed to by the custody "
        "log, SHA-256 above) is kept by the sending organisation"
    )
    return reduced
