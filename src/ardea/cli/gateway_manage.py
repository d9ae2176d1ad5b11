"""``ardea gateway``: the gateway's secrets, model definitions, endpoints, and key rotation.

Works on the database (``--backend-store-uri``), as ``ardea users`` does, in one workspace
(``--workspace``, default ``default``). A secret's value is read from standard input
(``--value-stdin``) or a hidden prompt, never from an argument, and never printed.

Subcommands: ``secrets create|list|update|delete``, ``models create|list|delete``,
``endpoints create|list|get|delete``, ``rotate-kek``. Without a subcommand, ``--config FILE``
serves the gateway alone (:mod:`ardea.cli.gateway`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ardea.cli._auth import database_option
from ardea.cli._common import (
    CONTEXT,
    ArdeaGroup,
    format_time,
    output_option,
    parse_key_values,
    render,
)

if TYPE_CHECKING:
    from ardea.store.gateway import GatewayStore

__all__ = ["gateway"]

_WORKSPACE = click.option(
    "--workspace", default="default", show_default=True, help="The workspace to manage."
)


@contextmanager
def _store(uri: str | None, workspace: str) -> Iterator[GatewayStore]:
    from ardea.store.sql.backend import open_sql_backend
    from ardea.store.uri import default_tracking_uri, is_server_uri, redact_uri

    uri = uri or default_tracking_uri()
    if is_server_uri(uri):
        raise click.UsageError(
            f"{redact_uri(uri)} is a server: give its --backend-store-uri (the database), or "
            "use MLflow's REST API (/api/3.0/mlflow/gateway/...) against the server."
        )
    backend = open_sql_backend(uri)
    try:
        yield backend.scoped(workspace).gateway
    finally:
        backend.close()


def _read_value(from_stdin: bool, name: str) -> str:
    from ardea.cli._auth import stdin_is_terminal

    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.UsageError("--value-stdin read an empty line: no value given.")
        return line
    if not stdin_is_terminal():
        raise click.UsageError(
            "No terminal to type the value in: pipe it with --value-stdin, e.g. "
            "`printf '%s\\n' \"$OPENAI_API_KEY\" | ardea gateway secrets create ... --value-stdin`."
        )
    value: str = click.prompt(f"Value of {name}", hide_input=True, err=True)
    return value


@click.group("gateway", cls=ArdeaGroup, context_settings=CONTEXT, invoke_without_command=True)
@click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve the gateway alone with this YAML configuration (endpoints, models, secrets).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5001, show_default=True, type=int, help="TCP port.")
@click.option(
    "--backend-store-uri",
    "traces_uri",
    default=None,
    help="With --config: where request traces go (a database URI); none: no traces.",
)
@click.pass_context
def gateway(
    ctx: click.Context, config_path: Path | None, host: str, port: int, traces_uri: str | None
) -> None:
    """The AI gateway: ``--config FILE`` serves it alone.

    The subcommands manage its secrets, model definitions and endpoints on the database.
    """
    if ctx.invoked_subcommand is not None:
        if config_path is not None:
            raise click.UsageError("--config serves the gateway; give it without a subcommand.")
        return
    if config_path is None:
        click.echo(ctx.get_help())
        ctx.exit(2)
    from ardea.cli.gateway import serve

    serve(config_path, host, port, traces_uri)


# -- secrets ----------------------------------------------------------------------------------


@gateway.group("secrets", cls=ArdeaGroup, context_settings=CONTEXT)
def secrets() -> None:
    """Provider credentials (encrypted at rest, shown masked)."""


def _secret_row(s: Any) -> dict[str, Any]:
    return {
        "id": s.secret_id,
        "name": s.secret_name,
        "provider": s.provider or "",
        "masked": ", ".join(f"{k}={v}" for k, v in sorted(s.masked_values.items())),
        "updated": format_time(s.last_updated_at),
    }


@secrets.command("create")
@click.argument("name")
@click.option("--provider", default=None, help="The provider (openai, anthropic, ...).")
@click.option("--key", "field", default="api_key", show_default=True, help="The credential's name.")
@click.option(
    "--auth-config",
    "config",
    multiple=True,
    metavar="KEY=VALUE",
    help="A non-secret option (api_base=...); repeatable.",
)
@click.option(
    "--value-stdin", is_flag=True, help="Read the value from the first line of standard input."
)
@_WORKSPACE
@database_option
def secrets_create(
    name: str,
    provider: str | None,
    field: str,
    config: Sequence[str],
    value_stdin: bool,
    workspace: str,
    uri: str | None,
) -> None:
    """Store a credential (asks for its value; never give it as an argument)."""
    options = parse_key_values(config, "auth-config")
    value = _read_value(value_stdin, f"{name}.{field}")
    with _store(uri, workspace) as store:
        made = store.create_secret(name, {field: value}, provider, options or None, _actor())
    click.echo(f"Created secret {name!r} ({made.secret_id}): {field}={made.masked_values[field]}")


@secrets.command("list")
@click.option("--provider", default=None, help="Only this provider's.")
@_WORKSPACE
@database_option
@output_option("table", "json", "csv")
def secrets_list(provider: str | None, workspace: str, uri: str | None, output: str) -> None:
    """List secrets (values masked)."""
    with _store(uri, workspace) as store:
        rows = [_secret_row(s) for s in store.list_secrets(provider)]
    click.echo(render(rows, ["id", "name", "provider", "masked", "updated"], output))


@secrets.command("update")
@click.argument("name")
@click.option("--key", "field", default="api_key", show_default=True, help="The credential's name.")
@click.option(
    "--value-stdin", is_flag=True, help="Read the value from the first line of standard input."
)
@_WORKSPACE
@database_option
def secrets_update(
    name: str, field: str, value_stdin: bool, workspace: str, uri: str | None
) -> None:
    """Replace a secret's value (by name or id)."""
    value = _read_value(value_stdin, f"{name}.{field}")
    with _store(uri, workspace) as store:
        found = _secret(store, name)
        made = store.update_secret(found.secret_id, {field: value}, None, _actor())
    click.echo(f"Updated secret {made.secret_name!r}: {field}={made.masked_values[field]}")


@secrets.command("delete")
@click.argument("name")
@_WORKSPACE
@database_option
def secrets_delete(name: str, workspace: str, uri: str | None) -> None:
    """Delete a secret (by name or id)."""
    with _store(uri, workspace) as store:
        found = _secret(store, name)
        store.delete_secret(found.secret_id)
    click.echo(f"Deleted secret {found.secret_name!r}.")


def _secret(store: GatewayStore, name: str) -> Any:
    if name.startswith("s-"):
        try:
            return store.get_secret(name)
        except LookupError:
            pass
    return store.get_secret(secret_name=name)


def _actor() -> str:
    from ardea.cli._auth import cli_actor

    return cli_actor()


# -- model definitions ------------------------------------------------------------------------


@gateway.group("models", cls=ArdeaGroup, context_settings=CONTEXT)
def models() -> None:
    """Model definitions: a provider model and the secret it calls with."""


@models.command("create")
@click.argument("name")
@click.option("--provider", required=True, help="The provider (openai, anthropic, ...).")
@click.option("--model", "model_name", required=True, help="The provider's model name.")
@click.option("--secret", default=None, help="The secret (name or id) it calls with.")
@_WORKSPACE
@database_option
def models_create(
    name: str, provider: str, model_name: str, secret: str | None, workspace: str, uri: str | None
) -> None:
    """Define a model."""
    with _store(uri, workspace) as store:
        secret_id = _secret(store, secret).secret_id if secret else None
        made = store.create_model_definition(name, provider, model_name, secret_id, _actor())
    click.echo(f"Created model definition {name!r} ({made.model_definition_id}).")


@models.command("list")
@_WORKSPACE
@database_option
@output_option("table", "json", "csv")
def models_list(workspace: str, uri: str | None, output: str) -> None:
    """List model definitions."""
    with _store(uri, workspace) as store:
        rows = [
            {
                "id": d.model_definition_id,
                "name": d.name,
                "provider": d.provider,
                "model": d.model_name,
                "secret": d.secret_name or "",
            }
            for d in store.list_model_definitions()
        ]
    click.echo(render(rows, ["id", "name", "provider", "model", "secret"], output))


@models.command("delete")
@click.argument("name")
@_WORKSPACE
@database_option
def models_delete(name: str, workspace: str, uri: str | None) -> None:
    """Delete a model definition (by name or id) that no endpoint maps."""
    with _store(uri, workspace) as store:
        found = _definition(store, name)
        store.delete_model_definition(found.model_definition_id)
    click.echo(f"Deleted model definition {found.name!r}.")


def _definition(store: GatewayStore, name: str) -> Any:
    for d in store.list_model_definitions():
        if name in (d.name, d.model_definition_id):
            return d
    raise click.UsageError(f"No model definition named {name!r} in this workspace.")


# -- endpoints --------------------------------------------------------------------------------


@gateway.group("endpoints", cls=ArdeaGroup, context_settings=CONTEXT)
def endpoints() -> None:
    """Endpoints: model definitions split by weight, with fallbacks."""


def _weighted(spec: str) -> tuple[str, float]:
    name, _, weight = spec.partition(":")
    try:
        return name, float(weight) if weight else 1.0
    except ValueError:
        raise click.UsageError(f"--model {spec!r}: the weight after ':' must be a number") from None


@endpoints.command("create")
@click.argument("name")
@click.option(
    "--model",
    "primary",
    multiple=True,
    required=True,
    metavar="DEFINITION[:WEIGHT]",
    help="A primary model definition (name or id) and its weight; repeatable.",
)
@click.option(
    "--fallback",
    multiple=True,
    metavar="DEFINITION",
    help="A fallback model definition, in order; repeatable.",
)
@click.option("--max-attempts", type=int, default=None, help="Attempts in all, the first included.")
@click.option(
    "--type",
    "endpoint_type",
    default="llm/v1/chat",
    show_default=True,
    type=click.Choice(["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"]),
)
@click.option("--timeout-s", type=float, default=None, help="The deadline of one request.")
@click.option("--experiment-id", default=None, help="Where request traces go.")
@_WORKSPACE
@database_option
def endpoints_create(
    name: str,
    primary: Sequence[str],
    fallback: Sequence[str],
    max_attempts: int | None,
    endpoint_type: str,
    timeout_s: float | None,
    experiment_id: str | None,
    workspace: str,
    uri: str | None,
) -> None:
    """Create an endpoint."""
    from ardea.entities.gateway import ModelConfig

    with _store(uri, workspace) as store:
        configs = []
        for spec in primary:
            definition, weight = _weighted(spec)
            found = _definition(store, definition)
            configs.append(ModelConfig(found.model_definition_id, "PRIMARY", weight))
        for order, definition in enumerate(fallback):
            found = _definition(store, definition)
            configs.append(ModelConfig(found.model_definition_id, "FALLBACK", 1.0, order))
        made = store.create_endpoint(
            name,
            configs,
            endpoint_type=endpoint_type,
            fallback_strategy="SEQUENTIAL" if fallback else None,
            fallback_max_attempts=max_attempts,
            experiment_id=experiment_id,
            options={"timeout_s": timeout_s} if timeout_s is not None else None,
            created_by=_actor(),
        )
    click.echo(f"Created endpoint {name!r} ({made.endpoint_id}).")


@endpoints.command("list")
@_WORKSPACE
@database_option
@output_option("table", "json", "csv")
def endpoints_list(workspace: str, uri: str | None, output: str) -> None:
    """List endpoints with their models."""
    with _store(uri, workspace) as store:
        rows = [
            {
                "id": e.endpoint_id,
                "name": e.name,
                "type": e.endpoint_type,
                "models": ", ".join(
                    f"{m.model_definition.name}"
                    + (f":{m.weight:g}" if m.linkage_type == "PRIMARY" else " (fallback)")
                    for m in e.model_mappings
                ),
            }
            for e in store.list_endpoints()
        ]
    click.echo(render(rows, ["id", "name", "type", "models"], output))


@endpoints.command("get")
@click.argument("name")
@_WORKSPACE
@database_option
def endpoints_get(name: str, workspace: str, uri: str | None) -> None:
    """Print an endpoint as MLflow's JSON (by name or id)."""
    import json

    with _store(uri, workspace) as store:
        found = store.get_endpoint(name) if name.startswith("e-") else store.get_endpoint(name=name)
    click.echo(json.dumps(found.to_dict(), indent=2))


@endpoints.command("delete")
@click.argument("name")
@_WORKSPACE
@database_option
def endpoints_delete(name: str, workspace: str, uri: str | None) -> None:
    """Delete an endpoint (by name or id)."""
    with _store(uri, workspace) as store:
        found = store.get_endpoint(name) if name.startswith("e-") else store.get_endpoint(name=name)
        store.delete_endpoint(found.endpoint_id)
    click.echo(f"Deleted endpoint {found.name!r}.")


# -- key rotation -----------------------------------------------------------------------------


@gateway.command("rotate-kek")
@database_option
def rotate_kek(uri: str | None) -> None:
    """Re-wrap every secret's data key (all workspaces) under the current key.

    Run it with ARDEA_SECRET_KEY set to the new key and ARDEA_SECRET_KEY_PREVIOUS to the old
    one(s), while the servers run with the same two variables; see docs/gateway.md.
    """
    from ardea.store.sql.backend import open_sql_backend
    from ardea.store.uri import default_tracking_uri, is_server_uri

    uri = uri or default_tracking_uri()
    if is_server_uri(uri):
        raise click.UsageError("Give the server's --backend-store-uri (the database).")
    backend = open_sql_backend(uri)
    try:
        names = [w.name for w in backend.workspaces.list_workspaces()]
        done = sum(backend.scoped(name).gateway.rotate_kek() for name in names)
    finally:
        backend.close()
    click.echo(f"Re-wrapped {done} secret(s) under the current key.")
