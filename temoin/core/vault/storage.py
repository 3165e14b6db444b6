"""Pluggable object storage for the vault, and the local-filesystem backend.

Objects are named by slash-separated keys (``blobs/<sha256>``, ``keys/<sha256>``…), the model
of S3-compatible stores, so an object-storage backend only has to implement
:class:`BlobStorage`.  Large objects are written through a :class:`BlobWriter` (temporary
object, then :meth:`BlobWriter.commit` under its final name); small ones with
:meth:`BlobStorage.put` (atomic).  Nothing is ever rewritten in place.

:class:`LocalFileStorage` writes a temporary file ``tmp/<pid>-<random>.part``, fsyncs it,
renames it into place and fsyncs the directory, so after a crash an object is either absent
or complete.  Temporary files of dead processes are swept by :meth:`sweep_temporary`.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from temoin.core.vault.errors import StorageError, StorageFullError

__all__ = ["BlobStorage", "BlobWriter", "LocalFileStorage"]

WRITEBACK_EVERY = 32 << 20
MAX_UNSYNCED = 256 << 20


class BlobWriter(Protocol):
    """A streaming write of one object, invisible until committed."""

    def write(self, data: bytes) -> None:
        """Append bytes to the pending object."""
        ...

    def commit(self, name: str) -> None:
        """Durably publish the object under ``name`` (which must not exist)."""
        ...

    def abort(self) -> None:
        """Discard the pending object."""
        ...


class BlobStorage(Protocol):
    """What the vault needs from a storage backend."""

    def begin_write(self) -> BlobWriter:
        """Start a streaming write."""
        ...

    def put(self, name: str, data: bytes) -> None:
        """Atomically and durably store a small object (replacing nothing: name must be new)."""
        ...

    def open_read(self, name: str) -> BinaryIO:
        """Open an object for reading; raise :class:`StorageError` if absent."""
        ...

    def exists(self, name: str) -> bool:
        """Whether an object exists."""
        ...

    def delete(self, name: str) -> None:
        """Durably delete an object if it exists."""
        ...

    def list(self, prefix: str) -> Iterator[str]:
        """Names of objects under ``prefix`` (e.g. ``"blobs/"``)."""
        ...

    def sweep_temporary(self) -> int:
        """Remove abandoned temporary objects of dead writers; return how many."""
        ...


def _storage_error(exc: OSError, what: str) -> StorageError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFullError(f"storage full while writing {what}: nothing was stored")
    return StorageError(f"storage failed while writing {what}: {exc.strerror}")


class _LocalWriter:
    """Unbuffered writes to ``tmp/…part``; a background thread keeps the disk busy.

    Every ``writeback_every`` bytes the writer asks a flusher thread to ``fdatasync`` what was
    written so far and goes on writing: the disk writes back while the pipeline hashes and
    encrypts the next chunks, instead of one long ``fsync`` at the end (or per-chunk syncs
    that stall the pipeline).  The writer waits only when more than ``max_unsynced`` bytes
    are not yet on disk, which bounds dirty page cache.  :meth:`commit` still ends with a full
    ``fsync`` before the rename, so durability does not depend on the flusher.
    """

    def __init__(self, storage: LocalFileStorage) -> None:
        self._storage = storage
        self.temp_path = storage.root / "tmp" / f"{os.getpid()}-{secrets.token_hex(8)}.part"
        self._handle: io.FileIO | None = io.FileIO(self.temp_path, "wb")
        self._written = 0
        self._requested = 0
        self._synced = 0
        self._cond = threading.Condition()
        self._flusher: threading.Thread | None = None
        self._flush_error: OSError | None = None
        self._stopping = False

    def write(self, data: bytes) -> None:
        assert self._handle is not None, "write after commit or abort"
        try:
            view = memoryview(data)
            while view:
                written = self._handle.write(view)
                if written is None:  # pragma: no cover — only non-blocking files return None
                    continue
                view = view[written:]
            self._written += len(data)
            if self._written - self._requested >= self._storage.writeback_every:
                self._request_writeback()
        except OSError as exc:
            self.abort()
            raise _storage_error(exc, "a blob") from exc

    def _request_writeback(self) -> None:
        with self._cond:
            if self._flush_error is not None:
                raise self._flush_error
            self._requested = self._written
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_loop, name="vault-flush", daemon=True)
                self._flusher.start()
            self._cond.notify_all()
            while self._written - self._synced > self._storage.max_unsynced and self._flush_error is None:
                self._cond.wait()
            if self._flush_error is not None:
                raise self._flush_error

    def _flush_loop(self) -> None:
        assert self._handle is not None
        fd = self._handle.fileno()
        while True:
            with self._cond:
                while self._synced >= self._requested and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                target = self._requested
            try:
                os.fdatasync(fd)
            except OSError as exc:
                with self._cond:
                    self._flush_error = exc
                    self._cond.notify_all()
                return
            with self._cond:
                self._synced = target
                self._cond.notify_all()

    def _stop_flusher(self) -> None:
        if self._flusher is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._flusher.join()
        self._flusher = None

    def commit(self, name: str) -> None:
        assert self._handle is not None, "commit after commit or abort"
        target = self._storage.path_of(name)
        try:
            self._stop_flusher()
            if self._flush_error is not None:
                raise self._flush_error
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                raise StorageError(f"object {name} already exists and is never rewritten")
            os.rename(self.temp_path, target)
            self._storage.fsync_dir(target.parent)
        except OSError as exc:
            self.abort()
            raise _storage_error(exc, name) from exc

    def abort(self) -> None:
        self._stop_flusher()
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.temp_path.unlink(missing_ok=True)


class LocalFileStorage:
    """Objects as files under ``root``; atomic writes with fsync.

    Large objects are written back in the background every ``writeback_every`` bytes, with
    at most ``max_unsynced`` bytes not yet on disk (see :class:`_LocalWriter`).
    """

    def __init__(
        self, root: Path, *, writeback_every: int = WRITEBACK_EVERY, max_unsynced: int = MAX_UNSYNCED
    ) -> None:
        if not 0 < writeback_every <= max_unsynced:
            raise ValueError("need 0 < writeback_every <= max_unsynced")
        self.root = Path(root)
        self.writeback_every = writeback_every
        self.max_unsynced = max_unsynced
        for sub in ("tmp", "blobs", "keys", "records", "pending"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def path_of(self, name: str) -> Path:
        """Filesystem path of an object (names are checked against escaping ``root``)."""
        parts = name.split("/")
        if not name or any(p in ("", ".", "..") for p in parts):
            raise StorageError(f"invalid object name {name!r}")
        return self.root.joinpath(*parts)

    @staticmethod
    def fsync_dir(path: Path) -> None:
        """fsync a directory (makes a rename or unlink inside it durable)."""
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def begin_write(self) -> BlobWriter:
        return _LocalWriter(self)

    def put(self, name: str, data: bytes) -> None:
        writer = _LocalWriter(self)
        writer.write(data)
        writer.commit(name)

    def open_read(self, name: str) -> BinaryIO:
        try:
            return open(self.path_of(name), "rb")
        except FileNotFoundError as exc:
            raise StorageError(f"object {name} is missing from storage") from exc

    def exists(self, name: str) -> bool:
        return self.path_of(name).exists()

    def delete(self, name: str) -> None:
        path = self.path_of(name)
        if path.exists():
            path.unlink()
            self.fsync_dir(path.parent)

    def list(self, prefix: str) -> Iterator[str]:
        base = self.path_of(prefix.rstrip("/"))
        if not base.exists():
            return
        for path in sorted(base.iterdir()):
            if path.is_file():
                yield f"{prefix.rstrip('/')}/{path.name}"

    def sweep_temporary(self) -> int:
        removed = 0
        for path in (self.root / "tmp").glob("*.part"):
            pid_text = path.name.split("-", 1)[0]
            if pid_text.isdigit() and _process_alive(int(pid_text)):
                continue
            path.unlink(missing_ok=True)
            removed += 1
        if removed:
            self.fsync_dir(self.root / "tmp")
        return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
