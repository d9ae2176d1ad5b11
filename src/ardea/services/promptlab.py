"""MLflow's prompt-lab run: one prompt tried against a model route, recorded as a finished run.

What ``POST /ajax-api/2.0/mlflow/runs/create-promptlab-run`` stores, as MLflow's server does:

* a run (name, user, start time, tags as given) with the model parameters, ``model_route`` and
  ``prompt_template`` as params, and the tags ``mlflow.loggedArtifacts`` (the evaluation
  table) and ``mlflow.runSourceType = PROMPT_ENGINEERING``;
* ``eval_results_table.json``: one row of the prompt parameters, the prompt, the output and
  the output parameters;
* ``model/``: an MLflow model of the ``python_function`` flavour with MLflow's prompt-lab
  loader (``mlflow.prompt.promptlab_model``), which ``mlflow.pyfunc.load_model`` can load and
  run against an MLflow deployments server: ``MLmodel``, ``parameters.yaml``,
  ``input_example.json``, ``requirements.txt``, ``conda.yaml`` and ``python_env.yaml``; the
  model is also recorded in the run tag ``mlflow.log-model.history``.

The run ends FINISHED, or FAILED when writing any of it failed (the run is answered either
way, as in MLflow).
"""

from __future__ import annotations

import json
import logging
import platform
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ardea._core.ids import now_ms
from ardea.entities import Param, Run, RunStatus, RunTag
from ardea.store.tracking import TrackingStore

__all__ = [
    "LOG_MODEL_HISTORY_TAG",
    "PromptlabRequest",
    "create_promptlab_run",
    "eval_results_table",
]

_logger = logging.getLogger(__name__)

LOG_MODEL_HISTORY_TAG = "mlflow.log-model.history"
"""Run tag holding the JSON list of models logged to the run (MLflow's legacy record)."""
_LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts"
_SOURCE_TYPE_TAG = "mlflow.runSourceType"
_EVAL_TABLE = "eval_results_table.json"
_LOADER = "mlflow.prompt.promptlab_model"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_WIRE_VERSION = "3.18.0"  # the MLflow wire version the server speaks (meta.SERVER_VERSION)

ArtifactWriter = Callable[[str, Mapping[str, bytes]], None]
"""Writes files (relative path -> bytes) under a run's artifact URI (the first argument)."""


@dataclass(frozen=True)
class PromptlabRequest:
    """One prompt-lab evaluation to record (the fields of MLflow's request)."""

    experiment_id: str
    prompt_template: str
    prompt_parameters: Sequence[Param]
    model_route: str
    model_input: str
    mlflow_version: str
    run_name: str | None = None
    tags: Sequence[RunTag] = ()
    model_parameters: Sequence[Param] = ()
    model_output: str | None = None
    model_output_parameters: Sequence[Param] = ()
    user_id: str = "unknown"
    start_time: int = field(default_factory=now_ms)


def eval_results_table(req: PromptlabRequest) -> str:
    """The one-row evaluation table, as MLflow writes it (JSON, ``columns`` and ``data``)."""
    columns = [p.key for p in req.prompt_parameters] + ["prompt", "output"]
    row: list[str | None] = [p.value for p in req.prompt_parameters]
    row += [req.model_input, req.model_output]
    columns += [p.key for p in req.model_output_parameters]
    row += [p.value for p in req.model_output_parameters]
    return json.dumps({"columns": columns, "data": [row]})


def _key(key: object) -> str:
    text = str(key)
    return text if _PLAIN_KEY.fullmatch(text) else json.dumps(text)


def _yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML for nested dicts and lists; scalars (and unusual keys) in JSON form."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return f"{pad}{{}}\n"
        lines = ""
        for raw_key, item in value.items():
            key = _key(raw_key)
            if isinstance(item, (dict, list)) and item:
                lines += f"{pad}{key}:\n{_yaml(item, indent + 2)}"
            else:
                lines += f"{pad}{key}: {json.dumps(item)}\n"
        return lines
    if isinstance(value, list):
        lines = ""
        for item in value:
            if isinstance(item, (dict, list)) and item:
                body = _yaml(item, indent + 2).lstrip()
                lines += f"{pad}- {body}"
            else:
                lines += f"{pad}- {json.dumps(item)}\n"
        return lines
    return f"{pad}{json.dumps(value)}\n"


def _model_files(
    req: PromptlabRequest, run_id: str, created: str
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The model's MLmodel content (as a dict) and its files under ``model/``."""
    python = platform.python_version()
    requirement = f"mlflow[gateway]=={_WIRE_VERSION}"
    colspec = [{"type": "string", "name": p.key, "required": True} for p in req.prompt_parameters]
    output = [{"type": "string", "name": "output", "required": True}]
    mlmodel: dict[str, Any] = {
        "artifact_path": "model",
        "flavors": {
            "python_function": {
                "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                "loader_module": _LOADER,
                "parameters_path": "parameters.yaml",
                "python_version": python,
            }
        },
        "mlflow_version": _WIRE_VERSION,
        "model_uuid": uuid.uuid4().hex,
        "run_id": run_id,
        "saved_input_example_info": {"artifact_path": "input_example.json", "type": "json_object"},
        "signature": {"inputs": json.dumps(colspec), "outputs": json.dumps(output), "params": None},
        "utc_time_created": created,
    }
    parameters = {
        "prompt_template": req.prompt_template,
        "prompt_parameters": {p.key: p.value for p in req.prompt_parameters},
        "model_parameters": {p.key: p.value for p in req.model_parameters},
        "model_route": req.model_route,
    }
    conda = {
        "channels": ["conda-forge"],
        "dependencies": [f"python={python}", "pip", {"pip": [requirement]}],
        "name": "mlflow-env",
    }
    python_env = {
        "python": python,
        "build_dependencies": ["pip"],
        "dependencies": ["-r requirements.txt"],
    }
    example = {"inputs": [p.value for p in req.prompt_parameters]}
    files = {
        "model/MLmodel": _yaml(mlmodel),
        "model/parameters.yaml": _yaml(parameters),
        "model/input_example.json": json.dumps(example),
        "model/requirements.txt": requirement,
        "model/conda.yaml": _yaml(conda),
        "model/python_env.yaml": _yaml(python_env),
    }
    return mlmodel, {path: text.encode("utf-8") for path, text in files.items()}


def create_promptlab_run(
    tracking: TrackingStore, write: ArtifactWriter, req: PromptlabRequest
) -> Run:
    """Record one prompt-lab evaluation as a finished run (see the module docstring).

    Args:
        tracking: Where the run goes.
        write: Writes the run's files under its artifact URI.
        req: The evaluation.

    Returns:
        The run, FINISHED (FAILED if recording any part of it failed).

    Raises:
        NotFoundError: The experiment does not exist (nothing is created).
    """
    run = tracking.create_run(
        req.experiment_id, req.user_id, req.start_time, list(req.tags), req.run_name
    )
    run_id = run.info.run_id
    status = RunStatus.FINISHED
    try:
        params = [Param(p.key, str(p.value)) for p in req.model_parameters]
        params += [
            Param("model_route", req.model_route),
            Param("prompt_template", req.prompt_template),
        ]
        table = json.dumps([{"path": _EVAL_TABLE, "type": "table"}])
        tags = [
            RunTag(_LOGGED_ARTIFACTS_TAG, table),
            RunTag(_SOURCE_TYPE_TAG, "PROMPT_ENGINEERING"),
        ]
        tracking.log_batch(run_id, params=params, tags=tags)
        created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        mlmodel, files = _model_files(req, run_id, created)
        entry = {
            k: mlmodel[k] for k in ("run_id", "utc_time_created", "artifact_path", "model_uuid")
        }
        entry["flavors"] = mlmodel["flavors"]
        tracking.set_tag(run_id, RunTag(LOG_MODEL_HISTORY_TAG, json.dumps([entry])))
        files[_EVAL_TABLE] = eval_results_table(req).encode("utf-8")
        write(run.info.artifact_uri, files)
    except Exception:
        _logger.exception("Recording prompt-lab run %s failed; it ends FAILED", run_id)
        status = RunStatus.FAILED
    tracking.update_run_info(run_id, status=status.value, end_time=now_ms(), run_name=req.run_name)
    return tracking.get_run(run_id)
