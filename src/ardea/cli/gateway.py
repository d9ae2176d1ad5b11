"""``ardea gateway --config gateway.yaml``: the AI gateway alone (no tracking server).

It serves only the gateway's paths, ``/metrics`` and ``/health`` (see docs/gateway.md), with
endpoints and credentials from a YAML file. Request traces go to ``--backend-store-uri`` (the
endpoints' ``experiment_id`` there) when given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ardea.cli._common import CONTEXT

if TYPE_CHECKING:
    from ardea.gateway.config import GatewaySource

__all__ = ["gateway", "load_config_source"]


def load_config_source(path: Path) -> GatewaySource:
    """The gateway source of the YAML file at ``path``.

    STUB: the YAML file source (``ardea.gateway.file_source``) is built with the gateway's
    management work (branch h/gw-manage); once it is on main, this returns it. Until then the
    command stops with a clear message.
    """
    try:
        from ardea.gateway import file_source  # type: ignore[attr-defined]
    except ImportError:
        raise click.ClickException(
            f"ardea gateway --config {path}: the YAML configuration loader is not available yet "
            "(it lands with the gateway's management work). Embed the gateway in `ardea "
            "server` meanwhile (docs/gateway.md)."
        ) from None
    source: GatewaySource = file_source.load(path)  # pragma: no cover - after the merge
    return source  # pragma: no cover


@click.command("gateway", context_settings=CONTEXT)
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The gateway's YAML configuration (endpoints, models, secrets).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5001, show_default=True, type=int, help="TCP port.")
@click.option(
    "--backend-store-uri",
    default=None,
    help="Where request traces go (a database URI); none: no traces.",
)
def gateway(config_path: Path, host: str, port: int, backend_store_uri: str | None) -> None:
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
