"""Virtual keys: real tokens, a stored gateway scope, the real Policy's USE decision."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.auth.policy import Policy
from ardea.auth.tokens import issue_token, verify_token
from ardea.entities.auth import Permission, ResourceType
from ardea.entities.gateway_keys import KeyScope
from ardea.gateway.config import Endpoint, ModelTarget
from ardea.gateway.limits.keys import check_key
from ardea.store.sql.auth.store import SqlAuthStore
from ardea.store.sql.backend import open_database
from ardea.store.sql.gateway_limits.keys import SqlKeyScopes

EP = Endpoint(
    endpoint_id="e-chat",
    name="chat",
    workspace="default",
    endpoint_type="llm/v1/chat",
    primary=(ModelTarget("d", "d", "openai", "gpt-4.1-mini"),),
)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[SqlAuthStore, SqlKeyScopes]]:
    db = open_database(f"sqlite:///{tmp_path / 'k.db'}")
    yield SqlAuthStore(db), SqlKeyScopes(db)
    db.close()


def _call(
    auth: SqlAuthStore, scopes: SqlKeyScopes, token: str, model: str, *, now_ms: int | None = None
) -> tuple[int, str | None, dict[str, object]]:
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    record = (
        verify_token(auth, token, now=now)
        if now_ms is None
        else auth.lookup_token(token.split("_")[2])
    )
    assert record is not None
    policy = Policy(auth)
    use = policy.level(record.user, ResourceType.GATEWAY_ENDPOINT, EP.endpoint_id).allows(
        Permission.USE
    )
    d = check_key(record.info, scopes.get(record.info.id), EP, model, has_use=use, now_ms=now)
    return d.status, d.code, dict(d.attributes)


def test_a_key_with_use_and_an_allowed_model_passes(
    stores: tuple[SqlAuthStore, SqlKeyScopes],
) -> None:
    auth, scopes = stores
    bot = auth.create_user("team-a-bot", None, kind="service")
    auth.grant(bot.id, ResourceType.GATEWAY_ENDPOINT, EP.endpoint_id, Permission.USE)
    issued = issue_token(auth, bot, "gw", 3600)
    scopes.set(KeyScope(issued.info.id, ("gpt-4.1-*",), {"team": "a", "project": "search"}))
    status, code, attrs = _call(auth, scopes, issued.token, "gpt-4.1-mini")
    assert (status, code) == (200, None)
    assert attrs["ardea.gateway.key.team"] == "a" and attrs["ardea.gateway.key.project"] == "search"
    assert attrs["ardea.gateway.key.prefix"] == issued.info.prefix


def test_wrong_model_is_refused(stores: tuple[SqlAuthStore, SqlKeyScopes]) -> None:
    auth, scopes = stores
    bot = auth.create_user("bot", None, kind="service")
    auth.grant(bot.id, ResourceType.GATEWAY_ENDPOINT, EP.endpoint_id, Permission.USE)
    issued = issue_token(auth, bot, "gw", 3600)
    scopes.set(KeyScope(issued.info.id, ("claude-*",)))
    assert _call(auth, scopes, issued.token, "gpt-4.1-mini")[:2] == (403, "model_not_allowed")
    scopes.set(KeyScope(issued.info.id, ("chat",)))  # the endpoint's name is allowed too
    assert _call(auth, scopes, issued.token, "gpt-4.1-mini")[0] == 200


def test_no_use_is_refused(stores: tuple[SqlAuthStore, SqlKeyScopes]) -> None:
    auth, scopes = stores
    bot = auth.create_user("reader", None, kind="service")
    auth.grant(bot.id, ResourceType.GATEWAY_ENDPOINT, EP.endpoint_id, Permission.READ)
    issued = issue_token(auth, bot, "gw", 3600)
    scopes.set(KeyScope(issued.info.id))
    assert _call(auth, scopes, issued.token, "gpt-4.1-mini")[:2] == (403, "permission_denied")


def test_expired_keys_are_refused(stores: tuple[SqlAuthStore, SqlKeyScopes]) -> None:
    auth, scopes = stores
    bot = auth.create_user("late", None, kind="service")
    auth.grant(bot.id, ResourceType.GATEWAY_ENDPOINT, EP.endpoint_id, Permission.USE)
    issued = issue_token(auth, bot, "gw", 3600)
    later = int(time.time() * 1000) + 7200 * 1000  # past the token's own expiry
    assert _call(auth, scopes, issued.token, "m", now_ms=later)[:2] == (401, "invalid_api_key")
    # the scope's gateway expiry, before the token's
    scopes.set(KeyScope(issued.info.id, expires=int(time.time() * 1000) - 1))
    assert _call(auth, scopes, issued.token, "m")[:2] == (401, "invalid_api_key")
    scopes.delete(issued.info.id)
    assert _call(auth, scopes, issued.token, "m")[0] == 200


def test_a_scope_goes_with_its_token(stores: tuple[SqlAuthStore, SqlKeyScopes]) -> None:
    auth, scopes = stores
    bot = auth.create_user("gone", None, kind="service")
    issued = issue_token(auth, bot, "gw", None)
    scopes.set(KeyScope(issued.info.id, ("x",)))
    auth.delete_user(bot.id)
    assert scopes.get(issued.info.id) is None
