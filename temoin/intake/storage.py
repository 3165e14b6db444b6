"""Keeping imported files: each source file is copied, while its SHA-256 is computed, to
``TEMOIN_HOME/imports/<sha256>`` (content-addressed, written once, read-only afterwards).

The evidence vault (another app) will take these files over with a custody entry; until it
is wired, this folder is the file's home and the batch records its hash and path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


def imports_dir() -> Path:
    folder = Path(settings.TEMOIN_HOME) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_stream(stream, *, folder: Path | None = None) -> StoredFile:  # type: ignore[no-untyped-def]
    """Copy a binary stream into the store, hashing it on the way (memory stays flat)."""
    target_dir = folder or imports_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, temp_name = tempfile.mkstemp(dir=target_dir, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        final = target_dir / digest.hexdigest()
        if final.exists():
            os.unlink(temp_name)
        else:
            os.replace(temp_name, final)
            os.chmod(final, 0o440)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return StoredFile(sha256=digest.hexdigest(), size=size, path=final)


def store_file(path: str | os.PathLike[str]) -> StoredFile:
    with open(path, "rb") as handle:
        return store_stream(handle)


def store_bytes(data: bytes, *, folder: Path | None = None) -> StoredFile:
    import io

    return store_stream(io.BytesIO(data), folder=folder)
