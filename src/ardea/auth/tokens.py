"""API tokens: ``ardea_<kind>_<prefix>_<secret>``, shown once, stored as a SHA-256.

- ``kind`` is ``pat`` (a person's personal access token) or ``sa`` (a service account's).
- ``prefix`` is 8 characters of ``[a-z0-9]``, unique: it finds the token's row and is
  shown in lists ("which token is this?") and in the audit log. It is not a secret.
- ``secret`` is 32 random bytes from :mod:`secrets`, URL-safe base64 (43 characters).

Only ``sha256(secret)`` is stored: a token carries 256 bits of entropy, so a slow password
hash adds nothing but latency on every request. Verification looks the row up by prefix
and compares hashes with :func:`hmac.compare_digest`. An expired or revoked token, or one
whose user is disabled, is refused with a message that says so only once the secret was
proven right; a wrong token is just "invalid".

The token travels as ``Authorization: Bearer <token>`` (``MLFLOW_TRACKING_TOKEN``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    UnauthenticatedError,
)
from ardea._core.ids import now_ms
from ardea.auth import audit
from ardea.auth.cache import invalidate_user
from ardea.entities.auth import TokenInfo, User
from ardea.store.auth import AuthStore, TokenRecord

__all__ = [
    "INVALID_TOKEN",
    "IssuedToken",
    "ParsedToken",
    "hash_secret",
    "issue_token",
    "parse_token",
    "revoke_token",
    "verify_token",
]

INVALID_TOKEN = "Invalid API token."
"""The message for a token that is malformed, unknown or whose secret does not match."""

_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_PREFIX_LENGTH = 8
_SECRET_BYTES = 32
_TOKEN_RE = re.compile(r"ardea_(pat|sa)_([a-z0-9]{8})_([A-Za-z0-9_-]{43})")
_DRAWS = 5
_DUMMY_HASH = hashlib.sha256(b"ardea-no-such-token").hexdigest()


class ParsedToken(NamedTuple):
    """The three parts of a well-formed token."""

    kind: str
    prefix: str
    secret: str


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the full ``token`` (show it once, never store it) and its public part."""

    token: str = field(repr=False)
    info: TokenInfo


def hash_secret(secret: str) -> str:
    """Hex SHA-256 of a token's secret part (what the store keeps)."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse_token(token: object) -> ParsedToken | None:
    """The parts of ``token``, or None when it is not an Ardea API token."""
    if not isinstance(token, str) or len(token) > 128:
        return None
    match = _TOKEN_RE.fullmatch(token)
    if match is None:
        return None
    return ParsedToken(match.group(1), match.group(2), match.group(3))


def _expiry(expires_in: timedelta | int | float | None, now: int) -> int | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise InvalidArgumentError("A token's lifetime must be a positive number of seconds.")
    return now + int(seconds * 1000)


def issue_token(
    store: AuthStore,
    user: User,
    name: str,
    expires_in: timedelta | int | float | None,
    *,
    actor: str | None = None,
    ip: str | None = None,
) -> IssuedToken:
    """Create a token for ``user`` and return it in full, this once.

    Args:
        store: The auth store.
        user: Whose token (a service account gets an ``sa`` token, anyone else a ``pat``).
        name: A label ("laptop", "ci").
        expires_in: Lifetime (a timedelta or seconds); None for a token that never expires.
        actor: Who asked (for the audit log; default the user).
        ip: The client address, if any.

    Raises:
        FailedPreconditionError: The user is disabled.
        InvalidArgumentError: A bad name or lifetime.
    """
    if user.disabled:
        raise FailedPreconditionError(f"User {user.username!r} is disabled: it gets no tokens.")
    now = now_ms()
    expires = _expiry(expires_in, now)
    kind = "sa" if user.is_service else "pat"
    for attempt in range(_DRAWS):
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(_PREFIX_LENGTH))
        secret = secrets.token_urlsafe(_SECRET_BYTES)
        try:
            info = store.create_token(
                user.id,
                name,
                kind=kind,
                prefix=prefix,
                secret_hash=hash_secret(secret),
                expires=expires,
                created=now,
            )
        except AlreadyExistsError:  # a prefix drawn twice (about 1 in 10^12 per pair)
            if attempt == _DRAWS - 1:
                raise
            continue
        audit.record(
            store,
            actor or user.username,
            "token.create",
            f"token:{prefix}",
            {"user": user.username, "name": name, "kind": kind, "expires": expires},
            ip,
        )
        return IssuedToken(f"ardea_{kind}_{prefix}_{secret}", info)
    raise AssertionError("unreachable")  # pragma: no cover


def verify_token(store: AuthStore, token: str, *, now: int | None = None) -> TokenRecord:
    """The token's record (with its user) if ``token`` is valid now.

    Raises:
        UnauthenticatedError: :data:`INVALID_TOKEN` for a malformed, unknown or wrong token;
            a precise message for an expired or revoked one or a disabled user (given only
            when the secret matched).
    """
    parsed = parse_token(token)
    if parsed is None:
        raise UnauthenticatedError(INVALID_TOKEN)
    record = store.lookup_token(parsed.prefix)
    expected = record.secret_hash if record is not None else _DUMMY_HASH
    matches = hmac.compare_digest(hash_secret(parsed.secret), expected)
    if record is None or not matches or record.info.kind != parsed.kind:
        raise UnauthenticatedError(INVALID_TOKEN)
    when = now_ms() if now is None else now
    if record.info.revoked is not None:
        raise UnauthenticatedError("This API token was revoked.")
    if record.info.expires is not None and when >= record.info.expires:
        raise UnauthenticatedError("This API token has expired.")
    if record.user.disabled:
        raise UnauthenticatedError("This API token's user is disabled.")
    return record


def revoke_token(
    store: AuthStore, token_id: int, *, actor: str, ip: str | None = None
) -> TokenInfo:
    """Revoke a token now, drop its user's cached credentials, and audit it."""
    info = store.revoke_token(token_id, now_ms())
    invalidate_user(info.user_id)
    audit.record(store, actor, "token.revoke", f"token:{info.prefix}", {"name": info.name}, ip)
    return info
