"""Spark local mode gives DuckDB's clusters and probabilities (SYNTHETIC data).

One Spark run (slow: JVM start, many stages), bounded to ~200 records: the synthetic
lists plus pairs whose names the Splink jar's Jaro-Winkler (commons-text) and
DuckDB's score on either side of a threshold — the pairs that made Spark's clusters
differ on 10k records before Témoin registered DuckDB's algorithm on Spark.
"""

from __future__ import annotations

import importlib.util
from datetime import date

import duckdb
import pytest

from temoin.core.linkage import LinkageSettings, PersonRecord, link_persons
from temoin.core.linkage.synthetic import synthetic_lists

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark not installed"),
]

# (given, family) spelt two ways: DuckDB and commons-text disagree on their Jaro-Winkler.
DISAGREEING = [
    (("Ogobara", "Kareembe"), ("Ogobara", "Karembe")),
    (("Baba", "Ould Sidi Mohamed"), ("Baba", "Ould Mohamed")),
    (("Drissa", "Bocoum"), ("Idrissa", "Bocoum")),
    (("Fanta", "Bannkara"), ("Fanta", "Banankora")),
    (("Faanta", "Dolo"), ("Fanta", "Dolo")),
]


def _crafted() -> list[PersonRecord]:
    out = []
    for number, (left, right) in enumerate(DISAGREEING):
        for list_id, (given, family) in (("X", left), ("Y", right)):
            out.append(
                PersonRecord(
                    record_id=f"{list_id}{number}",
                    list_id=list_id,
                    given_name=given,
                    family_name=family,
                    sex="m",
                    age=30 + number,
                    death_date=date(2019, 3, 23),
                    village=f"Village{number}",
                    cercle="Bankass",
                    stratum="Mopti",
                )
            )
    return out


def test_spark_gives_duckdb_clusters_and_probabilities_with_the_same_model() -> None:
    records = synthetic_lists(persons=60, lists=3, seed=9).records + _crafted()
    duck = link_persons(records, settings=LinkageSettings())
    spark = link_persons(
        records, settings=LinkageSettings(backend="spark"), model=duck.splink_model
    )
    assert duck.assignments["cluster_id"].tolist() == spark.assignments["cluster_id"].tolist()
    keys = ["unique_id_l", "unique_id_r"]
    merged = duck.pairs.merge(spark.pairs, on=keys, suffixes=("_d", "_s"))
    assert len(merged) == len(duck.pairs) == len(spark.pairs)
    assert (merged["match_probability_d"] - merged["match_probability_s"]).abs().max() < 1e-9
    assert (merged["gamma_name_d"] == merged["gamma_name_s"]).all()

    # The crafted names really do separate the two implementations: the jar's function,
    # registered under another name in the same session, disagrees with DuckDB's.
    from pyspark.sql.types import DoubleType

    from temoin.core.linkage.backends import spark_session

    session = spark_session()
    session.udf.registerJavaFunction(
        "jar_jaro_winkler", "uk.gov.moj.dash.linkage.JaroWinklerSimilarity", DoubleType()
    )
    probe = duckdb.connect(":memory:")
    names = [("kareembe", "karembe"), ("drissa", "idrissa"), ("faanta", "fanta")]
    for first, second in names:
        row = session.sql(
            f"SELECT jaro_winkler('{first}', '{second}') AS ours,"
            f" jar_jaro_winkler('{first}', '{second}') AS jar"
        ).collect()[0]
        expected = probe.execute("SELECT jaro_winkler_similarity(?, ?)", [first, second]).fetchone()
        assert expected is not None
        assert row["ours"] == expected[0]
        assert abs(row["jar"] - expected[0]) > 0.01
