"""What sklearn autologging records after a fit: params, training metrics, tags, the model."""

from __future__ import annotations

import logging
import math
import pickle
import platform
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ardea._core.ids import now_ms
from ardea.client import ArdeaClient
from ardea.entities import Metric, Param, RunTag

__all__ = ["log_fit", "model_files", "training_metrics"]

logger = logging.getLogger("ardea")

MAX_PARAM_LENGTH = 6000
MODEL_DIR = "model"
PICKLE_FILE = "model.pkl"


def _param_value(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_PARAM_LENGTH else text[: MAX_PARAM_LENGTH - 3] + "..."


def _try(name: str, fn: Callable[[], float]) -> tuple[str, float] | None:
    """A metric, or None when it does not apply to this data (sklearn raises then)."""
    try:
        value = float(fn())
    except (ValueError, TypeError, AttributeError) as exc:
        logger.debug("sklearn autolog: %s not computed: %s", name, exc)
        return None
    return (name, value) if not math.isnan(value) else None


def training_metrics(estimator: Any, X: Any, y: Any) -> dict[str, float]:
    """Training metrics of a fitted estimator on its training data, prefixed ``training_``.

    Classifiers: accuracy, weighted precision, recall and f1, log_loss (with predict_proba),
    score. Regressors: mse, rmse, mae, r2, score. Others: nothing.
    """
    from sklearn import metrics as skm
    from sklearn.base import is_classifier, is_regressor

    out: list[tuple[str, float] | None] = []
    if is_classifier(estimator):
        y_pred = estimator.predict(X)
        out += [
            _try("accuracy_score", lambda: skm.accuracy_score(y, y_pred)),
            _try(
                "precision_score",
                lambda: skm.precision_score(y, y_pred, average="weighted", zero_division=0),
            ),
            _try(
                "recall_score",
                lambda: skm.recall_score(y, y_pred, average="weighted", zero_division=0),
            ),
            _try("f1_score", lambda: skm.f1_score(y, y_pred, average="weighted", zero_division=0)),
        ]
        if hasattr(estimator, "predict_proba"):
            labels = getattr(estimator, "classes_", None)
            out.append(
                _try("log_loss", lambda: skm.log_loss(y, estimator.predict_proba(X), labels=labels))
            )
    elif is_regressor(estimator):
        y_pred = estimator.predict(X)
        out += [
            _try("mean_squared_error", lambda: skm.mean_squared_error(y, y_pred)),
            _try("root_mean_squared_error", lambda: math.sqrt(skm.mean_squared_error(y, y_pred))),
            _try("mean_absolute_error", lambda: skm.mean_absolute_error(y, y_pred)),
            _try("r2_score", lambda: skm.r2_score(y, y_pred)),
        ]
    else:
        return {}
    out.append(_try("score", lambda: estimator.score(X, y)))
    return {f"training_{name}": value for item in out if item for name, value in [item]}


def _mlmodel_text(run_id: str, sklearn_version: str) -> str:
    from ardea._core.version import __version__

    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return (
        f"artifact_path: {MODEL_DIR}\n"
        "flavors:\n"
        "  python_function:\n"
        "    loader_module: mlflow.sklearn\n"
        f"    model_path: {PICKLE_FILE}\n"
        "    predict_fn: predict\n"
        f"    python_version: {platform.python_version()}\n"
        "  sklearn:\n"
        "    code: null\n"
        f"    pickled_model: {PICKLE_FILE}\n"
        "    serialization_format: pickle\n"
        f"    sklearn_version: {sklearn_version}\n"
        f"ardea_version: {__version__}\n"
        f"model_uuid: {uuid.uuid4().hex}\n"
        f"run_id: {run_id}\n"
        f"utc_time_created: '{created}'\n"
    )


def model_files(estimator: Any, run_id: str, folder: Path) -> None:
    """Write ``model.pkl``, ``MLmodel`` and ``requirements.txt`` for a fitted estimator."""
    import sklearn

    folder.mkdir(parents=True, exist_ok=True)
    from ardea.models._trust import remember

    with open(folder / PICKLE_FILE, "wb") as f:
        pickle.dump(estimator, f, protocol=pickle.DEFAULT_PROTOCOL)
    remember(folder / PICKLE_FILE)  # this process may load what it autologged
    (folder / "MLmodel").write_text(_mlmodel_text(run_id, sklearn.__version__))
    (folder / "requirements.txt").write_text(f"scikit-learn=={sklearn.__version__}\n")


def log_fit(
    client: ArdeaClient,
    run_id: str,
    estimator: Any,
    X: Any,
    y: Any,
    *,
    log_models: bool,
) -> None:
    """Record one top-level fit on ``run_id``: params, tags, training metrics, the model."""
    params = [Param(str(k), _param_value(v)) for k, v in estimator.get_params(deep=False).items()]
    cls = type(estimator)
    tags = [
        RunTag("estimator_name", cls.__name__),
        RunTag("estimator_class", f"{cls.__module__}.{cls.__qualname__}"),
        RunTag("mlflow.autologging", "sklearn"),
    ]
    ts = now_ms()
    metrics = []
    if y is not None:
        values = training_metrics(estimator, X, y)
        metrics = [Metric(k, v, ts, 0) for k, v in values.items()]
    client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
    if log_models:
        with tempfile.TemporaryDirectory(prefix="ardea-model-") as tmp:
            folder = Path(tmp) / MODEL_DIR
            model_files(estimator, run_id, folder)
            client.log_artifacts(run_id, str(folder), MODEL_DIR)
