"""``prompts:/`` references."""

from __future__ import annotations

import pytest

from ardea import InvalidArgumentError
from ardea.prompts import PromptRef, parse_prompt_ref


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("prompts:/qa/3",), PromptRef("qa", version=3)),
        (("prompts:/qa@production",), PromptRef("qa", alias="production")),
        (("prompts:/qa@latest",), PromptRef("qa", alias="latest")),
        (("prompts:/qa",), PromptRef("qa", alias="latest")),
        (("qa.v2-x_y",), PromptRef("qa.v2-x_y", alias="latest")),
        (("qa", 4), PromptRef("qa", version=4)),
        (("qa", "4"), PromptRef("qa", version=4)),
        (("qa", "champion"), PromptRef("qa", alias="champion")),
    ],
)
def test_parse(args: tuple, expected: PromptRef) -> None:
    assert parse_prompt_ref(*args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ("",),
        ("prompts:/",),
        ("prompts:/qa/latest",),
        ("prompts:/qa/0",),
        ("prompts:/qa/x",),
        ("prompts:/qa/1/2",),
        ("prompts:/qa@",),
        ("prompts:/bad name/1",),
        ("prompts:/qa/1", 2),
        ("qa", 0),
        ("qa", True),
        ("na'me",),
    ],
)
def test_bad_references(args: tuple) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_prompt_ref(*args)


def test_cache_key() -> None:
    assert PromptRef("qa", version=3).key == "qa/3"
    assert PromptRef("qa", alias="prod").key == "qa@prod"
