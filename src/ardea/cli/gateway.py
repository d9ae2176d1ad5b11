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

__all__ = ["load_config_source", "serve"]


def load_config_source(path: Path) -> GatewaySource:
    """The gateway source of the YAML file at ``path`` (validated; every problem reported)."""
    from ardea.gateway.file_source import FileGatewaySource

    return FileGatewaySource(path)


def serve(config_path: Path, host: str, port: int, backend_store_uri: str | None) -> None:
    """Run the AI gateway alone: OpenAI-, Anthropic- and MLflow-compatible invocation routes."""
    source = load_config_source(config_path)
    import uvicorn

    from ardea.gateway.proxy import Gateway
    from ardea.server.gateway import gateway_app

    trace_store = None
    if backend_store_uri:
        from ardea.store.sql.backend import open_sql_backend

        trace_store = open_sql_backend(backend_store_uri).traces
    app = gateway_app(Gateway(source, trace_store=trace_store))
    click.echo(f"Ardea gateway listening on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
