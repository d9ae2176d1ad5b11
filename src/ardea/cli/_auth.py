"""What ``ardea users`` and ``ardea tokens`` share: the database, the password, the actor.

Both commands work on the database itself (``--backend-store-uri``, the server's), never on
a server URL: the users live in that database. A running server sees a change made here once
the entries of its short-lived credential cache expire. Passwords are read from standard
input or a hidden prompt, never from argv; the audit log names the actor
``cli:<operating-system user>``.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ardea._core.env import ARDEA_TRACKING_URI, DEFAULT_DATA_DIR, MLFLOW_TRACKING_URI

if TYPE_CHECKING:
    from ardea.entities.auth import User
    from ardea.store.auth import AuthStore

__all__ = [
    "auth_store",
    "cli_actor",
    "database_option",
    "find_user",
    "read_password",
    "stdin_is_terminal",
]

F = TypeVar("F", bound=Callable[..., Any])


def database_option(f: F) -> F:
    """``--backend-store-uri`` (alias ``--tracking-uri``): the database holding the users."""
    return click.option(
        "--backend-store-uri",
        "--tracking-uri",
        "uri",
        envvar=[ARDEA_TRACKING_URI, MLFLOW_TRACKING_URI],
        default=None,
        metavar="URI",
        help=f"The database: a data folder, sqlite:///, postgresql:// or mysql:// URI (the "
        f"server's --backend-store-uri). Default: $ARDEA_TRACKING_URI, else "
        f"$MLFLOW_TRACKING_URI, else ./{DEFAULT_DATA_DIR}. Not a server URL.",
    )(f)


@contextmanager
def auth_store(uri: str | None) -> Iterator[AuthStore]:
    """The auth store of the database at ``uri`` (None: the default), closed afterwards.

    Raises:
        click.UsageError: ``uri`` is a server URL.
    """
    from ardea.store.sql.backend import open_sql_backend
    from ardea.store.uri import default_tracking_uri, is_server_uri, redact_uri

    uri = uri or default_tracking_uri()
    if is_server_uri(uri):
        raise click.UsageError(
            f"{redact_uri(uri)} is a server: users and tokens live in its database. Give the "
            "server's --backend-store-uri (a data folder, sqlite:///, postgresql:// or "
            "mysql:// URI)."
        )
    backend = open_sql_backend(uri)
    try:
        yield backend.require_auth()
    finally:
        backend.close()


def cli_actor() -> str:
    """The audit log's actor for a command: ``cli:<operating-system user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for the uid (e.g. some containers)
        return "cli"


def find_user(store: AuthStore, username: str) -> User:
    """The user named ``username`` (NotFoundError, shown as one line, if none)."""
    return store.get_user_by_username(username)


def stdin_is_terminal() -> bool:
    """Whether standard input is a terminal (a hidden prompt can be shown)."""
    return sys.stdin.isatty()


def read_password(from_stdin: bool, username: str) -> str:
    """A new password: the first line of standard input, or a hidden prompt typed twice.

    Never an argument: argv is visible to every user of the machine (``ps``) and stays in
    shell histories.

    Raises:
        click.UsageError: Standard input is not a terminal and ``--password-stdin`` was not
            given, or it gave an empty line.
    """
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.UsageError("--password-stdin read an empty line: no password given.")
        return line
    if not stdin_is_terminal():
        raise click.UsageError(
            "No terminal to type the password in: pipe it with --password-stdin, e.g. "
            "`printf '%s\\n' \"$PASSWORD\" | ardea users ... --password-stdin`."
        )
    value: str = click.prompt(
        f"Password for {username}", hide_input=True, confirmation_prompt=True, err=True
    )
    return value
