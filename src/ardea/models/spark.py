"""Distributed batch scoring on Apache Spark: :func:`spark_udf`, as ``ardea.pyfunc.spark_udf``.

The driver makes a private local copy of the model (downloaded when remote) and loads it
once, which checks the model's files (pickle trust, see docs/models.md) before any
executor sees them. The UDF is an iterator pandas UDF (Arrow batches): each executor's
Python worker loads the copy once (from its path in local mode, from ``SparkFiles`` on a
cluster) and keeps it for the following tasks. ``pyspark`` is imported only here.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.models._pyfunc_model import PyFuncModel, load_pyfunc_dir
from ardea.models._signature import select_columns
from ardea.models._trust import UntrustedPickleWarning

__all__ = ["RESULT_TYPES", "spark_udf"]

RESULT_TYPES = ("double", "float", "int", "long", "string", "boolean")
"""Spark types a UDF may return, alone or as ``array<type>``."""

_ALIASES = {"integer": "int", "bigint": "long", "bool": "boolean", "str": "string"}
_PANDAS = {
    "double": "float64",
    "float": "float32",
    "int": "int32",
    "long": "int64",
    "string": "str",
    "boolean": "bool",
}
_SIGNATURE_TYPES = {"double": "double", "float": "float", "integer": "int", "long": "long"}
_SIGNATURE_TYPES.update({"string": "string", "boolean": "boolean"})
_DTYPES = {"float64": "double", "float32": "float", "int32": "int", "int64": "long"}
_DTYPES.update({"bool": "boolean", "str": "string", "object": "string"})

_loaded: dict[str, PyFuncModel] = {}
"""Per Python worker: model folder -> the model, loaded by the first task that needs it."""


def _parse_type(result_type: Any) -> tuple[str, bool]:
    """``(element type, is_array)`` of a type string or a pyspark ``DataType``."""
    text = result_type.simpleString() if hasattr(result_type, "simpleString") else result_type
    if not isinstance(text, str):
        raise InvalidArgumentError(f"result_type must be a string or a Spark type: {text!r}.")
    text = text.strip().lower().replace(" ", "")
    is_array = text.startswith("array<") and text.endswith(">")
    element = text[6:-1] if is_array else text
    element = _ALIASES.get(element, element)
    if element not in RESULT_TYPES:
        raise InvalidArgumentError(
            f"Unsupported result_type {result_type!r}: use one of {', '.join(RESULT_TYPES)}, "
            "or array<...> of one."
        )
    return element, is_array


def _default_type(model: PyFuncModel) -> str:
    """The output signature's type when it is one column or a tensor, else ``double``."""
    outputs = model.signature.outputs if model.signature else None
    if not outputs or len(outputs) != 1:
        return "double"
    spec = outputs[0]
    if spec["type"] == "tensor":
        tensor = spec["tensor-spec"]
        element = _DTYPES.get(str(tensor["dtype"]), "double")
        return f"array<{element}>" if len(tensor["shape"]) == 2 else element
    if spec["type"] == "array":
        element = _SIGNATURE_TYPES.get(str(spec["items"].get("type")), "double")
        return f"array<{element}>"
    return _SIGNATURE_TYPES.get(str(spec["type"]), "double")


def _private_copy(model_uri: str) -> Path:
    """A local copy of the model no one else writes to (the executors load these files)."""
    from urllib.parse import urlparse

    from ardea.models._uri import local_model_dir

    scheme = urlparse(model_uri).scheme
    private = Path(tempfile.mkdtemp(prefix="ardea-spark-model-"))
    if len(scheme) > 1 and scheme != "file":  # downloaded: the download is the private copy
        target = local_model_dir(model_uri, str(private))
    else:
        target = private / "model"
        source = local_model_dir(model_uri)
        if source.is_dir():
            shutil.copytree(source, target)
    if not (target / "MLmodel").is_file():
        raise InvalidArgumentError(f"{model_uri!r} is not a model directory (no MLmodel file).")
    return target


def _model(folder: str) -> PyFuncModel:
    """The worker's model, loaded on its first use (the driver already checked the files)."""
    model = _loaded.get(folder)
    if model is None:
        with warnings.catch_warnings():  # the driver warned, once, if it was untrusted
            warnings.simplefilter("ignore", UntrustedPickleWarning)
            model = load_pyfunc_dir(Path(folder), allow_pickle=True)
        _loaded[folder] = model
    return model


def _model_input(model: PyFuncModel, args: tuple[Any, ...]) -> Any:
    """A batch's UDF arguments as the model's input (see :func:`spark_udf`)."""
    import numpy as np
    import pandas as pd

    signature = model.signature
    if len(args) == 1 and isinstance(args[0], pd.DataFrame):
        return select_columns(signature, args[0])  # a struct: its field names
    specs = signature.inputs if signature else []
    if specs and specs[0]["type"] == "tensor":
        if len(args) == 1:
            values = args[0]
            return np.stack(values.to_list()) if values.dtype == object else values.to_numpy()
        return np.column_stack([arg.to_numpy() for arg in args])
    names: list[Any] = [spec.get("name") for spec in specs]
    if len(names) != len(args) or any(name is None for name in names):
        names = list(range(len(args)))  # MLflow's ordinals
    frame = pd.DataFrame(
        {name: arg.reset_index(drop=True) for name, arg in zip(names, args, strict=True)}
    )
    return select_columns(signature, frame)


def _as_result(predictions: Any, element: str, is_array: bool, rows: int) -> Any:
    """Predictions as a pandas Series of the UDF's result type."""
    import numpy as np
    import pandas as pd

    if isinstance(predictions, pd.DataFrame):
        predictions = predictions.to_numpy() if is_array else predictions.iloc[:, 0]
    if isinstance(predictions, pd.Series):
        predictions = predictions.to_numpy()
    try:
        array = np.asarray(predictions)
    except ValueError:
        array = np.asarray(predictions, dtype=object)
    if is_array:
        dtype = _PANDAS[element] if element != "string" else object
        items = [np.atleast_1d(np.asarray(row)).astype(dtype).tolist() for row in array]
        if element == "string":
            items = [[str(v) for v in row] for row in items]
        series = pd.Series(items, dtype=object)
    else:
        if array.ndim == 2 and array.shape[1] >= 1:
            array = array[:, 0]
        series = pd.Series(array)
        series = series.map(str) if element == "string" else series.astype(_PANDAS[element])
    if len(series) != rows:
        raise InvalidArgumentError(f"The model returned {len(series)} predictions for {rows} rows.")
    return series


class SparkModelUDF:
    """The UDF :func:`spark_udf` returns: call it with columns (or none) to get a Column.

    Attributes:
        model_dir: The driver's private copy of the model.
        result_type: The Spark type the UDF returns (a DDL string).
    """

    def __init__(self, udf: Any, model_dir: Path, result_type: str, names: list[str]) -> None:
        self._udf = udf
        self.model_dir = model_dir
        self.result_type = result_type
        self._names = names

    def __call__(self, *cols: Any) -> Any:
        """The prediction Column; no arguments: the signature's columns, by name."""
        if not cols:
            if not self._names:
                raise InvalidArgumentError(
                    "This model's signature names no columns: pass the input columns."
                )
            from pyspark.sql.functions import struct

            cols = (struct(*self._names),)
        return self._udf(*cols)


def spark_udf(
    spark: Any,
    model_uri: str,
    result_type: Any = None,
    env_manager: str | None = None,
    *,
    allow_pickle: bool | None = None,
) -> SparkModelUDF:
    """A Spark UDF that scores rows with a model (MLflow's ``spark_udf``, local environment).

    Called with columns, the model gets a pandas DataFrame named after the signature's
    input columns (when their number matches), else ordinals ``0, 1, ...``; called with one
    ``struct(...)``, the struct's field names; called with nothing, the signature's
    columns by name. A tensor signature gets a 2-D array (one array column, or stacked
    numeric columns).

    Args:
        spark: The SparkSession.
        model_uri: A path, ``runs:/``, ``models:/`` or artifact URI.
        result_type: ``double``, ``float``, ``int``, ``long``, ``string``, ``boolean`` or
            ``array<...>`` of one (a string or a pyspark ``DataType``). None: the output
            signature's type when it has one column, else ``double``.
        env_manager: Only ``local`` (or None): executors use their own Python environment.
        allow_pickle: Load an untrusted pickled model (see ``ARDEA_ALLOW_PICKLE``); checked
            once on the driver.

    Raises:
        InvalidArgumentError: an unsupported type or environment manager, or no model.
        FailedPreconditionError: the model is untrusted and ``allow_pickle`` is not set.
    """
    if env_manager not in (None, "local"):
        raise InvalidArgumentError(
            f"env_manager={env_manager!r} is not supported: Ardea scores in the executors' "
            "own Python environment (env_manager='local')."
        )
    folder = _private_copy(model_uri)
    model = load_pyfunc_dir(folder, allow_pickle)  # the trust check, once, on the driver
    element, is_array = _parse_type(result_type or _default_type(model))
    ddl = f"array<{element}>" if is_array else element
    specs = model.signature.inputs if model.signature else []
    names = [str(s["name"]) for s in specs if s.get("name") is not None]
    names = names if len(names) == len(specs) else []
    udf = _make_udf(spark, folder, element, is_array, ddl)
    return SparkModelUDF(udf, folder, ddl, names)


def _make_udf(spark: Any, folder: Path, element: str, is_array: bool, ddl: str) -> Any:
    from typing import Union

    import pandas as pd
    from pyspark.sql.pandas.functions import pandas_udf

    master = str(spark.sparkContext.master) if hasattr(spark, "sparkContext") else ""
    local = master.startswith("local")
    if not local:
        spark.sparkContext.addFile(str(folder), recursive=True)
    path = str(folder)

    def predict(batches: Any) -> Any:
        if local:
            where = path
        else:
            from pyspark import SparkFiles

            where = SparkFiles.get(Path(path).name)
        model = _model(where)
        for batch in batches:
            args = batch if isinstance(batch, tuple) else (batch,)
            data = _model_input(model, args)
            yield _as_result(model.predict(data), element, is_array, len(args[0]))

    # pyspark reads the kind of pandas UDF from these hints (an iterator of argument tuples)
    predict.__annotations__ = {
        "batches": Iterator[tuple[Union[pd.Series, pd.DataFrame], ...]],  # noqa: UP007
        "return": Iterator[pd.Series],
    }
    make: Any = pandas_udf  # its overloads list fixed arities, not a batch iterator
    return make(predict, returnType=ddl)
