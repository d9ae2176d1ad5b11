"""The first admin: created from the environment (or a prompt), never from a default password.

:func:`ensure_admin` runs when a server with authentication starts. When the database has
an enabled admin it does nothing. Otherwise it creates one named ``ARDEA_ADMIN_USERNAME``
(default ``admin``) with the password in ``ARDEA_ADMIN_PASSWORD`` (or MLflow's
``MLFLOW_AUTH_ADMIN_PASSWORD``), or one typed at ``prompt`` when neither is set. The password
must pass the policy. With no password from anywhere it refuses, saying how to give one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from ardea._core.env import (
    ARDEA_ADMIN_PASSWORD,
    ARDEA_ADMIN_USERNAME,
    MLFLOW_AUTH_ADMIN_PASSWORD,
)
from ardea._core.errors import AlreadyExistsError, FailedPreconditionError
from ardea.auth import accounts
from ardea.auth.audit import SYSTEM_ACTOR
from ardea.store.auth import AuthStore

__all__ = ["DEFAULT_ADMIN_USERNAME", "ensure_admin"]

DEFAULT_ADMIN_USERNAME = "admin"
"""The first admin's name when ``ARDEA_ADMIN_USERNAME`` is unset (as MLflow's)."""


def ensure_admin(
    store: AuthStore,
    env: Mapping[str, str] | None = None,
    *,
    prompt: Callable[[str], str] | None = None,
) -> bool:
    """Create the first admin if there is no enabled admin; whether it created one.

    Args:
        store: The auth store.
        env: The environment (default ``os.environ``).
        prompt: Asked for a password (given the username) when the environment has none,
            e.g. a hidden prompt on a terminal; None refuses instead.

    Raises:
        FailedPreconditionError: No password anywhere, or a user of that name exists but is
            not an enabled admin (an existing account is never taken over).
        InvalidArgumentError: The password breaks the policy (the message says which rule).
    """
    if store.has_admin():
        return False
    values = os.environ if env is None else env
    username = values.get(ARDEA_ADMIN_USERNAME) or DEFAULT_ADMIN_USERNAME
    existing = store.get_login(username)
    if existing is not None:
        fix = (
            f"`ardea users enable {username}`"
            if existing.user.is_admin
            else f"`ardea users set-admin {username}`"
        )
        raise FailedPreconditionError(
            f"There is no enabled admin, and user {username!r} exists but is not one: run "
            f"{fix}, or set {ARDEA_ADMIN_USERNAME} to a new name."
        )
    password = values.get(ARDEA_ADMIN_PASSWORD) or values.get(MLFLOW_AUTH_ADMIN_PASSWORD)
    if not password and prompt is not None:
        password = prompt(username)
    if not password:
        raise FailedPreconditionError(
            f"There is no admin yet: set {ARDEA_ADMIN_PASSWORD} (or {MLFLOW_AUTH_ADMIN_PASSWORD})"
            f" for the first admin {username!r}, or create one with "
            f"`ardea users create {username} --admin`."
        )
    try:
        accounts.create_user(store, username, password, is_admin=True, actor=SYSTEM_ACTOR)
    except AlreadyExistsError:  # another replica created it at the same moment
        if store.has_admin():
            return False
        raise
    return True
