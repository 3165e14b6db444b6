"""Load the versioned vocabulary CSV files shipped in ``temoin/core/vocabularies/data/``.

Files are written by :mod:`temoin.core.vocabularies.build`; ``manifest.json`` records the
vocabulary-set version and the sha256 and row count of each file.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from temoin.core.vocabularies.errors import (
    ManifestMismatchError,
    UnknownVocabularyError,
    VocabularyDataError,
)
from temoin.core.vocabularies.model import Term, Vocabulary

__all__ = [
    "BASE_COLUMNS",
    "DATA_DIR",
    "FileEntry",
    "Manifest",
    "list_vocabularies",
    "load_vocabulary",
    "manifest",
    "verify_manifest",
]

#: Directory holding the vocabulary CSV files and ``manifest.json``.
DATA_DIR: Path = Path(__file__).resolve().parent / "data"
#: Columns every vocabulary file starts with, in this order.
BASE_COLUMNS: tuple[str, ...] = ("code", "parent_code", "level", "label_en", "label_fr", "source")


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of the manifest: its name, sha256 (hex) and number of terms."""

    file: str
    sha256: str
    rows: int
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Manifest:
    """Contents of ``manifest.json``: set version, attribution text and the files."""

    version: str
    attribution: tuple[str, ...]
    files: MappingProxyType[str, FileEntry]  # vocabulary name -> entry


def _read_manifest(data_dir: Path) -> Manifest:
    path = data_dir / "manifest.json"
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VocabularyDataError("manifest", f"{path} is missing") from exc
    except json.JSONDecodeError as exc:
        raise VocabularyDataError("manifest", f"{path} is not valid JSON: {exc}") from exc
    files = {
        name: FileEntry(
            file=entry["file"],
            sha256=entry["sha256"],
            rows=int(entry["rows"]),
            columns=tuple(entry["columns"]),
        )
        for name, entry in raw["files"].items()
    }
    return Manifest(
        version=str(raw["version"]),
        attribution=tuple(raw.get("attribution", ())),
        files=MappingProxyType(files),
    )


@functools.lru_cache(maxsize=4)
def _manifest_cached(data_dir: Path) -> Manifest:
    return _read_manifest(data_dir)


def manifest(*, data_dir: Path | None = None) -> Manifest:
    """The manifest of the vocabulary set (version, files, sha256, row counts)."""
    return _manifest_cached(data_dir or DATA_DIR)


def list_vocabularies(*, data_dir: Path | None = None) -> tuple[str, ...]:
    """Names of all vocabularies (e.g. ``'act_types'``), sorted."""
    return tuple(sorted(manifest(data_dir=data_dir).files))


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_manifest(*, data_dir: Path | None = None) -> None:
    """Raise :class:`ManifestMismatchError` if any file's sha256 differs from the manifest."""
    directory = data_dir or DATA_DIR
    for entry in manifest(data_dir=directory).files.values():
        actual = file_sha256(directory / entry.file)
        if actual != entry.sha256:
            raise ManifestMismatchError(entry.file, expected=entry.sha256, actual=actual)


def _parse_rows(name: str, path: Path) -> list[Term]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header[: len(BASE_COLUMNS)] != BASE_COLUMNS:
            raise VocabularyDataError(
                name, f"header must start with {','.join(BASE_COLUMNS)}, got {','.join(header)}"
            )
        extra_columns = header[len(BASE_COLUMNS) :]
        terms: list[Term] = []
        for row_number, row in enumerate(reader, start=2):
            try:
                level = int(row["level"])
            except ValueError as exc:
                raise VocabularyDataError(
                    name, f"level {row['level']!r} is not an integer", row=row_number
                ) from exc
            if not row["code"]:
                raise VocabularyDataError(name, "empty code", row=row_number)
            terms.append(
                Term(
                    code=row["code"],
                    parent_code=row["parent_code"] or None,
                    level=level,
                    label_en=row["label_en"],
                    label_fr=row["label_fr"],
                    source=row["source"],
                    extra=MappingProxyType({col: row[col] or "" for col in extra_columns}),
                )
            )
    return terms


@functools.lru_cache(maxsize=64)
def _load_cached(name: str, data_dir: Path) -> Vocabulary:
    entries = manifest(data_dir=data_dir).files
    if name not in entries:
        raise UnknownVocabularyError(name, available=tuple(sorted(entries)))
    entry = entries[name]
    terms = _parse_rows(name, data_dir / entry.file)
    return Vocabulary(name, terms, version=manifest(data_dir=data_dir).version)


def load_vocabulary(name: str, *, data_dir: Path | None = None) -> Vocabulary:
    """Load vocabulary ``name`` (file ``<name>.csv``); cached, so repeated calls are cheap.

    Raises :class:`UnknownVocabularyError` for an unknown name and
    :class:`VocabularyDataError` / :class:`HierarchyError` for a malformed file.
    """
    return _load_cached(name, data_dir or DATA_DIR)
