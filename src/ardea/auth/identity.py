"""Who is calling: HTTP Basic credentials and API tokens, checked against the auth store.

Both functions are pure of HTTP: the door (part of the server) parses the
``Authorization`` header and calls them. Each takes an optional
:class:`~ardea.auth.cache.CredentialCache`, so that a client sending the same credentials on
every request pays argon2 (about 50 ms) or a token lookup once per TTL, not per request.
:func:`~ardea.auth.cache.invalidate_user` (called by every change of a user's credentials
in :mod:`ardea.auth.accounts` and :mod:`ardea.auth.tokens`) drops those entries at once.

Failures say "Invalid username or password." whether or not the user exists, and take as
long either way (:func:`~ardea.auth.passwords.dummy_verify`). Failed password logins are
rate-limited by :class:`~ardea.auth.ratelimit.LoginRateLimiter` when one is given, and
audited as ``login.failed`` (with the attempted name only when such a user exists, since
a mistyped name can be a password).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ardea._core.errors import UnauthenticatedError
from ardea._core.ids import now_ms
from ardea.auth import audit
from ardea.auth.cache import CredentialCache
from ardea.auth.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from ardea.auth.ratelimit import LoginRateLimiter
from ardea.auth.tokens import verify_token
from ardea.entities.auth import TokenInfo, User
from ardea.store.auth import AuthStore

__all__ = [
    "INVALID_LOGIN",
    "Principal",
    "authenticate_basic",
    "authenticate_token",
]

INVALID_LOGIN = "Invalid username or password."
"""The one message for a wrong password, an unknown user, or a user without a password."""

_MAX_CREDENTIAL = 4096
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    Attributes:
        user: Who it is.
        method: ``basic``, ``token`` or ``session``.
        token: The token's public part, for ``token`` (the door touches ``last_used``).
    """

    user: User
    method: str
    token: TokenInfo | None = None


def _fail(
    store: AuthStore,
    known: User | None,
    username: str,
    ip: str | None,
    limiter: LoginRateLimiter | None,
) -> UnauthenticatedError:
    if limiter is not None:
        limiter.record_failure(username, ip)
    target = known.username if known is not None else None
    audit.record(store, None, "login.failed", target, {"known_user": known is not None}, ip)
    return UnauthenticatedError(INVALID_LOGIN)


def authenticate_basic(
    store: AuthStore,
    username: str,
    password: str,
    ip: str | None = None,
    *,
    limiter: LoginRateLimiter | None = None,
    cache: CredentialCache[Principal] | None = None,
) -> Principal:
    """The user whose name and password these are.

    Args:
        store: The auth store.
        username: As sent.
        password: As sent.
        ip: The client address (for the rate limit and the audit log).
        limiter: Failed-login limits; None checks none.
        cache: Verified credentials; None verifies every time.

    Raises:
        UnauthenticatedError: :data:`INVALID_LOGIN`; or "This account is disabled." once
            the password proved right.
        RateLimitedError: Too many failures for this name or address (before any check).
    """
    if cache is not None:
        hit = cache.get("basic", username, password)
        if hit is not None:
            return hit
    if limiter is not None:
        limiter.check(username, ip)
    if len(username) > _MAX_CREDENTIAL or len(password) > _MAX_CREDENTIAL:
        raise _fail(store, None, username, ip, limiter)
    login = store.get_login(username)
    if login is None or login.password_hash is None:
        dummy_verify(password)
        raise _fail(store, login.user if login else None, username, ip, limiter)
    if not verify_password(login.password_hash, password):
        raise _fail(store, login.user, username, ip, limiter)
    user = login.user
    if user.disabled:
        raise UnauthenticatedError("This account is disabled.")
    if needs_rehash(login.password_hash):
        store.set_password_hash(user.id, hash_password(password))
        _log.info("Rehashed the password of user %s with the current parameters", user.id)
    if limiter is not None:
        limiter.record_success(username, ip)
    principal = Principal(user, "basic")
    if cache is not None:
        cache.put(principal, user.id, "basic", username, password)
    return principal


def authenticate_token(
    store: AuthStore,
    token: str,
    *,
    cache: CredentialCache[Principal] | None = None,
    now: int | None = None,
) -> Principal:
    """The user an API token belongs to.

    A cached answer never outlives the token's expiry. The caller updates ``last_used``
    (``store.touch_token(principal.token.id, ...)``), ideally off the request path.

    Raises:
        UnauthenticatedError: Malformed, unknown, wrong, expired or revoked token, or a
            disabled user (see :func:`~ardea.auth.tokens.verify_token`).
    """
    if cache is not None:
        hit = cache.get("token", token)
        if hit is not None:
            return hit
    record = verify_token(store, token, now=now)
    principal = Principal(record.user, "token", record.info)
    if cache is not None:
        expires = record.info.expires
        ttl = None if expires is None else (expires - (now_ms() if now is None else now)) / 1000
        cache.put(principal, record.user.id, "token", token, ttl_s=ttl)
    return principal
