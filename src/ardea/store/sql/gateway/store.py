"""The SQL gateway store: :class:`SqlGatewayStore` on a tracking :class:`Database`.

Top-level rows are written through the store's :class:`WorkspaceScope`; an endpoint's
children (mappings, tags, bindings, guardrail links) are touched only after the endpoint was
found in the scope. Credentials are encrypted with an
:class:`~ardea._core.envelope.EnvelopeCipher` (shared by every workspace's store of the
database) before they reach SQL, bound to their secret id; the plaintext never leaves
:meth:`SqlGatewayStore.secret_values`. Provider URLs in ``auth_config`` pass the SSRF
guard (:func:`ardea._core.net.guard.check_upstream_url`).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.envelope import EnvelopeCipher
from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from ardea._core.ids import now_ms
from ardea.entities.gateway import (
    EndpointBinding,
    GatewayEndpoint,
    GatewayModelDefinition,
    GatewaySecretInfo,
    ModelConfig,
    ModelMapping,
    mask_values,
    new_id,
)
from ardea.store.gateway import GatewayStore
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.auth.common import is_unique_violation
from ardea.store.sql.gateway import checks as ck
from ardea.store.sql.gateway import rows as rw
from ardea.store.sql.gateway.policies import PolicyMixin
from ardea.store.sql.gateway.tables import (
    endpoint_bindings,
    endpoint_guardrails,
    endpoint_tags,
    model_mappings,
)
from ardea.store.sql.webhooks.store import key_file_for_database

__all__ = ["Generation", "SqlGatewayStore", "cipher_for_gateway"]

T = TypeVar("T")
_MAX_PAGE = 1000


class Generation:
    """A counter shared by the gateway stores of one database in this process."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._value = 0
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        """The current number."""
        return self._value

    def bump(self) -> None:
        """Move the number (after a write)."""
        with self._lock:
            self._value = next(self._counter)


def cipher_for_gateway(database: Database) -> EnvelopeCipher:
    """The credentials cipher of ``database``: env keys, the SQLite key file, or ephemeral."""
    return EnvelopeCipher(key_file=key_file_for_database(database), ephemeral=database.memory)


def _json(value: Any) -> str | None:
    return orjson.dumps(value).decode() if value else None


def _runner(statement: sa.Update) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        conn.execute(statement)

    return run


def _one_of(a_name: str, a: object, b_name: str, b: object) -> None:
    if (a is None) == (b is None):
        raise InvalidArgumentError(f"Exactly one of {a_name} or {b_name} must be provided")


class SqlGatewayStore(PolicyMixin, GatewayStore):
    """Gateway configuration in a SQL database.

    Args:
        database: An open database at the current schema (the backend closes it).
        cipher: Encrypts credentials; default :func:`cipher_for_gateway`.
        scope: The workspace the store sees (``default`` when omitted).
        generation: The write counter shared with the database's other gateway stores.
    """

    def __init__(
        self,
        database: Database,
        cipher: EnvelopeCipher | None = None,
        scope: WorkspaceScope = DEFAULT_SCOPE,
        generation: Generation | None = None,
    ) -> None:
        self._db = database
        self._cipher = cipher if cipher is not None else cipher_for_gateway(database)
        self._scope = scope
        self._generation = generation if generation is not None else Generation()

    @property
    def database(self) -> Database:
        """The underlying database (the gateway's limit counters share it)."""
        return self._db

    def __repr__(self) -> str:
        return f"SqlGatewayStore({self._db.url.split('@')[-1]!r}, {self._scope.name!r})"

    @property
    def cipher(self) -> EnvelopeCipher:
        """The credentials cipher (shared by every workspace's store)."""
        return self._cipher

    @property
    def shared_generation(self) -> Generation:
        """The write counter (shared by every workspace's store)."""
        return self._generation

    @property
    def generation(self) -> int:
        """A number that moves after every write through this process's gateway stores."""
        return self._generation.value

    @property
    def workspace(self) -> str:
        """The workspace this store sees."""
        return self._scope.name

    def _write(self, op: Callable[[Connection], T], conflict: str | None = None) -> T:
        try:
            return self._db.write(op)
        except sa.exc.IntegrityError as exc:
            if conflict is not None and is_unique_violation(exc):
                raise AlreadyExistsError(conflict) from None
            raise
        finally:
            self._generation.bump()

    # -- secrets ------------------------------------------------------------------------------

    def _secret_row(self, conn: Connection, secret_id: str | None, name: str | None) -> Any:
        s = self._scope.table("gateway_secrets")
        cols = [s.c[c] for c in rw.SECRET_PUBLIC]
        where = s.c.secret_id == secret_id if secret_id is not None else s.c.secret_name == name
        row = conn.execute(sa.select(*cols).where(where)).first()
        if row is None:
            shown = secret_id if secret_id is not None else f"named '{name}'"
            raise NotFoundError(f"GatewaySecret {shown} not found")
        return row

    def create_secret(
        self,
        secret_name: str,
        secret_value: Mapping[str, str],
        provider: str | None = None,
        auth_config: Mapping[str, Any] | None = None,
        created_by: str | None = None,
    ) -> GatewaySecretInfo:
        """Store new credentials, encrypted (see the class doc)."""
        name = ck.check_name(secret_name, "secret_name")
        values = ck.check_secret_value(secret_value)
        if provider is not None:
            ck.check_provider(provider)
        config = ck.check_auth_config(auth_config)
        secret_id = new_id("s")
        record = self._cipher.encrypt(orjson.dumps(values).decode(), secret_id)
        kek_id = record.split(".")[1]
        now = now_ms()
        scope = self._scope

        def op(conn: Connection) -> GatewaySecretInfo:
            conn.execute(
                scope.insert("gateway_secrets").values(
                    secret_id=secret_id,
                    secret_name=name,
                    encrypted_value=record,
                    kek_id=kek_id,
                    masked_value=orjson.dumps(mask_values(values)).decode(),
                    provider=provider,
                    auth_config=_json(config),
                    created_at=now,
                    last_updated_at=now,
                    created_by=created_by,
                    last_updated_by=created_by,
                )
            )
            return rw.secret_of(self._secret_row(conn, secret_id, None))

        return self._write(op, f"Secret with name '{name}' already exists")

    def get_secret(
        self, secret_id: str | None = None, secret_name: str | None = None
    ) -> GatewaySecretInfo:
        """One secret's metadata, by id or name."""
        _one_of("secret_id", secret_id, "secret_name", secret_name)
        if secret_id is not None:
            ck.check_id(secret_id, "secret_id")
        return self._db.read(
            lambda conn: rw.secret_of(self._secret_row(conn, secret_id, secret_name))
        )

    def update_secret(
        self,
        secret_id: str,
        secret_value: Mapping[str, str] | None = None,
        auth_config: Mapping[str, Any] | None = None,
        updated_by: str | None = None,
    ) -> GatewaySecretInfo:
        """Replace the values and/or the auth config."""
        ck.check_id(secret_id, "secret_id")
        values: dict[str, Any] = {"last_updated_at": now_ms(), "last_updated_by": updated_by}
        if secret_value is not None:
            plain = ck.check_secret_value(secret_value)
            record = self._cipher.encrypt(orjson.dumps(plain).decode(), secret_id)
            values.update(
                encrypted_value=record,
                kek_id=record.split(".")[1],
                masked_value=orjson.dumps(mask_values(plain)).decode(),
            )
        if auth_config is not None:
            values["auth_config"] = _json(ck.check_auth_config(auth_config))
        scope = self._scope

        def op(conn: Connection) -> GatewaySecretInfo:
            done = conn.execute(
                scope.update("gateway_secrets", secret_id=secret_id).values(**values)
            )
            if done.rowcount == 0:
                raise NotFoundError(f"GatewaySecret {secret_id} not found")
            return rw.secret_of(self._secret_row(conn, secret_id, None))

        return self._write(op)

    def delete_secret(self, secret_id: str) -> None:
        """Delete a secret; definitions using it keep no secret."""
        ck.check_id(secret_id, "secret_id")
        scope = self._scope

        def op(conn: Connection) -> None:
            self._secret_row(conn, secret_id, None)
            conn.execute(
                scope.update("gateway_model_definitions", secret_id=secret_id).values(
                    secret_id=None
                )
            )
            conn.execute(scope.delete("gateway_secrets", secret_id=secret_id))

        self._write(op)

    def list_secrets(self, provider: str | None = None) -> list[GatewaySecretInfo]:
        """Every secret of the workspace by name."""
        s = self._scope.table("gateway_secrets")
        query = sa.select(*[s.c[c] for c in rw.SECRET_PUBLIC]).order_by(s.c.secret_name)
        readable = visibility_condition("gateway_secret", s.c.secret_id)  # a caller's list
        if readable is not None:
            query = query.where(readable)
        if provider:
            query = query.where(s.c.provider == provider)
        return self._db.read(lambda conn: [rw.secret_of(r) for r in conn.execute(query)])

    def secret_values(self, secret_id: str) -> dict[str, str]:
        """The decrypted credentials (TamperedError if the record does not decrypt)."""
        ck.check_id(secret_id, "secret_id")
        s = self._scope.table("gateway_secrets")
        query = sa.select(s.c.encrypted_value).where(s.c.secret_id == secret_id)
        record = self._db.read(lambda conn: conn.execute(query).scalar())
        if record is None:
            raise NotFoundError(f"GatewaySecret {secret_id} not found")
        found: dict[str, str] = orjson.loads(self._cipher.decrypt(record, secret_id))
        return found

    def rotate_kek(self) -> int:
        """Re-wrap the data key of every secret of this workspace under the current KEK."""
        current = self._cipher.ring.current.kek_id
        table, mine = self._scope.base("gateway_secrets")
        query = sa.select(table.c.secret_id, table.c.encrypted_value).where(
            mine, table.c.kek_id != current
        )
        rows = self._db.read(lambda conn: conn.execute(query).all())
        for secret_id, record in rows:
            moved = self._cipher.rewrap(record)
            # Only if nobody changed the row meanwhile (a concurrent update wins).
            change = (
                table.update()
                .where(mine, table.c.secret_id == secret_id, table.c.encrypted_value == record)
                .values(encrypted_value=moved, kek_id=current)
            )
            self._write(_runner(change))
        return len(rows)

    # -- model definitions --------------------------------------------------------------------

    def _definition(self, conn: Connection, model_definition_id: str) -> GatewayModelDefinition:
        found = rw.definitions_by_id(conn, self._scope, [model_definition_id])
        if model_definition_id not in found:
            raise NotFoundError(f"GatewayModelDefinition {model_definition_id} not found")
        return found[model_definition_id]

    def create_model_definition(
        self,
        name: str,
        provider: str,
        model_name: str,
        secret_id: str | None = None,
        created_by: str | None = None,
    ) -> GatewayModelDefinition:
        """A new model definition."""
        ck.check_name(name, "name")
        ck.check_provider(provider)
        ck.check_name(model_name, "model_name")
        if secret_id is not None:
            ck.check_id(secret_id, "secret_id")
        definition_id = new_id("d")
        now = now_ms()
        scope = self._scope

        def op(conn: Connection) -> GatewayModelDefinition:
            if secret_id is not None:
                self._secret_row(conn, secret_id, None)
            conn.execute(
                scope.insert("gateway_model_definitions").values(
                    model_definition_id=definition_id,
                    name=name,
                    secret_id=secret_id,
                    provider=provider,
                    model_name=model_name,
                    created_at=now,
                    last_updated_at=now,
                    created_by=created_by,
                    last_updated_by=created_by,
                )
            )
            return self._definition(conn, definition_id)

        return self._write(op, f"Model definition with name '{name}' already exists")

    def get_model_definition(self, model_definition_id: str) -> GatewayModelDefinition:
        """One model definition."""
        ck.check_id(model_definition_id, "model_definition_id")
        return self._db.read(lambda conn: self._definition(conn, model_definition_id))

    def list_model_definitions(
        self, provider: str | None = None, secret_id: str | None = None
    ) -> list[GatewayModelDefinition]:
        """Model definitions by name."""
        d = self._scope.table("gateway_model_definitions")
        readable = visibility_condition("gateway_model_definition", d.c.model_definition_id)
        found = self._db.read(lambda conn: rw.definitions_by_id(conn, self._scope, where=readable))
        return [
            d
            for d in found.values()
            if (not provider or d.provider == provider)
            and (not secret_id or d.secret_id == secret_id)
        ]

    def update_model_definition(
        self,
        model_definition_id: str,
        name: str | None = None,
        secret_id: str | None = None,
        model_name: str | None = None,
        provider: str | None = None,
        updated_by: str | None = None,
    ) -> GatewayModelDefinition:
        """Change the given fields."""
        ck.check_id(model_definition_id, "model_definition_id")
        values: dict[str, Any] = {"last_updated_at": now_ms(), "last_updated_by": updated_by}
        if name is not None:
            values["name"] = ck.check_name(name, "name")
        if model_name is not None:
            values["model_name"] = ck.check_name(model_name, "model_name")
        if provider is not None:
            values["provider"] = ck.check_provider(provider)
        if secret_id is not None:
            values["secret_id"] = ck.check_id(secret_id, "secret_id")
        scope = self._scope

        def op(conn: Connection) -> GatewayModelDefinition:
            self._definition(conn, model_definition_id)
            if secret_id is not None:
                self._secret_row(conn, secret_id, None)
            conn.execute(
                scope.update(
                    "gateway_model_definitions", model_definition_id=model_definition_id
                ).values(**values)
            )
            return self._definition(conn, model_definition_id)

        return self._write(op, f"Model definition with name '{name}' already exists")

    def delete_model_definition(self, model_definition_id: str) -> None:
        """Delete a definition that no endpoint maps."""
        ck.check_id(model_definition_id, "model_definition_id")
        scope = self._scope

        def op(conn: Connection) -> None:
            self._definition(conn, model_definition_id)
            used = conn.execute(
                sa.select(sa.func.count())
                .select_from(model_mappings)
                .where(model_mappings.c.model_definition_id == model_definition_id)
            ).scalar_one()
            if used:
                raise FailedPreconditionError(
                    "Cannot delete model definition that is currently in use by endpoints. "
                    "Detach it from all endpoints first."
                )
            conn.execute(
                scope.delete("gateway_model_definitions", model_definition_id=model_definition_id)
            )

        self._write(op)

    # -- endpoints ----------------------------------------------------------------------------

    def _endpoint(
        self, conn: Connection, endpoint_id: str | None, name: str | None = None
    ) -> GatewayEndpoint:
        row = rw.endpoint_row(conn, self._scope, endpoint_id, name)
        return rw.endpoints_of(conn, self._scope, [row])[0]

    def _insert_mappings(
        self,
        conn: Connection,
        endpoint_id: str,
        configs: Sequence[ModelConfig],
        created_by: str | None,
        now: int,
    ) -> list[str]:
        wanted = sorted({c.model_definition_id for c in configs})
        found = rw.definitions_by_id(conn, self._scope, wanted)
        missing = [i for i in wanted if i not in found]
        if missing:
            raise NotFoundError(f"Model definitions not found: {', '.join(missing)}")
        ids = [new_id("m") for _ in configs]
        if configs:
            conn.execute(
                model_mappings.insert(),
                [
                    {
                        "mapping_id": mapping_id,
                        "endpoint_id": endpoint_id,
                        "model_definition_id": c.model_definition_id,
                        "weight": float(c.weight),
                        "linkage_type": c.linkage_type,
                        "fallback_order": c.fallback_order,
                        "created_at": now,
                        "created_by": created_by,
                    }
                    for mapping_id, c in zip(ids, configs, strict=True)
                ],
            )
        return ids

    def create_endpoint(
        self,
        name: str,
        model_configs: Sequence[ModelConfig],
        *,
        endpoint_type: str = "llm/v1/chat",
        routing_strategy: str | None = None,
        fallback_strategy: str | None = None,
        fallback_max_attempts: int | None = None,
        experiment_id: str | None = None,
        usage_tracking: bool = True,
        options: Mapping[str, Any] | None = None,
        created_by: str | None = None,
    ) -> GatewayEndpoint:
        """A new endpoint mapping existing model definitions."""
        ck.check_endpoint_name(name)
        if not model_configs:
            raise InvalidArgumentError("Endpoint must have at least one model configuration")
        ck.check_model_configs(model_configs, need_primary=True)
        ck.check_choice(endpoint_type, "endpoint_type", ck.ENDPOINT_TYPES)
        if routing_strategy is not None:
            ck.check_choice(routing_strategy, "routing_strategy", ("REQUEST_BASED_TRAFFIC_SPLIT",))
        ck.check_fallback(fallback_strategy, fallback_max_attempts)
        experiment = ck.check_experiment_id(experiment_id)
        if not isinstance(usage_tracking, bool):
            raise InvalidArgumentError("'usage_tracking' must be a boolean")
        opts = ck.check_options(options)
        endpoint_id = new_id("e")
        now = now_ms()
        fallback = {
            k: v
            for k, v in (("strategy", fallback_strategy), ("max_attempts", fallback_max_attempts))
            if v is not None
        }
        scope = self._scope

        def op(conn: Connection) -> GatewayEndpoint:
            conn.execute(
                scope.insert("gateway_endpoints").values(
                    endpoint_id=endpoint_id,
                    name=name,
                    endpoint_type=endpoint_type,
                    routing_strategy=routing_strategy,
                    fallback_config=_json(fallback),
                    experiment_id=experiment,
                    usage_tracking=usage_tracking,
                    options=_json(opts),
                    created_at=now,
                    last_updated_at=now,
                    created_by=created_by,
                    last_updated_by=created_by,
                )
            )
            self._insert_mappings(conn, endpoint_id, model_configs, created_by, now)
            return self._endpoint(conn, endpoint_id)

        return self._write(op, f"Endpoint with name '{name}' already exists")

    def get_endpoint(
        self, endpoint_id: str | None = None, name: str | None = None
    ) -> GatewayEndpoint:
        """One endpoint, by id or name."""
        _one_of("endpoint_id", endpoint_id, "name", name)
        if endpoint_id is not None:
            ck.check_id(endpoint_id, "endpoint_id")
        return self._db.read(lambda conn: self._endpoint(conn, endpoint_id, name))

    def list_endpoints(
        self, provider: str | None = None, secret_id: str | None = None
    ) -> list[GatewayEndpoint]:
        """Endpoints by name."""
        e = self._scope.table("gateway_endpoints")

        readable = visibility_condition("gateway_endpoint", e.c.endpoint_id)  # a caller's list

        def op(conn: Connection) -> list[GatewayEndpoint]:
            query = sa.select(e).order_by(e.c.name)
            rows = conn.execute(query if readable is None else query.where(readable)).all()
            return rw.endpoints_of(conn, self._scope, rows)

        found = self._db.read(op)
        return [
            ep
            for ep in found
            if (
                not provider
                or any(m.model_definition.provider == provider for m in ep.model_mappings)
            )
            and (
                not secret_id
                or any(m.model_definition.secret_id == secret_id for m in ep.model_mappings)
            )
        ]

    def update_endpoint(
        self,
        endpoint_id: str,
        *,
        name: str | None = None,
        model_configs: Sequence[ModelConfig] | None = None,
        routing_strategy: str | None = None,
        fallback_strategy: str | None = None,
        fallback_max_attempts: int | None = None,
        experiment_id: str | None = None,
        usage_tracking: bool | None = None,
        options: Mapping[str, Any] | None = None,
        updated_by: str | None = None,
    ) -> GatewayEndpoint:
        """Change the given fields; ``model_configs`` replaces every mapping."""
        ck.check_id(endpoint_id, "endpoint_id")
        values: dict[str, Any] = {"last_updated_at": now_ms(), "last_updated_by": updated_by}
        if name is not None:
            values["name"] = ck.check_endpoint_name(name)
        if model_configs is not None:
            if not model_configs:
                raise InvalidArgumentError("Endpoint must have at least one model configuration")
            ck.check_model_configs(model_configs, need_primary=True)
        if routing_strategy is not None:
            values["routing_strategy"] = ck.check_choice(
                routing_strategy, "routing_strategy", ("REQUEST_BASED_TRAFFIC_SPLIT",)
            )
        ck.check_fallback(fallback_strategy, fallback_max_attempts)
        if experiment_id is not None:
            values["experiment_id"] = ck.check_experiment_id(experiment_id)
        if usage_tracking is not None:
            if not isinstance(usage_tracking, bool):
                raise InvalidArgumentError("'usage_tracking' must be a boolean")
            values["usage_tracking"] = usage_tracking
        if options is not None:
            values["options"] = _json(ck.check_options(options))
        scope = self._scope

        def op(conn: Connection) -> GatewayEndpoint:
            current = self._endpoint(conn, endpoint_id)
            if fallback_strategy is not None or fallback_max_attempts is not None:
                fallback = {
                    "strategy": fallback_strategy or current.fallback_strategy,
                    "max_attempts": fallback_max_attempts
                    if fallback_max_attempts is not None
                    else current.fallback_max_attempts,
                }
                values["fallback_config"] = _json(
                    {k: v for k, v in fallback.items() if v is not None}
                )
            conn.execute(
                scope.update("gateway_endpoints", endpoint_id=endpoint_id).values(**values)
            )
            if model_configs is not None:
                conn.execute(
                    model_mappings.delete().where(model_mappings.c.endpoint_id == endpoint_id)
                )
                self._insert_mappings(
                    conn, endpoint_id, model_configs, updated_by, values["last_updated_at"]
                )
            return self._endpoint(conn, endpoint_id)

        return self._write(op, f"Endpoint with name '{name}' already exists")

    def delete_endpoint(self, endpoint_id: str) -> None:
        """Delete an endpoint and what hangs off it."""
        ck.check_id(endpoint_id, "endpoint_id")
        scope = self._scope

        def op(conn: Connection) -> None:
            rw.endpoint_row(conn, scope, endpoint_id)
            for child in (model_mappings, endpoint_tags, endpoint_bindings, endpoint_guardrails):
                conn.execute(child.delete().where(child.c.endpoint_id == endpoint_id))
            conn.execute(scope.delete("gateway_endpoints", endpoint_id=endpoint_id))

        self._write(op)

    def _touch(self, conn: Connection, endpoint_id: str, by: str | None = None) -> None:
        conn.execute(
            self._scope.update("gateway_endpoints", endpoint_id=endpoint_id).values(
                last_updated_at=now_ms(), last_updated_by=by
            )
        )

    def attach_model(
        self, endpoint_id: str, config: ModelConfig, created_by: str | None = None
    ) -> ModelMapping:
        """Map one more definition onto an endpoint."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_model_configs([config], need_primary=False)
        now = now_ms()

        def op(conn: Connection) -> ModelMapping:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            taken = conn.execute(
                sa.select(model_mappings.c.mapping_id).where(
                    model_mappings.c.endpoint_id == endpoint_id,
                    model_mappings.c.model_definition_id == config.model_definition_id,
                    model_mappings.c.linkage_type == config.linkage_type,
                )
            ).first()
            if taken is not None:
                raise AlreadyExistsError(
                    f"Model definition {config.model_definition_id} is already attached to "
                    f"endpoint {endpoint_id} as {config.linkage_type}"
                )
            (mapping_id,) = self._insert_mappings(conn, endpoint_id, [config], created_by, now)
            self._touch(conn, endpoint_id, created_by)
            endpoint = self._endpoint(conn, endpoint_id)
            return next(m for m in endpoint.model_mappings if m.mapping_id == mapping_id)

        return self._write(op)

    def detach_model(self, endpoint_id: str, model_definition_id: str) -> None:
        """Remove a definition's mappings from an endpoint."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_id(model_definition_id, "model_definition_id")

        def op(conn: Connection) -> None:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            done = conn.execute(
                model_mappings.delete().where(
                    model_mappings.c.endpoint_id == endpoint_id,
                    model_mappings.c.model_definition_id == model_definition_id,
                )
            )
            if done.rowcount == 0:
                raise NotFoundError(
                    f"Model definition {model_definition_id} is not attached to endpoint "
                    f"{endpoint_id}"
                )
            self._touch(conn, endpoint_id)

        self._write(op)

    def set_endpoint_tag(self, endpoint_id: str, key: str, value: str) -> None:
        """Set a tag (replacing the key's value)."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_name(key, "key")
        if len(key) > 250:
            raise InvalidArgumentError("'key' must be at most 250 characters")
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError("'value' must be a string")
        if value is not None and len(value) > 5000:
            raise InvalidArgumentError("'value' must be at most 5000 characters")

        def op(conn: Connection) -> None:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            t = endpoint_tags
            conn.execute(t.delete().where(t.c.endpoint_id == endpoint_id, t.c.key == key))
            conn.execute(t.insert().values(endpoint_id=endpoint_id, key=key, value=value))

        self._write(op)

    def delete_endpoint_tag(self, endpoint_id: str, key: str) -> None:
        """Delete a tag."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_name(key, "key")

        def op(conn: Connection) -> None:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            t = endpoint_tags
            conn.execute(t.delete().where(t.c.endpoint_id == endpoint_id, t.c.key == key))

        self._write(op)

    def create_binding(
        self,
        endpoint_id: str,
        resource_type: str,
        resource_id: str,
        created_by: str | None = None,
    ) -> EndpointBinding:
        """Bind a resource to an endpoint."""
        ck.check_id(endpoint_id, "endpoint_id")
        ck.check_name(resource_type, "resource_type")
        if len(resource_type) > 50:
            raise InvalidArgumentError("'resource_type' must be at most 50 characters")
        ck.check_name(resource_id, "resource_id")
        now = now_ms()

        def op(conn: Connection) -> EndpointBinding:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            conn.execute(
                endpoint_bindings.insert().values(
                    endpoint_id=endpoint_id,
                    resource_type=resource_type,
                    resource_id=resource_id,
                    created_at=now,
                    last_updated_at=now,
                    created_by=created_by,
                    last_updated_by=created_by,
                )
            )
            return EndpointBinding(
                endpoint_id, resource_type, resource_id, now, now, created_by, created_by
            )

        return self._write(
            op, f"Endpoint {endpoint_id} is already bound to {resource_type} {resource_id}"
        )

    def delete_binding(self, endpoint_id: str, resource_type: str, resource_id: str) -> None:
        """Remove a binding."""
        ck.check_id(endpoint_id, "endpoint_id")
        b = endpoint_bindings

        def op(conn: Connection) -> None:
            rw.endpoint_row(conn, self._scope, endpoint_id)
            done = conn.execute(
                b.delete().where(
                    b.c.endpoint_id == endpoint_id,
                    b.c.resource_type == resource_type,
                    b.c.resource_id == resource_id,
                )
            )
            if done.rowcount == 0:
                raise NotFoundError(
                    f"Binding of endpoint {endpoint_id} to {resource_type} {resource_id} not found"
                )

        self._write(op)

    def list_bindings(
        self,
        endpoint_id: str | None = None,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> list[EndpointBinding]:
        """Bindings of the workspace's endpoints matching the filters."""
        b = endpoint_bindings
        e = self._scope.table("gateway_endpoints")
        query = sa.select(b).select_from(b.join(e, e.c.endpoint_id == b.c.endpoint_id))
        for column, value in (
            (b.c.endpoint_id, endpoint_id),
            (b.c.resource_type, resource_type),
            (b.c.resource_id, resource_id),
        ):
            if value:
                query = query.where(column == value)
        query = query.order_by(b.c.created_at, b.c.endpoint_id, b.c.resource_type, b.c.resource_id)
        return self._db.read(
            lambda conn: [
                EndpointBinding(
                    r.endpoint_id,
                    r.resource_type,
                    r.resource_id,
                    int(r.created_at),
                    int(r.last_updated_at),
                    r.created_by,
                    r.last_updated_by,
                    r.display_name,
                )
                for r in conn.execute(query)
            ]
        )
