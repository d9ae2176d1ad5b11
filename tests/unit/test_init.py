"""The ``ardea`` facade: light import, sorted exports, lazy names."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import ardea

HEAVY = ("fastapi", "sqlalchemy", "alembic", "httpx", "pandas", "numpy", "sklearn", "starlette")


def _modules_after(code: str) -> list[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_ardea_is_light() -> None:
    loaded = _modules_after("import ardea")
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []
    assert "ardea.fluent" not in loaded
    assert "ardea.client" not in loaded


def test_touching_fluent_names_stays_light_until_a_store_opens() -> None:
    loaded = _modules_after("import ardea\nardea.start_run\nardea.ArdeaClient\nardea.log_metric")
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []


def test_all_is_sorted_and_resolves() -> None:
    assert ardea.__all__ == sorted(ardea.__all__)
    for name in ardea.__all__:
        assert getattr(ardea, name) is not None, name


def test_errors_are_re_exported() -> None:
    from ardea._core import errors

    assert ardea.NotFoundError is errors.NotFoundError
    assert issubclass(ardea.InvalidArgumentError, ardea.ArdeaError)
    assert ardea.NotFoundError.__module__ == "ardea"


def test_lazy_names_and_modules() -> None:
    from ardea.autolog import sklearn as sk
    from ardea.client import ArdeaClient
    from ardea.fluent import start_run

    assert ardea.start_run is start_run
    assert ardea.ArdeaClient is ArdeaClient
    assert ardea.sklearn is sk
    assert callable(ardea.autolog)
    try:
        ardea.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_version_matches_distribution() -> None:
    assert ardea.__version__ == version("ardea")


APPROVED_ALL = [
    "ActiveRun", "AlreadyExistsError", "ArdeaClient", "ArdeaError", "AssessmentError",
    "AssessmentSource", "AssessmentSourceType", "ConflictError", "DeadlineExceededError",
    "EvaluationResult", "Expectation", "FailedPreconditionError", "Feedback", "InternalError",
    "InvalidArgumentError", "LiveSpan", "NotFoundError", "NotImplementedFeatureError",
    "PermissionDeniedError", "RateLimitedError", "UnauthenticatedError", "UnavailableError",
    "UpstreamError", "__version__", "active_run", "align", "anthropic", "assert_no_regression",
    "autolog", "bedrock", "compare_evaluations", "crewai", "delete_assessment", "delete_prompt",
    "delete_prompt_alias", "delete_prompt_version", "delete_tag", "download_model", "end_run",
    "evaluate", "flush", "gemini", "get_assessment", "get_client", "get_current_active_span",
    "get_experiment", "get_experiment_by_name", "get_last_active_trace_id",
    "get_metric_history", "get_prompt_lineage", "get_run", "get_trace", "get_tracking_uri",
    "google_adk", "groq", "haystack", "keras", "langchain", "langgraph", "last_active_run",
    "lightgbm", "link_prompt_version_to_run", "llama_index", "load_prompt", "log_artifact",
    "log_artifacts", "log_assessment", "log_dict", "log_expectation", "log_feedback",
    "log_figure", "log_image", "log_input", "log_metric", "log_metrics", "log_param",
    "log_params", "log_table", "log_text", "mcp", "mistral", "ollama", "openai",
    "openai_agents", "optimize_prompts", "override_feedback", "prompts", "pydantic_ai", "pyfunc",
    "pytorch", "query_traces", "register_model", "register_prompt", "replay", "search_prompts",
    "search_runs",
    "search_traces", "set_experiment", "set_prompt_alias", "set_tag", "set_tags",
    "set_tracking_uri", "sklearn", "smolagents", "start_run", "start_span", "statsmodels",
    "strands", "trace", "tracing", "transformers", "update_assessment", "update_current_trace",
    "xgboost"
]  # fmt: skip


def test_all_matches_the_approved_snapshot() -> None:
    # A change to the public API must show up here, in review.
    assert ardea.__all__ == APPROVED_ALL


def test_facade_fluent_names_match_the_fluent_package() -> None:
    # ardea/__init__ lists the fluent names again so that `import ardea` stays lazy; this keeps
    # the two lists from drifting apart.
    import ardea.fluent

    assert sorted(ardea._FLUENT_NAMES) == sorted(ardea.fluent.__all__)
