"""Jaro-Winkler exactly as DuckDB computes it, so that Spark scores pairs identically.

Splink's ``JaroWinklerLevel`` becomes ``jaro_winkler_similarity`` (DuckDB built-in,
rapidfuzz algorithm) on DuckDB and ``jaro_winkler`` (Splink's Scala jar, Apache
commons-text) on Spark.  The two disagree on real names: commons-text matches the
shorter string against the longer one and halves transpositions as a real number, so
``drissa``/``idrissa`` scores 0.897 on DuckDB and 0.869 on Spark — on either side of the
0.88 threshold.  :func:`jaro_winkler_similarity` reproduces DuckDB's algorithm bit for
bit (matching window, greedy flagging from the second string, integer half
transpositions, prefix of at most 4, boost above 0.7, on code points) and is registered
on Spark under the jar's name, so both backends score from the same numbers.

The last rounding step depends on how DuckDB was compiled: the boost
``sim + prefix * 0.1 * (1 - sim)`` is a fused multiply-add in the x86-64 wheels
(one rounding), a multiply then an add elsewhere.  :func:`duckdb_rounding` asks the
running DuckDB which one it uses; the Spark UDF is built with that answer.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Literal

__all__ = ["Rounding", "duckdb_rounding", "jaro_winkler_similarity"]

Rounding = Literal["fused", "separate"]

# A pair whose score differs between the two roundings (0.805 ± 1 ulp).
_PROBE = ("adaa", "agata")


def _flag(first: str, second: str) -> tuple[int, int]:
    """Common characters and transpositions (DuckDB: each char of ``second`` takes the
    leftmost free equal char of ``first`` within the window)."""
    first_len, second_len = len(first), len(second)
    bound = max(max(first_len, second_len) // 2 - 1, 0)
    first_taken = [False] * first_len
    second_taken = [False] * second_len
    common = 0
    for j, char in enumerate(second):
        for i in range(max(0, j - bound), min(first_len, j + bound + 1)):
            if not first_taken[i] and first[i] == char:
                first_taken[i] = second_taken[j] = True
                common += 1
                break
    first_order = [c for c, taken in zip(first, first_taken, strict=True) if taken]
    second_order = [c for c, taken in zip(second, second_taken, strict=True) if taken]
    transpositions = sum(1 for a, b in zip(first_order, second_order, strict=True) if a != b)
    return common, transpositions


@lru_cache(maxsize=65536)
def _score(
    first_len: int, second_len: int, common: int, transpositions: int, prefix: int, rounding: str
) -> float:
    if first_len == 1 and second_len == 1:
        similarity = float(common)
    elif common == 0:
        similarity = 0.0
    else:
        half = transpositions // 2
        similarity = 0.0
        similarity += common / first_len
        similarity += common / second_len
        similarity += (common - half) / common
        similarity = similarity / 3.0
    if similarity > 0.7:
        if rounding == "fused":
            exact = Fraction(prefix * 0.1) * Fraction(1.0 - similarity) + Fraction(similarity)
            similarity = float(exact)  # int/int division: correctly rounded, as one FMA
        else:
            similarity += prefix * 0.1 * (1.0 - similarity)
    return similarity


def jaro_winkler_similarity(
    first: str | None, second: str | None, *, rounding: Rounding = "fused"
) -> float | None:
    """DuckDB's ``jaro_winkler_similarity(first, second)``; ``None`` when either is NULL."""
    if first is None or second is None:
        return None
    if not first or not second:
        return 0.0
    prefix = 0
    for a, b in zip(first[:4], second[:4], strict=False):
        if a != b:
            break
        prefix += 1
    common, transpositions = _flag(first, second)
    return _score(len(first), len(second), common, transpositions, prefix, rounding)


def duckdb_rounding(execute: Callable[[str], float]) -> Rounding:
    """Which rounding the running DuckDB uses (``execute`` runs one scalar query)."""
    value = execute(f"SELECT jaro_winkler_similarity('{_PROBE[0]}', '{_PROBE[1]}')")
    for rounding in ("fused", "separate"):
        if jaro_winkler_similarity(*_PROBE, rounding=rounding) == value:  # type: ignore[arg-type]
            return rounding  # type: ignore[return-value]
    raise ValueError(f"DuckDB's Jaro-Winkler gives {value!r} on the probe pair: unknown rounding")
