"""Every ```python block in README.md and docs/ runs, against a live server where it names one.

Blocks run one by one in a fresh interpreter whose working directory is an empty folder (so
the embedded default store is fresh), with ``http://127.0.0.1:5000`` rewritten to a server
started for this module, and ``OPENAI_BASE_URL``/``OPENAI_API_KEY`` pointing at the fake LLM
provider (docs/llm.md's examples read them, as they would a real OpenAI-compatible server).
``ANTHROPIC_BASE_URL`` points there too, and ``FAKE_LLM_URL`` is the fake provider's root: the
integration pages (docs/integrations/) hand it to SDKs that read no base-URL variable. The
server also receives OTLP/gRPC; ``127.0.0.1:4317`` is rewritten to its port.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.fake_llm_scripts import chain, simulation_rule
from fixtures.fake_llm_server import FakeLLMServer
from fixtures.prompt_rules import docs_rule
from fixtures.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks() -> list[tuple[str, str]]:
    found = []
    for md in DOCS:
        for i, code in enumerate(BLOCK.findall(md.read_text(encoding="utf-8"))):
            found.append((f"{md.relative_to(ROOT)}#{i}", code))
    return found


EXAMPLES = _blocks()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, llm_provider: FakeLLMServer
) -> Iterator[ServerProcess]:
    # docs/webhooks.md delivers to a receiver on 127.0.0.1: the SSRF guard is opted out.
    # docs/workspaces.md needs workspaces; the other examples run in `default`, as they would
    # on a server without them. docs/online-scoring.md's judges run in the server: its
    # provider is the fake one. docs/monitoring.md waits for an alert: the evaluator runs
    # every second.
    env = {
        "ARDEA_ALERTS_INTERVAL_SECONDS": "1",
        "ARDEA_WEBHOOKS_ALLOW_PRIVATE": "1",
        "ARDEA_ENABLE_WORKSPACES": "true",
        "OPENAI_BASE_URL": llm_provider.openai_base_url,
        "OPENAI_API_KEY": "sk-docs",
    }
    # docs/opentelemetry.md sends over OTLP/gRPC to 127.0.0.1:4317 (rewritten to this port)
    grpc_port = free_port()
    proc = ServerProcess(
        tmp_path_factory.mktemp("docs-server"), "--otlp-grpc-port", str(grpc_port), env=env
    )
    proc.grpc_target = f"127.0.0.1:{grpc_port}"  # type: ignore[attr-defined]
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def llm_provider() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        # docs/alignment.md, docs/simulation.md and docs/prompt-optimization.md; other
        # requests get the default answers
        fake.rule = chain(simulation_rule, docs_rule)
        yield fake


def test_docs_have_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_example_runs(
    where: str, code: str, server: ServerProcess, llm_provider: FakeLLMServer, tmp_path: Path
) -> None:
    code = code.replace("http://127.0.0.1:5000", server.url)
    code = code.replace("127.0.0.1:4317", server.grpc_target)  # type: ignore[attr-defined]
    env = {
        **os.environ,
        "OPENAI_BASE_URL": llm_provider.openai_base_url,
        "OPENAI_API_KEY": "sk-docs",
        "ANTHROPIC_BASE_URL": llm_provider.anthropic_base_url,
        "ANTHROPIC_API_KEY": "sk-docs",
        "FAKE_LLM_URL": llm_provider.base_url,
    }
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert proc.returncode == 0, f"{where} failed:\n{code}\n{proc.stdout}\n{proc.stderr[-3000:]}"
