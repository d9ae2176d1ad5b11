"""Every module of src/ardea is type-checked by mypy or listed as not checked yet, not both.

``[tool.mypy] files`` in pyproject.toml lists what ``make typecheck`` checks; the override
with ``ignore_errors = true`` lists the modules that are being refactored and join next. A new
module under a listed package is checked automatically; one anywhere else must be added to
one of the two lists, so nothing falls out of the check unnoticed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # mypy depends on tomli there, so the dev extra has it
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def _mypy_config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        config: dict[str, Any] = tomllib.load(f)["tool"]["mypy"]
    return config


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _checked() -> set[str]:
    out: set[str] = set()
    for entry in _mypy_config()["files"]:
        path = ROOT / entry
        assert path.exists(), f"[tool.mypy] files lists {entry}, which does not exist"
        paths = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        out.update(_module(p) for p in paths)
    return out


def _pending_patterns() -> list[str]:
    ignored = [o for o in _mypy_config()["overrides"] if o.get("ignore_errors")]
    assert len(ignored) == 1, "keep one ignore_errors override: the modules not checked yet"
    return list(ignored[0]["module"])


def _matches(module: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        package = pattern[:-2]
        return module == package or module.startswith(package + ".")
    return module == pattern


def test_every_module_is_checked_or_pending_and_not_both() -> None:
    modules = {_module(p) for p in (SRC / "ardea").rglob("*.py")}
    checked = _checked()
    patterns = _pending_patterns()
    pending = {m for m in modules if any(_matches(m, p) for p in patterns)}
    assert sorted(modules - checked - pending) == [], "add these to [tool.mypy] files"
    assert sorted(checked & pending) == [], "checked, so take these out of the pending override"
    unused = [p for p in patterns if not any(_matches(m, p) for m in modules)]
    assert unused == [], "the pending override names modules that do not exist"
