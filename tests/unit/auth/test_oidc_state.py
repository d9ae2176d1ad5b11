"""``ardea.auth.oidc_state``: sealed login states and the replay guard."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.auth.oidc_state import (
    LoginState,
    ReplayGuard,
    new_login_state,
    seal,
    state_key,
    unseal,
)

KEY = b"k" * 32


def test_seal_round_trip_and_fresh_values() -> None:
    state = new_login_state("/experiments/1", now=1000)
    assert state.expires == 1600
    assert unseal(seal(state, KEY), KEY, now=1599) == state
    other = new_login_state("/", now=1000)
    assert {state.state, state.nonce, state.verifier}.isdisjoint(
        {other.state, other.nonce, other.verifier}
    )
    assert 43 <= len(state.verifier) <= 128  # RFC 7636's verifier length
    assert state.verifier not in repr(state) and state.nonce not in repr(state)


def test_anything_but_an_intact_fresh_seal_is_refused() -> None:
    state = new_login_state("/", now=1000)
    sealed = seal(state, KEY)
    body, mac = sealed.split(".")
    forged = seal(LoginState("s", "n", "v", "https://evil.example", 10**10), b"x" * 32)
    for value in (
        None,
        "",
        "no-dot",
        "a.b.c",
        f"{body}x.{mac}",
        f"{body}.{mac[:-2]}AA",
        forged,
        "é" * 10 + "." + mac,
        "x" * 5000 + "." + mac,
    ):
        with pytest.raises(InvalidArgumentError, match="start the login again"):
            unseal(value, KEY, now=1001)
    with pytest.raises(InvalidArgumentError, match="expired"):
        unseal(sealed, KEY, now=1600)


def test_state_key_sources() -> None:
    assert state_key("secret", {}) == state_key("secret", {})
    assert state_key("secret", {}) != state_key("other", {})
    assert state_key(None, {"ARDEA_OIDC_STATE_KEY": "shared"}) == state_key(
        "secret", {"ARDEA_OIDC_STATE_KEY": "shared"}
    )
    assert state_key(None, {}) != state_key(None, {})  # random per process


def test_replay_guard_allows_each_state_once_until_it_expires() -> None:
    now = [1000.0]
    guard = ReplayGuard(max_entries=2, clock=lambda: now[0])
    a, b, c = (new_login_state("/", now=1000) for _ in range(3))
    assert guard.use(a) and not guard.use(a)
    assert guard.use(b) and guard.use(c)  # a is dropped: at most 2 remembered
    now[0] = 1600
    assert guard.use(b)  # expired entries are forgotten (the seal refuses the state anyway)
