"""docs/server.md's haproxy example is a configuration haproxy accepts, and the one the tests use.

``haproxy -c`` checks it (skipped with the reason when haproxy is not installed; scripts/test.sh
installs it). The test fixture's template (:data:`fixtures.replicas.HAPROXY_CONFIG`) with the
documented ports is the documented file, so what the tests exercise is what users copy.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from fixtures.replicas import HAPROXY_CONFIG, haproxy_or_skip

DOC = Path(__file__).resolve().parents[3] / "docs" / "server.md"
BLOCK = re.compile(r"^```haproxy\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _documented() -> str:
    (found,) = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    return str(found)


def test_the_documented_config_is_the_tested_one() -> None:
    servers = "\n".join(
        f"    server r{i} 127.0.0.1:{port} check inter 200ms fall 2 rise 2"
        for i, port in ((1, 5001), (2, 5002), (3, 5003))
    )
    assert _documented() == HAPROXY_CONFIG.format(port=8080, servers=servers)


def test_haproxy_accepts_the_documented_config(tmp_path: Path) -> None:
    haproxy = haproxy_or_skip()
    cfg = tmp_path / "ardea-haproxy.cfg"
    cfg.write_text(_documented())
    done = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
