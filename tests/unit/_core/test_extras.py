"""A missing optional extra is a FailedPreconditionError naming what to install."""

from __future__ import annotations

import sys

import pytest

from ardea._core.errors import FailedPreconditionError
from ardea._core.extras import require


def test_installed_modules_pass() -> None:
    require("parquet", "Nothing needs", "json", "sys")


def test_missing_modules_are_named_with_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "json", None)  # as if it were not installed
    message = "Traces as Parquet need json and ardea_no_such_module, not installed here: "
    with pytest.raises(FailedPreconditionError) as raised:
        require("parquet", "Traces as Parquet need", "json", "ardea_no_such_module", "sys")
    assert str(raised.value) == message + "pip install 'ardea[parquet]'"
