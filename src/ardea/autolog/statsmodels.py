"""statsmodels autologging: ``fit`` of every model class (OLS, GLM, Logit, ARIMA...).

Each top-level ``fit`` logs to the active run, or to a run it starts (tag
``mlflow.autologging`` = ``statsmodels``) and ends:

- params: the arguments given to ``fit`` (``method``, ``maxiter``, ``cov_type``...);
- tags: ``estimator_name`` (the model class);
- metrics: the results' scalar statistics that exist for the model (``aic``, ``bic``,
  ``llf``, ``rsquared``, ``rsquared_adj``, ``prsquared``, ``fvalue``, ``f_pvalue``,
  ``deviance``, ``pearson_chi2``, ``scale``, ``nobs``, ``df_model``, ``df_resid``...);
- artifacts: ``coefficients.csv`` (name, coef, std_err, statistic, p_value),
  ``summary.txt`` and the pickled results, ``model/model.pkl``
  (``statsmodels.iolib.smpickle.load_pickle`` or ``pickle.load`` reads it back);
- the model's ``exog`` / ``endog`` as a run input with its digest.

``autolog()`` imports ``statsmodels.api`` and patches the ``fit`` of every subclass of
``statsmodels.base.model.Model`` then known. A ``fit`` made inside another autologged fit
(``Logit.fit`` calling ``LikelihoodModel.fit``, start parameters fitted by OLS) logs nothing
of its own. Tested with statsmodels 0.15; 0.14 has the same API.
"""

from __future__ import annotations

import csv
import inspect
import io
import pickle
import warnings
from typing import Any

from ardea.autolog._classic import FitLog, Flavor, wrap_fit

__all__ = ["METRICS", "autolog", "is_enabled", "revert"]

_FLAVOR = Flavor("statsmodels")
METRICS = (
    "aic",
    "bic",
    "llf",
    "llnull",
    "llr",
    "llr_pvalue",
    "rsquared",
    "rsquared_adj",
    "prsquared",
    "fvalue",
    "f_pvalue",
    "ssr",
    "ess",
    "mse_model",
    "mse_resid",
    "mse_total",
    "deviance",
    "null_deviance",
    "pearson_chi2",
    "scale",
    "condition_number",
    "nobs",
    "df_model",
    "df_resid",
)
"""Result attributes logged as metrics when a model's results have them."""


def autolog(log_models: bool = True, log_datasets: bool = True, disable: bool = False) -> None:
    """Turn statsmodels autologging on (or off with ``disable=True``).

    Args:
        log_models: Save the fitted results (pickled) as ``model/model.pkl``.
        log_datasets: Record the model's data (its digest) as a run input.
        disable: Remove the patches instead.
    """
    if disable:
        revert()
        return
    import statsmodels.api  # noqa: F401  (defines the model classes to patch)
    from statsmodels.base.model import Model

    _FLAVOR.options.update(log_models=log_models, log_datasets=log_datasets)
    _FLAVOR.patcher.enabled = True
    for cls in _subclasses(Model):
        if "fit" in cls.__dict__ and cls.__module__.startswith("statsmodels"):
            _FLAVOR.patcher.patch(cls.__module__, cls.__name__, "fit", _wrap)


def revert() -> None:
    """Remove every patch; later fits log nothing."""
    _FLAVOR.patcher.revert()


def is_enabled() -> bool:
    """Whether autologging is on."""
    return _FLAVOR.enabled


def _subclasses(cls: type) -> list[type]:
    seen: dict[type, None] = {cls: None}
    stack = [cls]
    while stack:
        subs: list[type] = stack.pop().__subclasses__()
        for sub in subs:
            if sub not in seen:
                seen[sub] = None
                stack.append(sub)
    return list(seen)


def _wrap(original: Any) -> Any:
    try:
        signature: inspect.Signature | None = inspect.signature(original)
    except (TypeError, ValueError):
        signature = None

    def before(log: FitLog, model: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        params = dict(kwargs)
        if signature is not None:
            bound = signature.bind(model, *args, **kwargs)
            bound.apply_defaults()
            params = dict(bound.arguments)
            params.pop(next(iter(signature.parameters)), None)  # self
            params.update(params.pop("kwargs", None) or {})
        log.params(params)
        log.tags({"estimator_name": type(model).__name__})
        if _FLAVOR.option("log_datasets"):
            log.dataset(getattr(model, "exog", None), getattr(model, "endog", None))

    return wrap_fit(_FLAVOR, original, before, _after)


def _statistic(results: Any, name: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return getattr(results, name, None)
        except Exception:
            return None


def _coefficients(results: Any) -> str:
    import numpy as np

    names = list(getattr(results.model, "exog_names", None) or [])
    coefs = np.atleast_1d(np.asarray(results.params))
    names = names if len(names) == len(coefs) else [f"x{i}" for i in range(len(coefs))]
    columns = [
        np.atleast_1d(np.asarray(v)) if v is not None else None
        for v in (_statistic(results, a) for a in ("bse", "tvalues", "pvalues"))
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "coef", "std_err", "statistic", "p_value"])
    for i, name in enumerate(names):
        row = [name, float(coefs[i])]
        row += [float(c[i]) if c is not None and len(c) == len(coefs) else "" for c in columns]
        writer.writerow(row)
    return out.getvalue()


def _after(
    log: FitLog, _model: Any, _args: tuple[Any, ...], _kw: dict[str, Any], results: Any, _s: Any
) -> None:
    if results is None or not hasattr(results, "params"):
        return
    log.metrics({name: _statistic(results, name) for name in METRICS})
    if len(getattr(results.params, "shape", ())) <= 1:
        log.text_artifact(_coefficients(results), "coefficients.csv")
    summary = _statistic(results, "summary")
    if callable(summary):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            log.text_artifact(str(summary()), "summary.txt")
    if _FLAVOR.option("log_models"):

        def write(folder: Any) -> None:
            with open(folder / "model.pkl", "wb") as f:
                pickle.dump(results, f, protocol=pickle.DEFAULT_PROTOCOL)

        log.folder_artifact(write, "model")
