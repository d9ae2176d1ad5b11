"""Shared machinery of the classical ML autologs (XGBoost, LightGBM, PyTorch, Keras, ...).

A patched training call (``xgboost.train``, ``Trainer.fit``, ``Model.fit``...) goes through
:func:`wrap_fit`: outside any run it starts one (tag ``mlflow.autologging`` = the flavor)
and ends it after the call (``FAILED`` when the call raises); inside an active run it logs
to that run. A training call made inside another autologged one (``XGBClassifier.fit``
calling ``xgboost.train``, an ``LGBMClassifier`` inside a scikit-learn ``Pipeline``) logs
nothing of its own: :data:`IN_FIT` is shared with the scikit-learn autolog, so exactly one
run with one set of params results when several flavors see the same fit.

The flavor's ``before`` hook may change the call's arguments (add a callback); its ``after``
hook logs what the fit produced. Both run under :func:`ardea._core.safety.swallow_failures`:
a logging failure is reported (raised under ``ARDEA_STRICT=1``) and the user's fit still
returns its result. The user's own exceptions propagate unchanged.
"""

from __future__ import annotations

import functools
import json
import math
import tempfile
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ardea._core.ids import now_ms
from ardea._core.safety import report_failure, swallow_failures
from ardea.autolog._patching import Patcher

__all__ = [
    "sklearn_api_fit_before",
    "IN_FIT",
    "Flavor",
    "FitLog",
    "Before",
    "After",
    "flat_params",
    "patch_method",
    "wrap_fit",
]

IN_FIT: ContextVar[bool] = ContextVar("ardea_classic_in_fit", default=False)
"""True inside an autologged training call of any classical flavor (sklearn's included)."""

MAX_PARAM_LENGTH = 6000
_BATCH_METRICS = 1000
_BATCH_PARAMS = 100


@dataclass
class Flavor:
    """One classical integration's state: its patches and options.

    Attributes:
        name: The flavor (``"xgboost"``), also the ``mlflow.autologging`` tag value.
        patcher: The integration's revertible patches (``patcher.enabled``: on or off).
        options: ``log_models``, ``log_datasets`` and flavor-specific options.
    """

    name: str
    patcher: Patcher = field(init=False)
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.patcher = Patcher(self.name)

    @property
    def enabled(self) -> bool:
        """Whether the integration is on."""
        return self.patcher.enabled

    def option(self, key: str, default: Any = True) -> Any:
        """One option's value."""
        return self.options.get(key, default)


def _param_text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_PARAM_LENGTH else text[: MAX_PARAM_LENGTH - 3] + "..."


def flat_params(values: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Params as strings; nested mappings flattened with ``.`` (``optimizer.lr``)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flat_params(value, f"{name}."))
        else:
            out[name] = _param_text(value)
    return out


def _number(value: Any) -> float | None:
    """``value`` as a finite-or-not float, or None when it is not a scalar number."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", getattr(value, "dim", lambda: 0)) in (0, ()):
        try:
            value = item()
        except (ValueError, RuntimeError, TypeError):
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            import numpy as np

            if isinstance(value, np.generic) and np.issubdtype(type(value), np.number):
                return float(value)
        except ImportError:  # pragma: no cover - numpy comes with every classical library
            pass
        return None
    result = float(value)
    return None if math.isnan(result) else result


class FitLog:
    """What one autologged fit writes to its run.

    Attributes:
        run_id: The run (started by the fit, or the user's active run).
        flavor: The flavor logging.
    """

    def __init__(self, client: Any, run_id: str, flavor: Flavor) -> None:
        self._client = client
        self.run_id = run_id
        self.flavor = flavor

    def params(self, values: Mapping[str, Any]) -> None:
        """Log params (stringified, nested mappings flattened); None values are kept as 'None'."""
        from ardea.entities import Param

        items = [Param(k, v) for k, v in flat_params(values).items()]
        for i in range(0, len(items), _BATCH_PARAMS):
            self._client.log_batch(self.run_id, params=items[i : i + _BATCH_PARAMS])

    def tags(self, values: Mapping[str, Any]) -> None:
        """Set run tags."""
        from ardea.entities import RunTag

        items = [RunTag(str(k), str(v)) for k, v in values.items()]
        self._client.log_batch(self.run_id, tags=items)

    def metrics(self, values: Mapping[str, Any], step: int = 0) -> None:
        """Log the scalar numbers of ``values`` at ``step`` (others are skipped)."""
        self.points((k, v, step) for k, v in values.items())

    def points(self, points: Iterable[tuple[str, Any, int]]) -> None:
        """Log metric points ``(key, value, step)``; non-numbers are skipped."""
        from ardea.entities import Metric

        ts = now_ms()
        items = []
        for key, value, step in points:
            number = _number(value)
            if number is not None:
                items.append(Metric(str(key), number, ts, int(step)))
        for i in range(0, len(items), _BATCH_METRICS):
            self._client.log_batch(self.run_id, metrics=items[i : i + _BATCH_METRICS])

    def history(self, histories: Mapping[str, Iterable[Any]], start: int = 0) -> None:
        """Log each metric's list of values as its history, step = position (+ ``start``)."""
        self.points(
            (key, value, start + i)
            for key, values in histories.items()
            for i, value in enumerate(values)
        )

    def dict_artifact(self, value: Any, artifact_file: str) -> None:
        """Save a JSON-serializable value as an artifact file."""
        self._client.log_text(self.run_id, json.dumps(value, indent=2, default=str), artifact_file)

    def text_artifact(self, text: str, artifact_file: str) -> None:
        """Save text as an artifact file."""
        self._client.log_text(self.run_id, text, artifact_file)

    def folder_artifact(self, write: Callable[[Path], None], artifact_path: str) -> None:
        """Call ``write(folder)`` on an empty temporary folder, then log it as ``artifact_path``."""
        with tempfile.TemporaryDirectory(prefix="ardea-model-") as tmp:
            folder = Path(tmp) / "out"
            folder.mkdir()
            write(folder)
            self._client.log_artifacts(self.run_id, str(folder), artifact_path)

    def dataset(self, data: Any, targets: Any = None, context: str = "train") -> None:
        """Record ``data`` (and its ``targets``) as a run input with its digest."""
        from ardea.autolog._classic_data import dataset_input

        item = dataset_input(data, targets, context)
        if item is not None:
            self._client.log_inputs(self.run_id, datasets=[item])


Before = Callable[[FitLog, Any, tuple[Any, ...], dict[str, Any]], Any]
"""``before(log, self, args, kwargs) -> state``: may change ``kwargs`` in place."""
After = Callable[[FitLog, Any, tuple[Any, ...], dict[str, Any], Any, Any], None]
"""``after(log, self, args, kwargs, result, state)``: logs what the fit produced."""


def _start(flavor: Flavor) -> tuple[FitLog | None, bool]:
    from ardea import fluent

    try:
        current = fluent.active_run()
        started = current is None
        if current is None:
            current = fluent.start_run(tags={"mlflow.autologging": flavor.name})
        log = FitLog(fluent.get_client(), current.info.run_id, flavor)
        if not started:
            log.tags({"mlflow.autologging": flavor.name})
        return log, started
    except Exception as exc:
        report_failure(f"{flavor.name} autolog (starting a run)", exc)
        return None, False


def _end(flavor: Flavor, status: str) -> None:
    from ardea import fluent

    with swallow_failures(f"{flavor.name} autolog (ending a run)"):
        fluent.end_run(status)


def wrap_fit(
    flavor: Flavor,
    original: Any,
    before: Before | None,
    after: After,
    bound: bool = True,
) -> Any:
    """An autologged version of a training function or method.

    Args:
        flavor: The integration (its ``enabled`` flag is read on every call).
        original: The library's function.
        before: Runs before the fit (may add callbacks to ``kwargs``); returns a state.
        after: Runs after the fit with its result and the state.
        bound: Whether ``original`` is a method (its first argument is the instance).

    Returns:
        The wrapper.
    """

    @functools.wraps(original)
    def wrapper(*call_args: Any, **kwargs: Any) -> Any:
        if not flavor.enabled or IN_FIT.get():
            return original(*call_args, **kwargs)
        owner, args = (call_args[0], call_args[1:]) if bound and call_args else (None, call_args)
        token = IN_FIT.set(True)
        try:
            log, started = _start(flavor)
            state = None
            if log is not None and before is not None:
                with swallow_failures(f"{flavor.name} autolog (preparing the fit)"):
                    state = before(log, owner, args, kwargs)
            try:
                result = original(*call_args, **kwargs)
            except BaseException:
                if started:
                    _end(flavor, "FAILED")
                raise
            try:
                if log is not None:
                    with swallow_failures(f"{flavor.name} autolog"):
                        after(log, owner, args, kwargs, result, state)
            finally:
                if started:
                    _end(flavor, "FINISHED")
            return result
        finally:
            IN_FIT.reset(token)

    return wrapper


def patch_method(flavor: Flavor, cls: type, attr: str, wrap: Callable[[Any], Any]) -> None:
    """Patch ``attr`` on the class of ``cls``'s MRO that defines it (reverted by ``revert``)."""
    owner = next((c for c in cls.__mro__ if attr in c.__dict__), None)
    if owner is None:
        error = AttributeError(f"{cls.__qualname__} has no {attr}")
        report_failure(f"{flavor.name} autolog (patching {cls.__name__}.{attr})", error)
        return
    flavor.patcher.patch(owner.__module__, owner.__name__, attr, wrap)


def sklearn_api_fit_before(flavor: Flavor) -> Callable[..., None]:
    """The ``before`` step of a scikit-learn-API ``fit`` (``XGBClassifier``, ``LGBMRegressor``).

    It logs the estimator's ``get_params(deep=False)``, its class name as a tag and, when the
    flavor's ``log_datasets`` option is on, ``X``/``y`` and each ``eval_set`` pair that is not
    ``X`` itself.

    Args:
        flavor: The integration (its ``log_datasets`` option is read on every fit).

    Returns:
        ``before(log, estimator, args, kwargs)`` for :func:`wrap_fit`.
    """

    def before(log: FitLog, estimator: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        log.params(estimator.get_params(deep=False))
        log.tags({"estimator_name": type(estimator).__name__})
        if flavor.option("log_datasets"):
            X = args[0] if args else kwargs.get("X")
            y = args[1] if len(args) > 1 else kwargs.get("y")
            log.dataset(X, y)
            for X_eval, y_eval in kwargs.get("eval_set") or ():
                if X_eval is not X:
                    log.dataset(X_eval, y_eval, context="eval")

    return before
