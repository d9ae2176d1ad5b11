"""``env_number`` and ``env_choice``: the parsers of numeric and one-of environment variables."""

from __future__ import annotations

import logging

import pytest

from ardea._core.env import env_number

NAME = "ARDEA_TEST_ENV_NUMBER"


def test_unset_or_blank_gives_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NAME, raising=False)
    assert env_number(NAME, 60.0) == 60.0
    monkeypatch.setenv(NAME, "  ")
    assert env_number(NAME, 60.0) == 60.0


def test_a_number_is_read_and_raised_to_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, " 2.5 ")
    assert env_number(NAME, 60.0, minimum=0.2) == 2.5
    monkeypatch.setenv(NAME, "0.01")
    assert env_number(NAME, 60.0, minimum=0.2) == 0.2
    monkeypatch.setenv(NAME, "0")
    assert env_number(NAME, 60.0, minimum=0.2) == 0.2


def test_zero_means_off_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "0")
    assert env_number(NAME, 3600.0, minimum=0.2, off=True) == 0.0
    monkeypatch.setenv(NAME, "0.01")
    assert env_number(NAME, 3600.0, minimum=0.2, off=True) == 0.2


@pytest.mark.parametrize("bad", ["soon", "-1", "-0.5", "inf", "nan", "1e999"])
def test_a_bad_value_warns_once_and_gives_the_default(
    bad: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(NAME, bad)
    with caplog.at_level(logging.WARNING, logger="ardea._core.env"):
        assert env_number(NAME, 5.0, minimum=1.0) == 5.0
    (record,) = caplog.records
    assert record.getMessage() == f"Ignoring {NAME}={bad!r}: not a number >= 0; using 5.0"


def test_env_choice_reads_the_value_then_the_variable_and_refuses_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ardea._core.env import env_choice
    from ardea._core.errors import InvalidArgumentError

    choices = ("normal", "full")
    assert env_choice("ARDEA_TEST_CHOICE", choices, what="mode") == ""
    monkeypatch.setenv("ARDEA_TEST_CHOICE", " FULL ")
    assert env_choice("ARDEA_TEST_CHOICE", choices, what="mode") == "full"
    assert env_choice("ARDEA_TEST_CHOICE", choices, "Normal", what="mode") == "normal"
    message = r"Invalid mode 'x' \(ARDEA_TEST_CHOICE or --m\)"
    with pytest.raises(InvalidArgumentError, match=message):
        env_choice("ARDEA_TEST_CHOICE", choices, "x", what="mode", also=" or --m")
