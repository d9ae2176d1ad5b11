"""Ardea: experiment tracking, tracing and evaluation, wire-compatible with MLflow.

``import ardea`` is light: the error classes are imported here, and everything else (the
fluent API, :class:`ArdeaClient`, integrations such as ``ardea.sklearn``) is loaded on first
use through a module ``__getattr__`` (PEP 562)::

    import ardea

    ardea.set_experiment("demo")
    with ardea.start_run():
        ardea.log_param("C", 0.5)
        ardea.log_metric("acc", 0.93)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ardea._core.errors import (
    AlreadyExistsError,
    ArdeaError,
    ConflictError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    NotImplementedFeatureError,
    PermissionDeniedError,
    RateLimitedError,
    UnauthenticatedError,
    UnavailableError,
    UpstreamError,
)
from ardea._core.version import __version__
from ardea.autolog._registry import BUILT_IN as _BUILT_IN_INTEGRATIONS

if TYPE_CHECKING:
    from ardea.client import ArdeaClient
    from ardea.entities import (
        AssessmentError,
        AssessmentSource,
        AssessmentSourceType,
        Expectation,
        Feedback,
    )
    from ardea.evaluation import (
        EvaluationResult,
        align,
        assert_no_regression,
        compare_evaluations,
        evaluate,
        optimize_prompts,
    )
    from ardea.evaluation.replay import replay
    from ardea.fluent import (
        ActiveRun,
        active_run,
        delete_assessment,
        delete_prompt,
        delete_prompt_alias,
        delete_prompt_version,
        delete_tag,
        download_model,
        end_run,
        flush,
        get_assessment,
        get_client,
        get_experiment,
        get_experiment_by_name,
        get_metric_history,
        get_prompt_lineage,
        get_run,
        get_trace,
        get_tracking_uri,
        last_active_run,
        link_prompt_version_to_run,
        load_prompt,
        log_artifact,
        log_artifacts,
        log_assessment,
        log_dict,
        log_expectation,
        log_feedback,
        log_figure,
        log_image,
        log_input,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        log_table,
        log_text,
        override_feedback,
        register_model,
        register_prompt,
        search_prompts,
        search_runs,
        search_traces,
        set_experiment,
        set_prompt_alias,
        set_tag,
        set_tags,
        set_tracking_uri,
        start_run,
        update_assessment,
    )
    from ardea.tracing import (
        LiveSpan,
        get_current_active_span,
        get_last_active_trace_id,
        start_span,
        trace,
        update_current_trace,
    )
    from ardea.tracing.parquet.query import query_traces


_FLUENT_NAMES = (
    "ActiveRun",
    "active_run",
    "delete_assessment",
    "delete_prompt",
    "delete_prompt_alias",
    "delete_prompt_version",
    "delete_tag",
    "download_model",
    "end_run",
    "flush",
    "get_assessment",
    "get_client",
    "get_experiment",
    "get_experiment_by_name",
    "get_metric_history",
    "get_prompt_lineage",
    "get_run",
    "get_trace",
    "get_tracking_uri",
    "last_active_run",
    "link_prompt_version_to_run",
    "load_prompt",
    "log_artifact",
    "log_artifacts",
    "log_assessment",
    "log_dict",
    "log_expectation",
    "log_feedback",
    "log_figure",
    "log_image",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "override_feedback",
    "register_model",
    "register_prompt",
    "search_prompts",
    "search_runs",
    "search_traces",
    "set_experiment",
    "set_prompt_alias",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
    "update_assessment",
)
_LAZY_ATTRS = {name: ("ardea.fluent", name) for name in _FLUENT_NAMES}
_LAZY_ATTRS["ArdeaClient"] = ("ardea.client", "ArdeaClient")
_ENTITY_NAMES = (
    "AssessmentError",
    "AssessmentSource",
    "AssessmentSourceType",
    "Expectation",
    "Feedback",
)
_LAZY_ATTRS.update({name: ("ardea.entities", name) for name in _ENTITY_NAMES})
_TRACING_NAMES = (
    "LiveSpan",
    "get_current_active_span",
    "get_last_active_trace_id",
    "start_span",
    "trace",
    "update_current_trace",
)
_LAZY_ATTRS.update({name: ("ardea.tracing", name) for name in _TRACING_NAMES})
_EVALUATION_NAMES = (
    "EvaluationResult",
    "align",
    "assert_no_regression",
    "compare_evaluations",
    "evaluate",
    "optimize_prompts",
)
_LAZY_ATTRS.update({name: ("ardea.evaluation", name) for name in _EVALUATION_NAMES})
_LAZY_ATTRS["replay"] = ("ardea.evaluation.replay", "replay")
_LAZY_ATTRS["query_traces"] = ("ardea.tracing.parquet.query", "query_traces")
_LAZY_MODULES = {
    "autolog": "ardea.autolog",
    "prompts": "ardea.prompts",
    "pyfunc": "ardea.models.pyfunc",
    "tracing": "ardea.tracing",
}
# ardea.<flavor> is each built-in integration (ardea.openai, ardea.xgboost, ...): the table
# imports nothing
_LAZY_MODULES.update({row.flavor: row.module for row in _BUILT_IN_INTEGRATIONS})

__all__ = [
    "ActiveRun",
    "AlreadyExistsError",
    "ArdeaClient",
    "ArdeaError",
    "AssessmentError",
    "AssessmentSource",
    "AssessmentSourceType",
    "ConflictError",
    "DeadlineExceededError",
    "EvaluationResult",
    "Expectation",
    "FailedPreconditionError",
    "Feedback",
    "InternalError",
    "InvalidArgumentError",
    "LiveSpan",
    "NotFoundError",
    "NotImplementedFeatureError",
    "PermissionDeniedError",
    "RateLimitedError",
    "UnauthenticatedError",
    "UnavailableError",
    "UpstreamError",
    "__version__",
    "active_run",
    "align",
    "anthropic",
    "assert_no_regression",
    "autolog",
    "compare_evaluations",
    "delete_assessment",
    "delete_prompt",
    "delete_prompt_alias",
    "delete_prompt_version",
    "delete_tag",
    "download_model",
    "end_run",
    "evaluate",
    "flush",
    "get_assessment",
    "get_client",
    "get_current_active_span",
    "get_experiment",
    "get_experiment_by_name",
    "get_last_active_trace_id",
    "get_metric_history",
    "get_prompt_lineage",
    "get_run",
    "get_trace",
    "get_tracking_uri",
    "langchain",
    "last_active_run",
    "link_prompt_version_to_run",
    "load_prompt",
    "log_artifact",
    "log_artifacts",
    "log_assessment",
    "log_dict",
    "log_expectation",
    "log_feedback",
    "log_figure",
    "log_image",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "openai",
    "optimize_prompts",
    "override_feedback",
    "prompts",
    "pyfunc",
    "query_traces",
    "register_model",
    "register_prompt",
    "replay",
    "search_prompts",
    "search_runs",
    "search_traces",
    "set_experiment",
    "set_prompt_alias",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "sklearn",
    "start_run",
    "start_span",
    "trace",
    "tracing",
    "update_assessment",
    "update_current_trace",
]

__all__ = sorted({*__all__, *(row.flavor for row in _BUILT_IN_INTEGRATIONS)})

for _cls in (
    AlreadyExistsError,
    ArdeaError,
    ConflictError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    NotImplementedFeatureError,
    PermissionDeniedError,
    RateLimitedError,
    UnauthenticatedError,
    UnavailableError,
    UpstreamError,
):
    _cls.__module__ = "ardea"
del _cls


def __getattr__(name: str) -> Any:
    """Load the fluent API, ArdeaClient and integrations on first access (PEP 562)."""
    target = _LAZY_ATTRS.get(name)
    if target is not None:
        value = getattr(importlib.import_module(target[0]), target[1])
        globals()[name] = value
        return value
    module_name = _LAZY_MODULES.get(name)
    if module_name is not None:
        module = importlib.import_module(module_name)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ardea' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
