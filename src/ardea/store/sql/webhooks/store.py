"""The SQL webhook store: :class:`SqlWebhookStore` on a tracking :class:`Database`.

Writes go through :meth:`Database.write` (the SQLite writer thread, or a transaction on a
server database). Secrets are encrypted with a :class:`SecretCipher` before they reach SQL.
A URL whose host is, or resolves to, a non-public address is refused on create and update
(:func:`ardea._core.net.guard.check_webhook_url`; ``ARDEA_WEBHOOKS_ALLOW_PRIVATE=1``
allows it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea._core.net.guard import check_webhook_url
from ardea._core.secrets import KEY_FILE_NAME, SecretCipher
from ardea.entities import PagedList
from ardea.entities import webhook as we
from ardea.entities.webhook import Webhook, WebhookEvent, WebhookTarget
from ardea.store.search.paging import encode_page_token, offset_from_token
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.webhooks.tables import webhook_events
from ardea.store.webhooks import (
    WEBHOOKS_MAX_RESULTS_DEFAULT,
    WEBHOOKS_MAX_RESULTS_LIMIT,
    EventLike,
    WebhookStore,
)

__all__ = ["SqlWebhookStore", "cipher_for_database", "key_file_for_database"]

_ID_MAX = 36
_log = logging.getLogger(__name__)


def _not_found(webhook_id: str) -> NotFoundError:
    return NotFoundError(f"Webhook with ID {webhook_id} not found")


def _check_id(webhook_id: object) -> str:
    if (
        not isinstance(webhook_id, str)
        or not webhook_id
        or len(webhook_id) > _ID_MAX
        or "\x00" in webhook_id
    ):
        raise InvalidArgumentError(f"Invalid webhook id {webhook_id!r}")
    return webhook_id


def _events_of(conn: Connection, ids: Sequence[str]) -> dict[str, list[WebhookEvent]]:
    out: dict[str, list[WebhookEvent]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = conn.execute(
        sa.select(webhook_events.c.webhook_id, webhook_events.c.entity, webhook_events.c.action)
        .where(webhook_events.c.webhook_id.in_(list(ids)))
        .order_by(webhook_events.c.webhook_id, webhook_events.c.position)
    )
    for wid, entity, action in rows:
        out[wid].append(WebhookEvent(entity, action))
    return out


def _to_entity(row: Any, events: list[WebhookEvent]) -> Webhook:
    return Webhook(
        webhook_id=row.webhook_id,
        name=row.name,
        url=row.url,
        events=tuple(events),
        status=row.status,
        description=row.description,
        creation_timestamp=row.creation_timestamp,
        last_updated_timestamp=row.last_updated_timestamp,
    )


def _public(scope: WorkspaceScope) -> list[Any]:
    """The columns of ``scope``'s webhooks a :class:`Webhook` shows (never the secret)."""
    return [c for c in scope.webhooks.c if c.name != "secret"]


def _load(conn: Connection, scope: WorkspaceScope, webhook_id: str) -> Webhook:
    wh = scope.webhooks
    row = conn.execute(sa.select(*_public(scope)).where(wh.c.webhook_id == webhook_id)).first()
    if row is None:
        raise _not_found(webhook_id)
    return _to_entity(row, _events_of(conn, [webhook_id])[webhook_id])


def _insert_events(conn: Connection, webhook_id: str, events: Sequence[WebhookEvent]) -> None:
    conn.execute(
        webhook_events.insert(),
        [
            {"webhook_id": webhook_id, "entity": e.entity, "action": e.action, "position": i}
            for i, e in enumerate(events)
        ],
    )


def key_file_for_database(database: Database) -> Path | None:
    """The key file beside a SQLite database file, or None (in-memory or server databases)."""
    if not database.is_sqlite or database.memory:
        return None
    path = sa.engine.make_url(database.url).database
    return Path(path).resolve().parent / KEY_FILE_NAME if path else None


def cipher_for_database(database: Database) -> SecretCipher:
    """The secret cipher of ``database``: its key file, or a per-process key in memory."""
    return SecretCipher(key_file=key_file_for_database(database), ephemeral=database.memory)


class SqlWebhookStore(WebhookStore):
    """Webhooks in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        cipher: Encrypts secrets; default :func:`cipher_for_database` (key from
            ``ARDEA_SECRET_KEY`` or a 0600 key file next to a SQLite database).
        scope: The workspace the store sees and writes to (``default`` when omitted).
    """

    def __init__(
        self,
        database: Database,
        cipher: SecretCipher | None = None,
        scope: WorkspaceScope = DEFAULT_SCOPE,
    ) -> None:
        self._db = database
        self._cipher = cipher if cipher is not None else cipher_for_database(database)
        self._scope = scope

    @property
    def scope(self) -> WorkspaceScope:
        """The workspace this store sees."""
        return self._scope

    @property
    def cipher(self) -> SecretCipher:
        """The cipher of the secrets (shared by every workspace's store of the database)."""
        return self._cipher

    @property
    def database(self) -> Database:
        """The underlying :class:`Database`."""
        return self._db

    def create_webhook(
        self,
        name: str,
        url: str,
        events: Sequence[EventLike],
        description: str | None = None,
        secret: str | None = None,
        status: str = "ACTIVE",
    ) -> Webhook:
        """Create a webhook with a fresh UUID id.

        Raises:
            InvalidArgumentError: A bad field, or a URL refused by the SSRF guard (a
                :class:`~ardea._core.net.guard.BlockedDestinationError`).
        """
        we.validate_name(name)
        we.validate_url(url)
        parsed = we.parse_events(events)
        check_webhook_url(url)  # last: the checks above are cheaper than a DNS lookup
        description = we.validate_description(description)
        plain = we.validate_secret(secret)
        status = we.validate_status(status or "ACTIVE")
        token = self._cipher.encrypt(plain) if plain is not None else None
        webhook_id = str(uuid.uuid4())
        now = now_ms()

        scope = self._scope

        def op(conn: Connection) -> Webhook:
            conn.execute(
                scope.insert("webhooks").values(
                    webhook_id=webhook_id,
                    name=name,
                    description=description,
                    url=url,
                    status=status,
                    secret=token,
                    creation_timestamp=now,
                    last_updated_timestamp=now,
                )
            )
            _insert_events(conn, webhook_id, parsed)
            return _load(conn, scope, webhook_id)

        return self._db.write(op)

    def get_webhook(self, webhook_id: str) -> Webhook:
        """One webhook."""
        _check_id(webhook_id)
        return self._db.read(lambda conn: _load(conn, self._scope, webhook_id))

    def list_webhooks(
        self, max_results: int = WEBHOOKS_MAX_RESULTS_DEFAULT, page_token: str | None = None
    ) -> PagedList[Webhook]:
        """Webhooks, newest first (ties by id); a caller's list only those it may read."""
        if (
            not isinstance(max_results, int)
            or isinstance(max_results, bool)
            or not 1 <= max_results <= WEBHOOKS_MAX_RESULTS_LIMIT
        ):
            raise InvalidArgumentError(
                f"max_results must be between 1 and {WEBHOOKS_MAX_RESULTS_LIMIT}."
            )
        offset = offset_from_token(page_token)

        wh = self._scope.webhooks
        readable = visibility_condition("webhook", wh.c.webhook_id)  # a caller's list

        def op(conn: Connection) -> PagedList[Webhook]:
            rows = conn.execute(
                sa.select(*_public(self._scope))
                .where(*([] if readable is None else [readable]))
                .order_by(wh.c.creation_timestamp.desc(), wh.c.webhook_id)
                .limit(max_results + 1)
                .offset(offset)
            ).all()
            more = len(rows) > max_results
            rows = rows[:max_results]
            events = _events_of(conn, [r.webhook_id for r in rows])
            items = [_to_entity(r, events[r.webhook_id]) for r in rows]
            token = encode_page_token({"offset": offset + max_results}) if more else None
            return PagedList(items, token)

        return self._db.read(op)

    def update_webhook(
        self,
        webhook_id: str,
        name: str | None = None,
        description: str | None = None,
        url: str | None = None,
        events: Sequence[EventLike] | None = None,
        secret: str | None = None,
        status: str | None = None,
    ) -> Webhook:
        """Change the given fields; ``secret=""`` removes the secret."""
        _check_id(webhook_id)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = we.validate_name(name)
        if description is not None:
            values["description"] = we.validate_description(description)
        if url is not None:
            values["url"] = we.validate_url(url)
        if status is not None:
            values["status"] = we.validate_status(status)
        if secret is not None:
            plain = we.validate_secret(secret)
            values["secret"] = self._cipher.encrypt(plain) if plain is not None else None
        parsed = we.parse_events(events) if events is not None else None
        if url is not None:
            check_webhook_url(url)
        values["last_updated_timestamp"] = now_ms()

        scope = self._scope

        def op(conn: Connection) -> Webhook:
            done = conn.execute(scope.update("webhooks", webhook_id=webhook_id).values(**values))
            if done.rowcount == 0:
                raise _not_found(webhook_id)
            if parsed is not None:
                conn.execute(
                    webhook_events.delete().where(webhook_events.c.webhook_id == webhook_id)
                )
                _insert_events(conn, webhook_id, parsed)
            return _load(conn, scope, webhook_id)

        return self._db.write(op)

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook and its subscriptions."""
        _check_id(webhook_id)

        scope = self._scope

        def op(conn: Connection) -> None:
            done = conn.execute(scope.delete("webhooks", webhook_id=webhook_id))
            if done.rowcount == 0:
                raise _not_found(webhook_id)
            # The subscriptions go with it (ON DELETE CASCADE; explicit for clarity and speed).
            conn.execute(webhook_events.delete().where(webhook_events.c.webhook_id == webhook_id))

        self._db.write(op)

    # -- delivery ------------------------------------------------------------------------------

    def _target(self, webhook_id: str, url: str, token: str | None) -> WebhookTarget:
        return WebhookTarget(webhook_id, url, self._cipher.decrypt(token) if token else None)

    def targets_for_event(self, event: WebhookEvent) -> list[WebhookTarget]:
        """ACTIVE webhooks subscribed to ``event``, oldest first, secrets decrypted.

        A webhook whose secret no longer decrypts (the key changed) is left out, with a
        warning in the log, so the others still get the event.
        """
        wh = self._scope.webhooks
        query = (
            sa.select(wh.c.webhook_id, wh.c.url, wh.c.secret)
            .join(webhook_events, webhook_events.c.webhook_id == wh.c.webhook_id)
            .where(
                webhook_events.c.entity == event.entity,
                webhook_events.c.action == event.action,
                wh.c.status == "ACTIVE",
            )
            .order_by(wh.c.creation_timestamp, wh.c.webhook_id)
        )
        rows = self._db.read(lambda conn: conn.execute(query).all())
        targets = []
        for r in rows:
            try:
                targets.append(self._target(r.webhook_id, r.url, r.secret))
            except InvalidArgumentError:  # encrypted under another key: skip, keep the others
                _log.warning("Webhook %s skipped: its secret cannot be decrypted", r.webhook_id)
        return targets

    def get_target(self, webhook_id: str) -> WebhookTarget:
        """One webhook's URL and decrypted secret."""
        _check_id(webhook_id)
        wh = self._scope.webhooks
        query = sa.select(wh.c.url, wh.c.secret).where(wh.c.webhook_id == webhook_id)
        row = self._db.read(lambda conn: conn.execute(query).first())
        if row is None:
            raise _not_found(webhook_id)
        return self._target(webhook_id, row.url, row.secret)

    def __repr__(self) -> str:
        return f"SqlWebhookStore({self._db.url.split('@')[-1]!r}, {self._scope.name!r})"
