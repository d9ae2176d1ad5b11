"""``ardea.autolog()`` enables the SDK integrations (Gemini, Bedrock, Mistral, Groq, Ollama,
MCP) when the user's code imports their library, and never imports them itself."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys
import ardea

enabled = ardea.autolog()
libraries = ["google.genai", "botocore", "mistralai.client", "groq", "ollama", "mcp"]
assert set(libraries) <= set(enabled), enabled
assert not any(lib in sys.modules for lib in libraries), "imported by ardea.autolog()"
flavors = ["gemini", "bedrock", "mistral", "groq", "ollama", "mcp"]
assert not any(getattr(ardea, f).is_enabled() for f in flavors)

from google import genai  # noqa: E402
import boto3, mistralai.client, groq, ollama, mcp  # noqa: E401, E402

assert all(getattr(ardea, f).is_enabled() for f in flavors), flavors
ardea.autolog(exclude=["mcp"], disable=True)
assert not any(getattr(ardea, f).is_enabled() for f in flavors if f != "mcp")
assert ardea.mcp.is_enabled()
print("ok")
"""


def test_autolog_patches_each_sdk_on_its_first_import() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")
