"""The shell example of docs/auth.md ("Users and tokens") runs as written, in a fresh folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_users_and_tokens_example_runs(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:  # pragma: no cover - every CI machine has bash
        pytest.skip("no bash")
    text = (ROOT / "docs" / "auth.md").read_text(encoding="utf-8")
    section = text.split("## Users and tokens", 1)[1]
    script = BLOCK.findall(section)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ADA_PASSWORD"] = "ada's long password"
    done = subprocess.run(
        [bash, "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
    assert "Deleted 'ada'." in done.stdout
    assert "ardea_sa_" not in done.stdout  # the token went into $TOKEN, not to the output
    assert (tmp_path / "ardea-data" / "ardea.db").is_file()
