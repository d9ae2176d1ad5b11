"""The prompt registry: versioned prompt templates with aliases, rendering and lineage.

Prompts are stored in the model registry exactly as MLflow stores them, so
``mlflow.genai.load_prompt`` reads prompts registered with Ardea and the other way round.
The fluent functions (``ardea.register_prompt``, ``ardea.load_prompt``, ...) and
:class:`~ardea.ArdeaClient` methods are the usual entry points; this package holds the
entities, template rendering (Jinja2 in a sandbox), the load cache and lineage helpers.
"""

from ardea.prompts._cache import PROMPT_CACHE_TTL_ENV, PromptCache
from ardea.prompts._entities import Prompt, PromptVersion
from ardea.prompts._lineage import PromptLineage
from ardea.prompts._template import PromptRenderError
from ardea.prompts._uri import PromptRef, parse_prompt_ref

__all__ = [
    "PROMPT_CACHE_TTL_ENV",
    "Prompt",
    "PromptCache",
    "PromptLineage",
    "PromptRef",
    "PromptRenderError",
    "PromptVersion",
    "parse_prompt_ref",
]
