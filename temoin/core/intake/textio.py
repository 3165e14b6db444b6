"""Reading delimited text files safely: encoding, BOM, delimiter, rows; and parsing dates.

Real files arrive as UTF-8 (with or without a BOM), UTF-16 from Excel "Unicode text", or
Windows-1252/Latin-1 from French-locale Excel, with commas, semicolons or tabs. This module
detects all of that from a sample, then streams rows one at a time (memory stays flat) and
numbers them as a spreadsheet shows them (header = row 1). Dates: ISO, ACLED's
"31 July 2020", French "31/07/2020" and "31 juillet 2020", and Excel serial day numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from temoin.core.intake.errors import (
    EmptyFileError,
    EncodingError,
    FileFormatError,
    UnreadableFileError,
)

__all__ = [
    "TextFileInfo",
    "excel_serial_to_date",
    "iter_csv_records",
    "iter_csv_stream",
    "parse_date",
    "sniff_sample",
    "sniff_text_file",
]

_SAMPLE_BYTES = 256 * 1024
_FIELD_LIMIT = 10 * 1024 * 1024
_LINE_LIMIT = _FIELD_LIMIT + 1024 * 1024  # one physical line (a multi-line cell spans several)
_WINDOWS_1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_UNDEFINED_1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (or an XLSX workbook)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (XLS)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)

csv.field_size_limit(_FIELD_LIMIT)


@dataclass(frozen=True, slots=True)
class TextFileInfo:
    """What :func:`sniff_text_file` found: the codec to use and the delimiter."""

    encoding: str
    delimiter: str
    had_bom: bool


def _detect_encoding(sample: bytes) -> tuple[str, bool]:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    if any(byte in _WINDOWS_1252_UNDEFINED for byte in sample):
        return "latin-1", False
    return "cp1252", False


def _detect_delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","


def sniff_sample(sample: bytes, *, source_name: str) -> TextFileInfo:
    """Detect encoding and delimiter from the first bytes of a file (see :func:`sniff_text_file`)."""
    if not sample.strip():
        raise EmptyFileError("the file is empty", source_name=source_name)
    for signature, kind in _SIGNATURES:
        if sample.startswith(signature):
            raise FileFormatError(
                f"this is {kind}, not a delimited text file", source_name=source_name
            )
    encoding, had_bom = _detect_encoding(sample)
    if not encoding.startswith("utf-16") and b"\x00" in sample:
        raise FileFormatError(
            "binary content (NUL bytes), not a text file", source_name=source_name
        )
    text = sample.decode(encoding, errors="replace").lstrip("\ufeff")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    return TextFileInfo(encoding=encoding, delimiter=_detect_delimiter(first_line), had_bom=had_bom)


def sniff_text_file(
    path: str | os.PathLike[str], *, source_name: str | None = None
) -> TextFileInfo:
    """Detect encoding and delimiter of a delimited text file, or raise a clear error.

    Raises :class:`EmptyFileError` for an empty file and :class:`FileFormatError` when the
    bytes are evidently another kind of file (ZIP/XLSX, PDF, image, binary).

    When the sample is plain ASCII, the rest of the file is checked too (one fast read): a
    French file whose first accented letter comes late is still read as Windows-1252 rather
    than failing half-way. A sample with UTF-8 letters stays UTF-8: a later invalid byte is
    then a damaged or mixed file, reported with its row by :class:`EncodingError`.
    """
    name = source_name or Path(path).name
    try:
        handle = open(path, "rb")  # closed by the with block below
    except OSError as error:
        raise UnreadableFileError(
            f"cannot open the file ({error.strerror})", source_name=name
        ) from error
    with handle:
        sample = handle.read(_SAMPLE_BYTES)
        info = sniff_sample(sample, source_name=name)
        if info.encoding != "utf-8" or len(sample) < _SAMPLE_BYTES or not sample.isascii():
            # a sample with real UTF-8 letters makes a later bad byte a damaged/mixed file:
            # reading on raises EncodingError naming the row, rather than garbling every accent
            return info
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk, final=False)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            handle.seek(0)
            undefined = False
            while not undefined and (chunk := handle.read(1 << 20)):
                undefined = _UNDEFINED_1252.search(chunk) is not None
            fallback = "latin-1" if undefined else "cp1252"
            return TextFileInfo(encoding=fallback, delimiter=info.delimiter, had_bom=False)
    return info


def iter_csv_records(
    path: str | os.PathLike[str],
    *,
    info: TextFileInfo | None = None,
    source_name: str | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row_number, cells)`` for every record, the header included as row 1.

    Row numbers are spreadsheet rows (a quoted multi-line cell stays one row). Blank records
    are skipped but still counted. Undecodable bytes raise :class:`EncodingError` naming
    the row; a CSV syntax error raises :class:`FileFormatError` naming the row.
    """
    name = source_name or Path(path).name
    info = info or sniff_text_file(path, source_name=name)
    return iter_csv_stream(lambda: open(path, "rb"), info=info, source_name=name)


def iter_csv_stream(
    opener: Callable[[], BinaryIO],
    *,
    source_name: str,
    info: TextFileInfo | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Like :func:`iter_csv_records` for any binary stream (e.g. a member of a ZIP archive).

    ``opener`` is called once for the sample (unless ``info`` is given) and once to read.
    """
    if info is None:
        with opener() as handle:
            info = sniff_sample(handle.read(_SAMPLE_BYTES), source_name=source_name)
    return _csv_rows(opener, info, source_name)


def _csv_rows(
    opener: Callable[[], BinaryIO], info: TextFileInfo, name: str
) -> Iterator[tuple[int, list[str]]]:
    row_number = 0
    with io.TextIOWrapper(opener(), encoding=info.encoding, newline="", errors="strict") as handle:
        reader = csv.reader(_bounded_lines(handle, name, lambda: row_number),
                            delimiter=info.delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                raise EncodingError(
                    f"bytes after row {row_number} are not valid {info.encoding}"
                    f" (position {error.start} of a read block)",
                    source_name=name,
                ) from error
            except csv.Error as error:
                raise FileFormatError(
                    f"CSV syntax error after row {row_number}: {error}", source_name=name
                ) from error
            row_number += 1
            if row_number == 1 and cells:
                cells[0] = cells[0].lstrip("\ufeff")
            if not cells or all(not cell.strip() for cell in cells):
                continue
            yield row_number, cells


def _bounded_lines(
    handle: io.TextIOWrapper, name: str, row_number: Callable[[], int]
) -> Iterator[str]:
    """The lines of ``handle``, none longer than the field limit: a file without line
    breaks (a 1 GB blob of zeros, a dump in one line) is refused with the row it follows
    instead of being read whole into memory."""
    readline = handle.readline
    while line := readline(_LINE_LIMIT):
        if len(line) == _LINE_LIMIT and not line.endswith(("\n", "\r")):
            raise FileFormatError(
                f"a line after row {row_number()} is longer than {_LINE_LIMIT // 2**20} MiB:"
                " not a delimited text file, or a damaged one",
                source_name=name,
            )
        yield line


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # French (with and without accents)
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12, "janv": 1, "fevr": 2, "févr": 2, "avr": 4, "juil": 7,
}  # fmt: skip
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_WORDY = re.compile(r"^(\d{1,2})(?:er)?[\s\-]+([^\W\d_]+)\.?[\s\-]+(\d{4})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")


def excel_serial_to_date(serial: float) -> dt.date:
    """Convert an Excel (1900 system) serial day number to a date; ValueError if absurd."""
    if not 1 <= serial <= 2958465:
        raise ValueError(f"Excel serial {serial} is outside 1..2958465")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(text: str, *, allow_excel_serial: bool = False) -> dt.date:
    """Parse the date styles met in intake files; ``ValueError`` with the text otherwise.

    Accepts ``2020-07-31`` (time part ignored), ``31 July 2020``, ``31-Jul-2020``,
    ``31 juillet 2020``, ``1er mars 2019``, ``31/07/2020`` (day first, as in French and
    Malian use), and, when ``allow_excel_serial``, Excel serial numbers such as ``44043``.
    """
    value = text.strip()
    match = _ISO.match(value)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    match = _DAY_FIRST.match(value)
    if match:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    match = _WORDY.match(value)
    if match:
        month = _MONTHS.get(match[2].lower())
        if month is None:
            raise ValueError(f"unknown month name in {value!r}")
        return dt.date(int(match[3]), month, int(match[1]))
    if allow_excel_serial and _SERIAL.match(value):
        return excel_serial_to_date(float(value))
    raise ValueError(f"unrecognised date {value!r}")
