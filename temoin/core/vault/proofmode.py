"""ProofMode bundles: check the proofs that arrive with a file and record the verdict verbatim.

A ProofMode export (Guardian Project) is a zip holding the media, ``<sha256>.proof.json`` /
``.proof.csv`` (sensor metadata, ``"File Hash SHA256"``), OpenPGP detached signatures
``<sha256>.asc`` (of the media), ``<sha256>.proof.json.asc``, ``<sha256>.proof.csv.asc`` and the
signer's ``pubkey.asc``.  The check is the one ProofMode documents (proofmode.org/verify):
SHA-256 of each media file against its proof, and each signature with GnuPG in a throw-away
home directory.  The zip itself is the evidentiary object and is never modified; a failed check
is a finding, and the file is preserved with it.  The key is the one shipped in the bundle
(self-asserted, pseudonymous): a good signature shows the files were not changed since signing,
not who signed.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Final

from temoin.core.vault.content import Finding

__all__ = ["TOOL", "check_proofmode_zip", "looks_like_proofmode"]

TOOL: Final[str] = "temoin.proofmode-check 1"
MAX_MEMBER_BYTES: Final[int] = 64 << 20
MAX_MEMBERS: Final[int] = 200
_GPG = shutil.which("gpg")


def looks_like_proofmode(names: list[str]) -> bool:
    """A zip is treated as a ProofMode bundle when it has a public key and a proof JSON."""
    return "pubkey.asc" in names and any(name.endswith(".proof.json") for name in names)


def _gpg_version() -> str:
    if _GPG is None:
        return "unavailable"
    done = subprocess.run([_GPG, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "unknown"


def _gpg_verify(home: Path, signature: Path, data: Path) -> tuple[str, str | None]:
    """Return ("good" | "bad" | "no_key" | "error", signer fingerprint)."""
    assert _GPG is not None
    done = subprocess.run(
        [_GPG, "--homedir", str(home), "--batch", "--no-autostart", "--status-fd", "1",
         "--verify", str(signature), str(data)],
        capture_output=True, text=True, check=False,
    )
    status = [line.split() for line in done.stdout.splitlines() if line.startswith("[GNUPG:] ")]
    words = {parts[1] for parts in status if len(parts) > 1}
    fingerprint = next((parts[2] for parts in status if len(parts) > 2 and parts[1] == "VALIDSIG"), None)
    if "GOODSIG" in words and "VALIDSIG" in words and "BADSIG" not in words:
        return "good", fingerprint
    if "BADSIG" in words:
        return "bad", None
    if "NO_PUBKEY" in words:
        return "no_key", None
    return "error", None


def check_proofmode_zip(data: bytes) -> tuple[dict[str, Any], list[Finding]]:
    """Check a ProofMode bundle held in memory; return the verdict record and findings."""
    verdict: dict[str, Any] = {"type": "proofmode", "tool": TOOL, "gpg": _gpg_version(), "media": [], "proofs": {}}
    findings: list[Finding] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile:
        return verdict | {"result": "unreadable"}, [Finding("proofmode_unreadable", "the ProofMode zip cannot be read")]
    if len(members) > MAX_MEMBERS or any(m.file_size > MAX_MEMBER_BYTES for m in members):
        return verdict | {"result": "too_large"}, [Finding("proofmode_not_checked", "the ProofMode zip is too large to check here")]
    names = [m.filename for m in members]
    if _GPG is None:
        findings.append(Finding("proofmode_not_checked", "GnuPG is not installed: ProofMode signatures were not checked"))
    with tempfile.TemporaryDirectory(prefix="temoin-proofmode-") as work:
        root = Path(work)
        home = root / "gnupg"
        home.mkdir(mode=0o700)
        files = root / "files"
        files.mkdir()
        for position, member in enumerate(members):
            (files / f"{position}").write_bytes(archive.read(member))
        path_of = {name: files / f"{position}" for position, name in enumerate(names)}
        if _GPG is not None:
            subprocess.run([_GPG, "--homedir", str(home), "--batch", "--no-autostart", "--import",
                            str(path_of["pubkey.asc"])], capture_output=True, check=False)
        for proof_name in sorted(n for n in names if n.endswith(".proof.json")):
            stem = proof_name.removesuffix(".proof.json")
            for signed in (proof_name, stem + ".proof.csv"):
                if signed in path_of:
                    signature = path_of.get(signed + ".asc")
                    state = "missing" if signature is None else (
                        _gpg_verify(home, signature, path_of[signed])[0] if _GPG else "not_checked")
                    verdict["proofs"][signed] = state
            try:
                declared = str(json.loads(path_of[proof_name].read_bytes()).get("File Hash SHA256", "")).lower()
            except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
                declared = ""
            media_names = [n for n in names if n != "pubkey.asc"
                           and not n.endswith((".asc", ".proof.json", ".proof.csv", ".ots", ".gst"))]
            media = next((n for n in media_names if hashlib.sha256(path_of[n].read_bytes()).hexdigest() == declared),
                         media_names[0] if len(media_names) == 1 else None)
            entry: dict[str, Any] = {"proof": proof_name, "declared_sha256": declared, "file": media}
            if media is None:
                entry["hash"] = "media_missing"
            else:
                actual = hashlib.sha256(path_of[media].read_bytes()).hexdigest()
                entry["sha256"] = actual
                entry["hash"] = "match" if actual == declared else "mismatch"
                signature = path_of.get(stem + ".asc")
                if signature is None:
                    entry["signature"] = "missing"
                elif _GPG is None:
                    entry["signature"] = "not_checked"
                else:
                    entry["signature"], entry["signer_fingerprint"] = _gpg_verify(home, signature, path_of[media])
            verdict["media"].append(entry)
    if not verdict["media"]:
        findings.append(Finding("proofmode_unreadable", "no proof JSON found in the ProofMode zip"))
    for entry in verdict["media"]:
        if entry["hash"] != "match":
            findings.append(Finding("proofmode_hash_mismatch", f"{entry['proof']}: the media does not match the hash in its proof"))
        if entry.get("signature") not in ("good", "not_checked"):
            findings.append(Finding("proofmode_signature_invalid", f"{entry['proof']}: media signature is {entry.get('signature')}"))
    for name, state in verdict["proofs"].items():
        if state not in ("good", "not_checked"):
            findings.append(Finding("proofmode_signature_invalid", f"{name}: signature is {state}"))
    verdict["result"] = "valid" if not findings else ("not_checked" if _GPG is None else "invalid")
    return verdict, findings
