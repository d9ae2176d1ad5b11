"""``ardea users``: create, list, set-admin, set-password, disable, enable, delete.

Passwords come from ``--password-stdin`` or a hidden prompt, never from an argument. Every
change goes through :mod:`ardea.auth.accounts` (password policy, audit log as
``cli:<os user>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ardea.cli._auth import auth_store, cli_actor, database_option, find_user, read_password
from ardea.cli._common import CONTEXT, ArdeaGroup, format_time, output_option, render

if TYPE_CHECKING:
    from ardea.entities.auth import User

__all__ = ["users"]

_PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (else: a hidden prompt).",
)


def _row(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "kind": u.kind,
        "admin": u.is_admin,
        "disabled": u.disabled,
        "created": u.created,
    }


@click.group("users", cls=ArdeaGroup, context_settings=CONTEXT)
def users() -> None:
    """Manage the users and service accounts of a server with authentication.

    Works on the server's database (--backend-store-uri), not on a server URL. Passwords
    are read from a hidden prompt or --password-stdin, never from the command line.
    """


@users.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Make the user an admin.")
@click.option(
    "--service",
    is_flag=True,
    help="A service account: no password; it authenticates with tokens (ardea tokens create).",
)
@_PASSWORD_STDIN
@database_option
def create(
    username: str, admin: bool, service: bool, password_stdin: bool, uri: str | None
) -> None:
    """Create a user (asks for its password) or, with --service, a service account."""
    from ardea.auth import accounts

    if service and (admin or password_stdin):
        raise click.UsageError("A service account has no password and cannot be an admin.")
    with auth_store(uri) as store:
        if service:
            user = accounts.create_service_account(store, username, actor=cli_actor())
            click.echo(
                f"Created service account {username!r} (id {user.id}). Give it a token: "
                f"ardea tokens create --user {username} --name <name>"
            )
            return
        from ardea.auth.passwords import check_password_policy
        from ardea.entities.auth import validate_username

        validate_username(username)  # before asking for a password
        password = read_password(password_stdin, username)
        check_password_policy(password, username=username)
        user = accounts.create_user(store, username, password, is_admin=admin, actor=cli_actor())
    click.echo(f"Created {'admin' if admin else 'user'} {username!r} (id {user.id}).")


@users.command("list")
@click.option(
    "--kind", type=click.Choice(["user", "service"]), default=None, help="Only this kind."
)
@output_option("table", "json", "csv")
@database_option
def list_users(kind: str | None, output: str, uri: str | None) -> None:
    """List users and service accounts by name."""
    found: list[User] = []
    with auth_store(uri) as store:
        token: str | None = None
        while True:
            page = store.list_users(1000, token, kind=kind)
            found.extend(page)
            token = page.token
            if not token:
                break
    rows = [_row(u) for u in found]
    if output == "table":
        for row in rows:
            row["created"] = format_time(row["created"])
            row["admin"] = "yes" if row["admin"] else ""
            row["disabled"] = "yes" if row["disabled"] else ""
    columns = ["id", "username", "kind", "admin", "disabled", "created"]
    click.echo(render(rows, columns, output))


@users.command("set-admin")
@click.argument("username")
@click.option(
    "--admin/--no-admin",
    "is_admin",
    default=True,
    show_default=True,
    help="--no-admin takes admin rights away (never from the last enabled admin).",
)
@database_option
def set_admin(username: str, is_admin: bool, uri: str | None) -> None:
    """Make a user an admin (or, with --no-admin, no longer one)."""
    from ardea.auth import accounts

    with auth_store(uri) as store:
        accounts.set_admin(store, find_user(store, username), is_admin, actor=cli_actor())
    click.echo(f"{username!r} is {'now' if is_admin else 'no longer'} an admin.")


@users.command("set-password")
@click.argument("username")
@_PASSWORD_STDIN
@database_option
def set_password(username: str, password_stdin: bool, uri: str | None) -> None:
    """Set a user's password (its login sessions end)."""
    from ardea.auth import accounts
    from ardea.auth.passwords import check_password_policy

    with auth_store(uri) as store:
        user = find_user(store, username)
        password = read_password(password_stdin, username)
        check_password_policy(password, username=username)
        accounts.set_password(store, user, password, actor=cli_actor())
    click.echo(f"Password of {username!r} changed; its login sessions were ended.")


@users.command("disable")
@click.argument("username")
@database_option
def disable(username: str, uri: str | None) -> None:
    """Disable a user: no login, its sessions end and its tokens stop working."""
    from ardea.auth import accounts

    with auth_store(uri) as store:
        accounts.set_disabled(store, find_user(store, username), True, actor=cli_actor())
    click.echo(f"{username!r} is disabled.")


@users.command("enable")
@click.argument("username")
@database_option
def enable(username: str, uri: str | None) -> None:
    """Enable a disabled user again (its tokens work again unless revoked or expired)."""
    from ardea.auth import accounts

    with auth_store(uri) as store:
        accounts.set_disabled(store, find_user(store, username), False, actor=cli_actor())
    click.echo(f"{username!r} is enabled.")


@users.command("delete")
@click.argument("username")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@database_option
def delete(username: str, yes: bool, uri: str | None) -> None:
    """Delete a user with its tokens, sessions, permissions and role assignments."""
    from ardea.auth import accounts

    with auth_store(uri) as store:
        user = find_user(store, username)
        if not yes:
            click.confirm(
                f"Delete {username!r} with its tokens and permissions?", abort=True, err=True
            )
        accounts.delete_user(store, user, actor=cli_actor())
    click.echo(f"Deleted {username!r}.")
