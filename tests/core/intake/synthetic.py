"""Synthetic ACLED-format rows for tests (invented values, labelled SYNTHETIC)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HDX_COLUMNS = (
    "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,"
    "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,timestamp,iso3"
).split(",")
HXL_ROW = {"event_id_cnty": "#event+code", "event_date": "#date+occurred", "notes": "#description"}


def synthetic_row(number: int, **overrides: str) -> dict[str, str]:
    row = {column: "" for column in HDX_COLUMNS}
    row.update(
        data_id=str(900000 + number),
        iso="466",
        event_id_cnty=f"SYN{number}",
        event_id_no_cnty=str(number),
        event_date="2019-03-23",
        year="2019",
        time_precision="1",
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="SYNTHETIC Militia A",
        assoc_actor_1="SYNTHETIC Group B; SYNTHETIC Group C",
        inter1="4",
        actor2="Civilians (Mali)",
        inter2="7",
        interaction="47",
        region="Western Africa",
        country="Mali",
        admin1="Mopti",
        admin2="Bankass",
        location="Synthetic-Village",
        latitude="14.0",
        longitude="-3.5",
        geo_precision="1",
        source="SYNTHETIC Radio",
        source_scale="National",
        notes="SYNTHETIC note: an invented event for tests.",
        fatalities="3",
        timestamp="1600000000",
        iso3="MLI",
    )
    row.update(overrides)
    return row


def write_acled_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    hxl: bool = False,
    delimiter: str = ",",
    encoding: str = "utf-8",
    columns: list[str] | None = None,
) -> Path:
    columns = columns or HDX_COLUMNS
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore",
                            lineterminator="\n")  # fmt: skip
    writer.writeheader()
    if hxl:
        writer.writerow({column: HXL_ROW.get(column, "") for column in columns})
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
