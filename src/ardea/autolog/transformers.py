"""Hugging Face transformers autologging: ``Trainer.train``.

Each top-level ``train`` logs to the active run, or to a run it starts (tag
``mlflow.autologging`` = ``transformers``) and ends:

- params: the ``TrainingArguments`` (``learning_rate``, ``num_train_epochs``,
  ``per_device_train_batch_size``...; ``*_token`` fields are never logged), the model's
  config under ``model.`` (``model.hidden_size``...) and the ``model_class`` tag;
- metrics: everything the Trainer logs (``loss``, ``grad_norm``, ``learning_rate``,
  ``epoch``, ``eval_loss`` and eval metrics, the final ``train_loss`` / ``train_runtime``),
  step = the global step, through a ``TrainerCallback`` added for the call;
- the model: ``Trainer.save_model`` output under ``model/`` (``config.json``,
  ``model.safetensors``, the tokenizer when the Trainer has one), loadable with
  ``from_pretrained(<local folder>)``.

``ardea.autolog()`` patches when ``transformers.trainer`` is first imported (the first use of
``transformers.Trainer``), so a program that only tokenizes never loads the Trainer. The
Trainer's own integrations (``report_to``) are left alone. Tested with transformers 5.25
(and accelerate 1.16, which the Trainer requires).
"""

from __future__ import annotations

from typing import Any

from ardea.autolog._classic import FitLog, Flavor, patch_method, wrap_fit

__all__ = ["autolog", "is_enabled", "revert"]

_FLAVOR = Flavor("transformers")
_callback_class: list[type] = []


def autolog(log_models: bool = True, disable: bool = False) -> None:
    """Turn transformers ``Trainer`` autologging on (or off with ``disable=True``).

    Args:
        log_models: Save the trained model (``Trainer.save_model``) under ``model/``.
        disable: Remove the patches instead.
    """
    if disable:
        revert()
        return
    import transformers

    _FLAVOR.options.update(log_models=log_models)
    _FLAVOR.patcher.enabled = True
    patch_method(_FLAVOR, transformers.Trainer, "train", _wrap)


def revert() -> None:
    """Remove every patch; later training logs nothing."""
    _FLAVOR.patcher.revert()


def is_enabled() -> bool:
    """Whether autologging is on."""
    return _FLAVOR.enabled


def _callback(log: FitLog) -> Any:
    if not _callback_class:
        from transformers import TrainerCallback

        class ArdeaCallback(TrainerCallback):
            """Logs every ``Trainer.log`` call's numbers at the global step."""

            def __init__(self, log: FitLog) -> None:
                self.ardea_log = log

            def on_log(
                self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any
            ) -> None:
                from ardea._core.safety import swallow_failures

                if not logs or not getattr(state, "is_world_process_zero", True):
                    return
                with swallow_failures("transformers autolog (logging metrics)"):
                    self.ardea_log.metrics(dict(logs), step=int(state.global_step))

        _callback_class.append(ArdeaCallback)
    return _callback_class[0](log)


def _params(trainer: Any) -> dict[str, Any]:
    args = trainer.args.to_dict()
    params = {k: v for k, v in args.items() if not k.endswith("_token")}
    config = getattr(getattr(trainer, "model", None), "config", None)
    if config is not None and hasattr(config, "to_dict"):
        params["model"] = {k: v for k, v in config.to_dict().items() if not k.endswith("_token")}
    return params


def _wrap(original: Any) -> Any:
    def before(log: FitLog, trainer: Any, _args: tuple[Any, ...], _kw: dict[str, Any]) -> Any:
        log.params(_params(trainer))
        model = getattr(trainer, "model", None)
        log.tags({"model_class": type(model).__name__})
        callback = _callback(log)
        for stale in list(trainer.callback_handler.callbacks):  # left by a fit that raised
            if type(stale) is type(callback):
                trainer.remove_callback(stale)
        trainer.add_callback(callback)
        return callback

    return wrap_fit(_FLAVOR, original, before, _after)


def _after(
    log: FitLog, trainer: Any, _a: tuple[Any, ...], _kw: dict[str, Any], _res: Any, cb: Any
) -> None:
    if cb is not None:
        trainer.remove_callback(cb)
    if _FLAVOR.option("log_models"):
        log.folder_artifact(lambda folder: trainer.save_model(str(folder)), "model")
