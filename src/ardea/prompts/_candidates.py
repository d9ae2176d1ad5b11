"""Candidate templates: render a prompt with another template while an optimizer tries it.

``optimize_prompts`` runs the user's app with candidate templates without registering them:
inside :func:`candidate_templates`, :meth:`PromptVersion.format` of a prompt named in the
mapping renders the candidate instead of the version's own template (MLflow patches
``PromptVersion.template`` for the same purpose; a context variable keeps other threads and
tasks unaffected). The names of the prompts that were formatted are collected, so that the
optimizer can tell a prompt the app never uses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ardea.prompts._template import Template

__all__ = ["CandidateSet", "candidate_templates", "template_for"]


@dataclass
class CandidateSet:
    """The templates in force, by prompt name, and the names formatted so far."""

    templates: Mapping[str, Template]
    used: set[str] = field(default_factory=set)


_CURRENT: ContextVar[CandidateSet | None] = ContextVar("ardea_prompt_candidates", default=None)


@contextmanager
def candidate_templates(templates: Mapping[str, Template]) -> Iterator[CandidateSet]:
    """Make ``format()`` of the prompts named in ``templates`` render those templates.

    In force within the block, and in the threads and tasks it starts with a copied context.
    """
    current = CandidateSet(dict(templates))
    token = _CURRENT.set(current)
    try:
        yield current
    finally:
        _CURRENT.reset(token)


def template_for(name: str, template: Template) -> Template:
    """The candidate template for prompt ``name`` if one is in force, else ``template``."""
    current = _CURRENT.get()
    if current is None or name not in current.templates:
        return template
    current.used.add(name)
    return current.templates[name]
