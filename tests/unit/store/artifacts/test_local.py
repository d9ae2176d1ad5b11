"""LocalArtifactStore: confinement (hostile paths, symlink escapes), atomic writes, staging."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import FileInfo
from ardea.store.artifacts import LocalArtifactStore, MultipartPart
from fixtures.hostile_paths import CONFINED, REJECTED

SECRET = b"outside secret"


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder`` (not following symlinks) with file contents."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(folder).as_posix()
            out[rel] = p.read_bytes() if p.is_file() and not p.is_symlink() else None
    return out


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[LocalArtifactStore, Path]]:
    """A store at <tmp>/root and a folder <tmp>/outside holding a secret, checked untouched."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    store = LocalArtifactStore(tmp_path / "root")
    before = snapshot(outside)
    yield store, outside
    assert snapshot(outside) == before, "something outside the root was created or changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "root"]


# -- hostile paths ------------------------------------------------------------------------
@pytest.mark.parametrize("path", REJECTED, ids=repr)
def test_hostile_paths_touch_nothing(sandbox: tuple[LocalArtifactStore, Path], path: str) -> None:
    store, _ = sandbox
    for op in (
        lambda: store.put(path, b"pwned"),
        lambda: store.get(path),
        lambda: store.size(path),
        lambda: store.list(path),
        lambda: store.delete(path),
        lambda: store.create_multipart_upload(path),
    ):
        with pytest.raises(InvalidArgumentError):
            op()
    assert snapshot(store.root) == {}


@pytest.mark.parametrize(("path", "expected"), CONFINED.items(), ids=repr)
def test_odd_paths_stay_inside(sandbox: tuple[LocalArtifactStore, Path], path: str, expected: str):
    store, _ = sandbox
    store.put(path, b"ok")
    target = store.root / expected
    assert target.read_bytes() == b"ok"
    assert os.path.realpath(target).startswith(str(store.root) + os.sep)
    assert store.get(path) == b"ok"
    store.delete(path)
    assert not target.exists()


# -- symlink escapes ----------------------------------------------------------------------
@pytest.fixture
def escapes(sandbox: tuple[LocalArtifactStore, Path]) -> tuple[LocalArtifactStore, Path]:
    """Symlinks inside the root that lead outside it: a folder, a file, a dangling name."""
    store, outside = sandbox
    os.symlink(outside, store.root / "dirlink")
    os.symlink(outside / "secret.txt", store.root / "filelink")
    os.symlink(outside / "not-yet.txt", store.root / "dangling")
    (store.root / "real").mkdir()
    os.symlink(outside, store.root / "real" / "nested")
    return store, outside


ESCAPING = [
    "dirlink",
    "dirlink/secret.txt",
    "dirlink/new.txt",
    "dirlink/sub/new.txt",
    "filelink",
    "dangling",
    "real/nested",
    "real/nested/secret.txt",
]


@pytest.mark.parametrize("path", ESCAPING)
def test_symlink_escape_rejected_for_read(escapes: tuple[LocalArtifactStore, Path], path: str):
    store, _ = escapes
    with pytest.raises(InvalidArgumentError):
        store.get(path)
    with pytest.raises(InvalidArgumentError):
        store.open(path)
    with pytest.raises(InvalidArgumentError):
        store.size(path)


@pytest.mark.parametrize("path", ESCAPING)
def test_symlink_escape_rejected_for_write(escapes: tuple[LocalArtifactStore, Path], path: str):
    store, _ = escapes
    with pytest.raises(InvalidArgumentError):
        store.put(path, b"pwned")
    with pytest.raises(InvalidArgumentError):
        store.put(path, iter([b"pw", b"ned"]))
    with pytest.raises(InvalidArgumentError):
        store.create_multipart_upload(path)


@pytest.mark.parametrize("path", ESCAPING)
def test_symlink_escape_rejected_for_list_and_delete(
    escapes: tuple[LocalArtifactStore, Path], path: str
) -> None:
    store, _ = escapes
    before = snapshot(store.root)
    with pytest.raises(InvalidArgumentError):
        store.list(path)
    with pytest.raises(InvalidArgumentError):
        store.delete(path)
    assert snapshot(store.root) == before  # not even the symlinks were removed


def test_listings_skip_escaping_symlinks(escapes: tuple[LocalArtifactStore, Path]) -> None:
    store, _ = escapes
    assert store.list("") == [FileInfo(path="real", is_dir=True)]
    assert store.list("real") == []


def test_delete_root_unlinks_symlinks_without_following(
    escapes: tuple[LocalArtifactStore, Path],
) -> None:
    store, outside = escapes
    store.delete("")
    assert list(store.root.iterdir()) == []
    assert (outside / "secret.txt").read_bytes() == SECRET


def test_symlink_to_system_file_is_not_read(sandbox: tuple[LocalArtifactStore, Path]) -> None:
    store, _ = sandbox
    os.symlink("/etc/passwd", store.root / "pw")
    with pytest.raises(InvalidArgumentError):
        store.get("pw")
    os.unlink(store.root / "pw")


def test_multipart_completion_rechecks_the_destination(
    sandbox: tuple[LocalArtifactStore, Path],
) -> None:
    store, outside = sandbox
    upload_id = store.create_multipart_upload("later/file.bin")
    etag = store.upload_part("later/file.bin", upload_id, 1, b"data")
    os.symlink(outside, store.root / "later")  # swapped in after the upload started
    with pytest.raises(InvalidArgumentError):
        store.complete_multipart_upload("later/file.bin", upload_id, [MultipartPart(1, etag)])
    store.delete("")


def test_symlink_inside_the_root_is_followed(sandbox: tuple[LocalArtifactStore, Path]) -> None:
    store, _ = sandbox
    store.put("data/a.txt", b"inside")
    os.symlink(store.root / "data", store.root / "alias")
    assert store.get("alias/a.txt") == b"inside"
    store.delete("alias")  # removes the link, not its target
    assert store.get("data/a.txt") == b"inside"
    assert not (store.root / "alias").exists()


def test_root_given_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real-root").mkdir()
    os.symlink(tmp_path / "real-root", tmp_path / "link-root")
    store = LocalArtifactStore(tmp_path / "link-root")
    store.put("x.txt", b"x")
    assert (tmp_path / "real-root" / "x.txt").read_bytes() == b"x"
    assert store.root == (tmp_path / "real-root").resolve()


# -- upload ids cannot smuggle paths ------------------------------------------------------
@pytest.mark.parametrize("upload_id", ["../../outside", "/tmp/x", "..", "a/b", "0" * 31 + "/"])
def test_upload_id_path_tricks(sandbox: tuple[LocalArtifactStore, Path], upload_id: str) -> None:
    store, _ = sandbox
    with pytest.raises(InvalidArgumentError):
        store.upload_part("f.bin", upload_id, 1, b"x")
    with pytest.raises(InvalidArgumentError):
        store.complete_multipart_upload("f.bin", upload_id, [MultipartPart(1, "")])
    with pytest.raises(InvalidArgumentError):
        store.abort_multipart_upload("f.bin", upload_id)
    assert snapshot(store.root) == {}


# -- atomic writes, staging, file kinds ---------------------------------------------------
def test_put_leaves_no_temp_files_and_honours_umask(sandbox: tuple[LocalArtifactStore, Path]):
    store, _ = sandbox
    old = os.umask(0o022)
    try:
        store = LocalArtifactStore(store.root)
        store.put("a/b.txt", iter([b"1", b"2"]))
    finally:
        os.umask(old)
    assert snapshot(store.root) == {"a": None, "a/b.txt": b"12"}
    assert stat.S_IMODE((store.root / "a" / "b.txt").stat().st_mode) == 0o644


def test_failed_put_cleans_its_temp_file(sandbox: tuple[LocalArtifactStore, Path]) -> None:
    store, _ = sandbox
    store.put("f.txt", b"old")

    def broken() -> Iterator[bytes]:
        yield b"new"
        raise OSError("disk on fire")

    with pytest.raises(OSError, match="disk on fire"):
        store.put("f.txt", broken())
    assert snapshot(store.root) == {"f.txt": b"old"}


def test_multipart_staging_is_hidden_and_removed(sandbox: tuple[LocalArtifactStore, Path]):
    store, _ = sandbox
    upload_id = store.create_multipart_upload("m.bin")
    etag = store.upload_part("m.bin", upload_id, 1, b"abc")
    assert (store.root / ".ardea-mpu" / upload_id).is_dir()
    assert store.list("") == []
    store.complete_multipart_upload("m.bin", upload_id, [MultipartPart(1, etag)])
    assert not (store.root / ".ardea-mpu" / upload_id).exists()
    assert store.list("") == [FileInfo(path="m.bin", is_dir=False, file_size=3)]


def test_files_and_folders_in_the_way(sandbox: tuple[LocalArtifactStore, Path]) -> None:
    store, _ = sandbox
    store.put("d/x.txt", b"x")
    with pytest.raises(InvalidArgumentError):
        store.put("d", b"a file over a folder")
    with pytest.raises(InvalidArgumentError):
        store.put("d/x.txt/y", b"a file under a file")
    with pytest.raises(NotFoundError):
        store.get("d/x.txt/y")
    assert store.list("d/x.txt/y") == []
    assert snapshot(store.root) == {"d": None, "d/x.txt": b"x"}


def test_str_data_is_refused(sandbox: tuple[LocalArtifactStore, Path]) -> None:
    store, _ = sandbox
    with pytest.raises(InvalidArgumentError):
        store.put("s.txt", "text")  # type: ignore[arg-type]
    assert snapshot(store.root) == {}


def test_writer_commits_atomically_and_cleans_up_on_error(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "root")
    store.put("a/f.bin", b"old")
    with store.writer("a/f.bin") as f:
        f.write(b"new ")
        assert b"".join(store.open("a/f.bin")) == b"old"  # not visible before the block ends
        f.write(b"bytes")
    assert b"".join(store.open("a/f.bin")) == b"new bytes"
    with pytest.raises(RuntimeError), store.writer("a/f.bin") as f:
        f.write(b"half")
        raise RuntimeError("client went away")
    assert b"".join(store.open("a/f.bin")) == b"new bytes"
    assert sorted(p.name for p in (tmp_path / "root" / "a").iterdir()) == ["f.bin"]
    with pytest.raises(InvalidArgumentError):
        store.writer("../escape.bin")


def test_abandoned_multipart_uploads_expire(tmp_path: Path) -> None:
    import os
    import time

    from ardea.store.artifacts.paths import MPU_DIR, MULTIPART_EXPIRY_S

    store = LocalArtifactStore(tmp_path / "root")
    old = store.create_multipart_upload("old.bin")
    store.upload_part("old.bin", old, 1, b"abandoned")
    fresh = store.create_multipart_upload("fresh.bin")
    staging = tmp_path / "root" / MPU_DIR
    past = time.time() - MULTIPART_EXPIRY_S - 60
    os.utime(staging / old, (past, past))
    assert store.expire_multipart_uploads() == 1
    assert sorted(p.name for p in staging.iterdir()) == [fresh]
    with pytest.raises(NotFoundError):
        store.upload_part("old.bin", old, 2, b"late")
    etag = store.upload_part("fresh.bin", fresh, 1, b"kept")
    store.complete_multipart_upload("fresh.bin", fresh, [MultipartPart(1, etag)])
    assert store.get("fresh.bin") == b"kept"
