"""Build Témoin's vocabulary CSV files and ``manifest.json`` (re-runnable, deterministic).

Reads the HURIDOCS ESF micro-thesauri from the shared data folder
(``$TEMOIN_SHARED_DATA/vocabularies/esf_microthesauri.csv``, default ``<repo>/../shared/data``)
and the curated tables in ``_curated.py`` / ``_actors.py``, and writes
``temoin/core/vocabularies/data/<name>.csv`` plus ``manifest.json`` (version, attribution, and
sha256 / row count / columns of each file). Running it twice gives byte-identical files.

Usage::

    python -m temoin.core.vocabularies.build            # write the files
    python -m temoin.core.vocabularies.build --check    # exit 1 if the files are out of date
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from temoin.core.vocabularies import _actors, _curated
from temoin.core.vocabularies.errors import HierarchyError, VocabularyDataError
from temoin.core.vocabularies.loader import BASE_COLUMNS, DATA_DIR

__all__ = ["VOCABULARY_SET_VERSION", "build_all", "default_esf_path", "main", "render_files"]

#: Version of the whole vocabulary set; bump when a code is added, renamed or re-parented.
VOCABULARY_SET_VERSION = "1.0.0"

ATTRIBUTION: tuple[str, ...] = (
    "Terms with source 'esf' are derived from the HURIDOCS Events Standard Formats "
    "micro-thesauri (HURIDOCS, huridocs.org), as distributed with OpenEvSys; "
    "Témoin added readable codes and some corrected labels, and keeps the ESF huri_code.",
    "Terms with source 'acled' follow the ACLED codebook event types and actor names "
    "(Armed Conflict Location & Event Data Project (ACLED); acleddata.com). No ACLED rows are included.",
    "Terms with source 'iso639' use ISO 639 language codes.",
    "Terms with source 'temoin' are Témoin's own (AGPL-3.0-or-later).",
)

Row = dict[str, str]


def default_esf_path() -> Path:
    """Path of the shared ESF CSV (``TEMOIN_SHARED_DATA`` or ``<repo>/../shared/data``)."""
    repo = Path(__file__).resolve().parents[3]
    base = os.environ.get("TEMOIN_SHARED_DATA") or str(repo.parent / "shared" / "data")
    return Path(base) / "vocabularies" / "esf_microthesauri.csv"


def _read_esf(path: Path) -> dict[str, list[Row]]:
    by_list: dict[str, list[Row]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_list.setdefault(row["list_no"], []).append(row)
    return by_list


def _esf_vocabulary(
    esf: dict[str, list[Row]],
    list_no: str,
    *,
    slugs: dict[str, tuple[str, str, str]],
) -> list[Row]:
    """Convert one ESF micro-thesaurus into rows; codes are slugs or ``esf<list>_<huri_code>``."""
    source_rows = esf.get(list_no)
    if not source_rows:
        raise VocabularyDataError(f"esf list {list_no}", "not found in the ESF CSV")
    code_of: dict[str, str] = {}
    for row in source_rows:
        slug = slugs.get(row["huri_code"])
        code_of[row["term_id"]] = slug[0] if slug else f"esf{list_no}_{row['huri_code']}"
    out: list[Row] = []
    for row in source_rows:
        slug = slugs.get(row["huri_code"])
        parent_id = row["parent_term_id"]
        if parent_id not in ("", "0") and parent_id not in code_of:
            raise HierarchyError(
                f"esf list {list_no}", f"parent {parent_id} of {row['term_id']} missing"
            )
        out.append(
            {
                "code": code_of[row["term_id"]],
                "parent_code": "" if parent_id in ("", "0") else code_of[parent_id],
                "level": row["level"] or "0",
                "label_en": (slug[1] if slug and slug[1] else row["en"]).strip(),
                "label_fr": (slug[2] if slug and slug[2] else row["fr"]).strip(),
                "source": "esf",
                "huri_code": row["huri_code"],
                "esf_relation": "exact",
            }
        )
    missing = set(slugs) - {row["huri_code"] for row in source_rows}
    if missing:
        raise VocabularyDataError(
            f"esf list {list_no}", f"slugged huri_codes not found: {sorted(missing)}"
        )
    return out


def _with_levels(rows: list[Row]) -> list[Row]:
    """Fill ``level`` from the parent chain (for curated tables)."""
    by_code = {row["code"]: row for row in rows}
    for row in rows:
        depth, parent = 0, row["parent_code"]
        while parent:
            depth += 1
            parent = by_code[parent]["parent_code"]
        row["level"] = str(depth)
    return rows


def _act_types(esf: dict[str, list[Row]]) -> list[Row]:
    rows = _esf_vocabulary(esf, "4", slugs=_curated.ACT_TYPE_SLUGS)
    for code, parent, label_en, label_fr, huri, relation in _curated.ACT_TYPE_ADDITIONS:
        rows.append(
            {
                "code": code,
                "parent_code": parent,
                "level": "",
                "label_en": label_en,
                "label_fr": label_fr,
                "source": "temoin",
                "huri_code": huri,
                "esf_relation": relation,
            }
        )
    return _with_levels(rows)


def _flat(items: Iterable[tuple[str, str, str]], source: str) -> list[Row]:
    return [
        {
            "code": code,
            "parent_code": "",
            "level": "0",
            "label_en": en,
            "label_fr": fr,
            "source": source,
        }
        for code, en, fr in items
    ]


def _actors_rows() -> list[Row]:
    rows: list[Row] = []
    for code, parent, kind, inter, start, end, en, fr, aliases in _actors.ACTORS:
        if kind not in _actors.ACTOR_KINDS:
            raise VocabularyDataError("actors_mali", f"actor {code!r} has unknown kind {kind!r}")
        rows.append(
            {
                "code": code,
                "parent_code": parent,
                "level": "",
                "label_en": en,
                "label_fr": fr,
                "source": "acled" if any("(" in a or ":" in a for a in aliases) else "temoin",
                "kind": kind,
                "acled_inter": inter,
                "active_from": start,
                "active_to": end,
                "aliases": "|".join(aliases),
            }
        )
    return _with_levels(rows)


def build_all(esf_path: Path) -> dict[str, tuple[tuple[str, ...], list[Row]]]:
    """All vocabularies as ``name -> (columns, rows)``."""
    esf = _read_esf(esf_path)
    esf_cols = (*BASE_COLUMNS, "huri_code", "esf_relation")
    vocabularies: dict[str, tuple[tuple[str, ...], list[Row]]] = {
        "act_types": (esf_cols, _act_types(esf)),
        "violation_types": (esf_cols, _esf_vocabulary(esf, "2", slugs={})),
        "methods": (esf_cols, _esf_vocabulary(esf, "5", slugs=_curated.METHOD_SLUGS)),
        "status_at_end_of_act": (esf_cols, _esf_vocabulary(esf, "25", slugs=_curated.STATUS_SLUGS)),
        "perpetrator_types": (esf_cols, _esf_vocabulary(esf, "24", slugs={})),
        "counting_units": (esf_cols, _esf_vocabulary(esf, "7", slugs={})),
    }
    vocabularies["source_types"] = (
        (*BASE_COLUMNS, "huri_code"),
        [
            {
                "code": c,
                "parent_code": "",
                "level": "0",
                "label_en": en,
                "label_fr": fr,
                "source": "temoin",
                "huri_code": huri,
            }
            for c, en, fr, huri in _curated.SOURCE_TYPES
        ],
    )
    vocabularies["involvement_degrees"] = (
        esf_cols,
        [
            {
                "code": c,
                "parent_code": "",
                "level": "0",
                "label_en": en,
                "label_fr": fr,
                "source": "temoin",
                "huri_code": huri,
                "esf_relation": rel,
            }
            for c, en, fr, huri, rel in _curated.INVOLVEMENT_DEGREES
        ],
    )
    vocabularies["consequences"] = (
        BASE_COLUMNS,
        _with_levels(
            [
                {
                    "code": c,
                    "parent_code": p,
                    "level": "",
                    "label_en": en,
                    "label_fr": fr,
                    "source": "temoin",
                }
                for c, p, en, fr in _curated.CONSEQUENCES
            ]
        ),
    )
    vocabularies["languages"] = (
        (*BASE_COLUMNS, "iso639_1", "iso639_3", "huri_code"),
        _with_levels(
            [
                {
                    "code": c,
                    "parent_code": p,
                    "level": "",
                    "label_en": en,
                    "label_fr": fr,
                    "source": "iso639" if i3 else "temoin",
                    "iso639_1": i1,
                    "iso639_3": i3,
                    "huri_code": huri,
                }
                for c, p, en, fr, i1, i3, huri in _curated.LANGUAGES
            ]
        ),
    )
    vocabularies["acled_event_types"] = (
        (*BASE_COLUMNS, "acled_name", "act_type", "aliases"),
        _with_levels(
            [
                {
                    "code": c,
                    "parent_code": p,
                    "level": "",
                    "label_en": en,
                    "label_fr": fr,
                    "source": "acled",
                    "acled_name": name,
                    "act_type": act,
                    "aliases": other,
                }
                for c, p, name, en, fr, act, other in _curated.ACLED_EVENT_TYPES
            ]
        ),
    )
    vocabularies["actors_mali"] = (
        (*BASE_COLUMNS, "kind", "acled_inter", "active_from", "active_to", "aliases"),
        _actors_rows(),
    )
    vocabularies["source_reliability"] = (
        BASE_COLUMNS,
        _flat(_curated.SOURCE_RELIABILITY, "temoin"),
    )
    vocabularies["information_credibility"] = (
        BASE_COLUMNS,
        _flat(_curated.INFORMATION_CREDIBILITY, "temoin"),
    )
    vocabularies["consent_recipients"] = (
        BASE_COLUMNS,
        _flat(_curated.CONSENT_RECIPIENTS, "temoin"),
    )
    vocabularies["confidentiality_levels"] = (
        BASE_COLUMNS,
        _flat(_curated.CONFIDENTIALITY_LEVELS, "temoin"),
    )
    vocabularies["date_precisions"] = (BASE_COLUMNS, _flat(_curated.DATE_PRECISIONS, "temoin"))
    vocabularies["geo_precisions"] = (BASE_COLUMNS, _flat(_curated.GEO_PRECISIONS, "temoin"))
    _check_act_type_links(vocabularies)
    return vocabularies


def _check_act_type_links(vocabularies: dict[str, tuple[tuple[str, ...], list[Row]]]) -> None:
    act_codes = {row["code"] for row in vocabularies["act_types"][1]}
    for row in vocabularies["acled_event_types"][1]:
        if row["act_type"] and row["act_type"] not in act_codes:
            raise VocabularyDataError(
                "acled_event_types", f"{row['code']!r} maps to unknown act type {row['act_type']!r}"
            )


def _render_csv(columns: Sequence[str], rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode("utf-8")


def render_files(esf_path: Path) -> dict[str, bytes]:
    """File name -> bytes for every vocabulary CSV and ``manifest.json``."""
    files: dict[str, bytes] = {}
    entries: dict[str, dict[str, object]] = {}
    for name, (columns, rows) in sorted(build_all(esf_path).items()):
        content = _render_csv(columns, rows)
        file_name = f"{name}.csv"
        files[file_name] = content
        entries[name] = {
            "file": file_name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "rows": len(rows),
            "columns": list(columns),
        }
    manifest = {
        "version": VOCABULARY_SET_VERSION,
        "generated_by": "python -m temoin.core.vocabularies.build",
        "attribution": list(ATTRIBUTION),
        "files": entries,
    }
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode(
        "utf-8"
    )
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--esf", type=Path, default=None, help="path of esf_microthesauri.csv")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--check", action="store_true", help="only check the files are up to date")
    args = parser.parse_args(argv)
    esf_path: Path = args.esf or default_esf_path()
    files = render_files(esf_path)
    out: Path = args.out
    stale = [
        name
        for name, content in files.items()
        if not (out / name).exists() or (out / name).read_bytes() != content
    ]
    if args.check:
        for name in stale:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    print(f"wrote {len(files)} files to {out} ({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
