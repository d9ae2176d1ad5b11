"""WebhookStore contract: create, get, list (paged), update, delete, input checks (SQLite,
PostgreSQL, REST), and for the SQL backends: delivery targets and secrets encrypted at rest."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.secrets import SecretCipher
from ardea.entities.webhook import Webhook, WebhookEvent
from ardea.store.sql.webhooks.store import SqlWebhookStore
from ardea.store.webhooks import WebhookStore
from fixtures import registry_backends as rb
from fixtures import workspaces
from fixtures.backends import fresh_sqlite, served
from fixtures.sql_wipe import wipe

postgres_registry_backend = rb.postgres_registry_backend

URL = "https://hooks.example.com/ardea"
MV_CREATED = {"entity": "MODEL_VERSION", "action": "CREATED"}
ALIAS_SET = {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"}
SECRET = "contract-secret-7f3a9c"


class Env:
    """A webhook store plus, for SQL backends, its database."""

    def __init__(self, store: WebhookStore, database: object | None) -> None:
        self.store = store
        self.database = database


def _open(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    if kind in workspaces.MODES:
        for scoped in workspaces.run_in_workspace(request, tmp_path):
            yield Env(scoped.webhooks, scoped.tracking.database)  # type: ignore[attr-defined]
        return
    if kind == "postgres":
        shared = request.getfixturevalue("postgres_registry_backend")
        wipe(shared.tracking)
        database = shared.tracking.database
        yield Env(SqlWebhookStore(database, SecretCipher("contract-key")), database)
        return
    local = fresh_sqlite(request, tmp_path)
    if kind == "rest":
        with served(local) as remote:
            yield Env(remote.webhooks, None)
    else:
        database = local.tracking.database  # type: ignore[attr-defined]
        yield Env(SqlWebhookStore(database), database)
    local.close()


_POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", "rest", _POSTGRES, *workspaces.MODES])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    yield from _open(request.param, request, tmp_path)


@pytest.fixture
def store(env: Env) -> WebhookStore:
    return env.store


@pytest.fixture(params=["sqlite", _POSTGRES, *workspaces.MODES])
def sql(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlWebhookStore]:
    """The SQL backends only (secrets and delivery targets are server-side)."""
    for env in _open(request.param, request, tmp_path):
        assert isinstance(env.store, SqlWebhookStore)
        yield env.store


# -- CRUD --------------------------------------------------------------------------------------


def test_create_and_get(store: WebhookStore) -> None:
    hook = store.create_webhook(
        "ci-hook", URL, [MV_CREATED, "model_version_alias.created"], "d", SECRET
    )
    assert isinstance(hook, Webhook)
    assert hook.name == "ci-hook" and hook.url == URL and hook.description == "d"
    assert hook.events == (
        WebhookEvent("MODEL_VERSION", "CREATED"),
        WebhookEvent("MODEL_VERSION_ALIAS", "CREATED"),
    )
    assert hook.status == "ACTIVE"
    assert hook.creation_timestamp == hook.last_updated_timestamp > 0
    assert not hasattr(hook, "secret")
    assert store.get_webhook(hook.webhook_id) == hook
    with pytest.raises(NotFoundError):
        store.get_webhook(str(uuid.uuid4()))


def test_duplicate_events_are_merged_and_status_is_kept(store: WebhookStore) -> None:
    hook = store.create_webhook("h", URL, [MV_CREATED, MV_CREATED], status="disabled")
    assert hook.events == (WebhookEvent("MODEL_VERSION", "CREATED"),)
    assert hook.status == "DISABLED"


def test_list_is_paged_newest_first(store: WebhookStore) -> None:
    created = [store.create_webhook(f"h{i}", URL, [MV_CREATED]) for i in range(5)]
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = store.list_webhooks(max_results=2, page_token=token)
        assert len(page) <= 2
        seen += [w.webhook_id for w in page]
        pages += 1
        token = page.token
        if not token:
            break
    assert pages == 3
    assert sorted(seen) == sorted(w.webhook_id for w in created)
    stamps = [store.get_webhook(i).creation_timestamp for i in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert len(store.list_webhooks()) == 5


def test_update_changes_only_given_fields(store: WebhookStore) -> None:
    hook = store.create_webhook("h", URL, [MV_CREATED], "old", SECRET)
    same = store.update_webhook(hook.webhook_id)
    assert (same.name, same.url, same.events, same.description) == (
        hook.name,
        hook.url,
        hook.events,
        "old",
    )
    new = store.update_webhook(
        hook.webhook_id,
        name="renamed",
        description="new",
        url="http://other.example.com/x",
        events=[ALIAS_SET],
        status="DISABLED",
    )
    assert new.name == "renamed" and new.description == "new"
    assert new.url == "http://other.example.com/x" and new.status == "DISABLED"
    assert new.events == (WebhookEvent("MODEL_VERSION_ALIAS", "CREATED"),)
    assert new.creation_timestamp == hook.creation_timestamp
    assert new.last_updated_timestamp >= hook.last_updated_timestamp
    assert store.get_webhook(hook.webhook_id) == new
    with pytest.raises(NotFoundError):
        store.update_webhook(str(uuid.uuid4()), name="x")


def test_delete(store: WebhookStore) -> None:
    hook = store.create_webhook("h", URL, [MV_CREATED])
    keep = store.create_webhook("k", URL, [MV_CREATED])
    store.delete_webhook(hook.webhook_id)
    with pytest.raises(NotFoundError):
        store.get_webhook(hook.webhook_id)
    with pytest.raises(NotFoundError):
        store.delete_webhook(hook.webhook_id)
    assert [w.webhook_id for w in store.list_webhooks()] == [keep.webhook_id]


# -- bad input ---------------------------------------------------------------------------------

BAD_CREATES = [
    pytest.param({"name": ""}, id="empty-name"),
    pytest.param({"name": "-x"}, id="name-start"),
    pytest.param({"name": "a b"}, id="name-space"),
    pytest.param({"name": "x" * 64}, id="name-long"),
    pytest.param({"url": ""}, id="empty-url"),
    pytest.param({"url": "ftp://example.com/x"}, id="ftp"),
    pytest.param({"url": "file:///etc/passwd"}, id="file"),
    pytest.param({"url": "javascript:alert(1)"}, id="javascript"),
    pytest.param({"url": "http://"}, id="no-host"),
    pytest.param({"url": "http://exa mple.com/"}, id="space"),
    pytest.param({"url": "http://example.com:99999/"}, id="bad-port"),
    pytest.param({"events": []}, id="no-events"),
    pytest.param({"events": [{"entity": "MODEL_VERSION", "action": "SET"}]}, id="bad-pair"),
    pytest.param({"events": [{"entity": "RUN", "action": "CREATED"}]}, id="bad-entity"),
    pytest.param({"events": ["model_version"]}, id="bad-string"),
    pytest.param({"status": "PAUSED"}, id="bad-status"),
]


@pytest.mark.parametrize("bad", BAD_CREATES)
def test_bad_create_is_invalid_and_stores_nothing(store: WebhookStore, bad: dict) -> None:
    args = {"name": "ok", "url": URL, "events": [MV_CREATED], "status": "ACTIVE", **bad}
    with pytest.raises(InvalidArgumentError):
        store.create_webhook(
            args["name"], args["url"], args["events"], secret=SECRET, status=args["status"]
        )
    assert list(store.list_webhooks()) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "ftp://x/"},
        {"name": "bad name"},
        {"events": [{"entity": "PROMPT", "action": "DELETED"}]},
        {"status": "nope"},
    ],
)
def test_bad_update_is_invalid_and_changes_nothing(store: WebhookStore, bad: dict) -> None:
    hook = store.create_webhook("h", URL, [MV_CREATED])
    with pytest.raises(InvalidArgumentError):
        store.update_webhook(hook.webhook_id, **bad)
    assert store.get_webhook(hook.webhook_id) == hook


# -- SSRF guard: no destinations on the server's own networks ----------------------------------

BLOCKED_URLS = [
    pytest.param("http://127.0.0.1:1/x", id="loopback"),
    pytest.param("http://169.254.169.254/latest", id="metadata"),
    pytest.param("http://[::1]/x", id="ipv6-loopback"),
    pytest.param("http://10.0.0.1/", id="rfc1918"),
    pytest.param("https://192.168.1.20:8443/hook", id="rfc1918-https"),
    pytest.param("http://[fd00::1]/x", id="ula"),
    pytest.param("http://[::ffff:127.0.0.1]/x", id="ipv4-mapped"),
    pytest.param("http://0.0.0.0:8080/", id="unspecified"),
    pytest.param("http://localhost:5432/x", id="localhost-name"),
    pytest.param("http://2130706433/x", id="decimal-loopback"),
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_private_destination_is_refused_and_stores_nothing(store: WebhookStore, url: str) -> None:
    with pytest.raises(InvalidArgumentError) as exc:
        store.create_webhook("h", url, [MV_CREATED], secret=SECRET)
    assert "ARDEA_WEBHOOKS_ALLOW_PRIVATE" in str(exc.value)
    assert SECRET not in str(exc.value)
    assert list(store.list_webhooks()) == []


@pytest.mark.parametrize("url", BLOCKED_URLS[:4])
def test_private_destination_update_is_refused(store: WebhookStore, url: str) -> None:
    hook = store.create_webhook("h", URL, [MV_CREATED])
    with pytest.raises(InvalidArgumentError):
        store.update_webhook(hook.webhook_id, url=url, name="renamed")
    assert store.get_webhook(hook.webhook_id) == hook


def test_private_destination_allowed_by_opt_out(
    store: WebhookStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_WEBHOOKS_ALLOW_PRIVATE", "1")
    hook = store.create_webhook("h", "http://127.0.0.1:8080/x", [MV_CREATED])
    moved = store.update_webhook(hook.webhook_id, url="http://10.0.0.1/y")
    assert moved.url == "http://10.0.0.1/y"
    assert [w.webhook_id for w in store.list_webhooks()] == [hook.webhook_id]


def test_unresolvable_host_is_accepted(store: WebhookStore) -> None:
    """A name that does not resolve yet may resolve later: judged again at delivery."""
    url = "https://ardea-hook.invalid/x"  # .invalid never resolves (RFC 2606)
    assert store.create_webhook("h", url, [MV_CREATED]).url == url


@pytest.mark.parametrize("max_results", [-1, 1001])
def test_bad_max_results(store: WebhookStore, max_results: int) -> None:
    with pytest.raises(InvalidArgumentError):
        store.list_webhooks(max_results=max_results)


def test_zero_max_results(env: Env) -> None:
    """The wire treats 0 as "not set" (proto3 default, as MLflow does); the store refuses it."""
    env.store.create_webhook("h", URL, [MV_CREATED])
    if env.database is None:
        assert len(env.store.list_webhooks(max_results=0)) == 1
    else:
        with pytest.raises(InvalidArgumentError):
            env.store.list_webhooks(max_results=0)


def test_bad_page_token(store: WebhookStore) -> None:
    with pytest.raises(InvalidArgumentError):
        store.list_webhooks(page_token="not a token!")


# -- SQL only: secrets and delivery targets ----------------------------------------------------


def _raw_secrets(sql: SqlWebhookStore) -> list[str | None]:
    return sql.database.read(lambda c: list(c.execute(sa.text("SELECT secret FROM webhooks"))))


def test_secret_is_encrypted_at_rest(sql: SqlWebhookStore) -> None:
    hook = sql.create_webhook("h", URL, [MV_CREATED], secret=SECRET)
    rows = _raw_secrets(sql)
    assert len(rows) == 1 and rows[0][0] and SECRET not in rows[0][0]  # type: ignore[index]
    assert sql.get_target(hook.webhook_id).secret == SECRET
    assert SECRET not in repr(sql.get_target(hook.webhook_id))


def test_secret_update_and_removal(sql: SqlWebhookStore) -> None:
    hook = sql.create_webhook("h", URL, [MV_CREATED], secret=SECRET)
    sql.update_webhook(hook.webhook_id, name="renamed")
    assert sql.get_target(hook.webhook_id).secret == SECRET  # kept
    sql.update_webhook(hook.webhook_id, secret="second")
    assert sql.get_target(hook.webhook_id).secret == "second"
    sql.update_webhook(hook.webhook_id, secret="")
    assert sql.get_target(hook.webhook_id).secret is None
    assert _raw_secrets(sql)[0][0] is None  # type: ignore[index]


def test_targets_for_event_are_active_subscribers(sql: SqlWebhookStore) -> None:
    a = sql.create_webhook("a", URL + "/a", [MV_CREATED, ALIAS_SET], secret=SECRET)
    sql.create_webhook("b", URL + "/b", [ALIAS_SET])
    off = sql.create_webhook("off", URL + "/off", [MV_CREATED], status="DISABLED")
    targets = sql.targets_for_event(WebhookEvent("MODEL_VERSION", "CREATED"))
    assert [(t.webhook_id, t.url, t.secret) for t in targets] == [
        (a.webhook_id, URL + "/a", SECRET)
    ]
    assert len(sql.targets_for_event(WebhookEvent("MODEL_VERSION_ALIAS", "CREATED"))) == 2
    assert sql.targets_for_event(WebhookEvent("PROMPT", "CREATED")) == []
    sql.update_webhook(off.webhook_id, status="ACTIVE")
    assert len(sql.targets_for_event(WebhookEvent("MODEL_VERSION", "CREATED"))) == 2
    sql.delete_webhook(a.webhook_id)
    assert [
        t.webhook_id for t in sql.targets_for_event(WebhookEvent("MODEL_VERSION", "CREATED"))
    ] == [off.webhook_id]


def test_another_key_cannot_decrypt(sql: SqlWebhookStore) -> None:
    hook = sql.create_webhook("h", URL, [MV_CREATED], secret=SECRET)
    other = SqlWebhookStore(sql.database, SecretCipher("some other key"))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="cannot be decrypted"):
        other.get_target(hook.webhook_id)
    assert other.get_webhook(hook.webhook_id) == hook  # the rest stays readable
    plain = other.create_webhook("plain", URL, [MV_CREATED])  # no secret: still delivered
    targets = other.targets_for_event(WebhookEvent("MODEL_VERSION", "CREATED"))
    assert [t.webhook_id for t in targets] == [plain.webhook_id]
