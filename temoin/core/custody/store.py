"""Persistence interface of the custody log, with in-memory and append-only-file backends.

A :class:`LogStore` keeps leaf bytes in order and the signed checkpoint notes.  It never
updates or deletes a leaf.  The file backend writes one canonical-JSON entry per line to
``entries.jsonl`` and fsyncs before returning, so an acknowledged append survives a crash; on
open, a torn last line (crash during a write) is cut off — it was never acknowledged.
Checkpoints are written atomically (temporary file, fsync, rename, fsync of the directory).
Several processes may share one file store: :meth:`FileLogStore.locked` takes an exclusive
``flock`` on the entries file and first indexes lines other processes appended meanwhile.
The Django wiring can supply a PostgreSQL-backed store with the same five methods.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from temoin.core.custody.errors import LogCorruptError

__all__ = ["FileLogStore", "LogStore", "MemoryLogStore", "atomic_write", "fsync_directory"]


class LogStore(Protocol):
    """Append-only storage of custody leaves and checkpoint notes."""

    def append(self, leaves: Sequence[bytes]) -> int:
        """Durably append leaves; return the index of the first one."""
        ...

    def size(self) -> int:
        """Number of leaves stored."""
        ...

    def read(self, index: int) -> bytes:
        """Leaf bytes at ``index``."""
        ...

    def iter_leaves(self) -> Iterator[bytes]:
        """All leaves, in order, read from storage."""
        ...

    def save_checkpoint(self, size: int, note: bytes) -> None:
        """Store (or replace with a more co-signed copy) the checkpoint note for ``size``."""
        ...

    def checkpoints(self) -> dict[int, bytes]:
        """Stored checkpoint notes by tree size."""
        ...

    def locked(self) -> AbstractContextManager[None]:
        """Exclusive access across processes; on entry, leaves appended by others are visible."""
        ...

    def iter_from(self, start: int) -> Iterator[bytes]:
        """Leaves from index ``start`` to the current end."""
        ...


def fsync_directory(path: Path) -> None:
    """fsync a directory so a rename or creation inside it is durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably (tmp file, fsync, rename, dir fsync)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_directory(path.parent)


class MemoryLogStore:
    """A volatile store, for tests and for building packages in memory."""

    def __init__(self) -> None:
        self._leaves: list[bytes] = []
        self._checkpoints: dict[int, bytes] = {}

    def append(self, leaves: Sequence[bytes]) -> int:
        first = len(self._leaves)
        self._leaves.extend(leaves)
        return first

    def size(self) -> int:
        return len(self._leaves)

    def read(self, index: int) -> bytes:
        return self._leaves[index]

    def iter_leaves(self) -> Iterator[bytes]:
        return iter(list(self._leaves))

    def save_checkpoint(self, size: int, note: bytes) -> None:
        self._checkpoints[size] = note

    def checkpoints(self) -> dict[int, bytes]:
        return dict(self._checkpoints)

    def locked(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def iter_from(self, start: int) -> Iterator[bytes]:
        return iter(self._leaves[start:])


class FileLogStore:
    """Append-only JSON-lines file plus a directory of checkpoint notes."""

    def __init__(self, directory: Path, *, fsync: bool = True) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "checkpoints").mkdir(exist_ok=True)
        self.path = self.directory / "entries.jsonl"
        self._fsync = fsync
        self._offsets: list[int] = []
        self._end = 0
        if not self.path.exists():
            self.path.touch()
            fsync_directory(self.directory)
        self._handle = open(self.path, "ab")
        self._thread_lock = threading.RLock()
        self._depth = 0
        with self.locked():  # another process may be writing: read under its lock
            pass

    def locked(self) -> AbstractContextManager[None]:
        return self._locked()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth == 0:
                fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX)
            self._depth += 1
            try:
                if self._depth == 1:
                    self._scan()
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)

    def _scan(self) -> None:
        """Index complete lines written since ``_end`` (by anyone); cut a torn tail aside."""
        offset = self._end
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            for line in handle:
                if not line.endswith(b"\n"):
                    break  # torn tail: never acknowledged
                self._offsets.append(offset)
                offset += len(line)
        if offset != self.path.stat().st_size:
            # Keep the cut bytes for forensics before truncating (a crash leaves a prefix of an
            # unacknowledged entry; anything else here is corruption worth looking at).
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                tail = handle.read()
            atomic_write(self.directory / f"torn-tail-at-{offset}.bin", tail)
            with open(self.path, "r+b") as handle:
                handle.truncate(offset)
                handle.flush()
                os.fsync(handle.fileno())
        self._end = offset

    def append(self, leaves: Sequence[bytes]) -> int:
        with self.locked():
            return self._append(leaves)

    def _append(self, leaves: Sequence[bytes]) -> int:
        first = len(self._offsets)
        chunks = []
        for leaf in leaves:
            if b"\n" in leaf:
                raise LogCorruptError("a custody leaf may not contain a newline byte")
            self._offsets.append(self._end)
            self._end += len(leaf) + 1
            chunks.append(leaf + b"\n")
        self._handle.write(b"".join(chunks))
        self._handle.flush()
        if self._fsync:
            os.fsync(self._handle.fileno())
        return first

    def size(self) -> int:
        return len(self._offsets)

    def read(self, index: int) -> bytes:
        if not 0 <= index < len(self._offsets):
            raise LogCorruptError(
                f"custody leaf {index} does not exist (size {len(self._offsets)})"
            )
        start = self._offsets[index]
        end = self._offsets[index + 1] if index + 1 < len(self._offsets) else self._end
        with open(self.path, "rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
        if not data.endswith(b"\n"):
            raise LogCorruptError(f"custody leaf {index} is cut short in {self.path.name}")
        return data[:-1]

    def iter_leaves(self) -> Iterator[bytes]:
        with open(self.path, "rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    raise LogCorruptError(f"{self.path.name} ends with an incomplete line")
                yield line[:-1]

    def iter_from(self, start: int) -> Iterator[bytes]:
        if start >= len(self._offsets):
            return
        end = self._end
        with open(self.path, "rb") as handle:
            handle.seek(self._offsets[start])
            position = self._offsets[start]
            for line in handle:
                if position >= end:
                    break
                if not line.endswith(b"\n"):
                    raise LogCorruptError(f"{self.path.name} ends with an incomplete line")
                position += len(line)
                yield line[:-1]

    def save_checkpoint(self, size: int, note: bytes) -> None:
        atomic_write(self.directory / "checkpoints" / f"{size:012d}.note", note)

    def checkpoints(self) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        for path in sorted((self.directory / "checkpoints").glob("*.note")):
            found[int(path.stem)] = path.read_bytes()
        return found

    def close(self) -> None:
        """Close the append handle."""
        self._handle.close()
