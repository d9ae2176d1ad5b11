"""What both users of the ``gepa`` package share: judge alignment and prompt optimization.

``gepa`` is optional (``pip install 'ardea[align]'``) and imported only when an optimizer
built on it runs. Its reflection model is called through ``ardea.llm``, so that the calls are
rate-limited, priced, traced and counted against a budget like every other model call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["QuietLogger", "import_gepa", "reflection_lm"]


def import_gepa() -> Any:
    """The ``gepa`` module.

    Raises:
        InvalidArgumentError: It is not installed (the message says how to install it).
    """
    try:
        import gepa
    except ImportError:
        raise InvalidArgumentError(
            "The gepa optimizer needs the 'gepa' package: pip install 'ardea[align]'"
        ) from None
    return gepa


def reflection_lm(model_uri: str) -> Callable[[str | list[dict[str, Any]]], str]:
    """GEPA's ``reflection_lm``: a text or messages in, the reply's text out, via ``ardea.llm``."""
    from ardea.llm import get_client

    client = get_client(model_uri)

    def reflect(prompt: str | list[dict[str, Any]]) -> str:
        messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
        return str(client.chat(messages).text or "")

    return reflect


class QuietLogger:
    """A GEPA logger that drops its messages (Ardea shows its own progress)."""

    def log(self, message: str) -> None:
        """Drop ``message``."""
        return None
