"""Video container metadata read while streaming: synthetic ISO BMFF files built box by box."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import pytest

from temoin.core.vault.mp4 import Mp4Scanner

from .helpers import ANALYST, make_vault

# 2024-03-05T10:11:12Z in seconds since 1904-01-01 (synthetic capture time)
CREATED = 3792478272


def box(kind: bytes, body: bytes, *, large: bool = False) -> bytes:
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(body)) + body
    return struct.pack(">I4s", 8 + len(body), kind) + body


def synthetic_mp4(*, moov_last: bool, large_mdat: bool = False, seed: int = 0) -> bytes:
    mvhd = box(b"mvhd", bytes(4) + struct.pack(">IIII", CREATED, CREATED + 60, 1000, 12_345) + bytes(80))
    location = b"+14.5000-004.2100/"
    xyz = box(b"\xa9xyz", struct.pack(">HH", len(location), 0x15C7) + location)
    moov = box(b"moov", mvhd + box(b"udta", xyz))
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mdat = box(b"mdat", random.Random(seed).randbytes(30_000), large=large_mdat)
    return ftyp + box(b"free", b"") + (mdat + moov if moov_last else moov + mdat)


@pytest.mark.parametrize(("moov_last", "large_mdat"), [(False, False), (True, False), (True, True)])
def test_movie_header_and_location_are_extracted_across_chunks(tmp_path: Path, moov_last: bool, large_mdat: bool) -> None:
    data = synthetic_mp4(moov_last=moov_last, large_mdat=large_mdat)
    vault = make_vault(tmp_path)  # 4 KiB chunks: boxes straddle chunk boundaries
    result = vault.ingest(io.BytesIO(data), actor=ANALYST, filename="clip.mp4")
    assert result.item.media_type == "video/mp4"
    assert result.findings == ()
    values = {v["field"]: v["value"] for v in vault.read_record(result.item.sha256)["metadata"]}
    assert values == {
        "video.mvhd.creation_time_raw": CREATED,
        "video.mvhd.creation_time": "2024-03-05T10:11:12Z",
        "video.mvhd.modification_time": "2024-03-05T10:12:12Z",
        "video.duration_ms": 12_345,
        "video.location_iso6709": "+14.5000-004.2100/",
        "gps.latitude": "14.500000",
        "gps.longitude": "-4.210000",
    }


def test_every_chunking_of_the_stream_gives_the_same_result() -> None:
    data = synthetic_mp4(moov_last=True)
    expected = None
    for chunk in (1, 3, 7, 8, 16, 17, 1000, len(data)):
        scanner = Mp4Scanner()
        for start in range(0, len(data), chunk):
            scanner.feed(data[start : start + chunk])
        outcome = scanner.result()
        expected = expected or outcome
        assert outcome == expected
    assert expected is not None and expected[1] == []


def test_broken_container_is_a_finding_and_the_file_is_kept(tmp_path: Path) -> None:
    data = synthetic_mp4(moov_last=True)
    broken = data[:28] + struct.pack(">I", 3) + data[32:]  # the "free" box now claims 3 bytes
    vault = make_vault(tmp_path)
    result = vault.ingest(io.BytesIO(broken), actor=ANALYST, filename="clip.mp4")
    assert [f.code for f in result.findings] == ["video_container_corrupt"]
    truncated = vault.ingest(io.BytesIO(data[:-50]), actor=ANALYST, filename="cut.mp4")
    assert [f.code for f in truncated.findings] == ["video_metadata_missing"]
    out = tmp_path / "cut.mp4"
    vault.export_original(truncated.item.sha256, out, actor=ANALYST, reason="kept")
    assert out.read_bytes() == data[:-50]
