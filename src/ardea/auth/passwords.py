"""Passwords: argon2id hashes, the minimum policy, and equal timing for unknown users.

Hashes use argon2-cffi's defaults (argon2id, RFC 9106's low-memory profile: 3 passes over
64 MiB), about 50 ms on one core; :func:`needs_rehash` tells when a stored hash was made with
older parameters so that a successful login can upgrade it. A login for a user that does not
exist (or has no password) still runs one verification (:func:`dummy_verify`), so the answer
takes as long either way and does not tell whether the user exists.
"""

from __future__ import annotations

import functools
import os
import secrets
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ardea._core.env import ARDEA_AUTH_MIN_PASSWORD_LENGTH
from ardea._core.errors import InvalidArgumentError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_password_policy",
    "dummy_verify",
    "hash_password",
    "min_password_length",
    "needs_rehash",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
"""Default shortest password (``ARDEA_AUTH_MIN_PASSWORD_LENGTH`` changes it)."""

MAX_PASSWORD_LENGTH = 1024
"""Longest password accepted: hashing is costly, and a megabyte password is an attack."""

if TYPE_CHECKING:
    from argon2 import PasswordHasher

_dummy_lock = threading.Lock()
_dummy_hash: list[str] = []


def min_password_length(env: Mapping[str, str] | None = None) -> int:
    """The configured minimum length (``ARDEA_AUTH_MIN_PASSWORD_LENGTH``, default 12).

    Raises:
        InvalidArgumentError: The variable is not an integer from 1 to 1024.
    """
    raw = (os.environ if env is None else env).get(ARDEA_AUTH_MIN_PASSWORD_LENGTH, "").strip()
    if not raw:
        return MIN_PASSWORD_LENGTH
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PASSWORD_LENGTH:
        raise InvalidArgumentError(
            f"{ARDEA_AUTH_MIN_PASSWORD_LENGTH} must be an integer from 1 to "
            f"{MAX_PASSWORD_LENGTH}, not {raw!r}."
        )
    return value


def check_password_policy(
    password: object, *, username: str | None = None, min_length: int | None = None
) -> str:
    """Check a new password against the policy and return it.

    The policy: at least ``min_length`` characters (default :func:`min_password_length`), at
    most 1024, no NUL character, and not the username itself. The message says which rule
    failed and never repeats the password.

    Raises:
        InvalidArgumentError: The password breaks a rule.
    """
    shortest = min_password_length() if min_length is None else min_length
    if not isinstance(password, str):
        raise InvalidArgumentError("The password must be a string.")
    if len(password) < shortest:
        raise InvalidArgumentError(
            f"The password is too short: use at least {shortest} characters."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidArgumentError(
            f"The password is too long: use at most {MAX_PASSWORD_LENGTH} characters."
        )
    if "\x00" in password:
        raise InvalidArgumentError("The password must not contain a NUL character.")
    if username is not None and password.casefold() == username.casefold():
        raise InvalidArgumentError("The password must not be the username.")
    return password


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2-cffi's hasher, imported on first use (a server without ``--auth`` never pays it)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (a self-describing ``$argon2id$...`` string)."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a malformed hash, too)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (rehash after login)."""
    from argon2.exceptions import InvalidHashError

    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def dummy_verify(password: str) -> None:
    """Spend the time of one verification, for a login whose user does not exist."""
    with _dummy_lock:
        if not _dummy_hash:
            _dummy_hash.append(_hasher().hash(secrets.token_urlsafe(32)))
    verify_password(_dummy_hash[0], password)
