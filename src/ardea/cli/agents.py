"""``ardea agents serve``: one Python agent behind OpenAI's Responses and Chat Completions APIs.

The agent is imported in every uvicorn worker from ``--agent module:attr`` or
``path/file.py:attr``; see docs/agents-serving.md.
"""

from __future__ import annotations

import os

import click

from ardea._core.env import (
    ARDEA_AGENT_MAX_HISTORIES,
    ARDEA_AGENT_NAME,
    ARDEA_AGENT_SPEC,
    ARDEA_AGENT_TRACE_EXPERIMENT,
)
from ardea.cli._common import CONTEXT, ArdeaGroup, run_uvicorn

__all__ = ["agents", "serve"]


@click.group("agents", cls=ArdeaGroup, context_settings=CONTEXT)
def agents() -> None:
    """Serve agents: an OpenAI-compatible server for a Python agent."""


@agents.command("serve", context_settings=CONTEXT)
@click.option(
    "--agent",
    "spec",
    required=True,
    metavar="MODULE:ATTR",
    help="The agent: module:attr or path/file.py:attr (a function, an object with predict, "
    "an OpenAI Agents SDK Agent or a LangGraph compiled graph).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("-p", "--port", default=5002, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "-w", "--workers", default=1, show_default=True, type=click.IntRange(1), help="Processes."
)
@click.option(
    "--trace-experiment",
    default=None,
    help="Trace every request to this experiment (by name) on the tracking server of "
    f"ARDEA_TRACKING_URI. [default: {ARDEA_AGENT_TRACE_EXPERIMENT} or off]",
)
@click.option(
    "--name",
    default=None,
    help="The model id clients see and the traces' root span name. "
    "[default: the attribute name in --agent]",
)
@click.option(
    "--max-histories",
    type=click.IntRange(0),
    default=None,
    help="Conversations kept in memory for previous_response_id (per worker, LRU). "
    f"[default: {ARDEA_AGENT_MAX_HISTORIES} or 1000]",
)
def serve(
    spec: str,
    host: str,
    port: int,
    workers: int,
    trace_experiment: str | None,
    name: str | None,
    max_histories: int | None,
) -> None:
    """Serve an agent: POST /v1/responses, /v1/chat/completions and /invocations."""
    from ardea._core.errors import ArdeaError

    os.environ[ARDEA_AGENT_SPEC] = spec
    if name:
        os.environ[ARDEA_AGENT_NAME] = name
    if trace_experiment:
        os.environ[ARDEA_AGENT_TRACE_EXPERIMENT] = trace_experiment
    if max_histories is not None:
        os.environ[ARDEA_AGENT_MAX_HISTORIES] = str(max_histories)
    cap = os.environ.get(ARDEA_AGENT_MAX_HISTORIES) or "1000"
    if not cap.isdigit():
        raise click.BadParameter(f"{ARDEA_AGENT_MAX_HISTORIES} must be a whole number.")
    try:
        from ardea.models.agents import app_from_env

        app = app_from_env()  # loads the agent here first: a bad --agent fails at once
    except ArdeaError as exc:
        raise click.BadParameter(exc.message, param_hint="--agent") from None
    except TypeError as exc:
        raise click.BadParameter(str(exc), param_hint="--agent") from None
    run_uvicorn(spec, "ardea.models.agents:app_from_env", host, port, workers, app)
