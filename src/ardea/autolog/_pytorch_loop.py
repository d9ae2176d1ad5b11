"""Logging a plain PyTorch training loop: :func:`training` and :func:`log_epoch`.

For users without Lightning::

    with ardea.pytorch.training(model, optimizer, params={"batch_size": 32}) as t:
        for epoch in range(epochs):
            ...
            t.log(epoch, loss=loss.item(), val_loss=val)

logs the params (yours, ``epochs`` when given, the optimizer's name and settings, the model
class), each epoch's metrics (step = epoch) and, at the end, the model's ``state_dict``
(``model/state_dict.pth``, read back with ``torch.load``). It starts a run when none is
active and ends it (``FAILED`` when the block raises); inside a run it logs there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ardea.autolog._classic import FitLog, Flavor

__all__ = ["STATE_DICT_FILE", "Training", "log_epoch", "optimizer_params", "training"]

STATE_DICT_FILE = "state_dict.pth"
"""The model's ``state_dict`` under the ``model`` artifact folder."""

_FLAVOR = Flavor("pytorch")


def optimizer_params(optimizer: Any) -> dict[str, Any]:
    """``optimizer_name`` and the optimizer's settings (``optimizer.lr``...) as params."""
    if optimizer is None:
        return {}
    groups = getattr(optimizer, "param_groups", None) or [{}]
    settings = {k: v for k, v in groups[0].items() if k != "params"}
    if not settings:
        settings = dict(getattr(optimizer, "defaults", {}) or {})
    return {"optimizer_name": type(optimizer).__name__, "optimizer": settings}


def save_state_dict(log: FitLog, model: Any) -> None:
    """Log ``model.state_dict()`` as ``model/state_dict.pth``."""
    import torch

    state = model.state_dict()
    log.folder_artifact(lambda folder: torch.save(state, folder / STATE_DICT_FILE), "model")


class Training:
    """A plain training loop being logged (made by :func:`training`).

    Attributes:
        run_id: The run it logs to.
    """

    def __init__(self, log: FitLog) -> None:
        self._log = log
        self.run_id = log.run_id

    def log(self, epoch: int, metrics: Mapping[str, Any] | None = None, **values: Any) -> None:
        """Log one epoch's metrics (floats or scalar tensors), step = ``epoch``."""
        self._log.metrics({**(metrics or {}), **values}, step=epoch)

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log more params (nested mappings are flattened with ``.``)."""
        self._log.params(params)


@contextmanager
def training(
    model: Any,
    optimizer: Any = None,
    params: Mapping[str, Any] | None = None,
    *,
    epochs: int | None = None,
    log_models: bool = True,
) -> Iterator[Training]:
    """Log a plain PyTorch training loop to the active run, or to a run it starts.

    Args:
        model: The ``torch.nn.Module`` trained; its ``state_dict`` is logged at the end.
        optimizer: The optimizer; its class and settings (``lr``...) become params.
        params: Your own params (batch size, ...).
        epochs: Logged as the ``epochs`` param when given.
        log_models: Log ``model/state_dict.pth`` when the block ends without error.

    Yields:
        A :class:`Training`; call ``t.log(epoch, loss=...)`` once per epoch.
    """
    from ardea import fluent

    started = fluent.active_run() is None
    run = fluent.start_run() if started else fluent.active_run()
    assert run is not None
    log = FitLog(fluent.get_client(), run.info.run_id, _FLAVOR)
    values: dict[str, Any] = dict(params or {})
    if epochs is not None:
        values["epochs"] = epochs
    values.update(optimizer_params(optimizer))
    log.params(values)
    log.tags({"model_class": type(model).__name__})
    try:
        yield Training(log)
    except BaseException:
        if started:
            fluent.end_run("FAILED")
        raise
    try:
        if log_models:
            save_state_dict(log, model)
    finally:
        if started:
            fluent.end_run()


def log_epoch(metrics: Mapping[str, Any], epoch: int, run_id: str | None = None) -> None:
    """Log one epoch's metrics (floats or scalar tensors), step = ``epoch``.

    Args:
        metrics: Metric name -> value; values that are not scalar numbers are skipped.
        epoch: The step.
        run_id: Target run (default: the active run, started when there is none).
    """
    from ardea import fluent

    if run_id is None:
        run = fluent.active_run() or fluent.start_run()
        run_id = run.info.run_id
    FitLog(fluent.get_client(), run_id, _FLAVOR).metrics(metrics, step=epoch)
