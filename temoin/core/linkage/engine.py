"""Run Splink on a prepared table: backend, training, prediction, model JSON.

Backends (:mod:`~temoin.core.linkage.backends`): DuckDB (default; ``memory_limit_mb``
is the process's memory budget: DuckDB gets what the rest of the process leaves of it,
re-measured before each phase, with spill to a private temporary directory, ``threads``
and chunked prediction) and Spark local mode (same Splink settings; needs ``pyspark``).
Training is unsupervised — u by random sampling, m by expectation-maximisation on the
``em_blocking`` rules — or uses the
priors written in :mod:`temoin.core.linkage.comparisons`.  Reviewed pairs then move
each m probability toward what the analysts saw (a Dirichlet-style blend with the
unsupervised estimate, so a handful of labels cannot overturn the model).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink import Linker, SettingsCreator
from splink.internals.exceptions import EMTrainingException

from temoin.core.linkage.backends import (
    Backend,
    BudgetStep,
    memory_errors,
    open_backend,
    require_budget,
)
from temoin.core.linkage.comparisons import blocking_rule_sql, usable_rules
from temoin.core.linkage.errors import InvalidSettingsError
from temoin.core.linkage.settings import LinkageSettings

__all__ = ["EngineResult", "run_splink"]

logging.getLogger("splink").setLevel(logging.WARNING)

# Records below this count are too few for EM to be meaningful: priors are used.
MIN_RECORDS_FOR_EM = 200
# Pseudo-count of the unsupervised estimate when blending in reviewed matches.
LABEL_PSEUDO_COUNT = 20.0
# False restores the previous data path — no shared strings in the prepared table,
# scored pairs read with Splink's ``as_pandas_dataframe()`` (a new string object per
# cell) — to compare old and new in tests/core/linkage/test_compact_parity.py.
COMPACT_PAIRS = True
# Scored pairs are read from DuckDB this many rows at a time (2048-row vectors), the
# process RSS checked against the memory budget after each chunk.
FETCH_VECTORS_PER_CHUNK = 32
# What the process holds at each checkpoint (for MemoryLimitError messages).
HOLDING_BEFORE_SPLINK = (
    "interpreter and libraries, the input records, the prepared comparison table"
)


@dataclass(frozen=True)
class EngineResult:
    """Scored pairs (above ``review_low``) and the trained Splink model."""

    pairs: pd.DataFrame
    model: dict[str, Any]
    messages: tuple[str, ...]
    labels_used_for_m: int
    seconds_by_phase: dict[str, float] = field(default_factory=dict)
    # With a memory budget: each checkpoint's RSS and the DuckDB limit it set.
    budget_steps: tuple[BudgetStep, ...] = ()


def _train_em(
    linker: Linker,
    backend: Backend,
    settings: LinkageSettings,
    present: set[str],
    deterministic_rules: Sequence[str],
    n_records: int,
) -> list[str]:
    messages: list[str] = []
    link_only = settings.link_type == "link_only"
    if settings.probability_two_random_records_match is None and deterministic_rules:
        backend.before_phase("estimating the match prior", holding=HOLDING_BEFORE_SPLINK)
        linker.training.estimate_probability_two_random_records_match(
            list(deterministic_rules), recall=0.8
        )
    backend.before_phase("u estimation", holding=HOLDING_BEFORE_SPLINK)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=settings.u_max_pairs, seed=settings.seed
    )
    sessions = 0
    for rule in usable_rules(settings.em_blocking, present):
        backend.before_phase(f"EM session on {'+'.join(rule)}", holding=HOLDING_BEFORE_SPLINK)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocking_rule_sql(rule, link_only=link_only)
            )
        except (EMTrainingException, ValueError) as error:
            # Splink refuses degenerate sessions (too few pairs, a level never seen);
            # the session is skipped and said so: the other sessions and priors stand.
            messages.append(
                f"EM session on {'+'.join(rule)} skipped: {str(error).splitlines()[0][:160]}"
            )
            continue
        sessions += 1
    messages.append(f"trained by EM on {n_records} records ({sessions} sessions)")
    return messages


def _blend_labels(model: dict[str, Any], labelled: pd.DataFrame) -> dict[str, Any]:
    """Move m probabilities toward the levels observed in reviewed matching pairs."""
    for comparison in model["comparisons"]:
        gamma_column = "gamma_" + comparison["output_column_name"]
        if gamma_column not in labelled:
            continue
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        observed = labelled[gamma_column][labelled[gamma_column] >= 0]
        n_observed = len(observed)
        if n_observed == 0:
            continue
        counts = observed.value_counts().to_dict()
        top = len(levels) - 1
        for position, level in enumerate(levels):
            gamma = top - position
            prior_m = level.get("m_probability", 1.0 / len(levels))
            level["m_probability"] = (prior_m * LABEL_PSEUDO_COUNT + counts.get(gamma, 0)) / (
                LABEL_PSEUDO_COUNT + n_observed
            )
            level["m_probability"] = max(level["m_probability"], 1e-6)
    return model


def with_parameters(
    creator: SettingsCreator, model: dict[str, Any], *, dialect: str
) -> dict[str, Any]:
    """Settings for ``dialect`` with the m/u parameters of a stored ``model``.

    SQL is regenerated for the target backend (a model saved on DuckDB carries DuckDB
    SQL, e.g. double-quoted identifiers that Spark reads as strings); only the trained
    numbers are carried over.  Comparisons must match by name and level count.
    """
    target = creator.create_settings_dict(dialect)
    stored = {c["output_column_name"]: c for c in model["comparisons"]}
    for comparison in target["comparisons"]:
        source = stored.get(comparison["output_column_name"])
        if source is None or len(source["comparison_levels"]) != len(
            comparison["comparison_levels"]
        ):
            raise InvalidSettingsError(
                [f"stored model does not fit comparison {comparison['output_column_name']!r}"]
            )
        for level, trained in zip(
            comparison["comparison_levels"], source["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in trained:
                    level[key] = trained[key]
    target["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return target


def run_splink(
    table: pd.DataFrame,
    *,
    settings: LinkageSettings,
    build_settings: Callable[[set[str], float], SettingsCreator],
    present: set[str],
    deterministic_rules: Sequence[str] = (),
    matched_label_ids: Sequence[tuple[int, int]] = (),
    model: dict[str, Any] | None = None,
) -> EngineResult:
    """Train (unless ``model`` is given) and predict; returns pairs above ``review_low``.

    The backend's private spill and checkpoint directories are removed before this
    returns, also when it raises.  Raises :class:`MemoryLimitError` when DuckDB cannot
    stay within ``memory_limit_mb``.
    """
    with open_backend(settings) as backend, memory_errors(settings):
        return _run(
            backend,
            table,
            settings=settings,
            build_settings=build_settings,
            present=present,
            deterministic_rules=deterministic_rules,
            matched_label_ids=matched_label_ids,
            model=model,
        )


def _run(
    backend: Backend,
    table: pd.DataFrame,
    *,
    settings: LinkageSettings,
    build_settings: Callable[[set[str], float], SettingsCreator],
    present: set[str],
    deterministic_rules: Sequence[str],
    matched_label_ids: Sequence[tuple[int, int]],
    model: dict[str, Any] | None,
) -> EngineResult:
    messages: list[str] = []
    phases: dict[str, float] = {}
    started = time.perf_counter()
    n_records = len(table)
    total_pairs = n_records * (n_records - 1) / 2
    prior = settings.probability_two_random_records_match or min(
        0.05, max(1e-7, n_records / max(total_pairs, 1.0) / 2)
    )
    frame = backend.register(table)
    creator = build_settings(present, prior)
    if model is not None:
        creator_or_model: Any = with_parameters(creator, model, dialect=settings.backend)
    else:
        creator_or_model = creator
    linker = Linker(frame, creator_or_model, log_level=None)
    if model is None:
        if settings.training == "em" and n_records >= MIN_RECORDS_FOR_EM:
            messages += _train_em(
                linker, backend, settings, present, deterministic_rules, n_records
            )
        elif settings.training == "em":
            messages.append(f"only {n_records} records: too few for EM, expert priors used")
        elif n_records >= MIN_RECORDS_FOR_EM:
            backend.before_phase("u estimation", holding=HOLDING_BEFORE_SPLINK)
            linker.training.estimate_u_using_random_sampling(
                max_pairs=settings.u_max_pairs, seed=settings.seed
            )
            messages.append(
                "u probabilities estimated by random sampling; expert m priors (training='priors')"
            )
        else:
            messages.append(f"only {n_records} records: expert m and u priors used")
    phases["train"] = time.perf_counter() - started
    started = time.perf_counter()
    pairs = _predict(linker, settings, backend, table)
    trained = linker.misc.save_model_to_json()
    used = 0
    if matched_label_ids:
        wanted = {(min(a, b), max(a, b)) for a, b in matched_label_ids}
        keys = list(zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True))
        mask = [(min(a, b), max(a, b)) in wanted for a, b in keys]
        labelled = pairs[mask]
        used = len(labelled)
        if used:
            trained = _blend_labels(trained, labelled)
            retrained = with_parameters(creator, trained, dialect=settings.backend)
            linker = Linker(backend.register(table), retrained, log_level=None)
            pairs = _predict(linker, settings, backend, table)
            messages.append(f"m probabilities updated from {used} reviewed matching pairs")
    phases["predict"] = time.perf_counter() - started
    return EngineResult(
        pairs=pairs,
        model=trained,
        messages=tuple(messages),
        labels_used_for_m=used,
        seconds_by_phase=phases,
        budget_steps=tuple(backend.budget_steps),
    )


def _predict(
    linker: Linker, settings: LinkageSettings, backend: Backend, table: pd.DataFrame
) -> pd.DataFrame:
    backend.before_phase("prediction (blocking and scoring)", holding=HOLDING_BEFORE_SPLINK)
    chunks = settings.predict_chunks
    if chunks > 1:
        predictions = linker.inference.predict(
            threshold_match_probability=settings.review_low,
            num_chunks_left=chunks,
            num_chunks_right=1,
            warning_mode="never",
        )
    else:
        predictions = linker.inference.predict(
            threshold_match_probability=settings.review_low, warning_mode="never"
        )
    try:
        if backend.connection is not None and COMPACT_PAIRS:
            backend.before_phase("reading the scored pairs", holding=HOLDING_BEFORE_SPLINK)
            pairs = fetch_pairs(
                backend.connection, predictions.physical_name, table, settings=settings
            )
        else:
            pairs = predictions.as_pandas_dataframe()  # type: ignore[no-untyped-call]  # splink does not annotate it
            # DuckDB's parallel plan and Spark's partitions return pairs in no fixed
            # order; sampled clusterings draw one number per pair, in this order.
            pairs = pairs.sort_values(["unique_id_l", "unique_id_r"], kind="stable")
            pairs = pairs.reset_index(drop=True)
    finally:
        predictions.drop_table_from_database_and_remove_from_cache()
    probability = pairs["match_probability"].to_numpy(dtype=float)
    pairs["match_probability"] = np.where(np.isnan(probability), 0.0, probability)
    return pairs


def _concat(pieces: list[pd.Series]) -> pd.Series:
    """One column from its chunks (the dtype ``.df()`` of the whole result would give)."""
    if len(pieces) == 1:
        return pieces[0]
    return pd.concat(pieces, ignore_index=True)


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _table_sourced(table: pd.DataFrame, column: str) -> bool:
    """Whether a prepared column can stand for Splink's ``<column>_l/_r`` copies:
    numbers and strings (DuckDB returns them unchanged), not lists (returned as arrays)."""
    if column == "unique_id" or column not in table.columns:
        return False
    values = table[column]
    if values.dtype.kind in "iufb":
        return True
    # All-missing columns keep DuckDB's own rendering of NULL: they are read from it.
    return pd.api.types.infer_dtype(values, skipna=True) == "string"


def share_strings(values: np.ndarray) -> np.ndarray:
    """The same values, each distinct string one shared object (8 bytes a cell).

    A column read from DuckDB, Arrow or a dict row holds a new ``str`` for every cell
    (about 60 bytes each); victims' lists repeat names, places and keys endlessly.
    Missing values (None/NaN) are kept as they were.
    """
    if values.dtype != object or not len(values):
        return values
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): leave the column alone
        return values
    out = values.copy()
    known = codes >= 0
    out[known] = np.asarray(uniques, dtype=object)[codes[known]]
    return out


def fetch_pairs(
    connection: duckdb.DuckDBPyConnection,
    table_name: str,
    table: pd.DataFrame,
    *,
    settings: LinkageSettings | None = None,
) -> pd.DataFrame:
    """Splink's scored pairs as a compact pandas frame, same columns and values as
    ``as_pandas_dataframe()``.

    Pairs come ordered by ``(unique_id_l, unique_id_r)``.  Only the pair's own columns
    (ids, gammas, weights, probabilities) are read from DuckDB; the ``<column>_l/_r``
    copies of prepared fields are taken from ``table`` by record position, so every
    cell points at the table's string object instead of a new one per pair (≈ 0.55 KB
    per pair instead of ≈ 2.4 KB, measured on the synthetic Mali lists).

    Rows are read in chunks; with a memory budget in ``settings`` the process RSS is
    checked after each, and :class:`MemoryLimitError` stops the read once it passes.
    """
    columns = [row[0] for row in connection.execute(f"DESCRIBE {table_name}").fetchall()]
    sourced = {
        column: column[:-2]
        for column in columns
        if column.endswith(("_l", "_r")) and _table_sourced(table, column[:-2])
    }
    fetched = [column for column in columns if column not in sourced]
    result = connection.execute(
        f"SELECT {', '.join(_quoted(c) for c in fetched)} FROM {table_name} "
        "ORDER BY unique_id_l, unique_id_r"  # a fixed order: see _predict
    )
    pieces: dict[str, list[pd.Series]] = {column: [] for column in fetched}
    read = 0
    while True:
        chunk = result.fetch_df_chunk(FETCH_VECTORS_PER_CHUNK)
        if not len(chunk) and read:
            break
        read += len(chunk) or -1  # an empty first chunk is kept: it carries the dtypes
        for column in fetched:
            pieces[column].append(chunk[column])
        del chunk
        if read < 0:
            break
        if settings is not None:
            require_budget(
                settings,
                phase="while reading the scored pairs",
                holding=f"{HOLDING_BEFORE_SPLINK}, {read:,} pairs read so far, DuckDB's "
                "scored pairs",
            )
    frame = pd.DataFrame(
        {column: _concat(pieces.pop(column)) for column in fetched}, columns=fetched, copy=False
    )
    if sourced:
        ids = table["unique_id"].to_numpy()
        if np.array_equal(ids, np.arange(len(ids))):
            position = {
                side: frame[f"unique_id_{side}"].to_numpy(dtype=np.int64) for side in ("l", "r")
            }
        else:
            index = pd.Index(ids)
            position = {side: index.get_indexer(frame[f"unique_id_{side}"]) for side in ("l", "r")}
    data: dict[str, Any] = {}
    for column in columns:
        if column in sourced:
            values = table[sourced[column]].to_numpy()[position[column[-1]]]
            if values.dtype == object:
                values[pd.isna(values)] = None  # DuckDB returns a missing string as None
            data[column] = values
        else:
            values = frame[column]
            data[column] = share_strings(values.to_numpy()) if values.dtype == object else values
    del frame
    return pd.DataFrame(data, columns=columns, copy=False)
