"""The guide's example runs and prints what the guide shows; docstring examples hold."""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[4] / "docs" / "evaluation-statistics.md"
MODULES = [
    "_common", "aggregates", "agreement", "comparison", "intervals", "multiple", "paired",
    "pairing", "power", "regression", "repeats",
]  # fmt: skip


def test_the_guide_example_runs_and_matches_its_printed_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S)
    shown = re.search(r"```text\n(.*?)```", text, re.S)
    assert code and shown
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), str(DOC), "exec"), {})
    printed = out.getvalue()
    for line in shown.group(1).strip().splitlines():
        assert line in printed
    assert "RegressionError" not in printed  # the failure is caught and printed as a message
    assert "2 of 2 scorers regressed" in printed


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"ardea.evaluation.stats.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0
