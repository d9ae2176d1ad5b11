"""report_failure / swallow_failures: logged outside strict mode, raised inside it."""

from __future__ import annotations

import logging

import pytest

from ardea._core.safety import failure_count, report_failure, safe_call, swallow_failures


def test_strict_mode_raises() -> None:
    with pytest.raises(KeyError), swallow_failures("unit strict"):
        raise KeyError("k")


def test_non_strict_logs_once_and_counts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    caplog.set_level(logging.WARNING, logger="ardea")
    before = failure_count("unit lenient")
    for _ in range(3):
        with swallow_failures("unit lenient"):
            raise RuntimeError("boom")
    assert failure_count("unit lenient") == before + 3
    assert sum("unit lenient failed" in r.getMessage() for r in caplog.records) <= 1


def test_safe_call_returns_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    assert safe_call("unit safe", lambda: 1 / 0, default=-1) == -1
    assert safe_call("unit safe", lambda: 7, default=-1) == 7


def test_report_failure_without_strict_reraise(monkeypatch: pytest.MonkeyPatch) -> None:
    report_failure("unit no raise", ValueError("x"), raise_in_strict=False)
    assert failure_count("unit no raise") >= 1
