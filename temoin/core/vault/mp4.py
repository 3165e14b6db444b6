"""Video container metadata (ISO BMFF: MP4, MOV, 3GP) read while the file streams through ingest.

:class:`Mp4Scanner` is fed the plaintext chunks in order and walks the top-level boxes, keeping
only the ``moov`` box (bounded) in memory; memory stays flat for multi-GB videos and nothing is
read twice.  It reports the movie header times (``mvhd`` creation/modification time, duration)
and the ISO 6709 location that phones write in ``moov/udta/©xyz``.  Times in ``mvhd`` are
whatever the camera clock said (often UTC, sometimes local time, sometimes zero): they are
recorded as found, with the tool name, never corrected.
"""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from temoin.core.vault.content import Finding

__all__ = ["TOOL", "VIDEO_TYPES", "Mp4Scanner"]

TOOL: Final[str] = "temoin.mp4-scan"
TOOL_VERSION: Final[str] = "1"
VIDEO_TYPES: Final[frozenset[str]] = frozenset(
    {"video/mp4", "video/quicktime", "video/3gpp", "video/x-m4v", "audio/mp4"}
)
MAX_MOOV: Final[int] = 32 << 20
_EPOCH_1904: Final[datetime] = datetime(1904, 1, 1, tzinfo=UTC)
_ISO6709: Final[re.Pattern[str]] = re.compile(r"([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")


def _value(field: str, value: str | int) -> dict[str, Any]:
    return {"field": field, "value": value, "tool": TOOL, "tool_version": TOOL_VERSION}


class Mp4Scanner:
    """Incremental top-level box walker; call :meth:`feed` per chunk, then :meth:`result`."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skip = 0  # bytes of the current (non-moov) box still to skip
        self._moov: bytearray | None = None
        self._moov_left = 0
        self._moov_done: bytes | None = None
        self._problem: str | None = None

    def feed(self, chunk: bytes | memoryview) -> None:
        """Consume the next plaintext bytes."""
        if self._problem is not None or self._moov_done is not None:
            return
        view = memoryview(chunk)
        while view:
            if self._skip:
                step = min(self._skip, len(view))
                self._skip -= step
                view = view[step:]
                continue
            if self._moov is not None:
                step = min(self._moov_left, len(view))
                self._moov += view[:step]
                self._moov_left -= step
                view = view[step:]
                if self._moov_left == 0:
                    self._moov_done, self._moov = bytes(self._moov), None
                    return
                continue
            need = 16 - len(self._buffer)
            self._buffer += view[:need]
            view = view[need:]
            if len(self._buffer) < 8:
                continue
            size, kind = struct.unpack(">I4s", self._buffer[:8])
            header = 8
            if size == 1:
                if len(self._buffer) < 16:
                    continue
                size = struct.unpack(">Q", self._buffer[8:16])[0]
                header = 16
            elif size == 0:
                self._problem = "a top-level box without size before the movie header"
                return
            if size < header:
                self._problem = f"a top-level box declares an impossible size {size}"
                return
            rest = bytes(self._buffer[header:])
            self._buffer.clear()
            body = size - header
            if kind == b"moov":
                if body > MAX_MOOV:
                    self._problem = "the movie header box is too large to read"
                    return
                self._moov, self._moov_left = bytearray(), body
            else:
                self._skip = body
            view = memoryview(rest + bytes(view))

    def result(self) -> tuple[list[dict[str, Any]], list[Finding]]:
        """Extracted values and findings (call after the last chunk)."""
        if self._problem is not None:
            return [], [Finding("video_container_corrupt", f"container structure: {self._problem}")]
        if self._moov_done is None:
            return [], [Finding("video_metadata_missing", "no complete movie header (moov) box was found")]
        values: list[dict[str, Any]] = []
        try:
            for kind, body in _boxes(self._moov_done):
                if kind == b"mvhd":
                    values.extend(_mvhd(body))
                elif kind == b"udta":
                    for inner_kind, inner in _boxes(body):
                        if inner_kind == b"\xa9xyz" and len(inner) >= 4:
                            (length,) = struct.unpack(">H", inner[:2])
                            text = inner[4 : 4 + length].decode("utf-8", "replace")
                            values.append(_value("video.location_iso6709", text))
                            match = _ISO6709.match(text)
                            if match:
                                values.append(_value("gps.latitude", f"{float(match.group(1)):.6f}"))
                                values.append(_value("gps.longitude", f"{float(match.group(2)):.6f}"))
        except (struct.error, ValueError) as exc:
            return values, [Finding("video_container_corrupt", f"movie header is malformed ({exc})")]
        return values, []


def _boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    found, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
            header = 16
        elif size == 0:
            size = len(data) - offset
        if size < header or offset + size > len(data):
            raise ValueError(f"box {kind!r} overruns its parent")
        found.append((kind, data[offset + header : offset + size]))
        offset += size
    return found


def _mvhd(body: bytes) -> list[dict[str, Any]]:
    version = body[0]
    if version == 1:
        created, modified, timescale, duration = struct.unpack(">QQIQ", body[4:32])
    else:
        created, modified, timescale, duration = struct.unpack(">IIII", body[4:20])
    values = [_value("video.mvhd.creation_time_raw", created)]
    if created:
        values.append(_value("video.mvhd.creation_time", (_EPOCH_1904 + timedelta(seconds=created)).strftime("%Y-%m-%dT%H:%M:%SZ")))
    if modified:
        values.append(_value("video.mvhd.modification_time", (_EPOCH_1904 + timedelta(seconds=modified)).strftime("%Y-%m-%dT%H:%M:%SZ")))
    if timescale:
        values.append(_value("video.duration_ms", duration * 1000 // timescale))
    return values
