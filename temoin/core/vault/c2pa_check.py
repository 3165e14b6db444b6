"""C2PA Content Credentials: read an embedded manifest and record its validation verbatim.

Uses ``c2pa-python`` (the Content Authenticity Initiative's binding of the Rust SDK) when it is
installed; without it nothing is read and nothing is claimed.  The validation state
(``Valid``/``Trusted``/``Invalid``) and the full list of status codes (``claimSignature.validated``,
``assertion.dataHash.mismatch``, ``signingCredential.untrusted``…) are stored as the SDK gave
them, with the tool and SDK versions.  An ``Invalid`` state is a finding; the file is preserved.
No trust list is configured here, so ``signingCredential.untrusted`` is expected for most
signers and is recorded, not treated as failure.  OCSP and remote manifests are not fetched.
"""

from __future__ import annotations

import io
import json
from importlib import metadata
from typing import Any, Final

from temoin.core.vault.content import Finding

__all__ = ["TOOL", "read_c2pa"]

TOOL: Final[str] = "c2pa-python"

try:  # optional dependency
    import c2pa as _c2pa
except ImportError:  # pragma: no cover - depends on the environment
    _c2pa = None


def _plain(value: Any) -> Any:
    """JSON values without floats (records are canonical JSON)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read_c2pa(content: bytes, media_type: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The C2PA verdict for a file held in memory, or None when it carries no manifest."""
    if _c2pa is None:
        return None, []
    try:
        supported = set(_c2pa.Reader.get_supported_mime_types())
    except _c2pa.C2paError:
        supported = set()
    if media_type not in supported:
        return None, []
    try:
        reader = _c2pa.Reader(media_type, io.BytesIO(content))
    except _c2pa.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or b"c2pa" not in content:
            return None, []  # no manifest, or a file the SDK cannot parse that shows no C2PA data
        return (
            {"type": "c2pa", "tool": TOOL, "tool_version": metadata.version("c2pa-python"),
             "sdk_version": _c2pa.sdk_version(), "result": "unreadable", "error": type(exc).__name__},
            [Finding("c2pa_unreadable", f"a C2PA manifest could not be read ({type(exc).__name__})")],
        )
    try:
        state = reader.get_validation_state()
        results = json.loads(json.dumps(reader.get_validation_results()))
        manifest = json.loads(reader.json())
    finally:
        reader.close()
    verdict = {
        "type": "c2pa",
        "tool": TOOL,
        "tool_version": metadata.version("c2pa-python"),
        "sdk_version": _c2pa.sdk_version(),
        "validation_state": state,
        "validation_results": _plain(results),
        "active_manifest": manifest.get("active_manifest"),
        "result": "invalid" if state == "Invalid" else "valid",
    }
    findings: list[Finding] = []
    if state == "Invalid":
        failures = sorted({f.get("code", "?") for f in (results or {}).get("activeManifest", {}).get("failure", [])})
        findings.append(Finding("c2pa_invalid", f"the C2PA manifest does not validate: {', '.join(failures)}"))
    return verdict, findings
