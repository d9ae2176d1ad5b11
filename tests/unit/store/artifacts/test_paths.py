"""safe_relpath / artifact_key: hostile paths are rejected or confined as literal names."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.artifacts.paths import (
    MAX_PATH_BYTES,
    artifact_key,
    check_part_number,
    check_upload_id,
    new_upload_id,
    ordered_part_numbers,
    safe_relpath,
)
from fixtures.hostile_paths import CONFINED, REJECTED


@pytest.mark.parametrize("path", REJECTED, ids=repr)
def test_hostile_paths_are_rejected(path: str) -> None:
    with pytest.raises(InvalidArgumentError):
        safe_relpath(path)
    with pytest.raises(InvalidArgumentError):
        artifact_key(path)


@pytest.mark.parametrize(("path", "expected"), CONFINED.items(), ids=repr)
def test_odd_paths_are_confined_literally(path: str, expected: str) -> None:
    norm = safe_relpath(path)
    assert norm == expected
    assert not norm.startswith("/")
    assert ".." not in norm.split("/")
    assert posixpath.normpath(posixpath.join("/root", norm)).startswith("/root/")


def test_enough_hostile_cases() -> None:
    assert len(REJECTED) + len(CONFINED) >= 25


def test_root_handling() -> None:
    assert safe_relpath("") == ""
    assert safe_relpath(None) == ""
    assert safe_relpath("./") == ""
    for root in ("", ".", "./", None):
        with pytest.raises(InvalidArgumentError):
            safe_relpath(root, allow_root=False)


def test_longest_allowed_path() -> None:
    path = "/".join(["b" * 200] * 5)[:MAX_PATH_BYTES]
    assert safe_relpath(path) == path


def test_non_string_is_rejected() -> None:
    with pytest.raises(InvalidArgumentError):
        safe_relpath(b"a/b")  # type: ignore[arg-type]


@pytest.mark.parametrize("path", [".ardea-mpu", ".ardea-mpu/x/part-1", "a/.ardea-tmp-x", ".ardea-"])
def test_reserved_names_are_refused_by_artifact_key_only(path: str) -> None:
    assert safe_relpath(path) == path
    with pytest.raises(InvalidArgumentError):
        artifact_key(path)


def test_upload_ids() -> None:
    ids = {new_upload_id() for _ in range(50)}
    assert len(ids) == 50
    for upload_id in ids:
        assert check_upload_id(upload_id) == upload_id
    for bad in ["", "../x", "0" * 31, "0" * 33, "0" * 32 + "\n", "G" * 32, "A" * 32, None, 12]:
        with pytest.raises(InvalidArgumentError):
            check_upload_id(bad)  # type: ignore[arg-type]


def test_part_numbers() -> None:
    assert check_part_number(1) == 1
    assert check_part_number(10_000) == 10_000
    for bad in [0, -1, 10_001, True, 1.0, "1"]:
        with pytest.raises(InvalidArgumentError):
            check_part_number(bad)  # type: ignore[arg-type]


@dataclass
class _Part:
    part_number: int


def test_ordered_part_numbers() -> None:
    assert ordered_part_numbers([_Part(3), _Part(1), _Part(2)]) == [1, 2, 3]
    with pytest.raises(InvalidArgumentError):
        ordered_part_numbers([])
    with pytest.raises(InvalidArgumentError):
        ordered_part_numbers([_Part(1), _Part(1)])
    with pytest.raises(InvalidArgumentError):
        ordered_part_numbers([_Part(0)])
