"""Passwords: argon2id round trip, the policy, rehash detection, the dummy verification."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from ardea._core.errors import InvalidArgumentError
from ardea.auth import passwords as pw


def test_hash_and_verify() -> None:
    h = pw.hash_password("correct horse battery")
    assert h.startswith("$argon2id$") and "correct" not in h
    assert pw.verify_password(h, "correct horse battery")
    assert not pw.verify_password(h, "correct horse batterY")
    assert not pw.verify_password("not-a-hash", "x")
    assert pw.hash_password("same password!") != pw.hash_password("same password!")  # salted
    assert not pw.needs_rehash(h)


def test_old_parameters_need_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("old password 1")
    assert pw.verify_password(weak, "old password 1")
    assert pw.needs_rehash(weak)
    assert pw.needs_rehash("garbage")


def test_policy() -> None:
    assert pw.check_password_policy("twelve chars") == "twelve chars"
    with pytest.raises(InvalidArgumentError, match="at least 12") as e:
        pw.check_password_policy("short-pw")
    assert "short-pw" not in e.value.message
    with pytest.raises(InvalidArgumentError, match="at most 1024"):
        pw.check_password_policy("x" * 1025)
    with pytest.raises(InvalidArgumentError, match="NUL"):
        pw.check_password_policy("x" * 12 + "\x00")
    with pytest.raises(InvalidArgumentError, match="not be the username"):
        pw.check_password_policy("Ada.Lovelace.1815", username="ada.lovelace.1815")
    with pytest.raises(InvalidArgumentError, match="string"):
        pw.check_password_policy(None)
    assert pw.check_password_policy("abc", min_length=3) == "abc"


def test_min_length_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pw.min_password_length() == 12
    monkeypatch.setenv("ARDEA_AUTH_MIN_PASSWORD_LENGTH", "16")
    assert pw.min_password_length() == 16
    with pytest.raises(InvalidArgumentError, match="at least 16"):
        pw.check_password_policy("fifteen chars!!")
    assert pw.min_password_length({"ARDEA_AUTH_MIN_PASSWORD_LENGTH": "4"}) == 4
    for bad in ("0", "x", "2000"):
        with pytest.raises(InvalidArgumentError, match="ARDEA_AUTH_MIN_PASSWORD_LENGTH"):
            pw.min_password_length({"ARDEA_AUTH_MIN_PASSWORD_LENGTH": bad})


def test_dummy_verify_runs_a_real_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = pw.verify_password

    def spy(password_hash: str, password: str) -> bool:
        calls.append((password_hash, password))
        return real(password_hash, password)

    monkeypatch.setattr(pw, "verify_password", spy)
    pw.dummy_verify("whatever")
    pw.dummy_verify("again")
    assert [c[1] for c in calls] == ["whatever", "again"]
    assert calls[0][0] == calls[1][0] and calls[0][0].startswith("$argon2id$")
