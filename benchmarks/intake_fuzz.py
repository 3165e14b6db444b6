"""Coverage-guided fuzzing of the intake parsers with atheris (a bounded run, not a test).

Each input is written to a temporary file and fed to every file parser (ACLED CSV and
JSON, UCDP, table CSV/XLSX, Uwazi, ODK export CSV/ZIP) and to the XML parsers (submission,
encrypted-submission manifest). Anything other than a result or an ``IntakeError`` is a
crash: atheris stops and writes the input to ``crash-*``; otherwise libFuzzer ends with
"Done N runs in S second(s)".

Run: .venv/bin/python benchmarks/intake_fuzz.py -max_total_time=60   (needs `pip install atheris`)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from temoin.core.intake import IntakeError, iter_acled, iter_acled_json, iter_ucdp
    from temoin.core.intake.odk import (
        iter_odk_export,
        parse_manifest,
        parse_submission,
        submission_to_row,
    )
    from temoin.core.intake.profile import MappingProfile
    from temoin.core.intake.table import iter_table, iter_uwazi, uwazi_profile

PROFILE = MappingProfile.from_dict(
    {
        "name": "fuzz",
        "claimed_by": "fuzz",
        "columns": {"date": "date", "killed": "k", "latitude": "lat", "longitude": "lon"},
        "default_act_type": "other",
    }
)
UWAZI = uwazi_profile(name="fuzz", claimed_by="fuzz", columns={"date": "Date added"})
FOLDER = Path(tempfile.mkdtemp(prefix="temoin_fuzz_"))


def one_input(data: bytes) -> None:
    for suffix, parsers in (
        (".csv", (iter_acled, iter_ucdp, iter_odk_export,
                  lambda p: iter_table(p, PROFILE), lambda p: iter_uwazi(p, UWAZI))),
        (".xlsx", (lambda p: iter_table(p, PROFILE),)),
        (".zip", (iter_odk_export,)),
    ):  # fmt: skip
        path = FOLDER / f"input{suffix}"
        path.write_bytes(data)
        for parser in parsers:
            try:
                for _ in parser(path):
                    pass
            except IntakeError:
                pass
    for xml_parser in (parse_submission, parse_manifest):
        try:
            result = xml_parser(data)
            if xml_parser is parse_submission:
                submission_to_row(result)  # type: ignore[arg-type]
        except IntakeError:
            pass
    try:
        list(iter_acled_json(data))
    except IntakeError:
        pass


def main() -> None:
    seeds = FOLDER / "seeds"
    seeds.mkdir()
    (seeds / "acled.csv").write_bytes(
        b"event_id_cnty,event_date,event_type,sub_event_type,fatalities,latitude,longitude\n"
        b"SYN1,2019-03-23,Violence against civilians,Attack,3,14.0,-3.5\n"
    )
    (seeds / "ucdp.csv").write_bytes(
        b"id,date_start,date_end,type_of_violence,best,low,high\n1,2019-01-01,2019-01-02,3,2,1,3\n"
    )
    (seeds / "odk.xml").write_bytes(
        b'<data id="f"><incident_date>2019-03-23</incident_date><meta><instanceID>uuid:1'
        b"</instanceID></meta></data>"
    )
    atheris.Setup([*sys.argv, str(seeds)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
