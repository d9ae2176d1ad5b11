"""The SQL backend (SQLite, PostgreSQL, MySQL): schema, migrations, engine and stores.

Importing this package loads nothing heavy; import :mod:`ardea.store.sql.tracking.store` for
:class:`~ardea.store.sql.tracking.store.SqlTrackingStore`.
"""
