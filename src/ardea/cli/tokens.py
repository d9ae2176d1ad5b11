"""``ardea tokens``: create (printed once), list, revoke API tokens.

``create`` prints the token alone on standard output (the rest goes to standard error), so
``TOKEN=$(ardea tokens create --user ci-bot --name ci)`` captures it. Only its SHA-256 is
stored: it cannot be shown again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ardea.cli._auth import auth_store, cli_actor, database_option, find_user
from ardea.cli._common import CONTEXT, ArdeaGroup, format_time, output_option, render

if TYPE_CHECKING:
    from ardea.entities.auth import TokenInfo
    from ardea.store.auth import AuthStore

__all__ = ["parse_lifetime", "tokens"]


def parse_lifetime(text: str) -> int | None:
    """``--expires-in``: ``never`` (None), or ``#d#h#m#s`` in seconds (e.g. ``90d``)."""
    from ardea.cli.gc import parse_age

    if text.strip().lower() == "never":
        return None
    try:
        seconds = parse_age(text) // 1000
    except click.BadParameter:
        seconds = 0
    if seconds < 1:
        raise click.BadParameter(
            f"{text!r} is not a lifetime: use #d#h#m#s of at least 1 s (e.g. 90d, 12h, "
            "1d12h) or never",
            param_hint="--expires-in",
        )
    return seconds


def _row(t: TokenInfo, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": t.id,
        "prefix": t.prefix,
        "user": names.get(t.user_id, str(t.user_id)),
        "name": t.name,
        "kind": t.kind,
        "created": t.created,
        "expires": t.expires,
        "last_used": t.last_used,
        "revoked": t.revoked,
    }


def _find_token(store: AuthStore, ref: str) -> TokenInfo:
    """A token by id, by prefix, or by the full token."""
    from ardea._core.errors import NotFoundError
    from ardea.auth.tokens import parse_token

    if ref.isdigit():
        return store.get_token(int(ref))
    parsed = parse_token(ref)
    record = store.lookup_token(parsed.prefix if parsed else ref)
    if record is None:
        raise NotFoundError(f"No token with id or prefix {ref[:24]!r}")
    return record.info


@click.group("tokens", cls=ArdeaGroup, context_settings=CONTEXT)
def tokens() -> None:
    """Create, list and revoke API tokens (MLFLOW_TRACKING_TOKEN / Authorization: Bearer).

    Works on the server's database (--backend-store-uri), not on a server URL.
    """


@tokens.command("create")
@click.option(
    "--user", "-u", "username", required=True, help="Whose token (a user or service account)."
)
@click.option("--name", "-n", required=True, help='A label to recognise it by, e.g. "laptop".')
@click.option(
    "--expires-in",
    default="90d",
    show_default=True,
    metavar="AGE",
    help="Lifetime: #d#h#m#s (e.g. 30d, 12h) or never.",
)
@click.option(
    "--gateway-model",
    "gateway_models",
    multiple=True,
    metavar="GLOB",
    help="Make it a gateway virtual key that may call only these endpoint names or provider "
    "models (fnmatch globs; repeatable).",
)
@click.option(
    "--meta",
    "meta",
    multiple=True,
    metavar="KEY=VALUE",
    help="Gateway key metadata recorded on request traces, e.g. team=search (repeatable).",
)
@database_option
def create(
    username: str,
    name: str,
    expires_in: str,
    gateway_models: tuple[str, ...],
    meta: tuple[str, ...],
    uri: str | None,
) -> None:
    """Create a token and print it, this once.

    With --gateway-model or --meta it is a gateway virtual key (docs/gateway.md).
    """
    from ardea.auth.tokens import issue_token

    lifetime = parse_lifetime(expires_in)
    metadata: dict[str, str] = {}
    for item in meta:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--meta")
        metadata[key.strip()] = value
    with auth_store(uri) as store:
        issued = issue_token(store, find_user(store, username), name, lifetime, actor=cli_actor())
        if gateway_models or metadata:
            from ardea.entities.gateway_keys import KeyScope
            from ardea.store.sql.auth.store import SqlAuthStore
            from ardea.store.sql.gateway_limits.keys import SqlKeyScopes

            assert isinstance(store, SqlAuthStore)  # auth_store opens a SQL backend
            scope = KeyScope(issued.info.id, tuple(gateway_models), metadata)
            SqlKeyScopes(store.database).set(scope)
    info = issued.info
    until = f"expires {format_time(info.expires)}" if info.expires else "never expires"
    click.echo(
        f"Created token {info.prefix!r} ({name!r}) for {username!r}; it {until}. "
        "It is shown once: store it now.",
        err=True,
    )
    click.echo(issued.token)


@tokens.command("list")
@click.option("--user", "-u", "username", default=None, help="Only this user's tokens.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked tokens.")
@output_option("table", "json", "csv")
@database_option
def list_tokens(username: str | None, include_revoked: bool, output: str, uri: str | None) -> None:
    """List tokens, newest first (never their secrets)."""
    with auth_store(uri) as store:
        user_id = find_user(store, username).id if username else None
        found = store.list_tokens(user_id, include_revoked=include_revoked)
        names: dict[int, str] = {}
        for uid in {t.user_id for t in found}:
            names[uid] = store.get_user(uid).username
    rows = [_row(t, names) for t in found]
    if output == "table":
        for row in rows:
            for key in ("created", "expires", "last_used", "revoked"):
                row[key] = format_time(row[key])
    columns = ["id", "prefix", "user", "name", "kind", "created", "expires", "last_used"]
    if include_revoked:
        columns.append("revoked")
    click.echo(render(rows, columns, output))


@tokens.command("revoke")
@click.argument("token")
@database_option
def revoke(token: str, uri: str | None) -> None:
    """Revoke a token, named by its id, its prefix or the token itself."""
    from ardea.auth.tokens import revoke_token

    with auth_store(uri) as store:
        info = revoke_token(store, _find_token(store, token).id, actor=cli_actor())
    click.echo(f"Revoked token {info.prefix!r} ({info.name!r}).")
