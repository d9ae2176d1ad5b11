"""docs/server.md's haproxy example is a configuration haproxy accepts, and the one the tests use.

``haproxy -c`` checks it (skipped with the reason when haproxy is not installed; scripts/test.sh
installs it). The one template (:func:`fixtures.haproxy_config.render`, which the test fixture
and bench/scale_replicas.py use) with the documented ports is the documented file, so what the
tests exercise is what users copy.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from fixtures.haproxy_config import render
from fixtures.replicas import haproxy_or_skip

DOC = Path(__file__).resolve().parents[3] / "docs" / "server.md"
BLOCK = re.compile(r"^```haproxy\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _documented() -> str:
    (found,) = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    return str(found)


def test_the_documented_config_is_the_tested_one() -> None:
    assert _documented() == render(8080, [5001, 5002, 5003])


def test_haproxy_accepts_the_documented_config(tmp_path: Path) -> None:
    haproxy = haproxy_or_skip()
    cfg = tmp_path / "ardea-haproxy.cfg"
    cfg.write_text(_documented())
    done = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
