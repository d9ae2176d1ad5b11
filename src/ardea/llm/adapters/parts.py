"""Message content parts (OpenAI's shapes) read once, for the adapters that translate them.

A message ``content`` is a string or a list of parts::

    {"type": "text", "text": "..."}
    {"type": "image_url", "image_url": {"url": "https://..." | "data:image/png;base64,..."}}

(``image_url`` may also be the URL string itself, as Mistral writes it.) :func:`read_parts`
turns them into :class:`Text` and :class:`Image`; any other part type raises
:class:`UnsupportedPart` naming the provider, the message and the part, because silently
dropping it would change the question.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from ardea._core.errors import InvalidArgumentError

__all__ = ["IMAGE_TYPES", "Image", "Part", "Text", "UnsupportedPart", "read_parts"]

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
"""Image media types every provider here takes."""
_DATA_URL = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)(?:;[^,;]+)*;base64,(?P<data>.*)", re.S)


class UnsupportedPart(InvalidArgumentError):
    """A message part the provider cannot take (nothing was sent)."""


@dataclass(frozen=True)
class Text:
    """A text part."""

    text: str


@dataclass(frozen=True)
class Image:
    """An image part: a URL (``https://``, ``gs://``, ``s3://``) or base64 data.

    Attributes:
        url: The URL, when the image is not inline.
        data: The base64 data, when inline (from a ``data:`` URL).
        media_type: ``image/png``, ... (from the data URL, else guessed from the URL's path).
    """

    url: str | None = None
    data: str | None = None
    media_type: str | None = None

    @property
    def format(self) -> str | None:
        """``png``, ``jpeg``, ``gif`` or ``webp`` (Bedrock's word), when known."""
        return self.media_type.split("/", 1)[1] if self.media_type in IMAGE_TYPES else None


Part = Union[Text, Image]  # noqa: UP007 - a runtime alias


def _image(value: Any, where: str, provider: str) -> Image:
    url = value.get("url") if isinstance(value, Mapping) else value
    if not isinstance(url, str) or not url:
        raise UnsupportedPart(f"{provider}: {where} is an image_url part without a url")
    m = _DATA_URL.fullmatch(url)
    if m:
        return Image(data=m["data"], media_type=m["type"].lower())
    if url.startswith("data:"):
        raise UnsupportedPart(f"{provider}: {where} is a data: URL that is not base64")
    guessed, _ = mimetypes.guess_type(url.split("?", 1)[0])
    return Image(url=url, media_type=guessed)


def read_parts(content: Any, where: str, provider: str) -> list[Part]:
    """The parts of a message ``content`` (``None``: none; a string: one text part).

    Args:
        content: The message content.
        where: Where it is, for errors (``messages[2]``).
        provider: The provider's name, for errors.

    Raises:
        UnsupportedPart: A part that is neither text nor an image.
    """
    if content is None:
        return []
    if isinstance(content, str):
        return [Text(content)] if content else []
    if not isinstance(content, Sequence):
        return [Text(str(content))]
    parts: list[Part] = []
    for i, part in enumerate(content):
        here = f"{where}.content[{i}]"
        if isinstance(part, str):
            parts.append(Text(part))
            continue
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind in ("text", "input_text") and isinstance(part.get("text"), str):
            parts.append(Text(part["text"]))
        elif kind in ("image_url", "input_image"):
            parts.append(_image(part.get("image_url"), here, provider))
        else:
            raise UnsupportedPart(
                f"{provider} cannot take {here} (a {kind or type(part).__name__!s} part): only "
                "text and image_url parts are translated for this provider"
            )
    return parts


def require_image_type(image: Image, where: str, provider: str) -> str:
    """The image's media type, when the providers take it.

    Raises:
        UnsupportedPart: Unknown or not one of :data:`IMAGE_TYPES`.
    """
    if image.media_type not in IMAGE_TYPES:
        raise UnsupportedPart(
            f"{provider} cannot take the image of {where}: media type "
            f"{image.media_type or 'unknown'} (it takes {', '.join(sorted(IMAGE_TYPES))}; "
            "pass a data: URL to say which)"
        )
    return image.media_type
