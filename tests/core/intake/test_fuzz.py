"""Hypothesis fuzzing of every parser: only results or the package's own errors, never a crash."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temoin.core.intake import IntakeError, ParsedRow, QuarantinedRow, iter_acled, iter_acled_json
from temoin.core.intake.acled import parse_acled_row
from temoin.core.intake.odk import (
    decrypt_submission,
    iter_odk_export,
    parse_manifest,
    parse_submission,
    submission_to_row,
)
from temoin.core.intake.profile import MappingProfile
from temoin.core.intake.table import iter_table, iter_uwazi, uwazi_profile
from temoin.core.intake.ucdp import iter_ucdp
from tests.core.intake.synthetic import HDX_COLUMNS

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFILE = MappingProfile.from_dict(
    {
        "name": "fuzz",
        "claimed_by": "fuzz",
        "columns": {
            "date": "date",
            "killed": "k",
            "latitude": "lat",
            "longitude": "lon",
            "act_type": "t",
            "actors": ["a"],
        },
        "default_act_type": "other",
    }  # fmt: skip
)
UWAZI = uwazi_profile(name="fuzz", claimed_by="fuzz", columns={"date": "Date added"})
cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def run_file(parser: Callable[[Path], Iterable[Any]], data: bytes, suffix: str = ".csv") -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            results = list(parser(path))
        except IntakeError as error:
            assert error.code and str(error)
            return -1
    assert all(isinstance(r, ParsedRow | QuarantinedRow) for r in results)
    return len(results)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_never_crash_csv_parsers(data: bytes) -> None:
    for parser in (
        iter_acled,
        iter_ucdp,
        lambda p: iter_table(p, PROFILE),
        lambda p: iter_uwazi(p, UWAZI),
    ):
        run_file(parser, data)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_never_crash_xlsx_and_json(data: bytes) -> None:
    run_file(lambda p: iter_table(p, PROFILE), data, suffix=".xlsx")
    run_file(lambda p: iter_table(p, PROFILE), b"PK\x03\x04" + data, suffix=".xlsx")
    run_file(iter_odk_export, data)
    run_file(iter_odk_export, b"PK\x03\x04" + data, suffix=".zip")
    try:
        list(iter_acled_json(data))
    except IntakeError:
        pass


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


@FUZZ
@given(
    rows=st.lists(st.lists(cell, min_size=0, max_size=35), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_acled_header_with_random_cells(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    data = csv_bytes(HDX_COLUMNS, rows, delimiter, encoding)
    run_file(iter_acled, data)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(HDX_COLUMNS + ["civilian_targeting", "tags"]), cell, max_size=31
    )
)
def test_acled_row_dicts(raw: dict[str, str]) -> None:
    result = parse_acled_row(raw, row_number=2)
    assert isinstance(result, ParsedRow | QuarantinedRow)
    if isinstance(result, QuarantinedRow):
        assert result.raw == raw and result.reason_code


@FUZZ
@given(
    rows=st.lists(st.lists(cell, max_size=8), max_size=6),
    header=st.lists(st.sampled_from(["date", "k", "lat", "lon", "t", "a", "x", "Title",
                                     "Date added", "Template", "Geolocation"]),
                    min_size=1, max_size=11, unique=True),
)  # fmt: skip
def test_tables_with_random_cells(rows: list[list[str]], header: list[str]) -> None:
    data = csv_bytes(header, rows, ",", "utf-8")
    run_file(lambda p: iter_table(p, PROFILE), data)
    run_file(lambda p: iter_uwazi(p, UWAZI), data)


@FUZZ
@given(
    st.binary(max_size=400)
    | st.text(max_size=400).map(lambda t: f'<data id="f">{t}</data>'.encode())
)
def test_submission_parsers(data: bytes) -> None:
    try:
        submission = parse_submission(data)
    except IntakeError:
        submission = None
    if submission is not None:
        assert isinstance(submission_to_row(submission), ParsedRow | QuarantinedRow)
    try:
        parse_manifest(data)
    except IntakeError:
        pass


@FUZZ
@given(
    key=st.text(alphabet="ABCDEFabcdef0123456789+/=", max_size=60),
    signature=st.text(alphabet="ABCDEFabcdef0123456789+/=", max_size=60),
    files=st.dictionaries(
        st.sampled_from(["submission.xml.enc", "a.jpg.enc", "b"]), st.binary(max_size=64)
    ),
)
def test_decrypt_with_random_manifest_content(
    key: str, signature: str, files: dict[str, bytes]
) -> None:
    from tests.core.intake.test_odk_crypto import _fuzz_key

    manifest = (
        '<data xmlns="http://www.opendatakit.org/xforms/encrypted" id="f" encrypted="yes">'
        f"<base64EncryptedKey>{key}</base64EncryptedKey><meta><instanceID>uuid:1</instanceID></meta>"
        "<media><file>a.jpg.enc</file></media><encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        f"<base64EncryptedElementSignature>{signature}</base64EncryptedElementSignature></data>"
    ).encode()
    try:
        decrypt_submission(manifest, files, _fuzz_key())
    except IntakeError as error:
        assert error.code in {"manifest_invalid", "decryption_failed", "attachment_missing",
                              "signature_mismatch", "submission_invalid"}  # fmt: skip
    else:  # pragma: no cover - random bytes cannot carry a valid signature
        raise AssertionError("random content was accepted")


@FUZZ
@given(
    rows=st.lists(st.lists(cell, max_size=9), max_size=5),
    zipped=st.booleans(),
)
def test_odk_exports_with_random_cells(rows: list[list[str]], zipped: bool) -> None:
    header = ["meta-instanceID", "incident_date", "gps-Latitude", "gps-Longitude", "killed_min",
              "killed_max", "act_types", "photo", "_uuid"]  # fmt: skip
    data = csv_bytes(header, rows, ",", "utf-8")
    if zipped:
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("form.csv", data)
            archive.writestr("media/a.jpg", b"x")
        run_file(iter_odk_export, buffer.getvalue(), suffix=".zip")
    else:
        run_file(iter_odk_export, data)
