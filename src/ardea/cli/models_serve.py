"""``ardea models serve``: the scoring server for one model (MLflow's flags and protocol).

The model is downloaded once (``models:/...``, ``runs:/...`` or a path) and loaded in every
uvicorn worker; see docs/models.md#serving.
"""

from __future__ import annotations

import os

import click

from ardea._core.env import (
    ARDEA_ALLOW_PICKLE,
    ARDEA_SERVE_BATCH_WINDOW_MS,
    ARDEA_SERVE_BATCHING,
    ARDEA_SERVE_MAX_BODY_BYTES,
    ARDEA_SERVE_MODEL_URI,
    ARDEA_SERVE_TRACE_EXPERIMENT,
)
from ardea.cli._common import run_uvicorn

__all__ = ["serve"]

DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024


@click.command("serve")
@click.option("-m", "--model-uri", required=True, help="The model: a path, models:/ or runs:/.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("-p", "--port", default=5001, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "-w", "--workers", default=1, show_default=True, type=click.IntRange(1), help="Processes."
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(1),
    default=None,
    help=f"Largest /invocations body (413 above it). [default: {ARDEA_SERVE_MAX_BODY_BYTES} "
    "or 64 MiB]",
)
@click.option(
    "--batching",
    type=click.Choice(["auto", "on", "off"]),
    default=None,
    help="Score DataFrame requests that arrive while the model is busy with one call; auto: "
    f"on for sklearn, xgboost and lightgbm models. [default: {ARDEA_SERVE_BATCHING} or auto]",
)
@click.option(
    "--batch-window-ms",
    type=click.FloatRange(0),
    default=None,
    help="How long the first request of a batch waits for others (above 0 turns batching "
    f"on). [default: {ARDEA_SERVE_BATCH_WINDOW_MS} or 0, no wait]",
)
@click.option(
    "--trace-experiment",
    default=None,
    help="Trace every /invocations request to this experiment (by name) on the tracking "
    f"server of ARDEA_TRACKING_URI. [default: {ARDEA_SERVE_TRACE_EXPERIMENT} or off]",
)
@click.option(
    "--allow-pickle",
    is_flag=True,
    help="Load pickle files this process did not write (the model's source must be trusted); "
    f"same as {ARDEA_ALLOW_PICKLE}=1.",
)
def serve(
    model_uri: str,
    host: str,
    port: int,
    workers: int,
    max_body_bytes: int | None,
    batching: str | None,
    batch_window_ms: float | None,
    trace_experiment: str | None,
    allow_pickle: bool,
) -> None:
    """Serve a model: POST /invocations, GET /ping, /health, /version and /metrics."""
    import importlib.util

    if importlib.util.find_spec("pandas") is None:
        raise click.ClickException(
            "ardea models serve needs pandas (MLflow's scoring protocol is made of DataFrames): "
            "pip install 'ardea[serving]'."
        )
    from ardea._core.errors import ArdeaError, FailedPreconditionError
    from ardea.models._uri import local_model_dir

    if allow_pickle:
        os.environ[ARDEA_ALLOW_PICKLE] = "1"
    if max_body_bytes is not None:
        os.environ[ARDEA_SERVE_MAX_BODY_BYTES] = str(max_body_bytes)
    if trace_experiment:
        os.environ[ARDEA_SERVE_TRACE_EXPERIMENT] = trace_experiment
    if batching is not None:
        os.environ[ARDEA_SERVE_BATCHING] = batching
    choice = os.environ.get(ARDEA_SERVE_BATCHING, "auto").strip().lower()
    if choice not in ("auto", "on", "off"):
        raise click.BadParameter(f"{ARDEA_SERVE_BATCHING} must be auto, on or off.")
    if batch_window_ms is not None:
        os.environ[ARDEA_SERVE_BATCH_WINDOW_MS] = str(batch_window_ms)
    limit = os.environ.get(ARDEA_SERVE_MAX_BODY_BYTES) or str(DEFAULT_MAX_BODY_BYTES)
    if not limit.isdigit() or int(limit) < 1:
        raise click.BadParameter(f"{ARDEA_SERVE_MAX_BODY_BYTES} must be a positive integer.")
    try:
        folder = local_model_dir(model_uri)  # downloaded once, not per worker
        if not (folder / "MLmodel").is_file():
            raise click.BadParameter(f"{model_uri!r} has no MLmodel file", param_hint="-m")
        os.environ[ARDEA_SERVE_MODEL_URI] = str(folder)
        experiment = os.environ.get(ARDEA_SERVE_TRACE_EXPERIMENT)
        if experiment and workers > 1:
            from ardea.fluent import set_experiment

            set_experiment(experiment)  # created once here, not racing in every worker
        app = None
        if workers == 1:
            from ardea.models.serving import app_from_env

            app = app_from_env()
    except FailedPreconditionError as exc:
        raise click.ClickException(
            f"{exc.message} With ardea models serve: --allow-pickle (trusted models only)."
        ) from None
    except ArdeaError as exc:
        raise click.ClickException(exc.message) from None
    run_uvicorn(model_uri, "ardea.models.serving:app_from_env", host, port, workers, app)
