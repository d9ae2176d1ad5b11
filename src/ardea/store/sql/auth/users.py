"""Users and service accounts in the SQL auth store."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError, FailedPreconditionError, InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.entities import PagedList
from ardea.entities.auth import SERVICE_KIND, USER_KIND, User, validate_username
from ardea.store.auth import USERS_MAX_RESULTS_DEFAULT, USERS_MAX_RESULTS_LIMIT, LoginRecord
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.engine import Database
from ardea.store.sql.auth.common import (
    USER_COLUMNS,
    check_id,
    inserted_id,
    is_unique_violation,
    user_from_row,
    user_not_found,
)
from ardea.store.sql.auth.tables import sessions, users
from ardea.store.validation import validate_max_results

__all__ = ["SqlUsers", "load_user"]

_KINDS = (USER_KIND, SERVICE_KIND)
_HASH_MAX = 255


def load_user(conn: Connection, user_id: int) -> User:
    """One user by id; NotFoundError when there is none."""
    row = conn.execute(sa.select(*USER_COLUMNS).where(users.c.id == user_id)).first()
    if row is None:
        raise user_not_found(user_id)
    return user_from_row(row)


def _check_hash(password_hash: object) -> str:
    if not isinstance(password_hash, str) or not 1 <= len(password_hash) <= _HASH_MAX:
        raise InvalidArgumentError("Invalid password hash.")
    return password_hash


def _keep_an_admin(conn: Connection, user: User) -> None:
    """Refuse to demote, disable or delete the last enabled admin.

    The enabled admins' rows are locked (``FOR UPDATE``) so that two admins demoting each
    other at once cannot both pass the check.
    """
    if not user.is_admin or user.disabled:
        return
    admins = conn.execute(
        sa.select(users.c.id)
        .where(users.c.is_admin.is_(True), users.c.disabled.is_(False))
        .with_for_update()
    ).all()
    if len(admins) <= 1:
        raise FailedPreconditionError(
            f"{user.username!r} is the last enabled admin: make another user an admin first."
        )


class SqlUsers:
    """Users: create, read, list, change password/admin/disabled, delete."""

    _db: Database

    def create_user(
        self,
        username: str,
        password_hash: str | None,
        *,
        is_admin: bool = False,
        kind: str = USER_KIND,
    ) -> User:
        """Create a user; a service account (``kind="service"``) takes no password hash."""
        validate_username(username)
        if kind not in _KINDS:
            raise InvalidArgumentError(f"Invalid user kind {kind!r}: use 'user' or 'service'.")
        if kind == SERVICE_KIND and password_hash is not None:
            raise InvalidArgumentError("A service account has no password.")
        if password_hash is not None:
            _check_hash(password_hash)
        now = now_ms()

        def op(conn: Connection) -> User:
            try:
                with conn.begin_nested():
                    result = conn.execute(
                        users.insert().values(
                            username=username,
                            password_hash=password_hash,
                            kind=kind,
                            is_admin=bool(is_admin),
                            disabled=False,
                            created=now,
                            updated=now,
                        )
                    )
            except sa.exc.IntegrityError as exc:
                if is_unique_violation(exc):
                    raise AlreadyExistsError(f"User {username!r} already exists") from None
                raise
            user_id = inserted_id(result)
            return load_user(conn, user_id)

        return self._db.write(op)

    def get_user(self, user_id: int) -> User:
        """One user by id."""
        check_id(user_id, "user id")
        return self._db.read(lambda conn: load_user(conn, user_id))

    def get_user_by_username(self, username: str) -> User:
        """One user by name."""
        validate_username(username)
        query = sa.select(*USER_COLUMNS).where(users.c.username == username)
        row = self._db.read(lambda conn: conn.execute(query).first())
        if row is None:
            raise user_not_found(username)
        return user_from_row(row)

    def get_login(self, username: str) -> LoginRecord | None:
        """The user and its password hash (None: no such user, or not a valid username)."""
        try:
            validate_username(username)
        except InvalidArgumentError:
            return None  # a name no user can have: the same answer as an unknown one
        query = sa.select(*USER_COLUMNS, users.c.password_hash).where(users.c.username == username)
        row = self._db.read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        return LoginRecord(user_from_row(row), row.password_hash)

    def list_users(
        self,
        max_results: int = USERS_MAX_RESULTS_DEFAULT,
        page_token: str | None = None,
        *,
        kind: str | None = None,
    ) -> PagedList[User]:
        """Users by name, ``max_results`` a page."""
        validate_max_results(max_results, USERS_MAX_RESULTS_LIMIT)
        if kind is not None and kind not in _KINDS:
            raise InvalidArgumentError(f"Invalid user kind {kind!r}: use 'user' or 'service'.")
        offset = offset_from_token(page_token)
        query = sa.select(*USER_COLUMNS).order_by(users.c.username)
        if kind is not None:
            query = query.where(users.c.kind == kind)
        query = query.limit(max_results + 1).offset(offset)
        rows = self._db.read(lambda conn: conn.execute(query).all())
        more = len(rows) > max_results
        items = [user_from_row(r) for r in rows[:max_results]]
        return PagedList(
            items, encode_page_token({"offset": offset + max_results}) if more else None
        )

    def has_admin(self) -> bool:
        """True when an enabled admin exists."""
        query = (
            sa.select(users.c.id)
            .where(users.c.is_admin.is_(True), users.c.disabled.is_(False))
            .limit(1)
        )
        return self._db.read(lambda conn: conn.execute(query).first()) is not None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash."""
        check_id(user_id, "user id")
        _check_hash(password_hash)

        def op(conn: Connection) -> None:
            if load_user(conn, user_id).is_service:
                raise InvalidArgumentError("A service account has no password.")
            conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(password_hash=password_hash, updated=now_ms())
            )

        self._db.write(op)

    def set_admin(self, user_id: int, is_admin: bool) -> User:
        """Make a user an admin, or not."""
        check_id(user_id, "user id")

        def op(conn: Connection) -> User:
            user = load_user(conn, user_id)
            if not is_admin:
                _keep_an_admin(conn, user)
            conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(is_admin=bool(is_admin), updated=now_ms())
            )
            return load_user(conn, user_id)

        return self._db.write(op)

    def set_disabled(self, user_id: int, disabled: bool) -> User:
        """Disable (ending its sessions) or enable a user."""
        check_id(user_id, "user id")

        def op(conn: Connection) -> User:
            user = load_user(conn, user_id)
            if disabled:
                _keep_an_admin(conn, user)
                conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
            conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(disabled=bool(disabled), updated=now_ms())
            )
            return load_user(conn, user_id)

        return self._db.write(op)

    def delete_user(self, user_id: int) -> None:
        """Delete a user; its tokens, sessions, grants and role assignments go with it."""
        check_id(user_id, "user id")

        def op(conn: Connection) -> None:
            _keep_an_admin(conn, load_user(conn, user_id))
            conn.execute(users.delete().where(users.c.id == user_id))  # the rest: ON DELETE CASCADE

        self._db.write(op)
