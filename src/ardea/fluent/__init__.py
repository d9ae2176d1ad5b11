"""The fluent API: module-level functions that log to this context's active run.

One default :class:`~ardea.client.ArdeaClient` per process (``get_client()``), reconfigured in
place by :func:`set_tracking_uri`. The active-run stack lives in a context variable, so each
thread and asyncio task has its own. Metric points are written in the background, batched;
:func:`flush`, :func:`end_run` and process exit drain them.
"""

from ardea.fluent._assessments import (
    delete_assessment,
    get_assessment,
    log_assessment,
    log_expectation,
    log_feedback,
    override_feedback,
    update_assessment,
)
from ardea.fluent._logging import (
    delete_tag,
    flush,
    get_metric_history,
    log_artifact,
    log_artifacts,
    log_dict,
    log_figure,
    log_image,
    log_input,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    log_table,
    log_text,
    set_tag,
    set_tags,
)
from ardea.fluent._prompts import (
    delete_prompt,
    delete_prompt_alias,
    delete_prompt_version,
    get_prompt_lineage,
    link_prompt_version_to_run,
    load_prompt,
    register_prompt,
    search_prompts,
    set_prompt_alias,
)
from ardea.fluent._queries import get_experiment, get_experiment_by_name, get_run
from ardea.fluent._registry import download_model, register_model
from ardea.fluent._runs import (
    ActiveRun,
    active_run,
    end_run,
    last_active_run,
    set_experiment,
    start_run,
)
from ardea.fluent._search import search_runs
from ardea.fluent._state import get_client, get_tracking_uri, set_tracking_uri
from ardea.fluent._traces import get_trace, search_traces

__all__ = [
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
]
