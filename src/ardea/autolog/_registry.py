"""The built-in integrations: one row each, read by ``ardea.autolog()`` and the facade.

A row names the *flavor* (``ardea.<flavor>`` and ``ardea.autolog.<flavor>`` are the
integration module, as MLflow names its flavors), the library's import name (the module whose
first import triggers the patch) and the Ardea module that patches it. Reading this table
imports nothing.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["BUILT_IN", "Integration", "by_flavor"]


class Integration(NamedTuple):
    """One built-in integration.

    Attributes:
        flavor: Its name: ``ardea.<flavor>.autolog()``, ``ardea.autolog(exclude=[flavor])``.
        library: Import name of the instrumented library (``"google.genai"``).
        module: The Ardea module with ``autolog(disable=..., ...)``, ``revert()`` and
            ``is_enabled()``.
    """

    flavor: str
    library: str
    module: str


BUILT_IN: tuple[Integration, ...] = (
    Integration("anthropic", "anthropic", "ardea.autolog.anthropic"),
    Integration("bedrock", "botocore", "ardea.autolog.bedrock"),
    Integration("crewai", "crewai", "ardea.autolog.crewai"),
    Integration("gemini", "google.genai", "ardea.autolog.gemini"),
    Integration("google_adk", "google.adk", "ardea.autolog.google_adk"),
    Integration("groq", "groq", "ardea.autolog.groq"),
    Integration("haystack", "haystack", "ardea.autolog.haystack"),
    Integration("keras", "keras", "ardea.autolog.keras"),
    Integration("langchain", "langchain_core", "ardea.autolog.langchain"),
    # "langgraph" is a namespace package, whose import fires no hook: its graph module does.
    Integration("langgraph", "langgraph.graph", "ardea.autolog.langgraph"),
    Integration("lightgbm", "lightgbm", "ardea.autolog.lightgbm"),
    Integration("llama_index", "llama_index.core", "ardea.autolog.llama_index"),
    Integration("mcp", "mcp", "ardea.autolog.mcp"),
    Integration("mistral", "mistralai.client", "ardea.autolog.mistral"),
    Integration("ollama", "ollama", "ardea.autolog.ollama"),
    Integration("openai", "openai", "ardea.autolog.openai"),
    Integration("openai_agents", "agents", "ardea.autolog.openai_agents"),
    Integration("pydantic_ai", "pydantic_ai", "ardea.autolog.pydantic_ai"),
    Integration("pytorch", "lightning", "ardea.autolog.pytorch"),
    Integration("pytorch", "pytorch_lightning", "ardea.autolog.pytorch"),
    Integration("sklearn", "sklearn", "ardea.autolog.sklearn"),
    Integration("smolagents", "smolagents", "ardea.autolog.smolagents"),
    Integration("statsmodels", "statsmodels", "ardea.autolog.statsmodels"),
    Integration("strands", "strands", "ardea.autolog.strands"),
    Integration("transformers", "transformers.trainer", "ardea.autolog.transformers"),
    Integration("xgboost", "xgboost", "ardea.autolog.xgboost"),
)
"""Every built-in integration, one row each (keep the rows sorted by flavor)."""


def by_flavor() -> dict[str, Integration]:
    """The built-in integrations keyed by flavor."""
    return {row.flavor: row for row in BUILT_IN}
