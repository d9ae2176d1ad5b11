"""Provider adapters: each turns a chat or embeddings call into its provider's HTTP request."""

from __future__ import annotations

from ardea.llm.adapters.anthropic import AnthropicAdapter
from ardea.llm.adapters.base import Adapter
from ardea.llm.adapters.bedrock import BedrockAdapter
from ardea.llm.adapters.gemini import GeminiAdapter
from ardea.llm.adapters.openai import OpenAIAdapter

__all__ = ["Adapter", "adapter_for"]


def adapter_for(wire: str, provider: str) -> Adapter:
    """The adapter of a wire protocol (openai, azure, anthropic, gemini or bedrock)."""
    if wire in ("openai", "azure"):
        return OpenAIAdapter(provider)
    if wire == "anthropic":
        return AnthropicAdapter()
    if wire == "gemini":
        return GeminiAdapter()
    if wire == "bedrock":
        return BedrockAdapter()
    raise ValueError(f"no adapter for wire protocol {wire!r}")  # pragma: no cover
