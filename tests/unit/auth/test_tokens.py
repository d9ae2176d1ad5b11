"""API tokens: format, shown once, stored as SHA-256, verified in constant time, expiry,
revocation, disabled users, service accounts."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from ardea._core.errors import FailedPreconditionError, InvalidArgumentError, UnauthenticatedError
from ardea._core.ids import now_ms
from ardea.auth import tokens as tk
from ardea.store.auth import AuthStore


def test_issue_returns_the_token_once_and_stores_its_hash(store: AuthStore) -> None:
    ada = store.create_user("ada", None)
    issued = tk.issue_token(store, ada, "laptop", timedelta(days=30))
    parsed = tk.parse_token(issued.token)
    assert parsed is not None and parsed.kind == "pat" and parsed.prefix == issued.info.prefix
    assert len(parsed.secret) == 43
    assert issued.token not in repr(issued) and parsed.secret not in repr(issued)
    record = store.lookup_token(parsed.prefix)
    assert record is not None
    assert record.secret_hash == hashlib.sha256(parsed.secret.encode()).hexdigest()
    assert record.info == issued.info and record.info.name == "laptop"
    assert issued.info.expires is not None
    assert 29 * 86_400_000 < issued.info.expires - issued.info.created <= 30 * 86_400_000 + 1000
    events = store.list_audit()
    assert [(e.action, e.target, e.actor) for e in events] == [
        ("token.create", f"token:{parsed.prefix}", "ada")
    ]


def test_service_accounts_get_sa_tokens(store: AuthStore) -> None:
    bot = store.create_user("ci-bot", None, kind="service")
    issued = tk.issue_token(store, bot, "ci", None, actor="admin")
    assert issued.token.startswith("ardea_sa_") and issued.info.kind == "sa"
    assert issued.info.expires is None
    assert tk.verify_token(store, issued.token).user == bot
    assert store.list_audit()[0].actor == "admin"


def test_verify(store: AuthStore) -> None:
    ada = store.create_user("ada", None)
    issued = tk.issue_token(store, ada, "t", 3600)
    record = tk.verify_token(store, issued.token)
    assert record.user == ada and record.info.id == issued.info.id


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
        lambda t: t.replace("ardea_pat_", "ardea_sa_"),  # wrong kind
        lambda t: t.replace("ardea_pat_", "mlflow_pat_"),
        lambda t: t + "x",
        lambda t: t[:20],
        lambda t: "",
        lambda t: "ardea_pat_zzzzzzzz_" + "A" * 43,  # unknown prefix
        lambda t: t.upper(),
        lambda t: t + "\x00",
        lambda t: "é" * 80,
    ],
)
def test_wrong_tokens_are_just_invalid(store: AuthStore, mangle: object) -> None:
    ada = store.create_user("ada", None)
    issued = tk.issue_token(store, ada, "t", None)
    with pytest.raises(UnauthenticatedError) as e:
        tk.verify_token(store, mangle(issued.token))  # type: ignore[operator]
    assert e.value.message == tk.INVALID_TOKEN


def test_expired_revoked_and_disabled(store: AuthStore) -> None:
    store.create_user("root", None, is_admin=True)
    ada = store.create_user("ada", None)
    issued = tk.issue_token(store, ada, "t", 60)
    assert issued.info.expires is not None
    tk.verify_token(store, issued.token, now=issued.info.expires - 1)
    with pytest.raises(UnauthenticatedError, match="has expired"):
        tk.verify_token(store, issued.token, now=issued.info.expires)
    other = tk.issue_token(store, ada, "t2", None)
    info = tk.revoke_token(store, other.info.id, actor="root")
    assert info.revoked is not None
    with pytest.raises(UnauthenticatedError, match="was revoked"):
        tk.verify_token(store, other.token)
    assert store.list_audit()[0].action == "token.revoke"
    third = tk.issue_token(store, ada, "t3", None)
    store.set_disabled(ada.id, True)
    with pytest.raises(UnauthenticatedError, match="user is disabled"):
        tk.verify_token(store, third.token)
    with pytest.raises(FailedPreconditionError, match="disabled"):
        tk.issue_token(store, store.get_user(ada.id), "t4", None)


@pytest.mark.parametrize("bad", [0, -5, True, "1d", timedelta(0)])
def test_bad_lifetimes(store: AuthStore, bad: object) -> None:
    ada = store.create_user("ada", None)
    with pytest.raises(InvalidArgumentError, match="lifetime"):
        tk.issue_token(store, ada, "t", bad)  # type: ignore[arg-type]
    assert store.list_tokens() == []


def test_a_prefix_drawn_twice_is_drawn_again(
    store: AuthStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = store.create_user("ada", None)
    first = tk.issue_token(store, ada, "a", None)
    draws = iter(first.info.prefix + "abcd2345")
    monkeypatch.setattr(tk.secrets, "choice", lambda _alphabet: next(draws))
    second = tk.issue_token(store, ada, "b", None)
    assert second.info.prefix == "abcd2345"
    assert tk.verify_token(store, second.token).info.name == "b"


def test_parse_token() -> None:
    good = "ardea_pat_abcd1234_" + "x" * 43
    assert tk.parse_token(good) == ("pat", "abcd1234", "x" * 43)
    assert tk.parse_token(None) is None
    assert tk.parse_token("ardea_pat_abcd1234_" + "x" * 200) is None
    assert tk.hash_secret("s") == hashlib.sha256(b"s").hexdigest()


def test_last_used_is_the_callers(store: AuthStore) -> None:
    ada = store.create_user("ada", None)
    issued = tk.issue_token(store, ada, "t", None)
    assert store.touch_token(issued.info.id, now_ms())
    assert store.get_token(issued.info.id).last_used is not None
