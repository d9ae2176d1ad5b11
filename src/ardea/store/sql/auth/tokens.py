"""API tokens and login sessions in the SQL auth store.

Both are looked up by something the client sends (a token's prefix, a cookie's SHA-256) on
every authenticated request, so each lookup is one indexed query that joins the user.
``touch_*`` writes ``last_used``/``last_seen`` only when the stored value is older than the
interval: the condition is in the ``UPDATE`` itself, so a busy token costs no extra read.
"""

from __future__ import annotations

import dataclasses
import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities.auth import Session, TokenInfo, User
from ardea.store.auth import TokenRecord
from ardea.store.sql._db.engine import Database
from ardea.store.sql.auth.common import (
    TOKEN_COLUMNS,
    check_id,
    inserted_id,
    is_unique_violation,
    token_from_row,
    user_from_row,
    user_labels,
)
from ardea.store.sql.auth.tables import sessions, tokens, users
from ardea.store.sql.auth.users import load_user

__all__ = ["SqlSessions", "SqlTokens"]

_TOKEN_KINDS = ("pat", "sa")
_PREFIX_RE = re.compile(r"[a-z0-9]{4,16}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_NAME_MAX = 255
_IP_MAX = 64
_AGENT_MAX = 512


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= _NAME_MAX or not name.isprintable():
        raise InvalidArgumentError("Invalid token name: use 1 to 255 printable characters.")
    return name


def _check_sha256(value: object, what: str) -> str:
    if not isinstance(value, str) or not _SHA256_RE.fullmatch(value):
        raise InvalidArgumentError(f"Invalid {what}: expected a hex SHA-256.")
    return value


def _token_not_found(token_id: int) -> NotFoundError:
    return NotFoundError(f"Token {token_id} not found")


def _load_token(conn: Connection, token_id: int) -> TokenInfo:
    row = conn.execute(sa.select(*TOKEN_COLUMNS).where(tokens.c.id == token_id)).first()
    if row is None:
        raise _token_not_found(token_id)
    return token_from_row(row)


def _session_from_row(row: sa.Row[tuple[object, ...]]) -> Session:
    m = row._mapping
    return Session(
        id_hash=m["id_hash"],
        user_id=m["user_id"],
        created=m["created"],
        last_seen=m["last_seen"],
        expires=m["expires"],
        ip=m["ip"],
        user_agent=m["user_agent"],
    )


class SqlTokens:
    """API tokens: create, look up by prefix, list, revoke, touch."""

    _db: Database

    def create_token(
        self,
        user_id: int,
        name: str,
        *,
        kind: str,
        prefix: str,
        secret_hash: str,
        expires: int | None,
        created: int | None = None,
    ) -> TokenInfo:
        """Store a token (AlreadyExistsError when the prefix is taken)."""
        check_id(user_id, "user id")
        _check_name(name)
        if kind not in _TOKEN_KINDS:
            raise InvalidArgumentError(f"Invalid token kind {kind!r}: use 'pat' or 'sa'.")
        if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
            raise InvalidArgumentError("Invalid token prefix.")
        _check_sha256(secret_hash, "token hash")
        if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int)):
            raise InvalidArgumentError("Invalid token expiry: expected epoch milliseconds.")
        now = now_ms() if created is None else int(created)

        def op(conn: Connection) -> TokenInfo:
            load_user(conn, user_id)
            try:
                with conn.begin_nested():
                    result = conn.execute(
                        tokens.insert().values(
                            user_id=user_id,
                            name=name,
                            kind=kind,
                            prefix=prefix,
                            secret_hash=secret_hash,
                            created=now,
                            expires=expires,
                        )
                    )
            except sa.exc.IntegrityError as exc:
                if is_unique_violation(exc):
                    raise AlreadyExistsError("A token with this prefix exists") from None
                raise
            token_id = inserted_id(result)
            return _load_token(conn, token_id)

        return self._db.write(op)

    def lookup_token(self, prefix: str) -> TokenRecord | None:
        """The token with ``prefix``, its hash and its user (one query); None if none."""
        if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
            return None
        query = (
            sa.select(*TOKEN_COLUMNS, tokens.c.secret_hash, *user_labels("u_"))
            .join(users, users.c.id == tokens.c.user_id)
            .where(tokens.c.prefix == prefix)
        )
        row = self._db.read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        return TokenRecord(token_from_row(row), row.secret_hash, user_from_row(row, "u_"))

    def get_token(self, token_id: int) -> TokenInfo:
        """One token's public part."""
        check_id(token_id, "token id")
        return self._db.read(lambda conn: _load_token(conn, token_id))

    def list_tokens(
        self, user_id: int | None = None, *, include_revoked: bool = False
    ) -> list[TokenInfo]:
        """Tokens, newest first."""
        query = sa.select(*TOKEN_COLUMNS).order_by(tokens.c.id.desc())
        if user_id is not None:
            query = query.where(tokens.c.user_id == check_id(user_id, "user id"))
        if not include_revoked:
            query = query.where(tokens.c.revoked.is_(None))
        rows = self._db.read(lambda conn: conn.execute(query).all())
        return [token_from_row(r) for r in rows]

    def revoke_token(self, token_id: int, when: int) -> TokenInfo:
        """Revoke a token (its first revocation time is kept)."""
        check_id(token_id, "token id")

        def op(conn: Connection) -> TokenInfo:
            _load_token(conn, token_id)
            conn.execute(
                tokens.update()
                .where(tokens.c.id == token_id, tokens.c.revoked.is_(None))
                .values(revoked=when)
            )
            return _load_token(conn, token_id)

        return self._db.write(op)

    def touch_token(self, token_id: int, when: int, min_interval_ms: int = 60_000) -> bool:
        """Set ``last_used`` unless it is recent; whether a row changed."""
        check_id(token_id, "token id")
        stmt = (
            tokens.update()
            .where(
                tokens.c.id == token_id,
                sa.or_(tokens.c.last_used.is_(None), tokens.c.last_used <= when - min_interval_ms),
            )
            .values(last_used=when)
        )
        return bool(self._db.write(lambda conn: conn.execute(stmt).rowcount))


class SqlSessions:
    """Login sessions: create, look up (with the user), touch, delete."""

    _db: Database

    def create_session(
        self,
        id_hash: str,
        user_id: int,
        *,
        expires: int,
        ip: str | None = None,
        user_agent: str | None = None,
        created: int | None = None,
    ) -> Session:
        """Store a session under the SHA-256 of its cookie."""
        _check_sha256(id_hash, "session id hash")
        check_id(user_id, "user id")
        now = now_ms() if created is None else int(created)
        session = Session(
            id_hash=id_hash,
            user_id=user_id,
            created=now,
            last_seen=now,
            expires=int(expires),
            ip=ip[:_IP_MAX] if ip else None,
            user_agent=user_agent[:_AGENT_MAX] if user_agent else None,
        )

        def op(conn: Connection) -> Session:
            if load_user(conn, user_id).disabled:
                raise InvalidArgumentError("A disabled user cannot have sessions.")
            conn.execute(sessions.insert().values(**dataclasses.asdict(session)))
            return session

        return self._db.write(op)

    def get_session(self, id_hash: str) -> tuple[Session, User] | None:
        """The session and its user (one query), or None."""
        if not isinstance(id_hash, str) or not _SHA256_RE.fullmatch(id_hash):
            return None
        query = (
            sa.select(*sessions.c, *user_labels("u_"))
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.id_hash == id_hash)
        )
        row = self._db.read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        return _session_from_row(row), user_from_row(row, "u_")

    def touch_session(self, id_hash: str, when: int, min_interval_ms: int = 60_000) -> bool:
        """Set ``last_seen`` unless it is recent; whether a row changed."""
        _check_sha256(id_hash, "session id hash")
        stmt = (
            sessions.update()
            .where(sessions.c.id_hash == id_hash, sessions.c.last_seen <= when - min_interval_ms)
            .values(last_seen=when)
        )
        return bool(self._db.write(lambda conn: conn.execute(stmt).rowcount))

    def delete_session(self, id_hash: str) -> bool:
        """Delete one session; whether there was one."""
        if not isinstance(id_hash, str) or not _SHA256_RE.fullmatch(id_hash):
            return False
        stmt = sessions.delete().where(sessions.c.id_hash == id_hash)
        return bool(self._db.write(lambda conn: conn.execute(stmt).rowcount))

    def delete_sessions_for_user(self, user_id: int, *, keep: str | None = None) -> int:
        """Delete a user's sessions but ``keep``; how many went."""
        check_id(user_id, "user id")
        stmt = sessions.delete().where(sessions.c.user_id == user_id)
        if keep is not None:
            stmt = stmt.where(sessions.c.id_hash != keep)
        return int(self._db.write(lambda conn: conn.execute(stmt).rowcount))

    def delete_expired_sessions(self, now: int, idle_ms: int) -> int:
        """Delete sessions past their expiry or idle longer than ``idle_ms``."""
        stmt = sessions.delete().where(
            sa.or_(sessions.c.expires <= now, sessions.c.last_seen <= now - idle_ms)
        )
        return int(self._db.write(lambda conn: conn.execute(stmt).rowcount))
