"""The README opens with the two commands, and every environment variable is documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_MODULE = ROOT / "src" / "ardea" / "_core" / "env.py"


def _env_var_names() -> list[str]:
    """Values of the upper-case string constants in _core/env.py that name env vars."""
    tree = ast.parse(ENV_MODULE.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.isupper()
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and node.value.value == node.targets[0].id
        ):
            names.append(node.value.value)
    return names


def test_readme_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    assert len(sections) > 1, "README has no '## ' sections"
    first = sections[1]
    commands = re.findall(r"^\s*(make \w+)", first, flags=re.MULTILINE)
    assert commands[:2] == ["make run", "make test"], first


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)


def test_every_env_var_is_documented() -> None:
    names = _env_var_names()
    assert "ARDEA_TRACKING_URI" in names
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [n for n in names if f"`{n}`" not in doc]
    assert missing == [], f"document these in docs/configuration.md: {missing}"


def test_docs_links_resolve() -> None:
    broken = []
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", md.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (md.parent / target).exists():
                broken.append(f"{md.name} -> {target}")
    assert broken == []
