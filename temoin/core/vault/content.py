"""Read-only inspection of received bytes: media type from content, and extracted metadata.

Nothing here changes the file.  Every extracted value records the tool and version that
produced it (``{"field", "value", "tool", "tool_version"}``), so a later, better extraction
is added beside it rather than replacing it.  Problems (content contradicting the extension,
a corrupt EXIF block, a truncated image) become *findings* with a stable code and a message;
the file is preserved regardless.

Values are strings or integers (no floats), so records encode as canonical JSON.
"""

from __future__ import annotations

import io
import mimetypes
import struct
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import filetype
import imagehash
import PIL
from PIL import ExifTags, Image, UnidentifiedImageError

__all__ = [
    "Finding",
    "exif_structure_problem",
    "extension_finding",
    "extract_metadata",
    "sniff_media_type",
]

SNIFF_BYTES: Final[int] = 8192
_ALIASES: Final[dict[str, str]] = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "video/x-m4v": "video/mp4",
    "image/jpg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "application/x-zip-compressed": "application/zip",
}
_TOOL_SNIFF = f"filetype {filetype.__version__}"


@dataclass(frozen=True)
class Finding:
    """Something noticed about a file: stable code and a human message (no content quoted)."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        """As a JSON object."""
        return {"code": self.code, "message": self.message}


def sniff_media_type(head: bytes) -> tuple[str, str]:
    """Media type from the first bytes of content, and the tool that decided it."""
    kind = filetype.guess_mime(head)
    if kind:
        return _ALIASES.get(kind, kind), _TOOL_SNIFF
    if not head:
        return "application/octet-stream", "temoin"
    sample = head[: SNIFF_BYTES - 4]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(sample) - 3:
            return "application/octet-stream", "temoin"
    if b"\x00" in sample:
        return "application/octet-stream", "temoin"
    return "text/plain", "temoin"


def extension_finding(filename: str | None, media_type: str) -> Finding | None:
    """A finding when the file name's extension announces another type than the content."""
    if not filename or "." not in filename:
        return None
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    if guessed is None:
        return None
    guessed = _ALIASES.get(guessed, guessed)
    if guessed == media_type:
        return None
    if media_type == "text/plain" and guessed.startswith("text/"):
        return None
    if media_type == "application/octet-stream" and guessed.startswith("text/"):
        return None
    extension = filename.rsplit(".", 1)[1].lower()
    return Finding(
        "extension_contradicts_content",
        f"the extension .{extension} announces {guessed} but the content is {media_type}",
    )


def _value(field: str, value: str | int, tool: str, version: str) -> dict[str, Any]:
    return {"field": field, "value": value, "tool": tool, "tool_version": version}


def _gps_decimal(values: Any, ref: Any) -> str:
    degrees, minutes, seconds = (float(v) for v in values)
    decimal = degrees + minutes / 60 + seconds / 3600
    if str(ref).upper() in ("S", "W"):
        decimal = -decimal
    return f"{decimal:.6f}"


def exif_structure_problem(raw: bytes) -> str | None:
    """Describe why a raw EXIF block (``Exif\\0\\0`` + TIFF) is malformed, or None if it looks sound."""
    body = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    if len(body) < 8:
        return "the EXIF block is shorter than a TIFF header"
    if body[:4] == b"II*\x00":
        order = "<"
    elif body[:4] == b"MM\x00*":
        order = ">"
    else:
        return "the EXIF block has no valid TIFF header"
    (offset,) = struct.unpack(order + "I", body[4:8])
    if offset + 2 > len(body):
        return "the first EXIF directory starts beyond the end of the block"
    (count,) = struct.unpack(order + "H", body[offset : offset + 2])
    if offset + 2 + 12 * count > len(body):
        return f"the first EXIF directory declares {count} entries, more than the block holds"
    return None


def _exif_values(image: Image.Image) -> tuple[list[dict[str, Any]], list[Finding]]:
    version = PIL.__version__
    values: list[dict[str, Any]] = []
    findings: list[Finding] = []
    raw = image.info.get("exif")
    if isinstance(raw, bytes):
        problem = exif_structure_problem(raw)
        if problem is not None:
            findings.append(
                Finding("exif_corrupt", problem + "; values read from it may be incomplete")
            )
    try:
        exif = image.getexif()
        base: Mapping[int, Any] = dict(exif)
        sub: Mapping[int, Any] = dict(exif.get_ifd(ExifTags.IFD.Exif))
        gps: Mapping[int, Any] = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except Exception as exc:  # noqa: BLE001 — Pillow raises many types on corrupt EXIF; recorded, not hidden
        findings.append(
            Finding("exif_unreadable", f"the EXIF block could not be read ({type(exc).__name__})")
        )
        return values, findings
    wanted = {
        ExifTags.Base.Make: "exif.Make",
        ExifTags.Base.Model: "exif.Model",
        ExifTags.Base.Software: "exif.Software",
        ExifTags.Base.DateTime: "exif.DateTime",
        ExifTags.Base.DateTimeOriginal: "exif.DateTimeOriginal",
        ExifTags.Base.OffsetTimeOriginal: "exif.OffsetTimeOriginal",
        ExifTags.Base.Orientation: "exif.Orientation",
    }
    for tag, name in wanted.items():
        raw = sub.get(tag, base.get(tag))
        if raw is None:
            continue
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        values.append(
            _value(
                name, raw if isinstance(raw, int) else str(raw).strip("\x00 "), "Pillow", version
            )
        )
    if gps:
        try:
            lat = gps.get(ExifTags.GPS.GPSLatitude)
            lon = gps.get(ExifTags.GPS.GPSLongitude)
            if lat is not None and lon is not None:
                values.append(
                    _value(
                        "gps.latitude",
                        _gps_decimal(lat, gps.get(ExifTags.GPS.GPSLatitudeRef, "N")),
                        "Pillow",
                        version,
                    )
                )
                values.append(
                    _value(
                        "gps.longitude",
                        _gps_decimal(lon, gps.get(ExifTags.GPS.GPSLongitudeRef, "E")),
                        "Pillow",
                        version,
                    )
                )
            stamp = gps.get(ExifTags.GPS.GPSDateStamp)
            if stamp is not None:
                values.append(_value("gps.datestamp", str(stamp), "Pillow", version))
        except (TypeError, ValueError, ZeroDivisionError) as exc:
            findings.append(
                Finding("gps_unreadable", f"the GPS block is malformed ({type(exc).__name__})")
            )
    return values, findings


def extract_metadata(content: bytes, media_type: str) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Extract EXIF/GPS and perceptual hashes from an image held in memory."""
    if not media_type.startswith("image/"):
        return [], []
    values: list[dict[str, Any]] = []
    findings: list[Finding] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(content))
            values.append(_value("image.format", str(image.format), "Pillow", PIL.__version__))
            values.append(_value("image.width", int(image.width), "Pillow", PIL.__version__))
            values.append(_value("image.height", int(image.height), "Pillow", PIL.__version__))
            exif_values, exif_findings = _exif_values(image)
            values.extend(exif_values)
            findings.extend(exif_findings)
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        findings.append(
            Finding("image_unreadable", f"the image could not be decoded ({type(exc).__name__})")
        )
        return values, findings
    except (OSError, SyntaxError, ValueError) as exc:
        findings.append(
            Finding(
                "image_truncated_or_corrupt", f"the image data is incomplete or corrupt ({exc})"
            )
        )
        return values, findings
    version = getattr(imagehash, "__version__", "unknown")
    values.append(
        _value("perceptual_hash.phash", str(imagehash.phash(image)), "ImageHash", version)
    )
    values.append(
        _value("perceptual_hash.dhash", str(imagehash.dhash(image)), "ImageHash", version)
    )
    return values, findings
