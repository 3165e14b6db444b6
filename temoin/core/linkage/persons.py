"""Person linkage: the same victim on several lists, and twice on one list.

``link_persons(records, settings=...)`` normalises names and fields
(:mod:`~temoin.core.linkage.prepare`), sets aside records that cannot be linked
responsibly, trains and runs Splink (:mod:`~temoin.core.linkage.engine`), then
clusters the pairs with reviewed decisions as constraints
(:mod:`~temoin.core.linkage.clusters`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from temoin.core.linkage import engine
from temoin.core.linkage.backends import require_budget
from temoin.core.linkage.clusters import conflicting_clusters, sample_clusterings
from temoin.core.linkage.comparisons import SEVERAL_LISTS, person_splink_settings
from temoin.core.linkage.context import add_context_keys, apply_incident_context
from temoin.core.linkage.engine import run_splink, share_strings
from temoin.core.linkage.errors import InvalidRecordError, LabelError
from temoin.core.linkage.list_clusters import cluster_run_pairs
from temoin.core.linkage.prepare import UnlinkedRecord, prepare_persons
from temoin.core.linkage.records import PersonRecord, records_from_rows
from temoin.core.linkage.run import LinkageRun, RecordKey, ReviewedPair, RunStatus
from temoin.core.linkage.settings import LinkageSettings

__all__ = ["compact_table", "finish_run", "link_persons", "records_from_arrow"]

# Rows converted at a time from Arrow: a dict per row is ≈ 1.5 KB, so a whole 1M-row
# table at once would cost more than the records themselves.
ARROW_BATCH_ROWS = 65_536


def records_from_arrow(table: Any, record_type: type) -> list[Any]:
    """Records from a pyarrow Table (or RecordBatchReader), batch by batch.

    Repeated values (list ids, places, names, dates) become one shared object each
    instead of one per record: about half the memory of ``records_from_rows(to_pylist())``.
    """
    shared: dict[Any, Any] = {}
    batches = (
        table.to_batches(max_chunksize=ARROW_BATCH_ROWS) if hasattr(table, "to_batches") else table
    )
    out: list[Any] = []
    for batch in batches:
        rows = batch.to_pylist()
        for row in rows:
            for key, value in row.items():
                if key != "record_id" and isinstance(value, (str, date)):
                    row[key] = shared.setdefault(value, value)
        out.extend(records_from_rows(rows, record_type))
    return out


def _as_records(records: Any, record_type: type) -> list[Any]:
    """Records from dataclasses, a pandas DataFrame, a pyarrow Table or a DuckDB relation."""
    if isinstance(records, duckdb.DuckDBPyRelation):
        records = records.df()
    if isinstance(records, pd.DataFrame):
        clean = records.astype(object).where(records.notna(), None)
        return records_from_rows(clean.to_dict("records"), record_type)
    if hasattr(records, "to_batches"):
        return records_from_arrow(records, record_type)
    if hasattr(records, "to_pylist"):
        return records_from_rows(records.to_pylist(), record_type)
    out = list(records)
    for position, record in enumerate(out):
        if not isinstance(record, record_type):
            raise InvalidRecordError(
                record_id=f"#{position}", field="*", problem=f"expected {record_type.__name__}"
            )
    return out


def _empty_run(
    kind: Literal["persons", "incidents"],
    settings: LinkageSettings,
    records: Sequence[Any],
    unlinked: Sequence[UnlinkedRecord],
    status: RunStatus,
    message: str,
) -> LinkageRun:
    reasons = {(u.list_id, u.record_id): u.reason for u in unlinked}
    assignments = pd.DataFrame(
        {
            "list_id": [r.list_id for r in records],
            "record_id": [r.record_id for r in records],
            "cluster_id": list(range(len(records))),
            "linked": [False] * len(records),
            "unlinked_reason": [reasons.get((r.list_id, r.record_id), status) for r in records],
        }
    )
    return LinkageRun(
        kind=kind,
        status=status,
        settings=settings,
        assignments=assignments,
        pairs=pd.DataFrame(),
        splink_model=None,
        unlinked=tuple(unlinked),
        messages=[message],
    )


def _label_ids(
    labels: Sequence[ReviewedPair], index: dict[RecordKey, int], all_keys: set[RecordKey]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for label in labels:
        for key in (label.left, label.right):
            if key not in all_keys:
                raise LabelError(
                    f"reviewed pair refers to unknown record {key[1]!r} of list {key[0]!r}"
                )
        if label.left not in index or label.right not in index or label.decision == "unsure":
            continue
        pair = (index[label.left], index[label.right])
        (must if label.decision == "match" else cannot).append(pair)
    return must, cannot


def finish_run(
    *,
    kind: str,
    records: Sequence[Any],
    table: pd.DataFrame,
    unlinked: Sequence[UnlinkedRecord],
    pairs: pd.DataFrame,
    model: dict[str, Any] | None,
    settings: LinkageSettings,
    must: list[tuple[int, int]],
    cannot: list[tuple[int, int]],
    messages: list[str],
    started: float,
) -> LinkageRun:
    """Cluster the pairs and assemble the run (shared by persons and incidents)."""
    n_nodes = len(table)
    if (
        kind == "persons"
        and settings.require_name_evidence
        and len(pairs)
        and "gamma_name" in pairs
    ):
        # Same village and day is common among a massacre's victims: without any name that
        # could be compared (e.g. Arabic script vs Latin), a pair is never an automatic link
        # unless the same document number identifies both records.
        no_name = pairs["gamma_name"] == -1
        if "gamma_document_id" in pairs:
            no_name &= pairs["gamma_document_id"] != 1
        # In place: ``assign`` would copy every column of a frame of millions of pairs.
        pairs["match_probability"] = pairs["match_probability"].where(
            ~no_name, pairs["match_probability"].clip(upper=settings.review_low)
        )
    left = pairs["unique_id_l"].astype(int).tolist() if len(pairs) else []
    right = pairs["unique_id_r"].astype(int).tolist() if len(pairs) else []
    probability = pairs["match_probability"].astype(float).tolist() if len(pairs) else []
    assignment = cluster_run_pairs(
        kind,
        table["list_id"].astype(str).tolist(),
        left,
        right,
        probability,
        settings=settings,
        must_link=must,
        cannot_link=cannot,
    )
    linked = pd.DataFrame(
        {
            "list_id": table["list_id"],
            "record_id": table["record_id"],
            "cluster_id": assignment,
            "linked": True,
            "unlinked_reason": None,
        }
    )
    set_aside = pd.DataFrame(
        {
            "list_id": [u.list_id for u in unlinked],
            "record_id": [u.record_id for u in unlinked],
            "cluster_id": list(range(n_nodes, n_nodes + len(unlinked))),
            "linked": False,
            "unlinked_reason": [u.reason for u in unlinked],
        }
    )
    assignments = pd.concat([linked, set_aside], ignore_index=True) if len(set_aside) else linked
    alternatives: list[np.ndarray] = []
    if settings.alternative_clusterings:
        tail = np.arange(n_nodes, n_nodes + len(unlinked), dtype=np.int64)
        for draw in sample_clusterings(
            n_nodes,
            left,
            right,
            probability,
            draws=settings.alternative_clusterings,
            seed=settings.seed,
            must_link=must,
            cannot_link=cannot,
        ):
            alternatives.append(np.concatenate([draw, tail]))
    del left, right, probability
    if len(pairs) and "record_id_l" not in pairs:
        # Columns pointing at the table's strings (what ``join`` on unique_id gave,
        # without copying the whole pair frame twice).
        ids = pd.Index(table["unique_id"].to_numpy())
        for side in ("l", "r"):
            position = ids.get_indexer(pairs[f"unique_id_{side}"].to_numpy())
            for column in ("record_id", "list_id"):
                pairs[f"{column}_{side}"] = table[column].to_numpy()[position]
    skipped = {u.reason for u in unlinked}
    if skipped:
        messages.append(
            f"{len(unlinked)} record(s) kept out of linkage: " + ", ".join(sorted(skipped))
        )
    return LinkageRun(
        kind=kind,  # type: ignore[arg-type]  # "persons" or "incidents"
        status="ok",
        settings=settings,
        assignments=assignments,
        pairs=pairs,
        splink_model=model,
        unlinked=tuple(unlinked),
        messages=messages,
        conflicting_clusters=conflicting_clusters(assignment, cannot),
        alternative_assignments=alternatives,
        comparison_table=table,
        seconds=time.perf_counter() - started,
    )


def compact_table(table: pd.DataFrame) -> pd.DataFrame:
    """The prepared table with each distinct string stored once per column.

    Normalisation builds a new string for every record ("traore", "ogossagou", the
    list id…); sharing them cuts the table from ≈ 1.3 KB to a few hundred bytes per
    record, and the pair frame (which points into it) likewise.  Values are unchanged.
    """
    for column in table.columns:
        if table[column].dtype == object:
            table[column] = share_strings(table[column].to_numpy())
    return table


def _deterministic_rules(present: set[str]) -> list[str]:
    names = "l.given_canon = r.given_canon AND l.family_canon = r.family_canon"
    rules = [
        f"{names} AND l.{col} = r.{col}"
        for col in ("death_low", "birth_low", "document_id", "village_key")
        if col in present
    ]
    return rules


def link_persons(
    records: Sequence[PersonRecord] | pd.DataFrame | Any,
    *,
    settings: LinkageSettings | None = None,
    labels: Sequence[ReviewedPair] = (),
    model: dict[str, Any] | None = None,
) -> LinkageRun:
    """Link person records across (and within) lists.

    ``records``: :class:`PersonRecord` objects, a pandas DataFrame or a pyarrow Table
    with the same column names.  ``labels``: reviewed pairs (accepted pairs are always
    linked, rejected never directly; accepted pairs also update the model).  ``model``:
    a Splink model JSON from an earlier run to reuse instead of training.
    """
    started = time.perf_counter()
    settings = (settings or LinkageSettings()).validate()
    items = _as_records(records, PersonRecord)
    if not items:
        return _empty_run(
            "persons", settings, items, (), "empty_input", "empty input: nothing to link"
        )
    prepared = prepare_persons(items, min_evidence_fields=settings.min_evidence_fields)
    table = compact_table(prepared.table) if engine.COMPACT_PAIRS else prepared.table
    require_budget(settings, phase="after preparing the records", holding="records, prepared table")
    if len(items) == 1:
        return _empty_run(
            "persons",
            settings,
            items,
            prepared.unlinked,
            "single_record",
            "one record only: nothing to link it to",
        )
    if len(table) < 2:
        return _empty_run(
            "persons",
            settings,
            items,
            prepared.unlinked,
            "nothing_to_link",
            f"{len(table)} linkable record(s) after setting aside {len(prepared.unlinked)}: nothing to link",
        )
    if settings.link_type == "link_only" and table["list_id"].nunique() < 2:
        # Splink would divide by zero comparable pairs (a math domain error in predict).
        return _empty_run(
            "persons",
            settings,
            items,
            prepared.unlinked,
            "nothing_to_link",
            "link_only links records of different lists, and the input holds one list only",
        )
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    if labels:  # a dict of every record key costs ≈ 200 bytes a record: only when needed
        index = {
            (lst, rid): int(uid)
            for lst, rid, uid in table[["list_id", "record_id", "unique_id"]].itertuples(
                index=False
            )
        }
        must, cannot = _label_ids(labels, index, {(r.list_id, r.record_id) for r in items})
    present = {column for column in table.columns if table[column].notna().any()}
    if table["list_id"].nunique() > 1:
        present.add(SEVERAL_LISTS)
    messages = [
        f"list {dup!r} is a copy of list {orig!r}: not linked again"
        for dup, orig in prepared.duplicate_lists.items()
    ]
    result = run_splink(
        table,
        settings=settings,
        build_settings=lambda cols, prior: person_splink_settings(
            settings, present_columns=cols, prior=prior
        ),
        present=present,
        deterministic_rules=_deterministic_rules(present),
        matched_label_ids=must,
        model=model,
    )
    pairs = result.pairs
    holding = f"records, prepared table, {len(pairs):,} scored pairs"
    if settings.incident_context:
        require_budget(settings, phase="before the incident context", holding=holding)
        pairs = apply_incident_context(pairs, add_context_keys(table), result.model)
    require_budget(settings, phase="before clustering", holding=holding)
    return finish_run(
        kind="persons",
        records=items,
        table=table,
        unlinked=prepared.unlinked,
        pairs=pairs,
        model=result.model,
        settings=settings,
        must=must,
        cannot=cannot,
        messages=messages + list(result.messages),
        started=started,
    )
