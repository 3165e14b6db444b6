#!/usr/bin/env python3
"""Standalone verifier of a Témoin court package (BagIt bag). Needs Python 3.9+ and `cryptography` >= 42.

    python3 verify_package.py PATH_TO_BAG [--log-key VKEY] [--witness-key VKEY ...] [--quorum N]

Checks, offline, and prints a verdict per item (exit status 0 only if everything verifies):

1. the bag: every file listed in manifest-sha256/sha512 with the right hashes, nothing extra
   or missing; tag manifests; the package signature (log key) over the manifests;
2. the checkpoint: C2SP signed note by the log key, witness cosignatures (quorum), RFC 3161
   time-stamp tokens over it (--tsa-root, --min-timestamps);
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
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding

_DER = Encoding.DER

FORMAT = "temoin-package/v1"
DISCLOSURES = ("full", "redacted")  # full: courts; redacted: non-judicial recipients (reduced item records)
Signature = tuple[str, bytes, bytes]  # key name, key id, signature bytes
_HEX = {"sha256": re.compile(r"[0-9a-f]{64}\Z"), "sha512": re.compile(r"[0-9a-f]{128}\Z")}


class Failure(Exception):
    """A check failed; the message says which element and why."""


# --------------------------------------------------------------------------- Merkle (RFC 9162)
def _leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: list[bytes], root: bytes) -> None:
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


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> None:
    """RFC 9162 section 2.1.4.2: tree ``new_root`` is an append-only extension of ``old_root``."""
    if len(old_root) != 32 or len(new_root) != 32 or any(len(p) != 32 for p in proof):
        raise Failure("hash of the wrong length in consistency proof")
    if not 0 < old_size <= new_size:
        raise Failure(f"consistency proof sizes {old_size} -> {new_size} are not increasing")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise Failure(f"two different roots for the same size {old_size}")
        return
    if not proof:
        raise Failure(f"empty consistency proof for sizes {old_size} -> {new_size}")
    path = ([old_root] if old_size & (old_size - 1) == 0 else []) + list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            raise Failure(f"consistency proof {old_size} -> {new_size} is too long")
        if fn & 1 or fn == sn:
            first, second = _node_hash(node, first), _node_hash(node, second)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            second = _node_hash(second, node)
        fn >>= 1
        sn >>= 1
    if sn != 0 or first != old_root or second != new_root:
        raise Failure(f"consistency proof {old_size} -> {new_size} does not verify")


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


def open_note(data: bytes, what: str) -> tuple[str, list[Signature]]:
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


def check_note_signature(text: str, signatures: list[Signature], key: Key, what: str) -> int | None:
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


def _read_manifest(path: Path, algorithm: str, separator: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        raise Failure(f"{path.name}: does not end with a newline")
    for number, line in enumerate(data.decode("utf-8").split("\n")[:-1], start=1):
        digest, sep, name = line.partition(separator)
        if (
            not sep
            or not _HEX[algorithm].match(digest)
            or not name
            or name != name.strip()
            or "\\" in name
        ):
            raise Failure(f"{path.name} line {number}: malformed")
        if name in entries:
            raise Failure(f"{path.name}: {name} listed twice")
        entries[name] = digest
    return entries


def check_bag(bag: Path) -> None:
    """Full BagIt check (sha256 and sha512 payload and tag manifests, nothing extra)."""
    if (
        bag / "bagit.txt"
    ).read_bytes() != b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n":
        raise Failure("bagit.txt: unexpected content")
    payload = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    for algorithm in ("sha256", "sha512"):
        manifest = _read_manifest(bag / f"manifest-{algorithm}.txt", algorithm, "  ")
        if set(manifest) != payload:
            extra, missing = sorted(payload - set(manifest)), sorted(set(manifest) - payload)
            raise Failure(
                f"manifest-{algorithm}.txt: files not listed {extra[:3]}, listed but missing {missing[:3]}"
            )
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
    allowed = {
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
        "package-signature.note",
    }
    if present != allowed:
        raise Failure(f"bag root: unexpected or missing files {sorted(present ^ allowed)}")
    oxum = [
        line
        for line in (bag / "bag-info.txt").read_text("utf-8").splitlines()
        if line.startswith("Payload-Oxum: ")
    ]
    octets = sum((bag / name).stat().st_size for name in payload)
    if oxum != [f"Payload-Oxum: {octets}.{len(payload)}"]:
        raise Failure("bag-info.txt: Payload-Oxum does not match the payload")


def package_signature_text(bag: Path, origin: str) -> str:
    lines = [FORMAT, origin]
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"):
        lines.append(f"{name} {_hash_file(bag / name, 'sha256')}")
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------------- RFC 3161 time-stamps
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_TST_INFO = "1.2.840.113549.1.9.16.1.4"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_CERT = "1.2.840.113549.1.9.16.2.12"
OID_SIGNING_CERT_V2 = "1.2.840.113549.1.9.16.2.47"
OID_TIME_STAMPING = "1.3.6.1.5.5.7.3.8"
DIGESTS = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
           "2.16.840.1.101.3.4.2.3": "sha512", "1.3.14.3.2.26": "sha1"}
SIGNATURE_DIGESTS = {"1.2.840.10045.4.3.2": "sha256", "1.2.840.10045.4.3.3": "sha384",
                     "1.2.840.10045.4.3.4": "sha512", "1.2.840.113549.1.1.11": "sha256",
                     "1.2.840.113549.1.1.12": "sha384", "1.2.840.113549.1.1.13": "sha512"}

Der = tuple[int, bytes, bytes]  # tag, content, whole encoding


def der_read(data: bytes, what: str) -> Der:
    """Parse exactly one DER element covering all of ``data``."""
    element, rest = _der_next(data, what)
    if rest:
        raise Failure(f"{what}: trailing bytes after DER element")
    return element


def _der_next(data: bytes, what: str) -> tuple[Der, bytes]:
    if len(data) < 2:
        raise Failure(f"{what}: truncated DER")
    tag, first = data[0], data[1]
    if tag & 0x1F == 0x1F:
        raise Failure(f"{what}: multi-byte DER tags are not supported")
    if first < 0x80:
        length, offset = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            raise Failure(f"{what}: bad DER length")
        length = int.from_bytes(data[2 : 2 + count], "big")
        if length < 0x80 or data[2] == 0:
            raise Failure(f"{what}: non-minimal DER length")
        offset = 2 + count
    if len(data) < offset + length:
        raise Failure(f"{what}: truncated DER")
    return (tag, data[offset : offset + length], data[: offset + length]), data[offset + length :]


def der_children(element: Der, what: str) -> list[Der]:
    """Elements inside a constructed DER element."""
    if not element[0] & 0x20:
        raise Failure(f"{what}: expected a constructed DER element")
    children, rest = [], element[1]
    while rest:
        child, rest = _der_next(rest, what)
        children.append(child)
    return children


def der_oid(element: Der, what: str) -> str:
    if element[0] != 0x06 or not element[1]:
        raise Failure(f"{what}: expected an OBJECT IDENTIFIER")
    raw, arcs, value = element[1], [], 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def der_int(element: Der, what: str) -> int:
    if element[0] != 0x02 or not element[1]:
        raise Failure(f"{what}: expected an INTEGER")
    return int.from_bytes(element[1], "big", signed=True)


def verify_timestamp(response: bytes, message: bytes, roots: list[Any], *, nonce: int | None = None) -> dict[str, Any]:
    """Verify an RFC 3161 TimeStampResp (or bare token) over ``message``; return its facts.

    Checks: status granted; SignedData with TSTInfo content; message imprint equals the hash of
    ``message``; nonce (when given); signed attributes (content type, message digest, ESS
    signing certificate); the signature by the TSA certificate; the TSA certificate issued by
    one of ``roots`` (directly or through one certificate in the token), valid at genTime,
    with a critical extended key usage of exactly timeStamping.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    top = der_children(_expect(der_read(response, "time-stamp"), 0x30, "time-stamp"), "time-stamp")
    if top and top[0][0] == 0x30 and len(top) <= 2 and top[0][1][:1] == b"\x02":
        status = der_children(top[0], "PKIStatusInfo")
        if der_int(status[0], "PKIStatus") not in (0, 1) or status[0][1] not in (b"\x00", b"\x01"):
            raise Failure("time-stamp: the authority did not grant the request")
        if len(status) > 2 or (len(status) == 2 and status[1][0] != 0x30):
            raise Failure("time-stamp: unexpected fields in PKIStatusInfo")
        if len(top) != 2:
            raise Failure("time-stamp: response carries no token")
        content_info = der_children(_expect(top[1], 0x30, "token"), "token")
    else:
        content_info = top
    if len(content_info) != 2 or der_oid(content_info[0], "token") != OID_SIGNED_DATA:
        raise Failure("time-stamp: token is not CMS SignedData")
    wrapper = der_children(_expect(content_info[1], 0xA0, "token content"), "token")
    if len(wrapper) != 1:
        raise Failure("time-stamp: malformed token content")
    signed_data = der_children(_expect(wrapper[0], 0x30, "SignedData"), "SignedData")
    if len(signed_data) < 4 or der_int(signed_data[0], "SignedData version") != 3 or signed_data[0][1] != b"\x03":
        raise Failure("time-stamp: SignedData version must be 3")
    _expect(signed_data[1], 0x31, "digestAlgorithms")
    encap = der_children(_expect(signed_data[2], 0x30, "encapContentInfo"), "encapContentInfo")
    if len(encap) != 2 or der_oid(encap[0], "encapContentInfo") != OID_TST_INFO:
        raise Failure("time-stamp: content is not a TSTInfo")
    inner = der_children(_expect(encap[1], 0xA0, "eContent"), "eContent")
    if len(inner) != 1:
        raise Failure("time-stamp: malformed eContent")
    tst_der = _expect(inner[0], 0x04, "TSTInfo octets")
    tst = der_children(der_read(tst_der[1], "TSTInfo"), "TSTInfo")
    policy = der_oid(tst[1], "TSTInfo policy")
    imprint = der_children(tst[2], "messageImprint")
    imprint_alg = DIGESTS.get(_algorithm(imprint[0], "imprint algorithm"))
    if imprint_alg not in ("sha256", "sha384", "sha512"):
        raise Failure("time-stamp: unsupported message imprint algorithm")
    if imprint[1][0] != 0x04 or imprint[1][1] != hashlib.new(imprint_alg, message).digest():
        raise Failure("time-stamp: message imprint does not match the time-stamped data")
    serial = der_int(tst[3], "TSTInfo serial")
    if tst[4][0] != 0x18:
        raise Failure("time-stamp: genTime is not a GeneralizedTime")
    gen_time = tst[4][1].decode("ascii")
    token_nonce = next((der_int(e, "nonce") for e in tst[5:] if e[0] == 0x02), None)
    if nonce is not None and token_nonce != nonce:
        raise Failure("time-stamp: nonce differs from the request")
    certificates = []
    middle = signed_data[3:-1]
    if len(middle) > 1 or (middle and middle[0][0] != 0xA0):
        raise Failure("time-stamp: unexpected fields in SignedData (only certificates are allowed)")
    for element in middle:
        if element[0] == 0xA0:
            try:
                certificates = [x509.load_der_x509_certificate(c[2]) for c in der_children(element, "certificates")]
            except (ValueError, x509.InvalidVersion) as exc:
                raise Failure("time-stamp: a certificate in the token is malformed") from exc
    signer_infos = der_children(signed_data[-1], "signerInfos")
    if signed_data[-1][0] != 0x31 or len(signer_infos) != 1:
        raise Failure("time-stamp: expected exactly one signer")
    signer = der_children(_expect(signer_infos[0], 0x30, "SignerInfo"), "SignerInfo")
    if len(signer) != 6 or der_int(signer[0], "SignerInfo version") != 1 or signer[0][1] != b"\x01":
        raise Failure("time-stamp: SignerInfo must be version 1 without unsigned attributes")
    if der_children(signed_data[1], "digestAlgorithms") != [signer[2]]:
        raise Failure("time-stamp: digestAlgorithms differs from the signer's digest algorithm")
    sid = der_children(signer[1], "signer id") if signer[1][0] == 0x30 else None
    if sid is None:
        raise Failure("time-stamp: signer must be identified by issuer and serial number")
    tsa_cert = next((c for c in certificates if c.serial_number == der_int(sid[1], "serial")
                     and c.issuer.public_bytes() == sid[0][2]), None)
    if tsa_cert is None:
        raise Failure("time-stamp: the signing certificate is not in the token")
    digest_name = DIGESTS.get(_algorithm(signer[2], "digest algorithm"))
    if digest_name not in ("sha256", "sha384", "sha512") or signer[3][0] != 0xA0:
        raise Failure("time-stamp: unsupported digest or missing signed attributes")
    attributes: dict[str, Der] = {}
    for attribute in der_children(signer[3], "signed attributes"):
        parts = der_children(attribute, "attribute")
        values = der_children(parts[1], "attribute values")
        if len(values) != 1:
            raise Failure("time-stamp: signed attribute must have one value")
        attributes[der_oid(parts[0], "attribute")] = values[0]
    if der_oid(attributes.get(OID_CONTENT_TYPE, (0, b"", b"")), "content type") != OID_TST_INFO:
        raise Failure("time-stamp: signed content type is not TSTInfo")
    digest = attributes.get(OID_MESSAGE_DIGEST)
    if digest is None or digest[1] != hashlib.new(digest_name, tst_der[1]).digest():
        raise Failure("time-stamp: signed message digest does not match the TSTInfo")
    ess = attributes.get(OID_SIGNING_CERT_V2) or attributes.get(OID_SIGNING_CERT)
    if ess is None:
        raise Failure("time-stamp: no ESS signing-certificate attribute")
    ess_ids = der_children(der_children(ess, "ESS")[0], "ESS certs")
    first_id = der_children(ess_ids[0], "ESSCertID")
    if first_id[0][0] == 0x30:
        ess_alg = DIGESTS.get(der_oid(der_children(first_id[0], "ESS algorithm")[0], "ESS algorithm"), "")
        cert_hash = first_id[1][1]
    else:
        ess_alg = "sha256" if OID_SIGNING_CERT_V2 in attributes else "sha1"
        cert_hash = first_id[0][1]
    if not ess_alg or cert_hash != hashlib.new(ess_alg, tsa_cert.public_bytes(_DER)).digest():
        raise Failure("time-stamp: ESS certificate hash does not match the signing certificate")
    signed_attributes = b"\x31" + signer[3][2][1:]
    signature_oid = _algorithm(signer[4], "signature algorithm")
    signature_digest = SIGNATURE_DIGESTS.get(signature_oid)
    if signature_digest is None:
        raise Failure("time-stamp: unsupported signature algorithm")
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[signature_digest]
    key = tsa_cert.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey) != signature_oid.startswith("1.2.840.10045."):
        raise Failure("time-stamp: signature algorithm does not match the TSA key type")
    _expect(signer[5], 0x04, "signature")
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signer[5][1], signed_attributes, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signer[5][1], signed_attributes, padding.PKCS1v15(), algorithm)
        else:
            raise Failure("time-stamp: unsupported TSA key type")
    except InvalidSignature as exc:
        raise Failure("time-stamp: signature by the time-stamping authority does not verify") from exc
    used = _check_tsa_certificate(tsa_cert, certificates, roots, gen_time)
    trusted = {root.public_bytes(_DER) for root in roots}
    for extra in certificates:
        if extra is not tsa_cert and extra is not used and extra.public_bytes(_DER) not in trusted:
            raise Failure("time-stamp: token carries a certificate that is neither used nor trusted")
    return {"gen_time": gen_time, "policy": policy, "serial": serial, "nonce": token_nonce,
            "tsa": tsa_cert.subject.rfc4514_string()}


def _expect(element: Der, tag: int, what: str) -> Der:
    if element[0] != tag:
        raise Failure(f"{what}: unexpected DER tag {element[0]:#04x}")
    return element


def _algorithm(element: Der, what: str) -> str:
    """OID of an AlgorithmIdentifier whose parameters are absent or NULL."""
    parts = der_children(_expect(element, 0x30, what), what)
    if not 1 <= len(parts) <= 2 or (len(parts) == 2 and parts[1][2] != b"\x05\x00"):
        raise Failure(f"{what}: unexpected algorithm parameters")
    return der_oid(parts[0], what)


def _check_tsa_certificate(cert: Any, certificates: list[Any], roots: list[Any], gen_time: str) -> Any:
    """Check usage, validity and chain; return the intermediate certificate used, if any."""
    from datetime import datetime, timezone

    from cryptography import x509

    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound as exc:
        raise Failure("time-stamp: TSA certificate has no extended key usage") from exc
    if not usage.critical or [u.dotted_string for u in usage.value] != [OID_TIME_STAMPING]:
        raise Failure("time-stamp: TSA certificate must have a critical timeStamping-only key usage")
    when = datetime.strptime(gen_time[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)  # noqa: UP017 — runs on Python 3.9
    if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
        raise Failure("time-stamp: genTime is outside the TSA certificate's validity")

    def issued_by(child: Any, parent: Any) -> bool:
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return True

    if any(issued_by(cert, root) for root in roots):
        return None
    for middle in certificates:
        if middle is not cert and issued_by(cert, middle) and any(issued_by(middle, root) for root in roots):
            return middle
    raise Failure("time-stamp: TSA certificate does not chain to a trusted root")


# --------------------------------------------------------------------------- package
def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _load_json(path: Path, what: str) -> dict[str, Any]:
    try:
        value = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Failure(f"{what}: unreadable ({exc.__class__.__name__})") from exc
    if not isinstance(value, dict):
        raise Failure(f"{what}: not a JSON object")
    return value


def verify(
    bag: Path,
    *,
    log_key: str | None = None,
    witness_keys: tuple[str, ...] = (),
    quorum: int = 0,
    tsa_roots: tuple[Path, ...] = (),
    min_timestamps: int = 0,
) -> dict[str, Any]:
    """Verify a package; return {"package": [problems], "items": {sha256: [problems]}, ...}."""
    report: dict[str, Any] = {"package": [], "items": {}, "notes": [], "cosigners": {}}
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
        text, signatures = open_note(
            (bag / "package-signature.note").read_bytes(), "package-signature.note"
        )
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
            report["notes"].append(
                "some witness keys in the package were not given on the command line"
            )
        for witness in witnesses:
            if witness.algorithm != 4:
                raise Failure(f"witness key {witness.name} is not a cosignature key")
            if any(s[0] == witness.name and s[1] == witness.key_id for s in signatures):
                report["cosigners"][witness.name] = check_note_signature(
                    text, signatures, witness, "checkpoint.note"
                )
        report["anchors"] = verified_anchors(data, key, witnesses, size, root, tsa_roots, report)
        cosigners = set(report["cosigners"]) | {n for a in report["anchors"] for n in a["cosigners"]}
        if len(cosigners) < quorum:
            raise Failure(
                f"checkpoint.note: {len(cosigners)} witness cosignatures, {quorum} required"
            )
        report["checkpoint"] = {"origin": origin, "size": size, "root": root.hex()}
        report["timestamps"] = _verified_timestamps(data, text, tsa_roots, report["notes"])
        stamps = len(report["timestamps"]) + sum(len(a["timestamps"]) for a in report["anchors"])
        if stamps < min_timestamps:
            raise Failure(
                f"timestamps: {stamps} valid RFC 3161 tokens, {min_timestamps} required"
            )
        entries = _verified_entries(data, size, root)
    except (Failure, KeyError, OSError, ValueError, TypeError) as exc:
        report["package"].append(
            str(exc) if isinstance(exc, Failure) else f"{exc.__class__.__name__}: {exc}"
        )
        for item_dir in sorted((data / "items").glob("*")) if (data / "items").is_dir() else []:
            report["items"][item_dir.name] = ["package-level check failed"]
        return report
    listed = [str(sha) for sha in index.get("items", [])]
    present = sorted(p.name for p in (data / "items").iterdir())
    if sorted(listed) != present:
        report["package"].append("package.json: item list differs from data/items/")
    disclosure = index.get("disclosure", "full")
    if disclosure not in DISCLOSURES:
        report["package"].append(f"package.json: unknown disclosure {disclosure!r}")
    elif disclosure == "redacted":
        report["notes"].append(
            "redacted package (non-judicial recipient): item records are reduced (no file name, location, device "
            "or EXIF values) and cannot be checked against the custody log; contents, hashes and custody entries "
            "are fully verified / paquet expurgé : fiches réduites, contenus et journal vérifiés"
        )
    for sha256 in present:
        report["items"][sha256] = _verify_item(data / "items" / sha256, sha256, entries, disclosure=disclosure)
    report["anchored"] = anchored_items(data, present, report["anchors"])
    return report


def _verified_timestamps(
    data: Path, checkpoint_text: str, tsa_roots: tuple[Path, ...], notes: list[str]
) -> list[dict[str, Any]]:
    """Verify every RFC 3161 token in data/timestamps/ over the checkpoint body."""
    from cryptography import x509

    folder = data / "timestamps"
    tokens = sorted(folder.glob("*.tsr")) if folder.is_dir() else []
    if not tokens:
        return []
    root_files = list(tsa_roots) or sorted((folder / "roots").glob("*.pem"))
    if not tsa_roots:
        notes.append(
            "TSA root certificates taken from the package itself: check them with the authorities "
            "/ certificats racines des horodateurs lus dans le paquet : vérifiez-les"
        )
    roots = [x509.load_pem_x509_certificate(path.read_bytes()) for path in root_files]
    facts = []
    for token in tokens:
        try:
            facts.append(verify_timestamp(token.read_bytes(), checkpoint_text.encode(), roots))
        except Failure as exc:
            raise Failure(f"timestamps/{token.name}: {exc}") from exc
    return facts


def _verified_entries(data: Path, size: int, root: bytes) -> dict[int, dict[str, Any]]:
    proofs = _load_json(data / "custody" / "proofs.json", "custody/proofs.json")
    raw = (data / "custody" / "entries.jsonl").read_bytes()
    if not raw.endswith(b"\n"):
        raise Failure("custody/entries.jsonl: does not end with a newline")
    entries: dict[int, dict[str, Any]] = {}
    for line in raw.split(b"\n")[:-1]:
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Failure("custody/entries.jsonl: unreadable line") from exc
        if (
            not isinstance(entry, dict)
            or _canonical(entry) != line
            or not isinstance(entry.get("seq"), int)
        ):
            raise Failure("custody/entries.jsonl: entry not in canonical form")
        seq = entry["seq"]
        if seq in entries:
            raise Failure(f"custody/entries.jsonl: entry {seq} appears twice")
        proof_hex = proofs.get(str(seq))
        if not isinstance(proof_hex, list) or not all(
            isinstance(h, str) and _HEX["sha256"].match(h) for h in proof_hex
        ):
            raise Failure(f"custody/proofs.json: no well-formed proof for entry {seq}")
        verify_inclusion(seq, size, _leaf_hash(line), [bytes.fromhex(h) for h in proof_hex], root)
        entries[seq] = entry
    if set(proofs) != {str(s) for s in entries}:
        raise Failure("custody/proofs.json: proofs and entries do not correspond")
    return entries


def _check_redacted_record(item_dir: Path, sha256: str, ingest: dict[str, Any]) -> list[str]:
    """A redacted package carries record-redacted.json, never record.json; the reduced record
    names the full one by the hash the custody log committed to."""
    if (item_dir / "record.json").exists():
        return ["record.json present in a redacted package"]
    reduced = _load_json(item_dir / "record-redacted.json", f"{sha256}/record-redacted.json")
    problems = []
    if reduced.get("disclosure") != "redacted" or reduced.get("sha256") != sha256:
        problems.append("record-redacted.json is not the reduced record of this item")
    if reduced.get("record_sha256") != ingest["details"].get("record_sha256"):
        problems.append("record-redacted.json names another record than the custody log")
    return problems


def _verify_item(item_dir: Path, sha256: str, entries: dict[int, dict[str, Any]], *,
                 disclosure: str = "full") -> list[str]:
    problems: list[str] = []
    try:
        item = _load_json(item_dir / "item.json", f"{sha256}/item.json")
        ingest_seq = item.get("ingest_seq")
        ingest = entries.get(ingest_seq) if isinstance(ingest_seq, int) else None
        if (
            ingest is None
            or ingest.get("item_sha256") != sha256
            or ingest.get("action") not in ("ingest", "derivative_created")
        ):
            return ["the ingest entry of this item is missing from the verified custody entries"]
        for seq in item.get("entry_seqs", []):
            entry = entries.get(seq)
            if entry is None or sha256 not in (
                entry.get("item_sha256"),
                entry.get("related_sha256"),
            ):
                problems.append(
                    f"custody entry {seq} listed for the item is missing or about another item"
                )
        details = ingest["details"]
        originals = (
            [p for p in (item_dir / "content").iterdir()] if (item_dir / "content").is_dir() else []
        )
        if len(originals) != 1:
            return problems + ["expected exactly one content file in content/"]
        content = originals[0]
        if _hash_file(content, "sha256") != sha256:
            problems.append("content SHA-256 differs from the custody log")
        if _hash_file(content, "sha512") != details.get("sha512"):
            problems.append("content SHA-512 differs from the custody log")
        if content.stat().st_size != details.get("size"):
            problems.append("content size differs from the custody log")
        if disclosure == "redacted":
            problems.extend(_check_redacted_record(item_dir, sha256, ingest))
        elif _hash_file(item_dir / "record.json", "sha256") != details.get("record_sha256"):
            problems.append("record.json differs from the record committed to by the custody log")
        for key in ("sha256", "sha512", "size"):
            expected = sha256 if key == "sha256" else details.get(key)
            if item.get(key) != expected:
                problems.append(f"item.json field {key} differs from the custody log")
    except (Failure, KeyError, OSError, TypeError, ValueError) as exc:
        problems.append(
            str(exc) if isinstance(exc, Failure) else f"{exc.__class__.__name__}: {exc}"
        )
    return problems


# --------------------------------------------------------------------------- anchors (earlier checkpoints)
def _utc(timestamp: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017 — Python 3.9


def _anchor_dirs(folder: Path) -> list[Path]:
    found = []
    for path in folder.iterdir():
        number = path.name[len("checkpoint-"):]
        if path.name.startswith("checkpoint-") and number.isdigit() and path.is_dir():
            found.append((int(number), path))
        elif path.name != "roots":
            raise Failure(f"anchors/{path.name}: unexpected entry")
    return [path for _, path in sorted(found)]


def verified_anchors(data: Path, key: Key, witnesses: list[Key], size: int, root: bytes,
                     tsa_roots: tuple[Path, ...], report: dict[str, Any]) -> list[dict[str, Any]]:
    """Check data/anchors/: earlier checkpoints co-signed by witnesses and time-stamped.

    For each: the log signature, the consistency proof up to the package checkpoint, every
    witness cosignature (keys given, else those listed in the package) and every RFC 3161
    token (roots given, else those in anchors/roots/). One verdict line per element; a failed
    element is also a package problem.
    """
    from cryptography import x509

    folder = data / "anchors"
    if not folder.is_dir():
        return []
    root_files = list(tsa_roots) or sorted((folder / "roots").glob("*.pem"))
    roots = [x509.load_pem_x509_certificate(path.read_bytes()) for path in root_files]
    anchors: list[dict[str, Any]] = []
    for directory in _anchor_dirs(folder):
        what = f"anchors/{directory.name}"
        anchor: dict[str, Any] = {"size": None, "cosigners": {}, "timestamps": [], "verdicts": []}
        anchors.append(anchor)
        try:
            text, signatures = open_note((directory / "checkpoint.note").read_bytes(), what)
            check_note_signature(text, signatures, key, what)
            anchor_origin, anchor_size, anchor_root = parse_checkpoint(text)
            if anchor_origin != key.name or directory.name != f"checkpoint-{anchor_size}":
                raise Failure(f"{what}: origin or size differ from the log and the folder name")
            proof = _load_json(directory / "consistency.json", f"{what}/consistency.json")
            hashes = proof.get("proof")
            if (proof.get("from_size") != anchor_size or proof.get("to_size") != size
                    or not isinstance(hashes, list)
                    or not all(isinstance(h, str) and _HEX["sha256"].match(h) for h in hashes)):
                raise Failure(f"{what}/consistency.json: malformed or for other sizes")
            verify_consistency(anchor_size, size, anchor_root, root, [bytes.fromhex(h) for h in hashes])
        except (Failure, OSError) as exc:
            report["package"].append(f"{what}: {exc}" if isinstance(exc, OSError) else str(exc))
            anchor["verdicts"].append(f"FAILED  {what}: {exc}")
            continue
        anchor["size"] = anchor_size
        anchor["verdicts"].append(f"OK      anchor checkpoint {anchor_size}: signed by the log, "
                                  f"consistent with the package checkpoint {size}")
        known = {(w.name, w.key_id) for w in witnesses}
        for witness in witnesses:
            if not any(s[0] == witness.name and s[1] == witness.key_id for s in signatures):
                continue
            try:
                when = check_note_signature(text, signatures, witness, what)
            except Failure as exc:
                report["package"].append(str(exc))
                anchor["verdicts"].append(f"FAILED  {exc}")
                continue
            anchor["cosigners"][witness.name] = when
            anchor["verdicts"].append(f"OK      cosigned by witness {witness.name} at "
                                      f"{_utc(when or 0)} / cosigné par le témoin")
        for name, key_id, _ in signatures:
            if name != key.name and (name, key_id) not in known:
                anchor["verdicts"].append(f"NOTE    cosignature by {name} not checked: its key was not given")
        for token in sorted(directory.glob("timestamp-*.tsr")):
            try:
                if not roots:
                    raise Failure("no TSA root certificate (give --tsa-root)")
                facts = verify_timestamp(token.read_bytes(), text.encode(), roots)
            except Failure as exc:
                report["package"].append(f"{what}/{token.name}: {exc}")
                anchor["verdicts"].append(f"FAILED  {what}/{token.name}: {exc}")
                continue
            anchor["timestamps"].append(facts)
            anchor["verdicts"].append(f"OK      time-stamp {facts['gen_time']} by {facts['tsa']} "
                                      "(RFC 3161) / horodatage vérifié")
    if anchors and not tsa_roots and roots:
        report["notes"].append("TSA roots of the anchors taken from the package itself: check them "
                               "with the authorities / racines des horodateurs lues dans le paquet")
    return anchors


def anchored_items(data: Path, shas: list[str], anchors: list[dict[str, Any]]) -> dict[str, str]:
    """For each item, the first verified anchor covering its ingest entry (earliest outside proof)."""
    good = [a for a in anchors if a["size"] is not None and (a["cosigners"] or a["timestamps"])
            and not any(v.startswith("FAILED") for v in a["verdicts"])]
    found: dict[str, str] = {}
    if not anchors:
        return found
    for sha256 in shas:
        try:
            seq = json.loads((data / "items" / sha256 / "item.json").read_bytes())["ingest_seq"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        anchor = next((a for a in good if isinstance(seq, int) and a["size"] > seq), None)
        if anchor is None:
            found[sha256] = ("not covered by a co-signed or time-stamped checkpoint / "
                             "non couvert par un point de contrôle cosigné ou horodaté")
            continue
        cosigned = ", ".join(f"{n} at {_utc(t or 0)}" for n, t in sorted(anchor["cosigners"].items()))
        stamped = ", ".join(f"{f['gen_time']} by {f['tsa']}" for f in anchor["timestamps"])
        found[sha256] = (f"ingest entry {seq} is in checkpoint {anchor['size']}: witnessed by "
                         f"{cosigned or 'none'}; time-stamped {stamped or 'none'}")
    return found


def print_anchors(report: dict[str, Any]) -> None:
    for anchor in report.get("anchors", []):
        for verdict in anchor["verdicts"]:
            print(verdict)


def report_ok(report: dict[str, Any]) -> bool:
    return (
        not report["package"]
        and bool(report["items"])
        and all(not p for p in report["items"].values())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Témoin court package offline.")
    parser.add_argument("bag", type=Path)
    parser.add_argument("--log-key", help="the organisation's published log verifier key (vkey)")
    parser.add_argument(
        "--witness-key", action="append", default=[], help="a witness cosigner key (repeatable)"
    )
    parser.add_argument(
        "--quorum", type=int, default=0, help="minimum number of witness cosignatures"
    )
    parser.add_argument("--tsa-root", action="append", default=[], type=Path, help="trusted TSA root (PEM)")
    parser.add_argument("--min-timestamps", type=int, default=0, help="minimum number of valid RFC 3161 tokens")
    args = parser.parse_args(argv)
    report = verify(
        args.bag,
        log_key=args.log_key,
        witness_keys=tuple(args.witness_key),
        quorum=args.quorum,
        tsa_roots=tuple(args.tsa_root),
        min_timestamps=args.min_timestamps,
    )
    for note in report["notes"]:
        print(f"NOTE  {note}")
    for problem in report["package"]:
        print(f"PACKAGE FAILED / PAQUET NON VÉRIFIÉ: {problem}")
    if "checkpoint" in report:
        cp = report["checkpoint"]
        print(
            f"checkpoint: {cp['origin']} size {cp['size']} root {cp['root']}; "
            f"witnesses: {', '.join(sorted(report['cosigners'])) or 'none'}"
        )
        for stamp in report.get("timestamps", []):
            print(f"time-stamp: {stamp['gen_time']} by {stamp['tsa']} (RFC 3161, over the checkpoint)")
        print_anchors(report)
    for sha256, problems in sorted(report["items"].items()):
        if problems:
            print(f"FAILED  {sha256}  NON VÉRIFIÉ: " + "; ".join(problems))
        else:
            print(f"OK      {sha256}  verified / vérifié")
        if sha256 in report.get("anchored", {}):
            print(f"        {report['anchored'][sha256]}")
    ok = report_ok(report)
    print(
        "VERDICT: ALL VERIFIED / TOUT EST VÉRIFIÉ"
        if ok
        else "VERDICT: FAILURES FOUND / ÉCHECS CONSTATÉS"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
