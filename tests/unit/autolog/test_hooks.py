"""``ardea.autolog()`` patches a library when it is first imported, never by importing it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from ardea.autolog import _registry

_ENV_STRICT_OFF = {"ARDEA_STRICT": "0"}


def _run(code: str, **env: str) -> dict:
    import os

    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_autolog_imports_no_instrumented_library_and_patches_on_first_import() -> None:
    libraries = sorted({row.library for row in _registry.BUILT_IN})
    result = _run(
        f"""
        import json, sys
        import ardea
        enabled = ardea.autolog()
        loaded = [lib for lib in {libraries!r} if lib in sys.modules]
        mod = sys.modules.get("ardea.autolog.openai")
        before = mod.is_enabled() if mod else False
        import openai
        after = ardea.openai.is_enabled()
        print(json.dumps({{"enabled": enabled, "loaded": loaded, "before": before,
                           "after": after}}))
        """
    )
    assert result["loaded"] == []
    assert "openai" in result["enabled"]
    assert result["before"] is False
    assert result["after"] is True


def test_excluded_and_disabled_integrations_stay_unpatched_after_import() -> None:
    result = _run(
        """
        import json
        import ardea
        ardea.autolog(exclude=["openai"])
        ardea.autolog(exclude_flavors=["sklearn"], disable=True)
        import openai, anthropic, sklearn.linear_model
        print(json.dumps({"openai": ardea.openai.is_enabled(),
                          "anthropic": ardea.anthropic.is_enabled(),
                          "sklearn": ardea.sklearn.is_enabled()}))
        """
    )
    # exclude=["openai"] left OpenAI alone; the disable call cancelled the pending Anthropic
    # hook (sklearn was excluded from the disable, so its pending hook still fired).
    assert result == {"openai": False, "anthropic": False, "sklearn": True}


def test_a_renamed_library_function_warns_once_and_the_users_call_still_works() -> None:
    result = _run(
        """
        import json, logging, io
        stream = io.StringIO()
        logging.getLogger("ardea").addHandler(logging.StreamHandler(stream))
        import openai
        import openai.resources.embeddings as emb
        # The library "changes shape": Embeddings.create is now Embeddings.create_v2.
        emb.Embeddings.create_v2 = emb.Embeddings.create
        del emb.Embeddings.create
        import ardea
        ardea.autolog()
        ardea.autolog()  # a second call warns no more
        client = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", max_retries=0)
        ok = callable(client.embeddings.create_v2)
        chat = ardea.openai.is_enabled()
        print(json.dumps({"log": stream.getvalue(), "ok": ok, "chat": chat}))
        """,
        **_ENV_STRICT_OFF,
    )
    warnings = [line for line in result["log"].splitlines() if "Embeddings.create" in line]
    assert len(warnings) == 1, result["log"]
    assert "openai autolog" in warnings[0]
    # The rest of the integration still works.
    assert result["ok"] and result["chat"]


def test_every_registered_integration_has_a_facade_name() -> None:
    import ardea

    for row in _registry.BUILT_IN:
        assert row.flavor in ardea.__all__
        assert row.module.startswith("ardea.autolog.")
