"""Encoding, delimiter and date handling (synthetic files only)."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from temoin.core.intake.errors import EmptyFileError, EncodingError, FileFormatError
from temoin.core.intake.textio import (
    excel_serial_to_date,
    iter_csv_records,
    parse_date,
    sniff_text_file,
)

FRENCH = "lieu;région;date\nSégou;Ségou;23/03/2019\nDjenné;Mopti;1er mars 2019\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoded", "expected_encoding", "bom"),
    [
        (FRENCH.encode("utf-8"), "utf-8", False),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), "utf-8-sig", True),
        (FRENCH.encode("latin-1"), "cp1252", False),
        (FRENCH.encode("utf-16"), "utf-16", True),
    ],
)
def test_detects_encoding_and_semicolon(tmp_path, encoded, expected_encoding, bom) -> None:
    path = write(tmp_path, "synthetic.csv", encoded)
    info = sniff_text_file(path)
    assert (info.encoding, info.delimiter, info.had_bom) == (expected_encoding, ";", bom)
    rows = list(iter_csv_records(path))
    assert rows == [
        (1, ["lieu", "région", "date"]),
        (2, ["Ségou", "Ségou", "23/03/2019"]),
        (3, ["Djenné", "Mopti", "1er mars 2019"]),
    ]


def test_windows_1252_curly_apostrophe_and_oe(tmp_path) -> None:
    path = write(tmp_path, "synthetic.csv", "nom,note\nx,l’œuvre\n".encode("cp1252"))
    assert list(iter_csv_records(path))[1] == (2, ["x", "l’œuvre"])


def test_rows_are_spreadsheet_rows_with_multiline_cells_and_blank_lines(tmp_path) -> None:
    path = write(tmp_path, "synthetic.csv", b'a,b\n1,"two\nlines"\n\n3,4\n')
    assert list(iter_csv_records(path)) == [
        (1, ["a", "b"]),
        (2, ["1", "two\nlines"]),
        (4, ["3", "4"]),
    ]


def test_empty_and_wrong_kind_files(tmp_path) -> None:
    with pytest.raises(EmptyFileError) as caught:
        sniff_text_file(write(tmp_path, "empty.csv", b""))
    assert caught.value.code == "empty_file" and "empty.csv" in str(caught.value)
    with pytest.raises(EmptyFileError):
        sniff_text_file(write(tmp_path, "blank.csv", b"\n \n"))
    with pytest.raises(FileFormatError, match="ZIP"):
        sniff_text_file(write(tmp_path, "x.csv", b"PK\x03\x04rest"))
    with pytest.raises(FileFormatError, match="NUL"):
        sniff_text_file(write(tmp_path, "x.bin", b"a,b\n\x00\x01\x02"))


def test_latin1_file_whose_first_accent_comes_late_is_read_as_cp1252(tmp_path) -> None:
    text = "a,b\n" + "plain,1\n" * 40000 + "Ségou,2\n"  # first accent after 256 KiB
    path = write(tmp_path, "late.csv", text.encode("cp1252"))
    assert sniff_text_file(path).encoding == "cp1252"
    assert list(iter_csv_records(path))[-1] == (40002, ["Ségou", "2"])


def test_mixed_encodings_raise_encoding_error_naming_file(tmp_path) -> None:
    head = "a,b\n" + "é,1\n" * 70000  # > 256 KiB of valid UTF-8 first
    path = write(tmp_path, "mixed.csv", head.encode("utf-8") + "ç,2\n".encode("latin-1"))
    assert sniff_text_file(path).encoding == "utf-8"  # real UTF-8 letters in the sample
    with pytest.raises(EncodingError) as caught:
        list(iter_csv_records(path))
    assert caught.value.code == "encoding"
    assert "mixed.csv" in str(caught.value) and "utf-8" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-07-31", dt.date(2020, 7, 31)),
        ("2020-07-31T10:00:00Z", dt.date(2020, 7, 31)),
        ("31 July 2020", dt.date(2020, 7, 31)),
        ("31-Jul-2020", dt.date(2020, 7, 31)),
        ("31/07/2020", dt.date(2020, 7, 31)),
        ("1er mars 2019", dt.date(2019, 3, 1)),
        ("23 décembre 2018", dt.date(2018, 12, 23)),
        ("5 fevrier 2012", dt.date(2012, 2, 5)),
    ],
)
def test_parse_date_styles(text, expected) -> None:
    assert parse_date(text) == expected


def test_parse_date_rejects_and_excel_serial() -> None:
    for bad in ("", "31/13/2020", "2020-02-30", "31 Juliet 2020", "yesterday", "44043"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert parse_date("44043", allow_excel_serial=True) == dt.date(2020, 7, 31)
    assert excel_serial_to_date(1) == dt.date(1899, 12, 31)
    with pytest.raises(ValueError):
        excel_serial_to_date(0)


BIG = 1 << 30  # a 1 GB file: sparse on disk, so the test writes only its first bytes

# Peak RSS from VmHWM: ru_maxrss of a child started by vfork/exec also counts the parent's
# (a big pytest process) on Linux.
_RSS_SCRIPT = """
import re, sys
from pathlib import Path
from temoin.core.intake import iter_acled
from temoin.core.intake.errors import FileFormatError
rows = 0
try:
    for _ in iter_acled(sys.argv[1]):
        rows += 1
except FileFormatError as error:
    peak = re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())
    print(error.code, rows, int(peak[1]) // 1024)
    print(error)
"""


def _big_acled_file(tmp_path: Path, rows: int) -> Path:
    """SYNTHETIC ACLED rows, then zeros up to 1 GB (no line break in them)."""
    from tests.core.intake.synthetic import synthetic_row, write_acled_csv

    path = write_acled_csv(tmp_path / "big.csv", [synthetic_row(n) for n in range(1, rows + 1)])
    with open(path, "r+b") as handle:
        handle.truncate(BIG)
    return path


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_1gb_file_without_line_breaks_is_refused_with_flat_memory(tmp_path) -> None:
    import subprocess
    import sys

    path = _big_acled_file(tmp_path, 1500)  # > 256 KiB of clean rows: the sniff passes
    repo = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(path)], capture_output=True,
                          text=True, cwd=repo, check=True)
    code, rows, rss_mb = done.stdout.split("\n")[0].split()
    assert code == "file_format" and int(rows) == 1500  # every row before the blob came out
    assert "a line after row 1501 is longer than 11 MiB" in done.stdout
    assert int(rss_mb) < 300  # read a line at a time, never the 1 GB "line" (was > 1 GB)


def test_a_1gb_file_of_zeros_after_the_header_is_refused_before_any_row(tmp_path) -> None:
    from temoin.core.intake import iter_acled

    path = _big_acled_file(tmp_path, 3)
    with pytest.raises(FileFormatError, match="binary content"):
        iter_acled(path)
