"""``prompts:/`` URIs.

==============================  =====================================
URI                             Names
==============================  =====================================
``prompts:/<name>/<version>``   that version
``prompts:/<name>@<alias>``     the version the alias points at
``prompts:/<name>@latest``      the highest version
``prompts:/<name>``, ``<name>`` the highest version
==============================  =====================================

Stages and the ``/latest`` suffix are not accepted for prompts (as in MLflow).
"""

from __future__ import annotations

from dataclasses import dataclass

from ardea._core.errors import InvalidArgumentError
from ardea.prompts._constants import NAME_RULE

__all__ = ["PromptRef", "check_prompt_name", "parse_prompt_ref"]

_SCHEME = "prompts:/"


@dataclass(frozen=True, slots=True)
class PromptRef:
    """A reference to one prompt version: by number, or by alias (``latest`` included).

    Attributes:
        name: The prompt's name.
        version: A version number (None when ``alias`` is set).
        alias: An alias (None when ``version`` is set).
    """

    name: str
    version: int | None = None
    alias: str | None = None

    @property
    def key(self) -> str:
        """A canonical string for caching: ``name/3`` or ``name@alias``."""
        return (
            f"{self.name}/{self.version}"
            if self.version is not None
            else f"{self.name}@{self.alias}"
        )


def check_prompt_name(name: object) -> str:
    """Validate a prompt name (``[a-zA-Z0-9_.-]+``).

    Raises:
        InvalidArgumentError: Not a str, empty, or with other characters.
    """
    if not isinstance(name, str) or not NAME_RULE.fullmatch(name):
        raise InvalidArgumentError(
            f"Invalid prompt name {name!r}: use letters, digits, '_', '-' and '.' only."
        )
    return name


def _number(value: object, where: str) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise InvalidArgumentError(f"Invalid prompt version {value!r} in {where!r}.")
    return int(text)


def parse_prompt_ref(name_or_uri: str, version: int | str | None = None) -> PromptRef:
    """Parse ``prompts:/...`` or a bare name (with an optional ``version``).

    Args:
        name_or_uri: A ``prompts:/`` URI or a prompt name.
        version: With a bare name: a version number, or an alias. Not allowed with a URI.

    Raises:
        InvalidArgumentError: A malformed URI or name, or both a URI and ``version``.
    """
    if not isinstance(name_or_uri, str) or not name_or_uri:
        raise InvalidArgumentError("A prompt name or prompts:/ URI is required.")
    if name_or_uri.startswith(_SCHEME):
        if version is not None:
            raise InvalidArgumentError("Give either a prompts:/ URI or a name and version.")
        path = name_or_uri[len(_SCHEME) :]
        if "/" in path:
            name, _, ref = path.partition("/")
            if ref.lower() == "latest":
                raise InvalidArgumentError(
                    f"{name_or_uri!r}: use prompts:/{name}@latest for the newest version."
                )
            return PromptRef(check_prompt_name(name), version=_number(ref, name_or_uri))
        if "@" in path:
            name, _, alias = path.partition("@")
            if not alias:
                raise InvalidArgumentError(f"Invalid prompt URI {name_or_uri!r}: empty alias.")
            return PromptRef(check_prompt_name(name), alias=alias)
        return PromptRef(check_prompt_name(path), alias="latest")
    name = check_prompt_name(name_or_uri)
    if version is None:
        return PromptRef(name, alias="latest")
    if isinstance(version, str) and not version.strip().isdigit():
        return PromptRef(name, alias=version)
    return PromptRef(name, version=_number(version, name_or_uri))
