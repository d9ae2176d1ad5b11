"""URI resolution and download headers for artifact requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.server.artifact_access import ArtifactRoot, _disposition, safe_content_type
from ardea.store.artifacts.local import LocalArtifactStore


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.html", "text/plain"),
        ("a.htm", "text/plain"),
        ("a.svg", "text/plain"),
        ("a.xml", "text/plain"),
        ("a.js", "text/plain"),
        ("a.txt", "text/plain"),
        ("a.csv", "text/csv"),
        ("a.png", "image/png"),
        ("a.pdf", "application/octet-stream"),
        ("noext", "application/octet-stream"),
    ],
)
def test_safe_content_type(name: str, expected: str) -> None:
    assert safe_content_type(name) == expected


def test_disposition_escapes_quotes_and_non_ascii() -> None:
    value = _disposition('we"ird é.txt')
    assert value.startswith('attachment; filename="we_ird _.txt"')
    assert "filename*=UTF-8''we%22ird%20%C3%A9.txt" in value


def test_artifact_root_join_confines_paths(tmp_path: Path) -> None:
    root = ArtifactRoot(LocalArtifactStore(tmp_path), "1/run/artifacts")
    assert root.join("a/b.txt") == "1/run/artifacts/a/b.txt"
    assert root.join("") == "1/run/artifacts"
    assert root.join(None) == "1/run/artifacts"
    for bad in ("../x", "/abs", "a/../../b"):
        with pytest.raises(InvalidArgumentError):
            root.join(bad)
    assert ArtifactRoot(LocalArtifactStore(tmp_path), "").join("x") == "x"
