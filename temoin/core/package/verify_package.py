#!/usr/bin/env python3
"""Standalone verifier of a Témoin court package (BagIt bag). Needs Python 3.9+ and `cryptography`.

    python3 verify_package.py PATH_TO_BAG [--log-key VKEY] [--witness-key VKEY ...] [--quorum N]

Checks, offline, and prints a verdict per item (exit status 0 only if everything verifies):

1. the bag: every file listed in manifest-sha256/sha512 with the right hashes, nothing extra
   or missing; tag manifests; the package signature (log key) over the manifests;
2. the checkpoint: C2SP signed note by the log key, witness cosignatures (quorum);
3. each custody entry: canonical JSON, RFC 9162 inclusion proof up to the checkpoint root;
4. each item: original bytes -> SHA-256, SHA-512 and size equal to the ingest entry; the item
   record's SHA-256 equals the one the ingest entry committed to.

Trust: pass the organisation's published log key with --log-key (and the witnesses' keys);
otherwise the keys written in the package are used and the verifier says so.  This file is
part of the package; a recipient may also obtain it from the Témoin source code.

Vérificateur autonome d'un paquet Témoin : mêmes contrôles, verdict par pièce, hors ligne.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import struct
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "temoin-package/v1"
_HEX = {"sha256": re.compile(r"[0-9a-f]{64}\Z"), "sha512": re.compile(r"[0-9a-f]{128}\Z")}


class Failure(Exception):
    """A check failed; the message says which element and why."""


# --------------------------------------------------------------------------- Merkle (RFC 9162)
def _leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: list, root: bytes) -> None:
    """RFC 9162 section 2.1.3.2."""
    if size <= 0 or not 0 <= index < size:
        raise Failure(f"leaf {index} is outside the tree of size {size}")
    if len(leaf_hash) != 32 or len(root) != 32 or any(len(p) != 32 for p in proof):
        raise Failure("hash of the wrong length in inclusion proof")
    fn, sn, result = index, size - 1, leaf_hash
    for node in proof:
        if sn == 0:
            raise Failure(f"inclusion proof of entry {index} is too long")
        if fn & 1 or fn == sn:
            result = _node_hash(node, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = _node_hash(result, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failure(f"inclusion proof of entry {index} is too short")
    if result != root:
        raise Failure(f"inclusion proof of entry {index} does not lead to the checkpoint root")


# --------------------------------------------------------------------------- signed notes (C2SP)
def _b64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Failure(f"{what}: invalid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise Failure(f"{what}: non-canonical base64")
    return raw


class Key:
    """A note verifier key ``name+hexid+base64(type||ed25519 key)``."""

    def __init__(self, vkey: str) -> None:
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3 or not parts[0] or any(c.isspace() for c in parts[0]):
            raise Failure(f"malformed verifier key {vkey!r}")
        self.name, hex_id, b64 = parts
        raw = _b64(b64, f"key {self.name}")
        if len(raw) != 33 or raw[0] not in (1, 4):
            raise Failure(f"key {self.name} is not an Ed25519 note key")
        self.algorithm = raw[0]
        self.key_id = hashlib.sha256(self.name.encode() + b"\n" + raw).digest()[:4]
        if hex_id != self.key_id.hex():
            raise Failure(f"key {self.name}: key id does not match the key")
        self.public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
        self.vkey = vkey.strip()

    def fingerprint(self) -> str:
        return hashlib.sha256(self.vkey.encode()).hexdigest()[:16]


def open_note(data: bytes, what: str) -> tuple[str, list]:
    """Split a signed note into text and (name, key id, signature) triples; strict syntax."""
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Failure(f"{what}: not UTF-8") from exc
    split = decoded.rfind("\n\n")
    if split < 0 or not decoded.endswith("\n"):
        raise Failure(f"{what}: malformed signed note")
    text, block = decoded[: split + 1], decoded[split + 2 : -1]
    if any((ord(c) < 0x20 and c != "\n") or c == "\x7f" for c in text):
        raise Failure(f"{what}: control character in note text")
    signatures = []
    for line in block.split("\n"):
        fields = line[2:].split(" ") if line.startswith("\u2014 ") else []
        if len(fields) != 2 or not fields[0] or "+" in fields[0]:
            raise Failure(f"{what}: malformed signature line")
        raw = _b64(fields[1], f"{what} signature")
        if len(raw) < 5:
            raise Failure(f"{what}: signature too short")
        signatures.append((fields[0], raw[:4], raw[4:]))
    return text, signatures


def check_note_signature(text: str, signatures: list, key: Key, what: str) -> int | None:
    """Verify the signature by ``key``; return the cosignature time (None for plain notes)."""
    mine = [s for s in signatures if s[0] == key.name and s[1] == key.key_id]
    if not mine:
        raise Failure(f"{what}: no signature by {key.name}")
    timestamp = None
    for _, _, sig in mine:
        try:
            if key.algorithm == 1:
                if len(sig) != 64:
                    raise Failure(f"{what}: signature by {key.name} has the wrong length")
                key.public_key.verify(sig, text.encode())
            else:
                if len(sig) != 72:
                    raise Failure(f"{what}: cosignature by {key.name} has the wrong length")
                (timestamp,) = struct.unpack(">Q", sig[:8])
                message = f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()
                key.public_key.verify(sig[8:], message)
        except InvalidSignature as exc:
            raise Failure(f"{what}: invalid signature by {key.name}") from exc
    return timestamp


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise Failure("checkpoint: malformed body")
    root = _b64(lines[2], "checkpoint root")
    if len(root) != 32:
        raise Failure("checkpoint: root hash is not 32 bytes")
    return lines[0], int(lines[1]), root


# --------------------------------------------------------------------------- BagIt
def _hash_file(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(path: Path, algorithm: str, separator: str) -> dict:
    entries: dict = {}
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        raise Failure(f"{path.name}: does not end with a newline")
    for number, line in enumerate(data.decode("utf-8").split("\n")[:-1], start=1):
        digest, sep, name = line.partition(separator)
        if not sep or not _HEX[algorithm].match(digest) or not name or name != name.strip() or "\\" in name:
            raise Failure(f"{path.name} line {number}: malformed")
        if name in entries:
            raise Failure(f"{path.name}: {name} listed twice")
        entries[name] = digest
    return entries


def check_bag(bag: Path) -> None:
    """Full BagIt check (sha256 and sha512 payload and tag manifests, nothing extra)."""
    if (bag / "bagit.txt").read_bytes() != b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n":
        raise Failure("bagit.txt: unexpected content")
    payload = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    for algorithm in ("sha256", "sha512"):
        manifest = _read_manifest(bag / f"manifest-{algorithm}.txt", algorithm, "  ")
        if set(manifest) != payload:
            extra, missing = sorted(payload - set(manifest)), sorted(set(manifest) - payload)
            raise Failure(f"manifest-{algorithm}.txt: files not listed {extra[:3]}, listed but missing {missing[:3]}")
        for name, digest in manifest.items():
            if _hash_file(bag / name, algorithm) != digest:
                raise Failure(f"{name}: {algorithm} differs from manifest-{algorithm}.txt")
        tags = _read_manifest(bag / f"tagmanifest-{algorithm}.txt", algorithm, " ")
        expected = {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"}
        if set(tags) != expected:
            raise Failure(f"tagmanifest-{algorithm}.txt: lists {sorted(tags)}")
        for name, digest in tags.items():
            if _hash_file(bag / name, algorithm) != digest:
                raise Failure(f"{name}: {algorithm} differs from tagmanifest-{algorithm}.txt")
    present = {p.name for p in bag.iterdir()} - {"data"}
    allowed = {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
               "tagmanifest-sha256.txt", "tagmanifest-sha512.txt", "package-signature.note"}
    if present != allowed:
        raise Failure(f"bag root: unexpected or missing files {sorted(present ^ allowed)}")
    oxum = [line for line in (bag / "bag-info.txt").read_text("utf-8").splitlines() if line.startswith("Payload-Oxum: ")]
    octets = sum((bag / name).stat().st_size for name in payload)
    if oxum != [f"Payload-Oxum: {octets}.{len(payload)}"]:
        raise Failure("bag-info.txt: Payload-Oxum does not match the payload")


def package_signature_text(bag: Path, origin: str) -> str:
    lines = [FORMAT, origin]
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"):
        lines.append(f"{name} {_hash_file(bag / name, 'sha256')}")
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------------- package
def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _load_json(path: Path, what: str) -> dict:
    try:
        value = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Failure(f"{what}: unreadable ({exc.__class__.__name__})") from exc
    if not isinstance(value, dict):
        raise Failure(f"{what}: not a JSON object")
    return value


def verify(bag: Path, *, log_key: str | None = None, witness_keys: tuple = (), quorum: int = 0) -> dict:
    """Verify a package; return {"package": [problems], "items": {sha256: [problems]}, ...}."""
    report: dict = {"package": [], "items": {}, "notes": [], "cosigners": {}}
    data = bag / "data"
    try:
        check_bag(bag)
        index = _load_json(data / "package.json", "package.json")
        if index.get("format") != FORMAT:
            raise Failure("package.json: unknown format")
        packaged_key = Key(str(index["log_key"]))
        key = Key(log_key) if log_key else packaged_key
        if log_key and key.vkey != packaged_key.vkey:
            raise Failure("package.json: the log key differs from the one given with --log-key")
        if not log_key:
            report["notes"].append(
                f"log key taken from the package itself (fingerprint {key.fingerprint()}): compare it with the key "
                "the organisation published / clé du journal lue dans le paquet : comparez son empreinte"
            )
        text, signatures = open_note((bag / "package-signature.note").read_bytes(), "package-signature.note")
        check_note_signature(text, signatures, key, "package-signature.note")
        if text != package_signature_text(bag, str(index["origin"])):
            raise Failure("package-signature.note: does not match the manifests")
        text, signatures = open_note((data / "checkpoint.note").read_bytes(), "checkpoint.note")
        check_note_signature(text, signatures, key, "checkpoint.note")
        origin, size, root = parse_checkpoint(text)
        if origin != index["origin"] or key.name != origin:
            raise Failure("checkpoint.note: origin differs from the package's log")
        witnesses = [Key(k) for k in (witness_keys or index.get("witness_keys", []))]
        if witness_keys and set(index.get("witness_keys", [])) - set(witness_keys):
            report["notes"].append("some witness keys in the package were not given on the command line")
        for witness in witnesses:
            if witness.algorithm != 4:
                raise Failure(f"witness key {witness.name} is not a cosignature key")
            if any(s[0] == witness.name and s[1] == witness.key_id for s in signatures):
                report["cosigners"][witness.name] = check_note_signature(text, signatures, witness, "checkpoint.note")
        if len(report["cosigners"]) < quorum:
            raise Failure(f"checkpoint.note: {len(report['cosigners'])} witness cosignatures, {quorum} required")
        report["checkpoint"] = {"origin": origin, "size": size, "root": root.hex()}
        entries = _verified_entries(data, size, root)
    except (Failure, KeyError, OSError, ValueError, TypeError) as exc:
        report["package"].append(str(exc) if isinstance(exc, Failure) else f"{exc.__class__.__name__}: {exc}")
        for item_dir in sorted((data / "items").glob("*")) if (data / "items").is_dir() else []:
            report["items"][item_dir.name] = ["package-level check failed"]
        return report
    listed = [str(sha) for sha in index.get("items", [])]
    present = sorted(p.name for p in (data / "items").iterdir())
    if sorted(listed) != present:
        report["package"].append("package.json: item list differs from data/items/")
    for sha256 in present:
        report["items"][sha256] = _verify_item(data / "items" / sha256, sha256, entries)
    return report


def _verified_entries(data: Path, size: int, root: bytes) -> dict:
    proofs = _load_json(data / "custody" / "proofs.json", "custody/proofs.json")
    raw = (data / "custody" / "entries.jsonl").read_bytes()
    if not raw.endswith(b"\n"):
        raise Failure("custody/entries.jsonl: does not end with a newline")
    entries: dict = {}
    for line in raw.split(b"\n")[:-1]:
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Failure("custody/entries.jsonl: unreadable line") from exc
        if not isinstance(entry, dict) or _canonical(entry) != line or not isinstance(entry.get("seq"), int):
            raise Failure("custody/entries.jsonl: entry not in canonical form")
        seq = entry["seq"]
        if seq in entries:
            raise Failure(f"custody/entries.jsonl: entry {seq} appears twice")
        proof_hex = proofs.get(str(seq))
        if not isinstance(proof_hex, list) or not all(isinstance(h, str) and _HEX["sha256"].match(h) for h in proof_hex):
            raise Failure(f"custody/proofs.json: no well-formed proof for entry {seq}")
        verify_inclusion(seq, size, _leaf_hash(line), [bytes.fromhex(h) for h in proof_hex], root)
        entries[seq] = entry
    if set(proofs) != {str(s) for s in entries}:
        raise Failure("custody/proofs.json: proofs and entries do not correspond")
    return entries


def _verify_item(item_dir: Path, sha256: str, entries: dict) -> list:
    problems: list = []
    try:
        item = _load_json(item_dir / "item.json", f"{sha256}/item.json")
        ingest = entries.get(item.get("ingest_seq"))
        if ingest is None or ingest.get("item_sha256") != sha256 or ingest.get("action") not in ("ingest", "derivative_created"):
            return ["the ingest entry of this item is missing from the verified custody entries"]
        for seq in item.get("entry_seqs", []):
            entry = entries.get(seq)
            if entry is None or sha256 not in (entry.get("item_sha256"), entry.get("related_sha256")):
                problems.append(f"custody entry {seq} listed for the item is missing or about another item")
        details = ingest["details"]
        originals = [p for p in (item_dir / "content").iterdir()] if (item_dir / "content").is_dir() else []
        if len(originals) != 1:
            return problems + ["expected exactly one content file in content/"]
        content = originals[0]
        if _hash_file(content, "sha256") != sha256:
            problems.append("content SHA-256 differs from the custody log")
        if _hash_file(content, "sha512") != details.get("sha512"):
            problems.append("content SHA-512 differs from the custody log")
        if content.stat().st_size != details.get("size"):
            problems.append("content size differs from the custody log")
        if _hash_file(item_dir / "record.json", "sha256") != details.get("record_sha256"):
            problems.append("record.json differs from the record committed to by the custody log")
        for key in ("sha256", "sha512", "size"):
            expected = sha256 if key == "sha256" else details.get(key)
            if item.get(key) != expected:
                problems.append(f"item.json field {key} differs from the custody log")
    except (Failure, KeyError, OSError, TypeError, ValueError) as exc:
        problems.append(str(exc) if isinstance(exc, Failure) else f"{exc.__class__.__name__}: {exc}")
    return problems


def report_ok(report: dict) -> bool:
    return not report["package"] and bool(report["items"]) and all(not p for p in report["items"].values())


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Témoin court package offline.")
    parser.add_argument("bag", type=Path)
    parser.add_argument("--log-key", help="the organisation's published log verifier key (vkey)")
    parser.add_argument("--witness-key", action="append", default=[], help="a witness cosigner key (repeatable)")
    parser.add_argument("--quorum", type=int, default=0, help="minimum number of witness cosignatures")
    args = parser.parse_args(argv)
    report = verify(args.bag, log_key=args.log_key, witness_keys=tuple(args.witness_key), quorum=args.quorum)
    for note in report["notes"]:
        print(f"NOTE  {note}")
    for problem in report["package"]:
        print(f"PACKAGE FAILED / PAQUET NON VÉRIFIÉ: {problem}")
    if "checkpoint" in report:
        cp = report["checkpoint"]
        print(f"checkpoint: {cp['origin']} size {cp['size']} root {cp['root']}; "
              f"witnesses: {', '.join(sorted(report['cosigners'])) or 'none'}")
    for sha256, problems in sorted(report["items"].items()):
        if problems:
            print(f"FAILED  {sha256}  NON VÉRIFIÉ: " + "; ".join(problems))
        else:
            print(f"OK      {sha256}  verified / vérifié")
    ok = report_ok(report)
    print("VERDICT: ALL VERIFIED / TOUT EST VÉRIFIÉ" if ok else "VERDICT: FAILURES FOUND / ÉCHECS CONSTATÉS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
