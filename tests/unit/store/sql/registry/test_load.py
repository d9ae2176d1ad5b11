"""The raw-SQL row types of the registry loaders match their tables."""

from __future__ import annotations

from ardea.store.sql.registry.load import ModelRow, VersionRow
from ardea.store.sql.registry.tables import model_versions, registered_models


def test_row_fields_are_the_table_columns_in_order() -> None:
    # The loaders select the fields by name and build the rows positionally.
    assert VersionRow._fields == tuple(c.name for c in model_versions.columns)
    assert ModelRow._fields == tuple(c.name for c in registered_models.columns)
