"""scikit-learn autologging: every top-level ``fit`` logs params, metrics, tags and the model.

``ardea.sklearn.autolog()`` patches ``fit`` on every scikit-learn estimator class (found with
``sklearn.utils.all_estimators``). A fit outside any run starts a run and ends it after the
fit; inside an active run it logs to that run. Fits made inside another patched fit (the
steps of a Pipeline, the candidates of a GridSearchCV, an ``XGBClassifier`` step with XGBoost
autolog on) are not logged separately. Errors in
the logging code are logged and swallowed (raised under ``ARDEA_STRICT=1``); errors from
the estimator's own ``fit`` propagate unchanged. ``save_model``, ``log_model`` and
``load_model`` are those of :mod:`ardea.models.sklearn` (the model format, loaded on call).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from ardea._core.safety import report_failure, swallow_failures
from ardea.autolog._classic import IN_FIT

__all__ = ["autolog", "is_enabled", "load_model", "log_model", "revert", "save_model"]

_lock = threading.Lock()
_originals: dict[type[Any], Callable[..., Any]] = {}  # estimator class -> its own fit()
_options: dict[str, Any] = {"log_models": True, "enabled": False}
_in_fit: ContextVar[bool] = IN_FIT  # shared with XGBoost, LightGBM...: one run per fit
_ORIGINAL_ATTR = "__ardea_original__"


def autolog(log_models: bool = True, disable: bool = False) -> None:
    """Turn scikit-learn autologging on (or off with ``disable=True``).

    Args:
        log_models: Also save each fitted model as the artifact folder ``model/``
            (``model.pkl``, ``MLmodel``, ``requirements.txt``).
        disable: Remove the patches instead.
    """
    if disable:
        revert()
        return
    with _lock:
        _options["log_models"] = log_models
        _options["enabled"] = True
        for cls in _estimator_classes():
            _patch(cls)


def revert() -> None:
    """Remove every patch; later fits log nothing."""
    with _lock:
        _options["enabled"] = False
        for cls, original in _originals.items():
            cls.fit = original
        _originals.clear()


def is_enabled() -> bool:
    """Whether autologging is on."""
    return bool(_options["enabled"])


def _estimator_classes() -> list[type[Any]]:
    from sklearn.utils import all_estimators

    return [cls for _name, cls in all_estimators()]


def _patch(cls: type[Any]) -> None:
    owner: type[Any] | None = next((c for c in cls.__mro__ if "fit" in c.__dict__), None)
    if owner is None or owner in _originals or not owner.__module__.startswith("sklearn"):
        return
    original = owner.__dict__["fit"]
    if not callable(original) or hasattr(original, _ORIGINAL_ATTR):
        return
    _originals[owner] = original
    owner.fit = _wrap(original)


def _wrap(original: Any) -> Any:
    @functools.wraps(original)
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _options["enabled"] or _in_fit.get():
            return original(self, *args, **kwargs)
        token = _in_fit.set(True)
        try:
            return _logged_fit(original, self, args, kwargs)
        finally:
            _in_fit.reset(token)

    setattr(fit, _ORIGINAL_ATTR, original)
    return fit


def _xy(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    X = args[0] if args else kwargs.get("X")
    y = args[1] if len(args) > 1 else kwargs.get("y", kwargs.get("Y"))
    return X, y


def _logged_fit(
    original: Any, estimator: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    from ardea import fluent

    run_id: str | None = None
    started = False
    try:
        current = fluent.active_run()
        if current is None:
            current = fluent.start_run(tags={"mlflow.autologging": "sklearn"})
            started = True
        run_id = current.info.run_id
    except Exception as exc:
        report_failure("sklearn autolog (starting a run)", exc)
    try:
        result = original(estimator, *args, **kwargs)
    except BaseException:
        if started:
            with swallow_failures("sklearn autolog (ending a run)"):
                fluent.end_run("FAILED")
        raise
    if run_id is not None:
        try:
            with swallow_failures("sklearn autolog"):
                from ardea.autolog._sklearn_log import log_fit

                X, y = _xy(args, kwargs)
                log_fit(
                    fluent.get_client(),
                    run_id,
                    estimator,
                    X,
                    y,
                    log_models=bool(_options["log_models"]),
                )
        finally:
            if started:
                with swallow_failures("sklearn autolog (ending a run)"):
                    fluent.end_run()
    return result


def save_model(sk_model: Any, path: str, **kwargs: Any) -> Any:
    """Save a fitted estimator as a model directory: :func:`ardea.models.sklearn.save_model`."""
    from ardea.models import sklearn as flavor

    return flavor.save_model(sk_model, path, **kwargs)


def log_model(sk_model: Any, name: str = "model", **kwargs: Any) -> Any:
    """Log a fitted estimator as a LoggedModel: :func:`ardea.models.sklearn.log_model`."""
    from ardea.models import sklearn as flavor

    return flavor.log_model(sk_model, name, **kwargs)


def load_model(model_uri: str, **kwargs: Any) -> Any:
    """Load the estimator of a model URI: :func:`ardea.models.sklearn.load_model`."""
    from ardea.models import sklearn as flavor

    return flavor.load_model(model_uri, **kwargs)
