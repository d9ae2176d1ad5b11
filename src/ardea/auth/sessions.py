"""Server-side login sessions for the UI, with idle and absolute expiry and CSRF tokens.

A session is a random 32-byte cookie value; the store keeps only its SHA-256, the user,
and the times. The door sets the cookie ``HttpOnly; SameSite=Lax; Path=/`` (``Secure``
behind https) and calls :meth:`SessionManager.session_from_cookie` on each request that
carries it.

CSRF (double submit): each session has a CSRF token derived from the cookie value
(HMAC-SHA256 of a fixed label under the cookie's secret), so nothing more is stored and
nobody without the cookie can compute it. The UI receives it at login (and in a readable
``ardea_csrf`` cookie) and sends it back in the ``X-CSRF-Token`` header on every unsafe
request; the door compares with :func:`csrf_matches` (constant time). Requests
authenticated by Basic credentials or a token carry no cookie and need no CSRF token.

Expiry: a session ends ``absolute_timeout_s`` after login whatever happens, and after
``idle_timeout_s`` without a request. ``last_seen`` is written at most once per
``touch_interval_s``, so an active session costs one small write a minute, not one per
request. Disabling a user, changing its password and logging out end sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

from ardea._core.errors import FailedPreconditionError
from ardea._core.ids import now_ms
from ardea.auth import audit
from ardea.entities.auth import Session, User
from ardea.store.auth import AuthStore

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "NewSession",
    "SessionAuth",
    "SessionConfig",
    "SessionManager",
    "csrf_matches",
    "csrf_token_for",
    "session_id_hash",
]

SESSION_COOKIE = "ardea_session"
"""Name of the HttpOnly session cookie."""

CSRF_COOKIE = "ardea_csrf"
"""Name of the cookie the UI reads its CSRF token from (not HttpOnly)."""

CSRF_HEADER = "X-CSRF-Token"
"""Header that must echo the CSRF token on unsafe requests authenticated by the cookie."""

_COOKIE_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_CSRF_LABEL = b"ardea-csrf-v1"


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """Session lifetimes.

    Attributes:
        idle_timeout_s: A session unused this long ends (default 12 hours).
        absolute_timeout_s: A session ends this long after login (default 7 days).
        touch_interval_s: ``last_seen`` is written at most this often (default 60 s).
    """

    idle_timeout_s: int = 12 * 3600
    absolute_timeout_s: int = 7 * 24 * 3600
    touch_interval_s: int = 60

    def __post_init__(self) -> None:
        if not 0 < self.idle_timeout_s <= self.absolute_timeout_s or self.touch_interval_s < 0:
            raise ValueError("need 0 < idle_timeout_s <= absolute_timeout_s, touch_interval_s >= 0")


class SessionAuth(NamedTuple):
    """Who a valid session cookie belongs to, and that session's CSRF token."""

    user: User
    csrf: str


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just started: the cookie value and CSRF token (set them, never log them)."""

    cookie: str = field(repr=False)
    csrf: str = field(repr=False)
    session: Session


def session_id_hash(cookie: str) -> str:
    """Hex SHA-256 of a session cookie's value (the store's key)."""
    return hashlib.sha256(cookie.encode("ascii")).hexdigest()


def csrf_token_for(cookie: str) -> str:
    """The CSRF token of the session whose cookie value is ``cookie``."""
    mac = hmac.new(cookie.encode("ascii"), _CSRF_LABEL, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def csrf_matches(expected: str, sent: str | None) -> bool:
    """Whether the CSRF token ``sent`` in a request equals the session's (constant time)."""
    if not sent or not sent.isascii():
        return False
    return hmac.compare_digest(expected.encode("ascii"), sent.encode("ascii"))


class SessionManager:
    """Starts, checks and ends login sessions in an :class:`AuthStore`.

    Args:
        store: Where sessions live.
        config: Lifetimes.
    """

    def __init__(self, store: AuthStore, config: SessionConfig | None = None) -> None:
        self.store = store
        self.config = config or SessionConfig()

    def start(
        self,
        user: User,
        *,
        ip: str | None = None,
        user_agent: str | None = None,
        method: str = "password",
    ) -> NewSession:
        """Start a session for ``user`` (already authenticated) and audit the login.

        Raises:
            FailedPreconditionError: The user is disabled or is a service account.
        """
        if user.disabled or user.is_service:
            raise FailedPreconditionError(f"User {user.username!r} cannot log in.")
        cookie = secrets.token_urlsafe(32)
        now = now_ms()
        expires = now + self.config.absolute_timeout_s * 1000
        session = self.store.create_session(
            session_id_hash(cookie),
            user.id,
            expires=expires,
            ip=ip,
            user_agent=user_agent,
            created=now,
        )
        audit.record(self.store, user.username, "login", user.username, {"method": method}, ip)
        return NewSession(cookie, csrf_token_for(cookie), session)

    def session_from_cookie(
        self, value: str | None, *, now: int | None = None
    ) -> SessionAuth | None:
        """The user and CSRF token of the session cookie ``value``, or None.

        None for a malformed or unknown cookie, an expired (absolute or idle) session, and a
        disabled user; expired sessions are deleted on the way. A live session's
        ``last_seen`` is refreshed at most once per ``touch_interval_s``.
        """
        if not value or not _COOKIE_RE.fullmatch(value):
            return None
        id_hash = session_id_hash(value)
        found = self.store.get_session(id_hash)
        if found is None:
            return None
        session, user = found
        when = now_ms() if now is None else now
        idle_ms = self.config.idle_timeout_s * 1000
        if when >= session.expires or when >= session.last_seen + idle_ms:
            self.store.delete_session(id_hash)
            return None
        if user.disabled:
            return None
        if when - session.last_seen >= self.config.touch_interval_s * 1000:
            self.store.touch_session(id_hash, when, self.config.touch_interval_s * 1000)
        return SessionAuth(user, csrf_token_for(value))

    def end(self, value: str | None, *, actor: str | None = None, ip: str | None = None) -> bool:
        """Log out: delete the session of cookie ``value``; whether there was one."""
        if not value or not _COOKIE_RE.fullmatch(value):
            return False
        ended = self.store.delete_session(session_id_hash(value))
        if ended and actor:
            audit.record(self.store, actor, "logout", actor, None, ip)
        return ended

    def end_all(self, user_id: int, *, keep_cookie: str | None = None) -> int:
        """End every session of a user (but the one of ``keep_cookie``); how many ended."""
        keep = session_id_hash(keep_cookie) if keep_cookie else None
        return self.store.delete_sessions_for_user(user_id, keep=keep)

    def purge_expired(self, *, now: int | None = None) -> int:
        """Delete every expired or idle session (housekeeping); how many went."""
        when = now_ms() if now is None else now
        return self.store.delete_expired_sessions(when, self.config.idle_timeout_s * 1000)
