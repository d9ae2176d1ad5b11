"""Template rendering: ``{{ var }}`` substitution, Jinja2 in a sandbox, chat messages."""

from __future__ import annotations

import pytest

from ardea import InvalidArgumentError
from ardea.prompts import PromptRenderError
from ardea.prompts._template import (
    check_template,
    is_jinja,
    render,
    template_variables,
    to_single_brace,
)


def test_variables_of_plain_templates() -> None:
    assert template_variables("Hi {{ name }}, {{name}} and {{  user.city }}; {x}") == {
        "name",
        "user.city",
    }
    assert template_variables("no vars {{ 1bad }} {{ }}") == set()


def test_substitution_keeps_other_braces_and_converts_values() -> None:
    out = render("{{a}} + {{ b }} = {c} {{ a }}", {"a": 1, "b": 2.5})
    assert out == "1 + 2.5 = {c} 1"


def test_values_are_inserted_literally() -> None:
    # No re-expansion, no regex escapes: a value that looks like a placeholder stays as is.
    out = render("{{ a }}|{{ b }}", {"a": "{{ b }}", "b": r"\1 \u00e9"})
    assert out == r"{{ b }}|\1 \u00e9"


def test_missing_variables_are_all_named() -> None:
    with pytest.raises(PromptRenderError) as exc:
        render("{{ a }} {{ b }} {{ c }}", {"b": 1})
    assert "a, c" in str(exc.value)
    assert exc.value.details["missing"] == ["a", "c"]
    assert isinstance(exc.value, InvalidArgumentError)


def test_allow_partial_leaves_missing_in_place() -> None:
    assert render("{{ a }} {{ b }}", {"b": 1}, allow_partial=True) == "{{ a }} 1"


def test_chat_templates_format_each_message() -> None:
    template = check_template(
        [{"role": "system", "content": "Be {{ tone }}."}, {"role": "user", "content": "{{q}}"}]
    )
    assert template_variables(template) == {"tone", "q"}
    assert render(template, {"tone": "brief", "q": "Why?"}) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Why?"},
    ]
    with pytest.raises(PromptRenderError, match="q"):
        render(template, {"tone": "x"})


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        b"bytes",
        [{"role": "user"}],
        [{"role": "user", "content": 3}],
        [{"role": "", "content": "x"}],
        [{"role": "user", "content": "x", "extra": 1}],
        ["just a string"],
    ],
)
def test_bad_templates_are_rejected(bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        check_template(bad)


def test_single_brace_conversion() -> None:
    assert to_single_brace("Hi {{ name }}, {{x}} {y}") == "Hi {name}, {x} {y}"
    assert to_single_brace([{"role": "user", "content": "{{ q }}"}]) == [
        {"role": "user", "content": "{q}"}
    ]


def test_jinja_detection_needs_both_delimiters() -> None:
    assert is_jinja("{% if a %}x{% endif %}")
    assert not is_jinja("100 {% off")
    assert is_jinja([{"role": "user", "content": "a"}, {"role": "user", "content": "{%x%}"}])


def test_jinja_control_flow() -> None:
    template = "{% for item in items %}- {{ item.name }}\n{% endfor %}{% if vip %}VIP{% endif %}"
    assert template_variables(template) == {"items", "vip"}
    out = render(template, {"items": [{"name": "a"}, {"name": "b"}], "vip": True})
    assert out == "- a\n- b\nVIP"


def test_jinja_missing_variables_are_named() -> None:
    with pytest.raises(PromptRenderError) as exc:
        render("{% if a %}{{ b }}{% endif %}{{ c }}", {})
    assert "a, b, c" in str(exc.value)


def test_jinja_syntax_error_is_invalid_argument() -> None:
    with pytest.raises(PromptRenderError, match="Invalid Jinja2"):
        render("{% if a %}unclosed", {"a": 1})


def test_jinja_partial_renders_missing_as_empty() -> None:
    assert render("{% if a %}A{% endif %}[{{ b }}]", {"a": 1}, allow_partial=True) == "A[]"
