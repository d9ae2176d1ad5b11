"""LightGBM autologging: ``lightgbm.train`` and the scikit-learn API (``LGBMClassifier.fit``...).

Each top-level training call logs to the active run, or to a run it starts (tag
``mlflow.autologging`` = ``lightgbm``) and ends:

- params: ``lightgbm.train``'s ``params`` plus ``num_boost_round``; the estimator's
  ``get_params()`` for the scikit-learn API;
- metrics: every metric of every validation set per boosting round (``<data>-<metric>``,
  step = round, recorded with ``lightgbm.record_evaluation``); with early stopping,
  ``best_iteration`` (1-based, as LightGBM counts), ``stopped_iteration`` and the best
  round's metrics at step ``stopped_iteration + 1``;
- artifacts: ``feature_importance_split.json`` and ``feature_importance_gain.json``, and the
  model in LightGBM's text format, ``model/model.txt``
  (``lightgbm.Booster(model_file=...)`` loads it);
- the training data as a run input with its digest (read before LightGBM frees it), and
  each other validation set (context ``eval``).

``LGBMClassifier.fit`` calls ``lightgbm.train`` inside: one run, one set of params. A fit
inside another autologged fit (scikit-learn ``Pipeline``, ``GridSearchCV``) logs nothing of
its own. Metric histories are written when training ends. Tested with LightGBM 4.7.

``save_model``, ``log_model`` and ``load_model`` are those of :mod:`ardea.models.lightgbm` (the
model format, loaded on call).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from ardea.autolog._classic import (
    FitLog,
    Flavor,
    patch_method,
    sklearn_api_fit_before,
    wrap_fit,
)

__all__ = ["autolog", "is_enabled", "load_model", "log_model", "revert", "save_model"]

_FLAVOR = Flavor("lightgbm")
_fit_before = sklearn_api_fit_before(_FLAVOR)
_SKLEARN_CLASSES = ("LGBMModel", "LGBMClassifier", "LGBMRegressor", "LGBMRanker")
MODEL_FILE = "model.txt"


def autolog(
    log_models: bool = True,
    log_datasets: bool = True,
    importance_types: Sequence[str] = ("split", "gain"),
    disable: bool = False,
) -> None:
    """Turn LightGBM autologging on (or off with ``disable=True``).

    Args:
        log_models: Save the trained booster as ``model/model.txt``.
        log_datasets: Record the training data (its digest) as a run input.
        importance_types: Feature importance types saved as
            ``feature_importance_<type>.json`` (``split``, ``gain``).
        disable: Remove the patches instead.
    """
    if disable:
        revert()
        return
    import lightgbm.sklearn

    _FLAVOR.options.update(
        log_models=log_models, log_datasets=log_datasets, importance_types=tuple(importance_types)
    )
    _FLAVOR.patcher.enabled = True
    _FLAVOR.patcher.patch("lightgbm", "", "train", _wrap_train)
    _FLAVOR.patcher.patch("lightgbm.engine", "", "train", _wrap_train)
    for name in _SKLEARN_CLASSES:
        cls = getattr(lightgbm.sklearn, name, None)
        if cls is not None:
            patch_method(_FLAVOR, cls, "fit", _wrap_sklearn_fit)


def revert() -> None:
    """Remove every patch; later training logs nothing."""
    _FLAVOR.patcher.revert()


def is_enabled() -> bool:
    """Whether autologging is on."""
    return _FLAVOR.enabled


def _wrap_train(original: Any) -> Any:
    signature = inspect.signature(original)

    def before(log: FitLog, _self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return _train_before(log, signature, args, kwargs)

    return wrap_fit(_FLAVOR, original, before, _train_after, bound=False)


def _wrap_sklearn_fit(original: Any) -> Any:
    return wrap_fit(_FLAVOR, original, _fit_before, _fit_after)


def _train_before(
    log: FitLog, signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    import lightgbm

    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    values = bound.arguments
    params = dict(values.get("params") or {})
    params["num_boost_round"] = values.get("num_boost_round")
    log.params(params)
    if _FLAVOR.option("log_datasets"):
        train_set = values.get("train_set")
        log.dataset(train_set)
        for valid in values.get("valid_sets") or ():
            if valid is not train_set:
                log.dataset(valid, context="eval")
    history: dict[str, Any] = {}
    callbacks = list(values.get("callbacks") or [])
    callbacks.append(lightgbm.record_evaluation(history))
    if "callbacks" in kwargs or len(args) <= list(signature.parameters).index("callbacks"):
        kwargs["callbacks"] = callbacks
    return history


def _train_after(
    log: FitLog,
    _self: Any,
    _args: tuple[Any, ...],
    _kwargs: dict[str, Any],
    booster: Any,
    history: dict[str, Any],
) -> None:
    _log_booster(log, booster, history, int(getattr(booster, "best_iteration", 0) or 0))


def _fit_after(
    log: FitLog,
    estimator: Any,
    _args: tuple[Any, ...],
    _kwargs: dict[str, Any],
    _result: Any,
    _state: Any,
) -> None:
    history = dict(getattr(estimator, "evals_result_", None) or {})
    best = int(getattr(estimator, "best_iteration_", 0) or 0)
    _log_booster(log, estimator.booster_, history, best)


def _log_booster(log: FitLog, booster: Any, history: dict[str, Any], best: int) -> None:
    series = {
        f"{data}-{metric}": values
        for data, metrics in history.items()
        for metric, values in metrics.items()
    }
    log.history(series)
    if best > 0 and series:
        stopped = max(len(values) for values in series.values()) - 1
        log.metrics({"best_iteration": best, "stopped_iteration": stopped})
        log.points(
            (key, values[best - 1], stopped + 1)
            for key, values in series.items()
            if best <= len(values)
        )
    names = booster.feature_name()
    for kind in _FLAVOR.option("importance_types", ("split", "gain")):
        scores = booster.feature_importance(importance_type=kind)
        log.dict_artifact(
            {n: float(v) for n, v in zip(names, scores, strict=False)},
            f"feature_importance_{kind}.json",
        )
    if _FLAVOR.option("log_models"):
        log.folder_artifact(lambda folder: booster.save_model(str(folder / MODEL_FILE)), "model")


def save_model(lgb_model: Any, path: str, **kwargs: Any) -> Any:
    """Save the model as a model directory: :func:`ardea.models.lightgbm.save_model`."""
    from ardea.models import lightgbm as flavor

    return flavor.save_model(lgb_model, path, **kwargs)


def log_model(lgb_model: Any, name: str = "model", **kwargs: Any) -> Any:
    """Log the model as a LoggedModel: :func:`ardea.models.lightgbm.log_model`."""
    from ardea.models import lightgbm as flavor

    return flavor.log_model(lgb_model, name, **kwargs)


def load_model(model_uri: str, **kwargs: Any) -> Any:
    """Load the model of a model URI: :func:`ardea.models.lightgbm.load_model`."""
    from ardea.models import lightgbm as flavor

    return flavor.load_model(model_uri, **kwargs)
