"""Prompt templates: ``{{ var }}`` substitution, and Jinja2 rendered in a sandbox.

Detection is syntactic, as in MLflow: a template (or, for chat prompts, any message content)
that contains both ``{%`` and ``%}`` is a Jinja2 template; anything else is plain text with
``{{ name }}`` placeholders, replaced literally (no expressions, no filters).

Jinja2 templates render in :class:`jinja2.sandbox.ImmutableSandboxedEnvironment`: attributes
starting with ``_`` (``__class__``, ``__globals__``, ...), internal attributes of functions and
frames, and methods that mutate lists or dicts are refused. A refused access raises
:class:`PromptRenderError` (an :class:`~ardea.InvalidArgumentError`). Jinja2 is imported only
when such a template is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError
from ardea.prompts._constants import VARIABLE_PATTERN

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = [
    "Messages",
    "PromptRenderError",
    "Template",
    "check_template",
    "is_jinja",
    "render",
    "template_variables",
    "to_single_brace",
]

Messages = list[dict[str, str]]
"""A chat template: ``[{"role": ..., "content": ...}, ...]``."""

Template = str | Messages
"""A text template or a chat template."""


class PromptRenderError(InvalidArgumentError):
    """A template could not be rendered: bad syntax, missing variables or a refused access."""


def check_template(template: Any) -> Template:
    """Validate a template: a str, or a non-empty list of ``{role, content}`` str dicts.

    Returns:
        A copy of the template (messages as plain dicts).

    Raises:
        InvalidArgumentError: Any other shape.
    """
    if isinstance(template, str):
        return template
    if not isinstance(template, Sequence) or isinstance(template, bytes) or not template:
        raise InvalidArgumentError(
            "A prompt template must be a str or a non-empty list of "
            "{'role': ..., 'content': ...} messages."
        )
    messages: Messages = []
    for i, message in enumerate(template):
        if not isinstance(message, Mapping) or set(message) != {"role", "content"}:
            raise InvalidArgumentError(
                f"Chat message {i} must be a dict with exactly the keys 'role' and 'content'."
            )
        role, content = message["role"], message["content"]
        if not isinstance(role, str) or not role or not isinstance(content, str):
            raise InvalidArgumentError(f"Chat message {i}: role and content must be strings.")
        messages.append({"role": role, "content": content})
    return messages


def _texts(template: Template) -> list[str]:
    return [template] if isinstance(template, str) else [m["content"] for m in template]


def is_jinja(template: Template) -> bool:
    """Whether the template (or any chat message) uses Jinja2 control flow (``{% ... %}``)."""
    return any("{%" in text and "%}" in text for text in _texts(template))


def _environment(strict: bool) -> ImmutableSandboxedEnvironment:
    from jinja2 import StrictUndefined, Undefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined if strict else Undefined, autoescape=False
    )


def _jinja_variables(text: str) -> set[str]:
    from jinja2 import TemplateSyntaxError, meta

    env = _environment(strict=True)
    try:
        parsed = env.parse(text)
    except TemplateSyntaxError as exc:
        raise PromptRenderError(
            f"Invalid Jinja2 template: {exc.message} (line {exc.lineno})"
        ) from None
    return set(meta.find_undeclared_variables(parsed)) - set(env.globals)


def template_variables(template: Template) -> set[str]:
    """The variables the template needs.

    Plain templates: the ``{{ name }}`` placeholders. Jinja2 templates: the names the template
    reads without defining them (loop variables and ``set`` targets excluded).

    Raises:
        PromptRenderError: A Jinja2 template with a syntax error.
    """
    found: set[str] = set()
    jinja = is_jinja(template)
    for text in _texts(template):
        found |= _jinja_variables(text) if jinja else set(VARIABLE_PATTERN.findall(text))
    return found


def _substitute(text: str, values: Mapping[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return VARIABLE_PATTERN.sub(replace, text)


def _render_jinja(text: str, values: Mapping[str, Any], strict: bool) -> str:
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    env = _environment(strict)
    try:
        return env.from_string(text).render(**values)
    except SecurityError as exc:
        raise PromptRenderError(f"Template refused by the sandbox: {exc}") from None
    except TemplateError as exc:
        raise PromptRenderError(f"Template could not be rendered: {exc}") from None
    except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError) as exc:
        raise PromptRenderError(f"Template could not be rendered: {exc!r}") from None


def render(template: Template, values: Mapping[str, Any], allow_partial: bool = False) -> Template:
    """Fill in a template's variables.

    Args:
        template: A text or chat template.
        values: Variable values (converted with ``str`` for plain templates).
        allow_partial: Leave missing ``{{ name }}`` placeholders in place instead of raising
            (a Jinja2 template renders missing variables as empty).

    Returns:
        The rendered text, or the chat messages with each content rendered.

    Raises:
        PromptRenderError: Variables are missing (all are named), or a Jinja2 template is
            invalid or tried something the sandbox refuses.
    """
    if not allow_partial:
        missing = template_variables(template) - set(values)
        if missing:
            names = ", ".join(sorted(missing))
            raise PromptRenderError(
                f"Missing variables: {names}. Pass them to format(), or use "
                "allow_partial=True to leave them in place.",
                details={"missing": sorted(missing)},
            )
    if is_jinja(template):

        def fill(text: str) -> str:
            return _render_jinja(text, values, strict=not allow_partial)

    else:

        def fill(text: str) -> str:
            return _substitute(text, values)

    if isinstance(template, str):
        return fill(template)
    return [{"role": m["role"], "content": fill(m["content"])} for m in template]


def to_single_brace(template: Template) -> Template:
    """The template with ``{{ name }}`` placeholders turned into ``{name}`` (LangChain style)."""

    def convert(text: str) -> str:
        return VARIABLE_PATTERN.sub(lambda m: "{" + m.group(1) + "}", text)

    if isinstance(template, str):
        return convert(template)
    return [{"role": m["role"], "content": convert(m["content"])} for m in template]
