"""XGBoost autologging: ``xgboost.train`` and the scikit-learn API (``XGBClassifier.fit``...).

Each top-level training call logs to the active run, or to a run it starts (tag
``mlflow.autologging`` = ``xgboost``) and ends:

- params: ``xgboost.train``'s ``params`` plus ``num_boost_round``, ``early_stopping_rounds``,
  ``maximize``, ``verbose_eval``; the estimator's ``get_params()`` for the scikit-learn API;
- metrics: every evaluation metric of every ``evals`` / ``eval_set`` entry per boosting
  round (``<data>-<metric>``, step = round); with early stopping, ``best_iteration``,
  ``stopped_iteration`` and the best round's metrics at step ``stopped_iteration + 1``;
- artifacts: ``feature_importance_<type>.json`` (``weight`` by default) and the model in
  XGBoost's own format, ``model/model.ubj`` (load it with ``xgboost.Booster().load_model``);
- the training data as a run input with its digest (``mlflow.data.context`` = ``train``),
  and each other ``evals`` / ``eval_set`` entry (context ``eval``).

``XGBClassifier.fit`` calls ``xgboost.train`` inside: one run, one set of params. A fit made
inside another autologged fit (a scikit-learn ``Pipeline`` or ``GridSearchCV`` with
scikit-learn autolog on) logs nothing of its own. Metric histories are written when
training ends. Tested with XGBoost 3.2; 2.x has the same API.

``save_model``, ``log_model`` and ``load_model`` are those of :mod:`ardea.models.xgboost` (the
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

_FLAVOR = Flavor("xgboost")
_fit_before = sklearn_api_fit_before(_FLAVOR)
_SKLEARN_CLASSES = ("XGBModel", "XGBClassifier", "XGBRanker", "XGBRFClassifier", "XGBRFRegressor")
_TRAIN_OPTIONS = ("num_boost_round", "early_stopping_rounds", "maximize", "verbose_eval")
MODEL_FILE = "model.ubj"


def autolog(
    log_models: bool = True,
    log_datasets: bool = True,
    importance_types: Sequence[str] = ("weight",),
    disable: bool = False,
) -> None:
    """Turn XGBoost autologging on (or off with ``disable=True``).

    Args:
        log_models: Save the trained booster as ``model/model.ubj``.
        log_datasets: Record the training data (its digest) as a run input.
        importance_types: Feature importance types saved as
            ``feature_importance_<type>.json`` (``weight``, ``gain``, ``cover``...).
        disable: Remove the patches instead.
    """
    if disable:
        revert()
        return
    import xgboost
    import xgboost.sklearn

    _FLAVOR.options.update(
        log_models=log_models, log_datasets=log_datasets, importance_types=tuple(importance_types)
    )
    _FLAVOR.patcher.enabled = True

    def wrap_train(original: Any) -> Any:
        signature = inspect.signature(original)
        return wrap_fit(
            _FLAVOR,
            original,
            lambda log, _s, args, kwargs: _train_before(log, signature, args, kwargs),
            _train_after,
            bound=False,
        )

    _FLAVOR.patcher.patch("xgboost", "", "train", wrap_train)
    _FLAVOR.patcher.patch("xgboost.training", "", "train", wrap_train)
    for name in _SKLEARN_CLASSES:
        cls = getattr(xgboost.sklearn, name, None)
        if cls is not None:
            patch_method(
                _FLAVOR,
                cls,
                "fit",
                lambda original: wrap_fit(_FLAVOR, original, _fit_before, _fit_after),
            )


def _wrap_sklearn_fit(original: Any) -> Any:
    return wrap_fit(_FLAVOR, original, _fit_before, _fit_after)


def revert() -> None:
    """Remove every patch; later training logs nothing."""
    _FLAVOR.patcher.revert()


def is_enabled() -> bool:
    """Whether autologging is on."""
    return _FLAVOR.enabled


def _train_before(
    log: FitLog, signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    values = bound.arguments
    params = dict(values.get("params") or {})
    params.update({key: values.get(key) for key in _TRAIN_OPTIONS})
    log.params(params)
    if _FLAVOR.option("log_datasets"):
        dtrain = values.get("dtrain")
        log.dataset(dtrain)
        for data, _name in values.get("evals") or ():
            if data is not dtrain:
                log.dataset(data, context="eval")
    if kwargs.get("evals_result") is None:
        kwargs["evals_result"] = {}
    history: dict[str, Any] = kwargs["evals_result"]
    return history


def _train_after(
    log: FitLog,
    _self: Any,
    _args: tuple[Any, ...],
    _kwargs: dict[str, Any],
    booster: Any,
    history: dict[str, Any],
) -> None:
    _log_booster(log, booster, history)


def _fit_after(
    log: FitLog,
    estimator: Any,
    _args: tuple[Any, ...],
    _kwargs: dict[str, Any],
    _result: Any,
    _state: Any,
) -> None:
    history: dict[str, Any] = {}
    if getattr(estimator, "evals_result_", None):
        history = estimator.evals_result()
    _log_booster(log, estimator.get_booster(), history)


def _log_booster(log: FitLog, booster: Any, history: dict[str, Any]) -> None:
    series = {
        f"{data}-{metric}": values
        for data, metrics in history.items()
        for metric, values in metrics.items()
    }
    log.history(series)
    best = booster.attr("best_iteration")
    if best is not None and series:
        best_iteration = int(best)
        stopped = max(len(values) for values in series.values()) - 1
        log.metrics({"best_iteration": best_iteration, "stopped_iteration": stopped})
        log.points(
            (key, values[best_iteration], stopped + 1)
            for key, values in series.items()
            if best_iteration < len(values)
        )
    for kind in _FLAVOR.option("importance_types", ("weight",)):
        log.dict_artifact(
            booster.get_score(importance_type=kind), f"feature_importance_{kind}.json"
        )
    if _FLAVOR.option("log_models"):
        log.folder_artifact(lambda folder: booster.save_model(str(folder / MODEL_FILE)), "model")


def save_model(xgb_model: Any, path: str, **kwargs: Any) -> Any:
    """Save the model as a model directory: :func:`ardea.models.xgboost.save_model`."""
    from ardea.models import xgboost as flavor

    return flavor.save_model(xgb_model, path, **kwargs)


def log_model(xgb_model: Any, name: str = "model", **kwargs: Any) -> Any:
    """Log the model as a LoggedModel: :func:`ardea.models.xgboost.log_model`."""
    from ardea.models import xgboost as flavor

    return flavor.log_model(xgb_model, name, **kwargs)


def load_model(model_uri: str, **kwargs: Any) -> Any:
    """Load the model of a model URI: :func:`ardea.models.xgboost.load_model`."""
    from ardea.models import xgboost as flavor

    return flavor.load_model(model_uri, **kwargs)
