"""Every module of src/ardea is type-checked by mypy in strict mode, and none is silenced.

``[tool.mypy]`` in pyproject.toml checks the whole package (``make typecheck``, and the lint
step of ``make test``); this test keeps it that way: no ``ignore_errors`` override for
Ardea's own modules, strict mode on, and every module under ``files``.
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


def _checked() -> set[Path]:
    out: set[Path] = set()
    for entry in _mypy_config()["files"]:
        path = ROOT / entry
        assert path.exists(), f"[tool.mypy] files lists {entry}, which does not exist"
        out.update(path.rglob("*.py") if path.is_dir() else [path])
    return out


def test_every_module_is_checked_strictly() -> None:
    config = _mypy_config()
    assert config.get("strict") is True
    modules = set((SRC / "ardea").rglob("*.py"))
    assert sorted(str(p.relative_to(SRC)) for p in modules - _checked()) == []


def test_no_ardea_module_has_its_errors_ignored() -> None:
    for override in _mypy_config().get("overrides", []):
        modules = override["module"]
        modules = [modules] if isinstance(modules, str) else modules
        ours = [m for m in modules if m == "ardea" or m.startswith("ardea.")]
        assert not (ours and override.get("ignore_errors")), ours
        assert not ours or not override.get("disable_error_code"), ours
