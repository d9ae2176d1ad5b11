"""The prompt package stays light: Jinja2 loads only for Jinja2 templates."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("jinja2", "fastapi", "starlette", "sqlalchemy", "alembic", "httpx", "pandas")


def _modules_after(code: str) -> list[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_plain_prompts_never_import_jinja2() -> None:
    loaded = _modules_after(
        "from ardea.prompts import PromptVersion\n"
        "assert PromptVersion('p', 1, 'Hi {{ x }}').format(x=1) == 'Hi 1'"
    )
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []
    assert "ardea.fluent" not in loaded and "ardea.tracing" not in loaded


def test_jinja2_templates_import_it_on_use() -> None:
    loaded = _modules_after(
        "from ardea.prompts import PromptVersion\n"
        "assert PromptVersion('p', 1, '{% if x %}y{% endif %}').format(x=1) == 'y'"
    )
    assert "jinja2.sandbox" in loaded
