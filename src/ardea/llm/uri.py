"""Model URIs as MLflow writes them: ``<provider>:/<model>``, and the providers they name.

Schemes (aliases in brackets) and their default base URLs:

- ``openai``: OpenAI Chat Completions / Embeddings, ``https://api.openai.com/v1``.
- ``azure`` [``azure_openai``]: Azure OpenAI; the model is the deployment name; base URL
  from ``AZURE_OPENAI_ENDPOINT``.
- ``anthropic``: Anthropic Messages, ``https://api.anthropic.com``.
- ``gemini`` [``google``, ``google_genai``]: the Gemini API,
  ``https://generativelanguage.googleapis.com``.
- ``mistral`` [``mistralai``]: Mistral's OpenAI-like API, ``https://api.mistral.ai/v1``.
- ``bedrock`` [``amazon-bedrock``]: AWS Bedrock Converse, SigV4,
  ``https://bedrock-runtime.<region>.amazonaws.com``.
- ``openai-compatible`` [``openai_compatible``, ``custom``]: any OpenAI-compatible server at
  ``base_url=`` (or ``OPENAI_BASE_URL``).
- ``ollama`` [``ollama_chat``]: ``$OLLAMA_HOST/v1``, else ``http://localhost:11434/v1``;
  ``vllm`` [``hosted_vllm``]: ``http://localhost:8000/v1``; ``lmstudio`` [``lm_studio``]:
  ``http://localhost:1234/v1``; ``llamacpp`` [``llama_cpp``]: ``http://localhost:8080/v1``.
- ``groq``, ``together_ai``, ``deepseek``, ``fireworks_ai``, ``openrouter``, ``xai``: their
  OpenAI-compatible APIs.
- ``gateway``: the tracking server's gateway, ``<tracking URI>/gateway/mlflow/v1``
  (``/chat/completions`` with ``model`` = the endpoint name), as MLflow's judges call it.

A scheme Ardea does not know is accepted when the credentials file has a section of that
name with a ``base_url``: it is then an OpenAI-compatible server (see
:mod:`ardea.llm.credentials`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ardea._core.errors import InvalidArgumentError

__all__ = ["PROVIDERS", "ModelRef", "ProviderSpec", "parse_model_uri", "provider_spec"]


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """One provider: how to reach it and where its SDK finds its credentials.

    Attributes:
        name: Canonical scheme (``openai``, ``azure``, ...).
        wire: The adapter that speaks its API: ``openai``, ``azure``, ``anthropic``,
            ``gemini`` or ``bedrock``.
        base_url: Default base URL (``None``: must be configured).
        key_env: Environment variables holding the API key, first set wins.
        base_url_env: Environment variables holding the base URL, first set wins.
        price_provider: The price table section (``None``: any; ``""``: never priced,
            e.g. a local server).
        needs_key: Whether a call without a key is a configuration error.
    """

    name: str
    wire: str
    base_url: str | None
    key_env: tuple[str, ...] = ()
    base_url_env: tuple[str, ...] = ()
    price_provider: str | None = None
    needs_key: bool = True


PROVIDERS: dict[str, ProviderSpec] = {
    p.name: p
    for p in (
        ProviderSpec(
            "openai",
            "openai",
            "https://api.openai.com/v1",
            ("OPENAI_API_KEY",),
            ("OPENAI_BASE_URL",),
            "openai",
        ),
        ProviderSpec(
            "azure", "azure", None, ("AZURE_OPENAI_API_KEY",), ("AZURE_OPENAI_ENDPOINT",), "openai"
        ),
        ProviderSpec(
            "anthropic",
            "anthropic",
            "https://api.anthropic.com",
            ("ANTHROPIC_API_KEY",),
            ("ANTHROPIC_BASE_URL",),
            "anthropic",
        ),
        ProviderSpec(
            "gemini",
            "gemini",
            "https://generativelanguage.googleapis.com",
            ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
            (),
            "google",
        ),
        ProviderSpec(
            "mistral", "openai", "https://api.mistral.ai/v1", ("MISTRAL_API_KEY",), (), "mistral"
        ),
        ProviderSpec("bedrock", "bedrock", None, (), (), None),
        ProviderSpec(
            "openai-compatible",
            "openai",
            None,
            ("OPENAI_API_KEY",),
            ("OPENAI_BASE_URL",),
            "",
            needs_key=False,
        ),
        ProviderSpec("ollama", "openai", "http://localhost:11434/v1", (), (), "", False),
        ProviderSpec(
            "vllm", "openai", "http://localhost:8000/v1", ("VLLM_API_KEY",), (), "", False
        ),
        ProviderSpec("lmstudio", "openai", "http://localhost:1234/v1", (), (), "", False),
        ProviderSpec("llamacpp", "openai", "http://localhost:8080/v1", (), (), "", False),
        ProviderSpec("groq", "openai", "https://api.groq.com/openai/v1", ("GROQ_API_KEY",), (), ""),
        ProviderSpec(
            "together_ai",
            "openai",
            "https://api.together.xyz/v1",
            ("TOGETHER_API_KEY", "TOGETHERAI_API_KEY"),
            (),
            "",
        ),
        ProviderSpec(
            "deepseek", "openai", "https://api.deepseek.com/v1", ("DEEPSEEK_API_KEY",), (), ""
        ),
        ProviderSpec(
            "fireworks_ai",
            "openai",
            "https://api.fireworks.ai/inference/v1",
            ("FIREWORKS_API_KEY",),
            (),
            "",
        ),
        ProviderSpec(
            "openrouter", "openai", "https://openrouter.ai/api/v1", ("OPENROUTER_API_KEY",), (), ""
        ),
        ProviderSpec("xai", "openai", "https://api.x.ai/v1", ("XAI_API_KEY",), (), ""),
        ProviderSpec("gateway", "openai", None, (), (), None, False),
    )
}
"""Every provider Ardea speaks to, by canonical scheme."""

_ALIASES = {
    "azure_openai": "azure",
    "azure-openai": "azure",
    "azureopenai": "azure",
    "google": "gemini",
    "google_genai": "gemini",
    "google-genai": "gemini",
    "mistralai": "mistral",
    "amazon-bedrock": "bedrock",
    "amazon_bedrock": "bedrock",
    "aws_bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "openai_compatible": "openai-compatible",
    "openai-like": "openai-compatible",
    "custom": "openai-compatible",
    "ollama_chat": "ollama",
    "hosted_vllm": "vllm",
    "lm_studio": "lmstudio",
    "lm-studio": "lmstudio",
    "llama_cpp": "llamacpp",
    "llama-cpp": "llamacpp",
    "llama.cpp": "llamacpp",
    "together": "together_ai",
    "togetherai": "together_ai",
    "fireworks": "fireworks_ai",
}

_UNSUPPORTED = {
    "endpoints": "Databricks serving endpoints",
    "databricks": "Databricks serving endpoints",
    "vertex_ai": "Vertex AI (use gemini:/ with a Gemini API key)",
}


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A parsed model URI.

    Attributes:
        scheme: The scheme as written (``ollama_chat``, ``my-server``).
        provider: The provider's spec (``None``: a scheme the credentials file must define).
        model: The model id (Azure: the deployment; gateway: the endpoint name).
    """

    scheme: str
    provider: ProviderSpec | None
    model: str

    @property
    def uri(self) -> str:
        """The URI in its canonical spelling."""
        name = self.provider.name if self.provider else self.scheme
        return f"{name}:/{self.model}"


def provider_spec(name: str) -> ProviderSpec | None:
    """The provider a scheme or alias names, or ``None`` when Ardea does not know it."""
    key = name.strip().lower()
    return PROVIDERS.get(_ALIASES.get(key, key))


def parse_model_uri(uri: str) -> ModelRef:
    """Split ``<provider>:/<model>`` (MLflow's form) into its scheme and model.

    Raises:
        InvalidArgumentError: The URI is malformed, or names a provider Ardea cannot call.
    """
    if not isinstance(uri, str):
        raise InvalidArgumentError(f"A model URI must be a string, got {type(uri).__name__}")
    scheme, sep, model = uri.strip().partition(":/")
    model = model.lstrip("/")
    if not sep or not scheme or not model:
        raise InvalidArgumentError(
            f"Malformed model URI {uri!r}: expected <provider>:/<model>, e.g. "
            "'openai:/gpt-4.1-mini' or 'anthropic:/claude-sonnet-4-5'"
        )
    if scheme.lower() in _UNSUPPORTED:
        raise InvalidArgumentError(
            f"Model URI {uri!r}: {_UNSUPPORTED[scheme.lower()]} are not supported by ardea.llm"
        )
    return ModelRef(scheme=scheme, provider=provider_spec(scheme), model=model)
