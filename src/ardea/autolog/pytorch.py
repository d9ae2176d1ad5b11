"""PyTorch autologging: Lightning's ``Trainer.fit``, plus helpers for a plain training loop.

``autolog()`` patches ``Trainer.fit`` of ``lightning`` and ``pytorch_lightning`` (whichever
is imported; both are registered, so ``ardea.autolog()`` patches each on its first import).
Each top-level ``fit`` logs to the active run, or to a run it starts (tag
``mlflow.autologging`` = ``pytorch``) and ends:

- params: ``epochs`` (``max_epochs``), the module's ``hparams`` (``save_hyperparameters``),
  ``optimizer_name`` and the first optimizer's settings (``optimizer.lr``...); with an
  ``EarlyStopping`` callback, ``earlystopping_monitor``, ``_mode``, ``_patience``,
  ``_min_delta``;
- metrics: ``trainer.callback_metrics`` at the end of every training epoch (step = epoch,
  validation metrics included); with early stopping, ``earlystopping_stopped_epoch``,
  ``earlystopping_best_score`` and ``earlystopping_wait_count``;
- the model: ``model/state_dict.pth`` (``torch.save(module.state_dict())``; read it back
  with ``torch.load`` and ``load_state_dict``).

Without Lightning, :func:`training` (a context manager) and :func:`log_epoch` log a plain
loop: see :mod:`ardea.autolog._pytorch_loop`. Tested with torch 2.13 and Lightning 2.6.

``save_model``, ``log_model`` and ``load_model`` are those of :mod:`ardea.models.pytorch` (the
model format: a state dict plus a loader; loaded on call).
"""

from __future__ import annotations

import sys
from typing import Any

from ardea.autolog._classic import FitLog, patch_method, wrap_fit
from ardea.autolog._pytorch_loop import (
    _FLAVOR,
    Training,
    log_epoch,
    optimizer_params,
    save_state_dict,
    training,
)

__all__ = [
    "Training",
    "autolog",
    "is_enabled",
    "load_model",
    "log_epoch",
    "log_model",
    "revert",
    "save_model",
    "training",
]

_PACKAGES = ("lightning.pytorch", "pytorch_lightning")
_callback_classes: dict[str, type] = {}


def autolog(log_models: bool = True, disable: bool = False) -> None:
    """Turn Lightning autologging on (or off with ``disable=True``).

    Args:
        log_models: Save the trained module's ``state_dict`` as ``model/state_dict.pth``.
        disable: Remove the patches instead.
    """
    if disable:
        revert()
        return
    import importlib

    _FLAVOR.options.update(log_models=log_models)
    _FLAVOR.patcher.enabled = True
    found = [p for p in _PACKAGES if p in sys.modules or p.split(".")[0] in sys.modules]
    for package in found or _PACKAGES[:1]:
        module = importlib.import_module(package)
        patch_method(_FLAVOR, module.Trainer, "fit", _wrap(package))


def revert() -> None:
    """Remove every patch; later fits log nothing."""
    _FLAVOR.patcher.revert()


def is_enabled() -> bool:
    """Whether autologging is on."""
    return _FLAVOR.enabled


def _callback_class(package: str) -> type:
    """The Lightning callback class logging epochs, made once per Lightning package."""
    cls = _callback_classes.get(package)
    if cls is not None:
        return cls
    import importlib

    base = importlib.import_module(f"{package}.callbacks").Callback

    class ArdeaCallback(base):  # type: ignore[misc, valid-type]
        """Logs params when training starts and ``callback_metrics`` after each epoch."""

        def __init__(self, log: FitLog) -> None:
            self.ardea_log = log

        def on_train_start(self, trainer: Any, pl_module: Any) -> None:
            from ardea._core.safety import swallow_failures

            with swallow_failures("pytorch autolog (logging params)"):
                params: dict[str, Any] = {"epochs": trainer.max_epochs}
                params.update(dict(getattr(pl_module, "hparams", {}) or {}))
                optimizers = getattr(trainer, "optimizers", None) or [None]
                params.update(optimizer_params(optimizers[0]))
                self.ardea_log.params(params)

        def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            from ardea._core.safety import swallow_failures

            if getattr(trainer, "sanity_checking", False):
                return
            with swallow_failures("pytorch autolog (logging epoch metrics)"):
                self.ardea_log.metrics(dict(trainer.callback_metrics), step=trainer.current_epoch)

    _callback_classes[package] = ArdeaCallback
    return ArdeaCallback


def _wrap(package: str) -> Any:
    def wrap(original: Any) -> Any:
        def before(log: FitLog, trainer: Any, args: tuple[Any, ...], kwargs: Any) -> Any:
            cls = _callback_class(package)
            # One left by a fit that raised goes first.
            trainer.callbacks[:] = [cb for cb in trainer.callbacks if type(cb) is not cls]
            callback = cls(log)
            trainer.callbacks.append(callback)
            return callback

        return wrap_fit(_FLAVOR, original, before, _after)

    return wrap


def _after(
    log: FitLog, trainer: Any, args: tuple[Any, ...], kwargs: Any, _result: Any, callback: Any
) -> None:
    if callback is not None and callback in trainer.callbacks:
        trainer.callbacks.remove(callback)
    for cb in trainer.callbacks:
        if type(cb).__name__ == "EarlyStopping":
            log.params(
                {
                    f"earlystopping_{k}": getattr(cb, k, None)
                    for k in ("monitor", "mode", "patience", "min_delta")
                }
            )
            log.metrics(
                {
                    "earlystopping_stopped_epoch": getattr(cb, "stopped_epoch", None),
                    "earlystopping_best_score": getattr(cb, "best_score", None),
                    "earlystopping_wait_count": getattr(cb, "wait_count", None),
                }
            )
            break
    model = args[0] if args else kwargs.get("model")
    if _FLAVOR.option("log_models") and model is not None:
        save_state_dict(log, model)


def save_model(pytorch_model: Any, path: str, **kwargs: Any) -> Any:
    """Save the module as a model directory: :func:`ardea.models.pytorch.save_model`."""
    from ardea.models import pytorch as flavor

    return flavor.save_model(pytorch_model, path, **kwargs)


def log_model(pytorch_model: Any, name: str = "model", **kwargs: Any) -> Any:
    """Log the module as a LoggedModel: :func:`ardea.models.pytorch.log_model`."""
    from ardea.models import pytorch as flavor

    return flavor.log_model(pytorch_model, name, **kwargs)


def load_model(model_uri: str, **kwargs: Any) -> Any:
    """Load the module of a model URI: :func:`ardea.models.pytorch.load_model`."""
    from ardea.models import pytorch as flavor

    return flavor.load_model(model_uri, **kwargs)
