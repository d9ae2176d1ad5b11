"""``ardea.pyfunc.spark_udf`` on a real local Spark session (pyspark and Debian's OpenJDK).

Without Java or pyspark these tests skip with the reason, except under ``CI=true``, where
they fail (``scripts/test.sh`` installs Java, the dev extra pyspark).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import ardea
from ardea._core.errors import FailedPreconditionError, InvalidArgumentError
from ardea.models import UntrustedPickleWarning

FEATURES = ["a", "b", "c"]
ROWS = 40


def _unavailable(what: str) -> None:
    msg = f"{what} not available: the Spark UDF tests need a local Spark session"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg + " -- under CI=true this test must run")
    pytest.skip(msg)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        _unavailable("Java (apt-get install openjdk-17-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _unavailable("pyspark (the dev extra)")
    before = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers need this venv's packages
    session = (
        SparkSession.builder.master("local[1]")
        .appName("ardea-spark-udf-tests")
        .config("spark.driver.memory", "512m")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        # several Arrow batches per task: the model must still load once per worker
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "8")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if before is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = before


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.random((ROWS, 3)), columns=FEATURES)
    frame.insert(0, "id", range(ROWS))
    return frame


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, data: pd.DataFrame) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    x = data[FEATURES]
    ardea.sklearn.save_model(
        LinearRegression().fit(x, 2 * x.a + x.b), root / "reg", input_example=x.head(2)
    )
    ardea.sklearn.save_model(
        LogisticRegression().fit(x, (x.a > 0.5).astype(int)),
        root / "clf",
        input_example=x.head(2),
        pyfunc_predict_fn="predict_proba",
    )
    return {"reg": root / "reg", "clf": root / "clf"}


def _expected(model: Path, data: pd.DataFrame) -> np.ndarray:
    return np.asarray(ardea.pyfunc.load_model(str(model)).predict(data[FEATURES]))


def test_columns_by_position_by_signature_and_struct(
    spark: Any, models: dict[str, Path], data: pd.DataFrame
) -> None:
    from pyspark.sql.functions import struct

    udf = ardea.pyfunc.spark_udf(spark, str(models["reg"]))
    assert udf.result_type == "double"  # from the output signature
    frame = spark.createDataFrame(data).repartition(2)
    out = (
        frame.withColumn("by_position", udf("a", "b", "c"))
        .withColumn("by_signature", udf())
        .withColumn("by_struct", udf(struct("c", "a", "b")))  # reordered to the signature's
        .toPandas()
        .sort_values("id")
    )
    expected = _expected(models["reg"], data)
    for column in ("by_position", "by_signature", "by_struct"):
        np.testing.assert_allclose(out[column].to_numpy(), expected, rtol=1e-12)


def test_result_types_and_arrays(spark: Any, models: dict[str, Path], data: pd.DataFrame) -> None:
    frame = spark.createDataFrame(data)
    clf = str(models["clf"])
    columns = {
        "proba": ardea.pyfunc.spark_udf(spark, clf, "array<double>"),
        "first": ardea.pyfunc.spark_udf(spark, clf, "float"),
        "as_long": ardea.pyfunc.spark_udf(spark, clf, "long"),
        "as_int": ardea.pyfunc.spark_udf(spark, clf, "int"),
        "text": ardea.pyfunc.spark_udf(spark, clf, "string"),
        "flag": ardea.pyfunc.spark_udf(spark, clf, "boolean"),
    }
    selected = frame.select("id", *(u("a", "b", "c").alias(n) for n, u in columns.items()))
    types = dict(selected.dtypes)
    assert types["proba"] == "array<double>" and types["first"] == "float"
    assert (types["as_long"], types["as_int"]) == ("bigint", "int")
    assert (types["text"], types["flag"]) == ("string", "boolean")
    out = selected.toPandas().sort_values("id")
    proba = _expected(models["clf"], data)
    np.testing.assert_allclose(np.stack(out["proba"].to_list()), proba, rtol=1e-12)
    np.testing.assert_allclose(out["first"], proba[:, 0], rtol=1e-6)
    assert out["as_long"].tolist() == [0] * ROWS  # probabilities below 1 truncate to 0
    assert out["text"].tolist() == [str(p) for p in proba[:, 0]]
    assert out["flag"].tolist() == [bool(p) for p in proba[:, 0]]


def test_model_loads_once_per_worker(spark: Any, tmp_path: Path, data: pd.DataFrame) -> None:
    log = tmp_path / "loads.txt"

    class Counting:
        def load_context(self, context: Any) -> None:
            with open(log, "a") as f:
                f.write(f"{os.getpid()}\n")

        def predict(self, frame: pd.DataFrame) -> list[float]:
            return (frame["a"] * 3).tolist()

    path = tmp_path / "counting"
    ardea.pyfunc.save_model(path, python_model=Counting, input_example=data[["a"]].head(2))
    udf = ardea.pyfunc.spark_udf(spark, str(path))
    out = spark.createDataFrame(data).select("id", udf("a").alias("p")).toPandas()
    np.testing.assert_allclose(out.sort_values("id")["p"], data["a"] * 3)
    pids = log.read_text().split()
    workers = [pid for pid in pids if pid != str(os.getpid())]
    assert str(os.getpid()) in pids  # the driver's trust check (and save_model's example)
    assert len(workers) == 1  # one worker, ROWS / 8 Arrow batches, one load


def test_refusals_happen_on_the_driver(
    spark: Any, models: dict[str, Path], tmp_path: Path, data: pd.DataFrame
) -> None:
    reg = str(models["reg"])
    with pytest.raises(InvalidArgumentError, match="Unsupported result_type 'map<string,int>'"):
        ardea.pyfunc.spark_udf(spark, reg, "map<string,int>")
    with pytest.raises(InvalidArgumentError, match="env_manager='virtualenv'"):
        ardea.pyfunc.spark_udf(spark, reg, env_manager="virtualenv")
    with pytest.raises(InvalidArgumentError, match="no MLmodel"):
        ardea.pyfunc.spark_udf(spark, str(tmp_path))

    import mlflow.sklearn

    x = data[FEATURES]
    foreign = tmp_path / "mlflow-model"
    mlflow.sklearn.save_model(
        LinearRegression().fit(x, x.b),
        str(foreign),
        input_example=x.head(2),
        serialization_format="cloudpickle",
    )
    with pytest.raises(FailedPreconditionError, match="allow_pickle"):
        ardea.pyfunc.spark_udf(spark, str(foreign))
    with pytest.warns(UntrustedPickleWarning):
        udf = ardea.pyfunc.spark_udf(spark, str(foreign), allow_pickle=True)
    out = spark.createDataFrame(data).select("id", udf("a", "b", "c").alias("p")).toPandas()
    np.testing.assert_allclose(out.sort_values("id")["p"], x.b, atol=1e-9)


def test_registry_uri(spark: Any, tmp_path: Path, data: pd.DataFrame) -> None:
    x = data[FEATURES]
    model = LinearRegression().fit(x, x.a - x.c)
    ardea.set_tracking_uri(str(tmp_path / "store"))
    try:
        with ardea.start_run():
            ardea.sklearn.log_model(
                model, name="model", input_example=x.head(2), registered_model_name="spark-reg"
            )
        udf = ardea.pyfunc.spark_udf(spark, "models:/spark-reg/1")
    finally:
        ardea.set_tracking_uri(None)
    assert (udf.model_dir / "MLmodel").is_file()
    out = spark.createDataFrame(data).select("id", udf().alias("p")).toPandas()
    np.testing.assert_allclose(out.sort_values("id")["p"], model.predict(x), rtol=1e-12)
