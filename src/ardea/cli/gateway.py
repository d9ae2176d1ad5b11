"""``ardea gateway --config gateway.yaml``: the AI gateway alone (no tracking server).

The ``gateway`` command group (:mod:`ardea.cli.gateway_manage`) calls :func:`serve` when it is
run without a subcommand.

It serves only the gateway's paths, ``/metrics`` and ``/health`` (see docs/gateway.md), with
endpoints and credentials from a YAML file. Request traces go to ``--backend-store-uri`` (the
endpoints' ``experiment_id`` there) when given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ardea.gateway.config import GatewaySource
    from ardea.gateway.limits.wire import GatewayGuard
    from ardea.store.backend import Backend

__all__ = ["config_guard", "load_config_source", "serve"]


def load_config_source(path: Path) -> GatewaySource:
    """The gateway source of the YAML file at ``path`` (validated; every problem reported)."""
    from ardea.gateway.file_source import FileGatewaySource

    return FileGatewaySource(path)


def config_guard(source: GatewaySource, backend: Backend | None) -> GatewayGuard:
    """The limits of a config-file gateway: rate limits and guardrails from the file.

    Counters live in Redis when ``ARDEA_GATEWAY_REDIS_URL`` is set, else in the
    ``--backend-store-uri`` database, else in this process's memory (exact within the one
    process, reset on restart). Budgets and key scopes are the database's (not in the file).
    """
    import os

    from ardea.gateway.limits.stores import REDIS_URL_ENV, counter_store_for
    from ardea.gateway.limits.wire import GatewayGuard
    from ardea.store.gateway_limits import CounterStore

    store: CounterStore
    gateway_db = getattr(backend.gateway, "database", None) if backend is not None else None
    if os.environ.get(REDIS_URL_ENV) or gateway_db is not None:
        store = counter_store_for(gateway_db)
    else:
        from ardea.store.memory_counters import MemoryCounterStore

        store = MemoryCounterStore()
    guardrails = getattr(source, "guardrails", None)
    return GatewayGuard(store, guardrails=guardrails, generation=lambda: source.generation)


def serve(config_path: Path, host: str, port: int, backend_store_uri: str | None) -> None:
    """Run the AI gateway alone: OpenAI-, Anthropic- and MLflow-compatible invocation routes."""
    source = load_config_source(config_path)
    import uvicorn

    from ardea.gateway.proxy import Gateway
    from ardea.server.gateway import gateway_app

    trace_store = None
    backend = None
    writer = None
    if backend_store_uri:
        from ardea.gateway.trace_process import writer_spec_for
        from ardea.store.sql.backend import open_sql_backend

        backend = open_sql_backend(backend_store_uri)
        trace_store = backend.traces
        writer = writer_spec_for(backend.uri, usage=False)
    gateway = Gateway(
        source, trace_store=trace_store, guard=config_guard(source, backend), trace_writer=writer
    )
    app = gateway_app(gateway)
    click.echo(f"Ardea gateway listening on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
