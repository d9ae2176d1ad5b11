"""Keras autologging: ``keras.Model.fit`` (Keras 3, any backend).

Each top-level ``fit`` logs to the active run, or to a run it starts (tag
``mlflow.autologging`` = ``keras``) and ends:

- params: ``fit``'s arguments (``epochs``, ``batch_size``, ``validation_split``,
  ``shuffle``, ``initial_epoch``, ``steps_per_epoch``...), ``optimizer_name`` and the
  optimizer's config (``optimizer.learning_rate``...); with an ``EarlyStopping`` callback,
  ``earlystopping_monitor``, ``_patience``, ``_min_delta``, ``_mode``,
  ``_restore_best_weights``;
- metrics: the returned ``History``: every metric per epoch (``loss``, ``val_loss``,
  compiled metrics; step = epoch); with early stopping, ``stopped_epoch`` and
  ``restored_epoch`` (the best epoch, when ``restore_best_weights`` is set);
- the model: ``model/model.keras`` (``keras.saving.load_model`` reads it back);
- numpy training data (``x``, ``y``) as a run input with its digest, and a
  ``validation_data`` tuple (context ``eval``).

Metric histories are written when ``fit`` returns. Tested with Keras 3.15 on the torch
backend (``KERAS_BACKEND=torch``).
"""

from __future__ import annotations

import inspect
from typing import Any

from ardea.autolog._classic import FitLog, Flavor, patch_method, wrap_fit

__all__ = ["autolog", "is_enabled", "revert"]

_FLAVOR = Flavor("keras")
_FIT_PARAMS = (
    "batch_size",
    "epochs",
    "validation_split",
    "shuffle",
    "class_weight",
    "initial_epoch",
    "steps_per_epoch",
    "validation_steps",
    "validation_batch_size",
    "validation_freq",
)
MODEL_FILE = "model.keras"


def autolog(log_models: bool = True, log_datasets: bool = True, disable: bool = False) -> None:
    """Turn Keras autologging on (or off with ``disable=True``).

    Args:
        log_models: Save the trained model as ``model/model.keras``.
        log_datasets: Record numpy training data (its digest) as a run input.
        disable: Remove the patches instead.
    """
    if disable:
        revert()
        return
    import keras

    _FLAVOR.options.update(log_models=log_models, log_datasets=log_datasets)
    _FLAVOR.patcher.enabled = True
    patch_method(_FLAVOR, keras.Model, "fit", _wrap)


def revert() -> None:
    """Remove every patch; later fits log nothing."""
    _FLAVOR.patcher.revert()


def is_enabled() -> bool:
    """Whether autologging is on."""
    return _FLAVOR.enabled


def _wrap(original: Any) -> Any:
    signature = inspect.signature(original)

    def before(log: FitLog, model: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        bound = signature.bind(model, *args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        params: dict[str, Any] = {k: values.get(k) for k in _FIT_PARAMS}
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            config = dict(optimizer.get_config())
            config.pop("name", None)
            params["optimizer_name"] = type(optimizer).__name__
            params["optimizer"] = config
        stopping = _early_stopping(values.get("callbacks"))
        if stopping is not None:
            params.update(
                {
                    f"earlystopping_{k}": getattr(stopping, k, None)
                    for k in ("monitor", "patience", "min_delta", "mode", "restore_best_weights")
                }
            )
        log.params(params)
        if _FLAVOR.option("log_datasets"):
            log.dataset(values.get("x"), values.get("y"))
            validation = values.get("validation_data")
            if isinstance(validation, (tuple, list)) and len(validation) >= 2:
                log.dataset(validation[0], validation[1], context="eval")
        return stopping

    return wrap_fit(_FLAVOR, original, before, _after)


def _early_stopping(callbacks: Any) -> Any:
    for callback in callbacks or ():
        if type(callback).__name__ == "EarlyStopping":
            return callback
    return None


def _after(
    log: FitLog, model: Any, _args: tuple[Any, ...], _kw: dict[str, Any], result: Any, stop: Any
) -> None:
    epochs = list(getattr(result, "epoch", None) or [])
    history = dict(getattr(result, "history", None) or {})
    log.points(
        (key, value, epochs[i] if i < len(epochs) else i)
        for key, values in history.items()
        for i, value in enumerate(values)
    )
    stopped = int(getattr(stop, "stopped_epoch", 0) or 0)
    if stopped:
        metrics: dict[str, Any] = {"stopped_epoch": stopped}
        if bool(getattr(stop, "restore_best_weights", False)):
            metrics["restored_epoch"] = stopped - max(1, int(stop.patience))
        log.metrics(metrics)
    if _FLAVOR.option("log_models"):
        log.folder_artifact(lambda folder: model.save(str(folder / MODEL_FILE)), "model")
