"""The gateway scope of API tokens used as virtual keys (``gateway_key_scopes``)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities.gateway_keys import KeyScope
from ardea.store.sql._db.engine import Database
from ardea.store.sql.gateway_limits.tables import gateway_key_scopes as _t

__all__ = ["SqlKeyScopes"]


class SqlKeyScopes:
    """Reads and writes virtual-key scopes in the tracking database.

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def set(self, scope: KeyScope) -> None:
        """Create or replace the scope of ``scope.token_id`` (the token must exist)."""
        row = {
            "token_id": scope.token_id,
            "allowed_models": json.dumps(list(scope.allowed_models)),
            "metadata_json": json.dumps(dict(scope.metadata), sort_keys=True),
            "expires": scope.expires,
        }

        def op(conn: Connection) -> None:
            conn.execute(_t.delete().where(_t.c.token_id == scope.token_id))
            conn.execute(_t.insert(), [row])

        self._db.write(op)

    def get(self, token_id: int) -> KeyScope | None:
        """The scope of a token, or None when it is not a virtual key."""

        def op(conn: Connection) -> KeyScope | None:
            row = conn.execute(sa.select(_t).where(_t.c.token_id == token_id)).mappings().first()
            if row is None:
                return None
            return KeyScope(
                token_id=token_id,
                allowed_models=tuple(json.loads(row["allowed_models"])),
                metadata=json.loads(row["metadata_json"]),
                expires=row["expires"],
            )

        return self._db.read(op)

    def get_many(self, token_ids: list[int]) -> dict[int, KeyScope]:
        """The scopes of those of ``token_ids`` that are virtual keys, by token id."""

        def op(conn: Connection) -> dict[int, KeyScope]:
            out: dict[int, KeyScope] = {}
            for start in range(0, len(token_ids), 500):
                chunk = token_ids[start : start + 500]
                rows = conn.execute(sa.select(_t).where(_t.c.token_id.in_(chunk))).mappings()
                for row in rows:
                    out[int(row["token_id"])] = KeyScope(
                        token_id=int(row["token_id"]),
                        allowed_models=tuple(json.loads(row["allowed_models"])),
                        metadata=json.loads(row["metadata_json"]),
                        expires=row["expires"],
                    )
            return out

        return self._db.read(op) if token_ids else {}

    def delete(self, token_id: int) -> None:
        """Make the token an ordinary token again."""
        self._db.write(lambda conn: conn.execute(_t.delete().where(_t.c.token_id == token_id)))
