"""Human-readable texts placed in every court package (French and English) and VERIFY.md."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

__all__ = ["readme_en", "readme_fr", "verify_md"]


def _fingerprint(vkey: str) -> str:
    return hashlib.sha256(vkey.encode()).hexdigest()[:16]


def readme_fr(index: Mapping[str, Any], vkey: str) -> str:
    """README en français."""
    return f"""# Paquet de preuves Témoin

Ce paquet (format BagIt, RFC 8493) contient {len(index["items"])} pièce(s) telles qu'elles ont été
reçues, octet pour octet, avec leur chaîne de possession.

- `data/items/<sha256>/content/` : le fichier ; `original.*` est la copie de preuve jamais modifiée,
  `working-copy.*` une copie de travail (floutée, recadrée…) liée à son original.
- `data/items/<sha256>/record.json` : la fiche de la pièce (métadonnées extraites, outil et version
  pour chaque valeur, constats) ; `item.json` : empreintes, entrées de possession, contexte.
  Dans un paquet expurgé (destinataire non judiciaire), `record-redacted.json` la remplace : sans
  nom de fichier, lieu, appareil ni EXIF ; elle cite l'empreinte de la fiche complète.
- `data/custody/entries.jsonl` : les entrées du journal de possession (qui, rôle, organisation,
  quand en UTC, système, action, motif, empreinte de la pièce).
- `data/custody/proofs.json` : preuves d'inclusion RFC 9162 de chaque entrée dans le journal.
- `data/checkpoint.note` : l'état signé du journal (taille {index["checkpoint_size"]}), contresigné
  par les témoins (organisations partenaires) le cas échéant.
- `data/anchors/` (s'il existe) : des états antérieurs du journal contresignés par des témoins
  et/ou horodatés (RFC 3161), chacun avec la preuve que le journal de ce paquet le prolonge sans
  modification.

Vérifier hors ligne : `python3 data/verify_package.py . --log-key '<clé publiée>'` (Python 3 et la
bibliothèque `cryptography`). Empreinte de la clé du journal : `{_fingerprint(vkey)}` — comparez-la
avec celle publiée par l'organisation. Voir `data/VERIFY.md` pour une vérification manuelle.

Exporté par {index["exported_by"]["actor"]} ({index["exported_by"]["role"]}, {index["exported_by"]["organisation"]})
le {index["exported_at_utc"]} (heure du serveur, non probante) — motif : {index["reason"]}.
"""


def readme_en(index: Mapping[str, Any], vkey: str) -> str:
    """README in English."""
    return f"""# Témoin evidence package

This package (BagIt, RFC 8493) holds {len(index["items"])} item(s) exactly as received, byte for
byte, with their chain of custody.

- `data/items/<sha256>/content/`: the file; `original.*` is the evidentiary copy, never altered,
  `working-copy.*` a working copy (blurred, cropped…) linked to its original.
- `data/items/<sha256>/record.json`: the item record (extracted metadata with tool and version for
  each value, findings); `item.json`: hashes, custody entries, context. In a redacted package
  (non-judicial recipient) `record-redacted.json` replaces it: no file name, location, device or
  EXIF values; it names the full record by its SHA-256.
- `data/custody/entries.jsonl`: custody log entries (who, role, organisation, when in UTC, system,
  action, reason, item hash).
- `data/custody/proofs.json`: RFC 9162 inclusion proof of every entry in the log.
- `data/checkpoint.note`: signed log state (size {index["checkpoint_size"]}), co-signed by witnesses
  (partner organisations) when available.
- `data/anchors/` (when present): earlier log states co-signed by witnesses and/or time-stamped by
  RFC 3161 authorities, each with the proof that this package's log extends it unchanged.

Verify offline: `python3 data/verify_package.py . --log-key '<published key>'` (Python 3 and the
`cryptography` library). Log key fingerprint: `{_fingerprint(vkey)}` — compare it with the one the
organisation published. See `data/VERIFY.md` for a manual check.

Exported by {index["exported_by"]["actor"]} ({index["exported_by"]["role"]}, {index["exported_by"]["organisation"]})
at {index["exported_at_utc"]} (server clock, not proof of time) — reason: {index["reason"]}.
"""


def verify_md(vkey: str) -> str:
    """Manual verification steps with standard tools."""
    return f"""# Manual verification / Vérification manuelle

1. Bag integrity: `sha256sum -c manifest-sha256.txt` and `sha512sum -c manifest-sha512.txt`
   (run in the bag directory); every line must say OK.
2. Each item: `sha256sum data/items/*/content/*` — each hash must equal the directory name and the
   `item_sha256` of the item's `ingest` entry in `data/custody/entries.jsonl`.
3. Custody entries: each line's leaf hash is SHA-256(0x00 || line bytes); the inclusion proof in
   `data/custody/proofs.json` combines it up to the root in `data/checkpoint.note` (RFC 9162 §2.1.3.2).
4. Checkpoint signature: C2SP signed note, Ed25519, log key `{vkey}`;
   any Go `golang.org/x/mod/sumdb/note` verifier accepts it.
5. `package-signature.note` signs the SHA-256 of bagit.txt, bag-info.txt and both manifests.
6. RFC 3161 time-stamps (if present): save the checkpoint body (the lines of
   `data/checkpoint.note` before the blank line, final newline included) as `body.txt`, then
   `openssl ts -verify -data body.txt -in data/timestamps/checkpoint-0.tsr -CAfile <TSA root>`
   must print `Verification: OK`; use the authority's published root, not only
   `data/timestamps/roots/`.
7. Anchors (if present), `data/anchors/checkpoint-M/`: steps 4 and 6 on its `checkpoint.note` and
   `timestamp-*.tsr` (witness lines are C2SP `cosignature/v1`, checked with the witnesses' keys);
   `consistency.json` is an RFC 9162 §2.1.4.2 proof from size M to the package checkpoint.

`data/verify_package.py` does all of this and prints a verdict per item.
"""
