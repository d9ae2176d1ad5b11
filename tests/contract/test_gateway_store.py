"""GatewayStore contract on SQLite, PostgreSQL and MySQL: secrets (encrypted, masked, KEK
rotation), model definitions, endpoints with mappings, tags, bindings, budgets, guardrails,
bad input (nothing stored), workspace isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from ardea._core.envelope import EnvelopeCipher, KeyRing
from ardea._core.errors import (
    AlreadyExistsError,
    ArdeaError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from ardea.entities.gateway import ModelConfig
from ardea.store.backend import Backend
from ardea.store.gateway import GatewayStore
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.gateway.store import SqlGatewayStore

KEY = "sk-live-0123456789abcdef"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Server databases have no key file (the session's backends keep the first key they read).
    monkeypatch.setenv("ARDEA_SECRET_KEY", "gateway contract key")


@pytest.fixture
def store(sql_backend: Backend) -> GatewayStore:
    return sql_backend.gateway


def _raw_rows(backend: Backend) -> bytes:
    """Every gateway row of the database, as bytes."""
    from ardea.store.sql.gateway import tables

    db = backend.tracking.database  # type: ignore[attr-defined]

    def op(conn: sa.Connection) -> bytes:
        out = b""
        for table in (
            tables.gateway_secrets,
            tables.gateway_model_definitions,
            tables.gateway_endpoints,
        ):
            for row in conn.execute(sa.select(table)):
                out += repr(tuple(row)).encode()
        return out

    return bytes(db.read(op))


def _snapshot(store: GatewayStore) -> Any:
    return (
        [s.to_dict() for s in store.list_secrets()],
        [d.to_dict() for d in store.list_model_definitions()],
        [e.to_dict() for e in store.list_endpoints()],
        [b.to_dict() for b in store.list_budget_policies()],
        [g.to_dict() for g in store.list_guardrails()],
    )


def _setup(store: GatewayStore) -> tuple[str, str, str]:
    secret = store.create_secret("openai-key", {"api_key": KEY}, "openai")
    one = store.create_model_definition("gpt", "openai", "gpt-4.1-mini", secret.secret_id)
    two = store.create_model_definition("gpt-big", "openai", "gpt-4.1", secret.secret_id)
    return secret.secret_id, one.model_definition_id, two.model_definition_id


def test_secret_is_encrypted_masked_and_decryptable(
    sql_backend: Backend, store: GatewayStore
) -> None:
    info = store.create_secret(
        "openai-key", {"api_key": KEY}, "openai", {"api_base": "https://api.openai.com/v1"}, "ann"
    )
    assert info.secret_id.startswith("s-")
    assert info.masked_values == {"api_key": "sk-...cdef"}
    assert info.auth_config == {"api_base": "https://api.openai.com/v1"}
    assert info.created_by == info.last_updated_by == "ann"
    assert KEY not in repr(info) and KEY not in str(info.to_dict())
    assert store.get_secret(secret_name="openai-key") == info
    assert store.get_secret(info.secret_id) == info
    assert store.secret_values(info.secret_id) == {"api_key": KEY}
    raw = _raw_rows(sql_backend)
    assert KEY.encode() not in raw and b"0123456789abcdef" not in raw
    short = store.create_secret("short", {"api_key": "abc"})
    assert short.masked_values == {"api_key": "***"}
    assert [s.secret_name for s in store.list_secrets()] == ["openai-key", "short"]
    assert [s.secret_name for s in store.list_secrets("openai")] == ["openai-key"]


def test_secret_update_delete_and_names(store: GatewayStore) -> None:
    info = store.create_secret("k", {"api_key": KEY})
    with pytest.raises(AlreadyExistsError):
        store.create_secret("k", {"api_key": "other-value-123"})
    updated = store.update_secret(info.secret_id, {"api_key": "sk-new-9999999999"}, {}, "bob")
    assert updated.masked_values == {"api_key": "sk-...9999"}
    assert updated.last_updated_by == "bob" and updated.created_at == info.created_at
    assert store.secret_values(info.secret_id) == {"api_key": "sk-new-9999999999"}
    definition = store.create_model_definition("m", "openai", "gpt", info.secret_id)
    store.delete_secret(info.secret_id)
    with pytest.raises(NotFoundError):
        store.get_secret(info.secret_id)
    with pytest.raises(NotFoundError):
        store.secret_values(info.secret_id)
    assert store.get_model_definition(definition.model_definition_id).secret_id is None
    with pytest.raises(NotFoundError):
        store.delete_secret(info.secret_id)
    with pytest.raises(InvalidArgumentError):
        store.get_secret()
    with pytest.raises(InvalidArgumentError):
        store.get_secret("s-1", "k")


def test_model_definitions(store: GatewayStore) -> None:
    secret_id, one, two = _setup(store)
    found = store.get_model_definition(one)
    assert found.secret_name == "openai-key" and found.model_name == "gpt-4.1-mini"
    assert [d.name for d in store.list_model_definitions()] == ["gpt", "gpt-big"]
    assert store.list_model_definitions(provider="anthropic") == []
    assert len(store.list_model_definitions(secret_id=secret_id)) == 2
    renamed = store.update_model_definition(one, name="gpt-small", model_name="gpt-4.1-nano")
    assert (renamed.name, renamed.model_name) == ("gpt-small", "gpt-4.1-nano")
    with pytest.raises(AlreadyExistsError):
        store.update_model_definition(one, name="gpt-big")
    with pytest.raises(NotFoundError):
        store.create_model_definition("x", "openai", "gpt", "s-missing")
    store.create_endpoint("chat", [ModelConfig(one)])
    with pytest.raises(FailedPreconditionError):
        store.delete_model_definition(one)
    store.delete_model_definition(two)
    with pytest.raises(NotFoundError):
        store.get_model_definition(two)


def test_endpoint_with_split_fallback_tags(store: GatewayStore) -> None:
    _, one, two = _setup(store)
    endpoint = store.create_endpoint(
        "chat",
        [
            ModelConfig(one, "PRIMARY", 3.0),
            ModelConfig(two, "PRIMARY", 1.0),
            ModelConfig(two, "FALLBACK", 1.0, 0),
        ],
        routing_strategy="REQUEST_BASED_TRAFFIC_SPLIT",
        fallback_strategy="SEQUENTIAL",
        fallback_max_attempts=2,
        experiment_id="0",
        options={"timeout_s": 30, "limits": [{"scope": "key", "requests_per_minute": 60}]},
        created_by="ann",
    )
    assert endpoint.endpoint_id.startswith("e-")
    assert [(m.linkage_type, m.weight) for m in endpoint.model_mappings] == [
        ("PRIMARY", 3.0),
        ("PRIMARY", 1.0),
        ("FALLBACK", 1.0),
    ] or sorted((m.linkage_type, m.weight) for m in endpoint.model_mappings) == [
        ("FALLBACK", 1.0),
        ("PRIMARY", 1.0),
        ("PRIMARY", 3.0),
    ]
    wire = endpoint.to_dict()
    assert wire["fallback_config"] == {"strategy": "SEQUENTIAL", "max_attempts": 2}
    assert wire["routing_strategy"] == "REQUEST_BASED_TRAFFIC_SPLIT"
    assert endpoint.options["limits"] == [{"scope": "key", "requests_per_minute": 60}]
    assert store.get_endpoint(name="chat") == endpoint
    store.set_endpoint_tag(endpoint.endpoint_id, "team", "search")
    store.set_endpoint_tag(endpoint.endpoint_id, "team", "ads")
    assert store.get_endpoint(endpoint.endpoint_id).tags == {"team": "ads"}
    store.delete_endpoint_tag(endpoint.endpoint_id, "team")
    assert store.get_endpoint(endpoint.endpoint_id).tags == {}
    updated = store.update_endpoint(
        endpoint.endpoint_id, name="chat2", model_configs=[ModelConfig(two)], usage_tracking=False
    )
    assert updated.name == "chat2" and not updated.usage_tracking
    assert [m.model_definition.model_definition_id for m in updated.model_mappings] == [two]
    assert updated.fallback_max_attempts == 2  # kept
    mapping = store.attach_model(endpoint.endpoint_id, ModelConfig(one, "FALLBACK", 1.0, 1))
    assert mapping.mapping_id.startswith("m-") and mapping.fallback_order == 1
    with pytest.raises(AlreadyExistsError):
        store.attach_model(endpoint.endpoint_id, ModelConfig(one, "FALLBACK"))
    store.detach_model(endpoint.endpoint_id, one)
    with pytest.raises(NotFoundError):
        store.detach_model(endpoint.endpoint_id, one)
    assert [e.name for e in store.list_endpoints()] == ["chat2"]
    assert store.list_endpoints(provider="anthropic") == []
    store.delete_endpoint(endpoint.endpoint_id)
    with pytest.raises(NotFoundError):
        store.get_endpoint(endpoint.endpoint_id)
    store.delete_model_definition(one)  # no longer mapped


def test_bindings(store: GatewayStore) -> None:
    _, one, _ = _setup(store)
    endpoint = store.create_endpoint("chat", [ModelConfig(one)])
    binding = store.create_binding(endpoint.endpoint_id, "scorer", "sc-1", "ann")
    assert binding.to_dict()["resource_id"] == "sc-1"
    with pytest.raises(AlreadyExistsError):
        store.create_binding(endpoint.endpoint_id, "scorer", "sc-1")
    assert store.list_bindings(resource_type="scorer") == [binding]
    assert store.list_bindings(resource_id="other") == []
    store.delete_binding(endpoint.endpoint_id, "scorer", "sc-1")
    with pytest.raises(NotFoundError):
        store.delete_binding(endpoint.endpoint_id, "scorer", "sc-1")


def test_budgets(store: GatewayStore) -> None:
    policy = store.create_budget_policy(
        100.0, "DAYS", 1, "ENDPOINT", "REJECT", target_value="e-1", created_by="ann"
    )
    assert policy.budget_policy_id.startswith("bp-")
    assert policy.to_dict()["duration"] == {"unit": "DAYS", "value": 1}
    glob = store.create_budget_policy(5, "MONTHS", 1, "GLOBAL", "ALERT", target_value="dropped")
    assert glob.target_value is None
    with pytest.raises(InvalidArgumentError, match="target_value"):
        store.create_budget_policy(5, "DAYS", 1, "USER", "ALERT")
    changed = store.update_budget_policy(policy.budget_policy_id, budget_amount=50.0)
    assert changed.budget_amount == 50.0 and changed.target_value == "e-1"
    with pytest.raises(InvalidArgumentError):
        store.update_budget_policy(policy.budget_policy_id, target_scope="USER", target_value="")
    page = store.list_budget_policies(max_results=1)
    assert len(page) == 1 and page.token
    rest = store.list_budget_policies(max_results=1, page_token=page.token)
    assert {p.budget_policy_id for p in [*page, *rest]} == {
        policy.budget_policy_id,
        glob.budget_policy_id,
    }
    store.delete_budget_policy(glob.budget_policy_id)
    with pytest.raises(NotFoundError):
        store.get_budget_policy(glob.budget_policy_id)


def test_guardrails(store: GatewayStore) -> None:
    _, one, _ = _setup(store)
    endpoint = store.create_endpoint("chat", [ModelConfig(one)]).endpoint_id
    pii = store.create_guardrail("pii", "sc-1", "BEFORE", "SANITIZATION", scorer_version=2)
    tox = store.create_guardrail("toxicity", "sc-2", "AFTER", "VALIDATION")
    assert pii.guardrail_id.startswith("gr-")
    assert pii.to_dict()["scorer"] == {"scorer_id": "sc-1", "scorer_version": 2}
    with pytest.raises(AlreadyExistsError):
        store.create_guardrail("pii", "sc-1", "BEFORE", "VALIDATION")
    store.add_guardrail_to_endpoint(endpoint, tox.guardrail_id, 2)
    store.add_guardrail_to_endpoint(endpoint, pii.guardrail_id, 1)
    with pytest.raises(AlreadyExistsError):
        store.add_guardrail_to_endpoint(endpoint, pii.guardrail_id, 3)
    order = [c.guardrail.name for c in store.list_endpoint_guardrails(endpoint)]
    assert order == ["pii", "toxicity"]
    moved = store.update_endpoint_guardrail(endpoint, pii.guardrail_id, 5)
    assert moved.execution_order == 5
    assert [c.guardrail.name for c in store.list_endpoint_guardrails(endpoint)] == [
        "toxicity",
        "pii",
    ]
    store.remove_guardrail_from_endpoint(endpoint, tox.guardrail_id)
    with pytest.raises(NotFoundError):
        store.remove_guardrail_from_endpoint(endpoint, tox.guardrail_id)
    store.delete_guardrail(pii.guardrail_id)
    assert store.list_endpoint_guardrails(endpoint) == []
    assert [g.name for g in store.list_guardrails()] == ["toxicity"]


def test_a_pattern_guardrail_keeps_its_config(store: GatewayStore) -> None:
    config = {"patterns": {"ticket": "TCK-[0-9]+"}, "pii": ["email"]}
    made = store.create_guardrail("p", "ardea:patterns", "BEFORE", "VALIDATION", config=config)
    assert made.config == config and made.to_dict()["config"] == config
    assert store.get_guardrail(made.guardrail_id).config == config
    assert store.create_guardrail("s", "sc-1", "BEFORE", "VALIDATION").config is None
    changed = store.set_guardrail_config(made.guardrail_id, {"pii": ["phone"]}, "ann")
    assert changed.config == {"pii": ["phone"]} and changed.last_updated_by == "ann"
    assert [g.config for g in store.list_guardrails()] == [{"pii": ["phone"]}, None]
    with pytest.raises(NotFoundError):
        store.set_guardrail_config("gr-missing", {"pii": ["phone"]})


BAD: list[Callable[[GatewayStore, str, str], Any]] = [
    lambda s, sid, d: s.create_secret("", {"api_key": "x"}),
    lambda s, sid, d: s.create_secret("n", {}),
    lambda s, sid, d: s.create_secret("n", {"api_key": 5}),
    lambda s, sid, d: s.create_secret("n", {"api_key": "x"}, auth_config={"api_base": "ftp://x"}),
    lambda s, sid, d: s.create_secret(
        "n", {"api_key": "x"}, auth_config={"api_base": "http://127.0.0.1:8000"}
    ),
    lambda s, sid, d: s.create_secret("n", {"api_key": "x"}, auth_config={"k": [1]}),
    lambda s, sid, d: s.update_secret(sid, auth_config={"base_url": "http://10.0.0.1/v1"}),
    lambda s, sid, d: s.create_model_definition("m", "bad provider", "x"),
    lambda s, sid, d: s.create_endpoint("bad name!", [ModelConfig(d)]),
    lambda s, sid, d: s.create_endpoint("e", []),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d, "FALLBACK")]),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d, "SIDEWAYS")]),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d, weight=0)]),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d, weight=float("nan"))]),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig("d-missing")]),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d)], fallback_max_attempts=0),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d)], experiment_id="abc"),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d)], endpoint_type="llm/v2/x"),
    lambda s, sid, d: s.create_endpoint("e", [ModelConfig(d)], options={"speed": 1}),
    lambda s, sid, d: s.create_endpoint(
        "e", [ModelConfig(d)], options={"limits": [{"scope": "key"}]}
    ),
    lambda s, sid, d: s.create_budget_policy(-1, "DAYS", 1, "GLOBAL", "ALERT"),
    lambda s, sid, d: s.create_budget_policy(1, "YEARS", 1, "GLOBAL", "ALERT"),
    lambda s, sid, d: s.create_guardrail("g", "sc", "DURING", "VALIDATION"),
    lambda s, sid, d: s.create_guardrail(
        "g", "sc", "BEFORE", "VALIDATION", action_endpoint_id="e-x"
    ),
    lambda s, sid, d: s.list_guardrails(max_results=0),
]


@pytest.mark.parametrize("call", BAD)
def test_bad_input_stores_nothing(
    store: GatewayStore,
    call: Callable[[GatewayStore, str, str], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", raising=False)
    secret_id, one, _ = _setup(store)
    before = _snapshot(store)
    with pytest.raises(ArdeaError) as caught:
        call(store, secret_id, one)
    assert isinstance(caught.value, (InvalidArgumentError, NotFoundError))
    assert _snapshot(store) == before


def test_private_upstreams_allowed_by_env(
    store: GatewayStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARDEA_GATEWAY_ALLOW_PRIVATE_UPSTREAMS", "1")
    info = store.create_secret(
        "local", {"api_key": "x"}, "ollama", {"api_base": "http://127.0.0.1:11434"}
    )
    assert info.auth_config["api_base"] == "http://127.0.0.1:11434"


def test_kek_rotation_rewraps_every_secret(sql_backend: Backend) -> None:
    db = sql_backend.tracking.database  # type: ignore[attr-defined]
    old = SqlGatewayStore(db, EnvelopeCipher(KeyRing.of("old key")))
    ids = [old.create_secret(f"k{i}", {"api_key": f"{KEY}{i}"}).secret_id for i in range(3)]
    team = sql_backend.workspaces.create_workspace("team")
    del team
    other = SqlGatewayStore(
        db,
        old.cipher,
        WorkspaceScope("team"),
    )
    other_id = other.create_secret("k", {"api_key": KEY}).secret_id
    both = SqlGatewayStore(db, EnvelopeCipher(KeyRing.of("new key", "old key")))
    assert both.secret_values(ids[0]) == {"api_key": f"{KEY}0"}  # readable mid-rotation
    assert both.rotate_kek() == 3  # this workspace's
    assert both.rotate_kek() == 0
    team_both = SqlGatewayStore(db, both.cipher, WorkspaceScope("team"))
    with pytest.raises(InvalidArgumentError):
        SqlGatewayStore(
            db, EnvelopeCipher(KeyRing.of("new key")), WorkspaceScope("team")
        ).secret_values(other_id)
    assert team_both.rotate_kek() == 1
    new_only = SqlGatewayStore(db, EnvelopeCipher(KeyRing.of("new key")))
    assert [new_only.secret_values(i) for i in ids] == [{"api_key": f"{KEY}{i}"} for i in range(3)]
    team_new = SqlGatewayStore(db, new_only.cipher, WorkspaceScope("team"))
    assert team_new.secret_values(other_id) == {"api_key": KEY}
    with pytest.raises(InvalidArgumentError):
        old.secret_values(ids[0])


def test_workspaces_are_isolated(sql_backend: Backend) -> None:
    sql_backend.workspaces.create_workspace("team")
    team = sql_backend.scoped("team").gateway
    mine = sql_backend.gateway
    secret_id, one, _ = _setup(mine)
    endpoint = mine.create_endpoint("chat", [ModelConfig(one)])
    assert team.list_secrets() == [] and team.list_endpoints() == []
    for call in (
        lambda: team.get_secret(secret_id),
        lambda: team.secret_values(secret_id),
        lambda: team.get_model_definition(one),
        lambda: team.get_endpoint(endpoint.endpoint_id),
        lambda: team.delete_endpoint(endpoint.endpoint_id),
        lambda: team.create_endpoint("x", [ModelConfig(one)]),
        lambda: team.create_model_definition("x", "openai", "m", secret_id),
    ):
        with pytest.raises(NotFoundError):
            call()
    team_secret = team.create_secret("openai-key", {"api_key": KEY})  # same name, other workspace
    assert team_secret.secret_id != secret_id
    assert mine.get_endpoint(endpoint.endpoint_id) == endpoint


def test_generation_moves_on_writes(sql_backend: Backend) -> None:
    store = sql_backend.gateway
    before = store.generation
    store.create_secret("k", {"api_key": KEY})
    assert store.generation != before
    sql_backend.workspaces.create_workspace("team")
    after = store.generation
    sql_backend.scoped("team").gateway.create_secret("k", {"api_key": KEY})
    assert store.generation != after  # shared across workspaces


def _fill(store: GatewayStore) -> None:
    _, one, _ = _setup(store)
    endpoint = store.create_endpoint("chat", [ModelConfig(one)]).endpoint_id
    store.set_endpoint_tag(endpoint, "k", "v")
    store.create_binding(endpoint, "scorer", "sc-1")
    guard = store.create_guardrail("pii", "sc-1", "BEFORE", "VALIDATION").guardrail_id
    store.add_guardrail_to_endpoint(endpoint, guard, 1)
    store.create_budget_policy(1.0, "DAYS", 1, "GLOBAL", "ALERT")


def test_deleting_a_workspace_takes_its_gateway_along(sql_backend: Backend) -> None:
    from ardea.entities.workspace import WorkspaceDeletionMode

    for name in ("gone", "moved", "kept"):
        sql_backend.workspaces.create_workspace(name)
        _fill(sql_backend.scoped(name).gateway)
    with pytest.raises(FailedPreconditionError):
        sql_backend.workspaces.delete_workspace("kept")  # RESTRICT: not empty
    sql_backend.workspaces.delete_workspace("gone", WorkspaceDeletionMode.CASCADE)
    assert _snapshot(sql_backend.scoped("kept").gateway) != ([], [], [], [], [])
    sql_backend.workspaces.delete_workspace("moved", WorkspaceDeletionMode.SET_DEFAULT)
    moved = sql_backend.gateway
    assert [e.name for e in moved.list_endpoints()] == ["chat"]
    assert [g.name for g in moved.list_guardrails()] == ["pii"]
    _fill_conflict = sql_backend.scoped("kept").gateway
    assert [e.name for e in _fill_conflict.list_endpoints()] == ["chat"]
    with pytest.raises(FailedPreconditionError, match="gateway_endpoints: 'chat'"):
        sql_backend.workspaces.delete_workspace("kept", WorkspaceDeletionMode.SET_DEFAULT)
