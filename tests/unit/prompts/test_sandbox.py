"""Hostile Jinja2 templates never reach Python internals: refused, or rendered harmlessly."""

from __future__ import annotations

import pytest

from ardea.prompts import PromptRenderError
from ardea.prompts._template import render

HOSTILE = [
    "{% if 1 %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endif %}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{% if 1 %}{{ self.__init__.__globals__ }}{% endif %}",
    "{% if 1 %}{{ cycler.__init__.__globals__.os }}{% endif %}",
    "{% if 1 %}{{ joiner.__init__.__globals__['os'].popen('id').read() }}{% endif %}",
    "{% if 1 %}{{ namespace.__init__.__globals__ }}{% endif %}",
    "{% if 1 %}{{ lipsum.__globals__['os'] }}{% endif %}",
    "{% if 1 %}{{ range.__self__ }}{% endif %}",
    "{% if 1 %}{{ x.__class__.__init__.__globals__ }}{% endif %}",
    "{% set l = [] %}{% if l.append(1) %}{% endif %}{{ l }}",
    "{% if 1 %}{{ ('a'|attr('__class__')) }}{% endif %}",
    "{% if 1 %}{{ x.format.__globals__ }}{% endif %}",
    "{% if 1 %}{{ '{0.__class__}'.format(x) }}{% endif %}",
]

INTERNALS = ("<class", "subclasses", "builtins", "module 'os'", "uid=", "function", "__")


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_templates_are_refused(template: str) -> None:
    with pytest.raises(PromptRenderError):
        render(template, {"x": "text"})


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_templates_in_partial_mode_render_nothing_internal(template: str) -> None:
    try:
        out = render(template, {"x": "text"}, allow_partial=True)
    except PromptRenderError:
        return
    assert not any(marker in out for marker in INTERNALS), out


@pytest.mark.parametrize("name", ["config", "request", "settings", "os", "g"])
def test_framework_globals_are_not_there(name: str) -> None:
    template = "{% if 1 %}{{ " + name + ".items() }}{% endif %}"
    with pytest.raises(PromptRenderError) as exc:
        render(template, {})
    assert name in str(exc.value)


def test_huge_range_is_refused() -> None:
    with pytest.raises(PromptRenderError):
        render("{% for i in range(10**9) %}{{ i }}{% endfor %}", {})


def test_value_objects_cannot_be_walked_into() -> None:
    class Secret:
        password = "hunter2"

        def _private(self) -> str:
            return "internal"

    with pytest.raises(PromptRenderError):
        render("{% if 1 %}{{ s._private() }}{% endif %}", {"s": Secret()})
    assert render("{% if 1 %}{{ s.password }}{% endif %}", {"s": Secret()}) == "hunter2"
