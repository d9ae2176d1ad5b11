"""The state of one OIDC login between the redirect to the identity provider and its return.

A login begins with a redirect to the provider carrying ``state``, ``nonce`` and a PKCE
``code_challenge``; the browser comes back to the callback with ``state`` and a code. What
the server must remember in between (:class:`LoginState`: the state, the nonce, the PKCE
verifier, where to go afterwards, and an expiry) travels in a short-lived cookie, sealed
with HMAC-SHA256 so that it cannot be forged or altered. No server-side storage is needed,
so any worker or replica that shares the key can finish a login another one began.

The key (:func:`state_key`) is derived from the client secret, which every replica has;
a public client (no secret) uses ``ARDEA_OIDC_STATE_KEY``, or a random key per process
(logins then finish only on the process that began them).

Each state is good for one callback: :class:`ReplayGuard` remembers the states used in this
process until they expire (the provider refuses a used code anyway).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import orjson

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "LOGIN_STATE_TTL_S",
    "LoginState",
    "ReplayGuard",
    "new_login_state",
    "seal",
    "state_key",
    "unseal",
]

LOGIN_STATE_TTL_S = 600
"""Seconds a login may take at the identity provider before it must start again."""

EXPIRED = "The single sign-on attempt expired or was not started here: start the login again."
"""The message for a missing, forged, altered or expired login state."""

_MAX_SEALED = 4096
_KEY_LABEL = b"ardea-oidc-state-v1"


@dataclass(frozen=True, slots=True)
class LoginState:
    """What the callback needs to finish a login (kept in a sealed cookie, never logged).

    Attributes:
        state: The ``state`` sent to the provider; the callback must bring it back.
        nonce: The ``nonce`` sent; the ID token must carry it.
        verifier: The PKCE code verifier (its S256 challenge was sent).
        next_path: Where the browser goes after login: a path on this server.
        expires: Epoch seconds after which the login must start again.
    """

    state: str = field(repr=False)
    nonce: str = field(repr=False)
    verifier: str = field(repr=False)
    next_path: str
    expires: int


def new_login_state(
    next_path: str, *, ttl_s: int = LOGIN_STATE_TTL_S, now: float | None = None
) -> LoginState:
    """A fresh state, nonce and PKCE verifier (43 URL-safe characters each, 256 bits)."""
    start = time.time() if now is None else now
    return LoginState(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(48),
        next_path=next_path,
        expires=int(start) + ttl_s,
    )


def state_key(client_secret: str | None, env: Mapping[str, str]) -> bytes:
    """The key that seals login states.

    ``ARDEA_OIDC_STATE_KEY`` when set, else one derived from the client secret (the same on
    every replica), else a random one for this process.
    """
    from ardea._core.env import ARDEA_OIDC_STATE_KEY

    explicit = env.get(ARDEA_OIDC_STATE_KEY)
    if explicit:
        return hmac.new(explicit.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()
    if client_secret:
        return hmac.new(client_secret.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()
    return secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(state: LoginState, key: bytes) -> str:
    """``state`` as a cookie value: base64url(JSON) ``.`` base64url(HMAC-SHA256)."""
    payload = orjson.dumps(
        {
            "s": state.state,
            "n": state.nonce,
            "v": state.verifier,
            "p": state.next_path,
            "e": state.expires,
        }
    )
    body = _b64(payload)
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unseal(value: str | None, key: bytes, *, now: float | None = None) -> LoginState:
    """The state sealed in ``value``.

    Raises:
        InvalidArgumentError: :data:`EXPIRED` for a missing, malformed, forged, altered or
            expired value (one message: the caller learns nothing about which).
    """
    if not value or len(value) > _MAX_SEALED or value.count(".") != 1:
        raise InvalidArgumentError(EXPIRED)
    body, mac = value.split(".")
    expected = _b64(hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode("ascii"), mac.encode("ascii", "replace")):
        raise InvalidArgumentError(EXPIRED)
    try:
        data = orjson.loads(_unb64(body))
        state = LoginState(
            state=str(data["s"]),
            nonce=str(data["n"]),
            verifier=str(data["v"]),
            next_path=str(data["p"]),
            expires=int(data["e"]),
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidArgumentError(EXPIRED) from None
    if (time.time() if now is None else now) >= state.expires:
        raise InvalidArgumentError(EXPIRED)
    return state


class ReplayGuard:
    """The login states already used in this process, until they expire (thread-safe).

    Args:
        max_entries: Bound on what is remembered (the oldest go first).
        clock: Epoch seconds (tests pass their own).
    """

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.time) -> None:
        self._used: OrderedDict[str, int] = OrderedDict()
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()

    def use(self, state: LoginState) -> bool:
        """Mark ``state`` used; False if it already was (a replayed callback)."""
        digest = hashlib.sha256(state.state.encode("utf-8")).hexdigest()
        now = self._clock()
        with self._lock:
            while self._used and next(iter(self._used.values())) <= now:
                self._used.popitem(last=False)
            if digest in self._used:
                return False
            self._used[digest] = state.expires
            while len(self._used) > self._max:
                self._used.popitem(last=False)
            return True
