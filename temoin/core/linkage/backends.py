"""Splink backends for one linkage run: DuckDB (default) or Spark local mode.

:func:`open_backend` is a context manager giving the Splink database API and a way to
register the comparison table, and cleaning up after the run — also after an error.

* **DuckDB**: an in-memory connection with ``memory_limit``, ``threads`` and a spill
  directory.  Spilled data holds names of victims, so unless
  ``temp_directory`` is set the spill goes to a *private* directory (``mkdtemp``, mode
  0700) removed when the run ends; DuckDB's own default would be ``.tmp`` in the
  current working directory.  An explicit ``temp_directory`` is used as given and left
  in place (only DuckDB's own spill files in it are removed, by DuckDB).
* **Spark**: one local session per process (``local[threads]``, Splink's similarity
  jar, ``spark.local.dir`` in a private directory removed at exit); each run writes
  its lineage-breaking parquet files to its own private checkpoint directory, removed
  when the run ends.  ``jaro_winkler`` is replaced by DuckDB's exact algorithm
  (:mod:`~temoin.core.linkage.similarity`) so both backends score pairs identically.

**Memory budget.** ``memory_limit_mb`` is the budget for this process's resident memory
(RSS, MiB) during the run, not only DuckDB's.  At each checkpoint
(:meth:`Backend.before_phase`: before training, each EM session, prediction and reading
the pairs) the process RSS is measured (``/proc/self/statm``, else psutil); DuckDB's
``memory_limit`` becomes ``budget − (RSS − DuckDB's own memory in use) −``
:func:`safety_margin_mb`, and when that is below :data:`DUCKDB_MIN_MB` the phase is not
started: :class:`MemoryLimitError` says what holds the memory.  :func:`require_budget`
is the same check outside DuckDB (reading pair chunks, before clustering).  0 or None:
no budget (DuckDB's default limit, 80 % of the machine).
"""

from __future__ import annotations

import atexit
import math
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
from splink.internals.exceptions import SplinkException

from temoin.core.linkage.errors import BackendUnavailableError, MemoryLimitError
from temoin.core.linkage.settings import LinkageSettings
from temoin.core.linkage.similarity import duckdb_rounding, jaro_winkler_similarity

__all__ = [
    "DUCKDB_MIN_MB",
    "Backend",
    "BudgetStep",
    "memory_errors",
    "open_backend",
    "require_budget",
    "resident_mb",
    "safety_margin_mb",
    "spark_session",
]

TEMP_PREFIX = "temoin-linkage-"
# False keeps the jar's commons-text Jaro-Winkler on Spark (for diagnosis only:
# benchmarks/linkage_spark.py --jar-jaro-winkler shows which pairs then differ).
SPARK_USES_DUCKDB_JARO_WINKLER = True

_NUMERIC_COLUMNS = frozenset(
    {
        "unique_id",
        "death_low",
        "death_high",
        "death_year",
        "birth_low",
        "birth_high",
        "birth_year",
        "lat",
        "lon",
        "event_low",
        "event_high",
        "event_year",
        "killed_low",
        "killed_high",
    }
)
_ARRAY_COLUMNS = frozenset({"act_types", "perpetrators"})

# The least DuckDB is given for a phase (MiB): below it Splink's smallest steps fail.
DUCKDB_MIN_MB = 64


def safety_margin_mb(budget_mb: int) -> int:
    """Head-room kept under the budget for what DuckDB's limit does not see (MiB):
    allocations outside its buffer manager, Python growth inside a phase.  Measured
    at 100k records: budget 700 with max(64, budget/10) peaked at 716 MiB."""
    return max(100, budget_mb // 8)


def resident_mb() -> float | None:
    """This process's resident set size now, in MiB (None where it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil
    except ImportError:
        return None
    return float(psutil.Process().memory_info().rss) / 2**20


def budget_of(settings: LinkageSettings) -> int | None:
    """The process memory budget in MiB, or None (0 and None both mean no budget)."""
    return int(settings.memory_limit_mb) if settings.memory_limit_mb else None


def require_budget(settings: LinkageSettings, *, phase: str, holding: str) -> float | None:
    """Raise :class:`MemoryLimitError` when the process RSS already passes the budget.

    ``phase`` names the step about to start or running; ``holding`` what the process
    holds at that point.  Returns the RSS measured (None without a budget)."""
    budget = budget_of(settings)
    if budget is None:
        return None
    rss = resident_mb()
    if rss is not None and rss > budget:
        raise MemoryLimitError(
            f"memory_limit_mb={budget} exceeded {phase}: the process holds {rss:.0f} MB "
            f"resident ({holding}); raise memory_limit_mb or link fewer records at a time"
        )
    return rss


@dataclass(frozen=True)
class BudgetStep:
    """One checkpoint: the RSS measured, DuckDB's memory in use, the limit it was given."""

    phase: str
    rss_mb: float
    duckdb_in_use_mb: float
    margin_mb: int
    duckdb_limit_mb: int


@dataclass
class Backend:
    """The Splink database API of one run, and the private directories to remove."""

    settings: LinkageSettings
    api: Any
    connection: duckdb.DuckDBPyConnection | None = None
    temp_directory: str | None = None
    private_directories: list[str] = field(default_factory=list)
    budget_steps: list[BudgetStep] = field(default_factory=list)

    def duckdb_in_use_mb(self) -> float:
        """Memory DuckDB holds now (inside its own limit), in MiB; 0 on Spark."""
        if self.connection is None:
            return 0.0
        row = self.connection.execute(
            "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()"
        ).fetchone()
        return float(row[0]) / 2**20 if row else 0.0

    def before_phase(self, phase: str, *, holding: str) -> BudgetStep | None:
        """Give DuckDB what the budget leaves for ``phase``, or refuse to start it.

        DuckDB's limit = budget − (RSS − DuckDB's memory in use) − safety margin: what
        DuckDB already holds counts inside its new limit, not twice.  Raises
        :class:`MemoryLimitError` (naming ``holding``, what the process holds) when that
        leaves DuckDB less than :data:`DUCKDB_MIN_MB`.  No budget: does nothing.
        On Spark only the check is made (the JVM is another process: see the docs).
        """
        budget = budget_of(self.settings)
        if budget is None:
            return None
        rss = resident_mb()
        if rss is None:  # cannot measure here: DuckDB keeps the whole budget
            return None
        in_duckdb = self.duckdb_in_use_mb()
        outside = rss - in_duckdb
        margin = safety_margin_mb(budget)
        limit = int(budget - outside - margin)
        if limit < DUCKDB_MIN_MB:
            raise MemoryLimitError(
                f"memory_limit_mb={budget} is too small to start {phase}: the process "
                f"already holds {rss:.0f} MB resident — {outside:.0f} MB outside DuckDB "
                f"({holding}) and {in_duckdb:.0f} MB in DuckDB — which leaves {limit} MB "
                f"for DuckDB after a {margin} MB safety margin, below the {DUCKDB_MIN_MB} MB "
                f"it needs; raise memory_limit_mb to at least "
                f"{int(outside + margin + DUCKDB_MIN_MB) + 1} or link fewer records at a time"
            )
        if self.connection is not None:
            self.connection.execute(f"SET memory_limit = '{limit}MiB'")
        step = BudgetStep(phase, rss, in_duckdb, margin, limit)
        self.budget_steps.append(step)
        return step

    def register(self, table: pd.DataFrame) -> Any:
        """Register the comparison table with Splink under a fresh name.

        On DuckDB this is a view on the pandas frame, not a copy: measured at 100k
        records, a DuckDB copy cost ≈ 1 KB per record more for the same CPU time.
        """
        name = f"records_{uuid.uuid4().hex[:12]}"
        if self.settings.backend == "spark":
            spark = spark_session(self.settings.threads)
            rows, schema = _spark_rows(table)
            return self.api.register(
                spark.createDataFrame(rows, schema=schema), dataset_display_name=name
            )
        return self.api.register(table, dataset_display_name=name)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        for directory in self.private_directories:
            shutil.rmtree(directory, ignore_errors=True)
        self.private_directories.clear()


def _private_directory() -> str:
    return tempfile.mkdtemp(prefix=TEMP_PREFIX)  # mode 0700


def _duckdb_backend(settings: LinkageSettings) -> Backend:
    from splink import DuckDBAPI

    connection = duckdb.connect(":memory:")
    backend = Backend(settings=settings, api=None, connection=connection)
    try:
        if settings.temp_directory is None:
            directory = _private_directory()
            backend.private_directories.append(directory)
        else:
            directory = settings.temp_directory
        backend.temp_directory = directory
        connection.execute("SET temp_directory = ?", [directory])
        budget = budget_of(settings)
        if budget is not None:  # lowered at each phase: Backend.before_phase
            connection.execute(f"SET memory_limit = '{budget}MiB'")
            connection.execute("SET preserve_insertion_order = false")
        if settings.threads is not None:
            connection.execute(f"SET threads = {int(settings.threads)}")
        backend.api = DuckDBAPI(connection)
    except BaseException:
        backend.close()
        raise
    return backend


_SPARK: Any = None
_SPARK_LOCAL_DIR: str | None = None


def _remove_spark_local_dir() -> None:
    if _SPARK_LOCAL_DIR is not None:
        shutil.rmtree(_SPARK_LOCAL_DIR, ignore_errors=True)


def spark_session(threads: int | None = None) -> Any:
    """A shared local Spark session (created once per process)."""
    global _SPARK, _SPARK_LOCAL_DIR
    if _SPARK is not None:
        return _SPARK
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise BackendUnavailableError(
            "backend 'spark' needs pyspark (pip install pyspark) and Java 17"
        ) from error
    from splink.backends.spark import similarity_jar_location

    _SPARK_LOCAL_DIR = _private_directory()
    atexit.register(_remove_spark_local_dir)
    # Python workers (the Jaro-Winkler UDF) run this interpreter and find this package.
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # read by SparkContext, not a conf
    _SPARK = (
        SparkSession.builder.master(f"local[{threads or 2}]")
        .config("spark.jars", similarity_jar_location())
        .appName("temoin-linkage")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.local.dir", _SPARK_LOCAL_DIR)
        .config("spark.executorEnv.PYTHONPATH", python_path)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def _register_duckdb_jaro_winkler(spark: Any) -> None:
    """Replace the jar's ``jaro_winkler`` by DuckDB's algorithm (a vectorised pandas UDF)."""
    from pyspark.sql.functions import pandas_udf

    probe = duckdb.connect(":memory:")
    try:
        rounding = duckdb_rounding(lambda sql: probe.execute(sql).fetchone()[0])  # type: ignore[index]  # one row
    finally:
        probe.close()

    @pandas_udf("double")  # type: ignore[call-overload]  # pyspark's overloads miss the string form
    def jaro_winkler(first: pd.Series, second: pd.Series) -> pd.Series:
        cache: dict[tuple[Any, Any], float | None] = {}
        out = []
        for a, b in zip(first.tolist(), second.tolist(), strict=True):
            key = (a, b)
            if key not in cache:
                cache[key] = jaro_winkler_similarity(a, b, rounding=rounding)
            out.append(cache[key])
        return pd.Series(out, dtype="float64")

    spark.udf.register("jaro_winkler", jaro_winkler)


def _spark_backend(settings: LinkageSettings) -> Backend:
    from splink import SparkAPI

    spark = spark_session(settings.threads)
    checkpoints = _private_directory()
    backend = Backend(settings=settings, api=None, private_directories=[checkpoints])
    try:
        spark.sparkContext.setCheckpointDir(checkpoints)
        backend.api = SparkAPI(spark_session=spark, break_lineage_method="parquet")  # type: ignore[no-untyped-call]  # splink does not annotate SparkAPI
        if SPARK_USES_DUCKDB_JARO_WINKLER:
            _register_duckdb_jaro_winkler(spark)
    except BaseException:
        backend.close()
        raise
    return backend


@contextmanager
def memory_errors(settings: LinkageSettings) -> Iterator[None]:
    """Turn DuckDB's out-of-memory error into :class:`MemoryLimitError` with advice."""
    try:
        yield
    except (duckdb.OutOfMemoryException, SplinkException) as error:
        # Splink wraps DuckDB's error in its own SplinkException (the DuckDB error is
        # the cause): look through the chain; any other Splink error is re-raised.
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, duckdb.OutOfMemoryException):
            cause = cause.__cause__
        if cause is None:
            raise
        limit = (
            f"memory_limit_mb={settings.memory_limit_mb} (DuckDB's share of that budget)"
            if settings.memory_limit_mb
            else "DuckDB's default memory limit"
        )
        raise MemoryLimitError(
            f"linkage ran out of memory in DuckDB at {limit} (a step that cannot spill): "
            "raise memory_limit_mb, raise predict_chunks, or use stricter blocking rules"
        ) from error


@contextmanager
def open_backend(settings: LinkageSettings) -> Iterator[Backend]:
    """The backend of one run; its private directories are removed on exit, error or not."""
    backend = (
        _duckdb_backend(settings) if settings.backend == "duckdb" else _spark_backend(settings)
    )
    try:
        yield backend
    finally:
        backend.close()


def _spark_rows(table: pd.DataFrame) -> tuple[list[tuple[Any, ...]], Any]:
    """Rows and an explicit schema: Spark must see NULL (not NaN, not the string 'None')."""
    from pyspark.sql import types

    fields = []
    for column in table.columns:
        if column in _NUMERIC_COLUMNS:
            kind: Any = types.DoubleType() if column in ("lat", "lon") else types.LongType()
        elif column in _ARRAY_COLUMNS:
            kind = types.ArrayType(types.StringType())
        else:
            kind = types.StringType()
        fields.append(types.StructField(column, kind, nullable=True))

    def clean(value: Any, column: str) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if column in _NUMERIC_COLUMNS:
            return float(value) if column in ("lat", "lon") else int(value)
        if column in _ARRAY_COLUMNS:
            return [str(item) for item in value]
        return str(value)

    columns = list(table.columns)
    rows = [
        tuple(clean(value, column) for value, column in zip(row, columns, strict=True))
        for row in table.itertuples(index=False)
    ]
    return rows, types.StructType(fields)
