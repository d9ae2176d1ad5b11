"""``ardea.autolog()`` and the ``ardea.openai`` / ``anthropic`` / ``langchain`` facade."""

from __future__ import annotations

import pytest

import ardea
from ardea.autolog import anthropic as anthropic_autolog
from ardea.autolog import langchain as langchain_autolog
from ardea.autolog import openai as openai_autolog

pytestmark = pytest.mark.usefixtures("no_genai_patches")

_GENAI = (openai_autolog, anthropic_autolog, langchain_autolog)


def test_facade_names_are_the_integration_modules() -> None:
    assert ardea.openai is openai_autolog
    assert ardea.anthropic is anthropic_autolog
    assert ardea.langchain is langchain_autolog
    found = ardea.autolog.integrations()
    assert found["openai"] == "ardea.autolog.openai"
    assert found["anthropic"] == "ardea.autolog.anthropic"
    assert found["langchain_core"] == "ardea.autolog.langchain"


def test_ardea_autolog_enables_and_reverts_every_integration() -> None:
    import anthropic  # noqa: F401  (imported libraries are patched at once)
    import langchain_core  # noqa: F401
    import openai  # noqa: F401

    try:
        # Options an integration does not take are not passed to it.
        enabled = ardea.autolog(log_models=False, log_traces=True)
        assert {"openai", "anthropic", "langchain_core", "sklearn"} <= set(enabled)
        assert all(module.is_enabled() for module in _GENAI)
        ardea.autolog(disable=True)
        assert not any(module.is_enabled() for module in _GENAI)
        ardea.autolog()
        ardea.autolog.revert()
        assert not any(module.is_enabled() for module in _GENAI)
    finally:
        ardea.autolog.revert()


def test_patch_failures_raise_in_strict_mode_and_are_logged_otherwise(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    targets = (("openai.resources.no_such_module", "X", "AsyncX", "LLM", object),)
    monkeypatch.setattr(openai_autolog, "_TARGETS", targets)
    with pytest.raises(ModuleNotFoundError):
        openai_autolog.autolog()
    monkeypatch.setenv("ARDEA_STRICT", "0")
    openai_autolog.autolog()  # logged and swallowed (each failure is logged once)
    assert "openai autolog (patching AsyncX.create" in caplog.text
    assert openai_autolog.is_enabled()
