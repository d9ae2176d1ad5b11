"""One behaviour suite for every ArtifactStore backend.

Backends: a local folder, and S3 through obstore against moto's S3 server on loopback. Both
are built with ``resolve_artifact_store`` from a URI, the way the server and SDK build them.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import FileInfo
from ardea.store.artifacts import (
    ArtifactStore,
    LocalArtifactStore,
    MultipartPart,
    ObjectArtifactStore,
    resolve_artifact_store,
)
from fixtures.s3 import S3Server

MiB = 1024 * 1024


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    if request.param == "local":
        s = resolve_artifact_store(str(tmp_path / "artifacts"))
        assert isinstance(s, LocalArtifactStore)
    else:
        server: S3Server = request.getfixturevalue("s3_env")
        s = resolve_artifact_store(server.uri(f"contract/{uuid.uuid4().hex}"))
        assert isinstance(s, ObjectArtifactStore)
    yield s
    s.close()


def chunks_of(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


# -- put / get / open ---------------------------------------------------------------------
def test_put_bytes_then_get_open_and_size(store: ArtifactStore) -> None:
    assert store.put("hello.txt", b"hello world") == 11
    assert store.get("hello.txt") == b"hello world"
    assert b"".join(store.open("hello.txt")) == b"hello world"
    assert store.size("hello.txt") == 11


def test_put_stream_of_chunks(store: ArtifactStore) -> None:
    data = os.urandom(3 * MiB + 123)
    assert store.put("s/stream.bin", chunks_of(data, 64 * 1024)) == len(data)
    assert store.get("s/stream.bin") == data
    assert store.size("s/stream.bin") == len(data)


def test_empty_file(store: ArtifactStore) -> None:
    assert store.put("empty", b"") == 0
    assert store.get("empty") == b""
    assert store.size("empty") == 0
    assert store.put("empty2", iter([])) == 0
    assert store.list("") == [
        FileInfo(path="empty", is_dir=False, file_size=0),
        FileInfo(path="empty2", is_dir=False, file_size=0),
    ]


def test_eight_megabyte_round_trip_streams(store: ArtifactStore) -> None:
    data = os.urandom(8 * MiB)
    assert store.put("big/model.bin", chunks_of(data, MiB)) == len(data)
    assert store.size("big/model.bin") == len(data)
    chunks = list(store.open("big/model.bin"))
    assert len(chunks) > 1, "the file should arrive in several chunks, not one blob"
    joined = b"".join(chunks)
    assert hashlib.sha256(joined).digest() == hashlib.sha256(data).digest()


def test_put_file_uploads_a_local_file(store: ArtifactStore, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 5000)
    assert store.put_file("up/src.bin", src) == 5000
    assert store.get("up/src.bin") == b"x" * 5000


def test_overwrite_replaces_content(store: ArtifactStore) -> None:
    store.put("f.txt", b"first version, long")
    store.put("f.txt", b"second")
    assert store.get("f.txt") == b"second"
    assert store.size("f.txt") == 6
    assert [i.path for i in store.list("")] == ["f.txt"]


def test_failing_stream_keeps_the_previous_file(store: ArtifactStore) -> None:
    store.put("keep.bin", b"old")

    def broken() -> Iterator[bytes]:
        for _ in range(12):  # past the single-request buffer: a real multipart upload
            yield b"n" * MiB
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        store.put("keep.bin", broken())
    assert store.get("keep.bin") == b"old"
    assert [i.path for i in store.list("")] == ["keep.bin"]


def test_readers_never_see_a_partial_file(store: ArtifactStore) -> None:
    versions = [bytes([c]) * (256 * 1024) for c in b"ab"]
    store.put("hot.bin", versions[0])
    seen: list[bytes] = []
    stop = threading.Event()

    def read() -> None:
        while True:
            seen.append(store.get("hot.bin"))
            if stop.is_set():
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(30):
            store.put("hot.bin", chunks_of(versions[i % 2], 16 * 1024))
    finally:
        stop.set()
        reader.join()
    assert all(data in versions for data in seen)


def test_unicode_and_spaces_in_names(store: ArtifactStore) -> None:
    store.put("dir with space/ünïcødé 文件.txt", b"u")
    assert store.get("dir with space/ünïcødé 文件.txt") == b"u"
    assert store.list("dir with space") == [
        FileInfo(path="dir with space/ünïcødé 文件.txt", is_dir=False, file_size=1)
    ]


# -- missing and wrong kinds --------------------------------------------------------------
def test_missing_file_is_not_found(store: ArtifactStore) -> None:
    with pytest.raises(NotFoundError):
        store.open("nope.txt")  # raised on open, before any iteration
    with pytest.raises(NotFoundError):
        store.get("no/such/file")
    with pytest.raises(NotFoundError):
        store.size("nope.txt")


def test_opening_a_folder_is_invalid(store: ArtifactStore) -> None:
    store.put("d/x.txt", b"x")
    with pytest.raises(InvalidArgumentError):
        store.open("d")
    with pytest.raises(InvalidArgumentError):
        store.size("d")
    with pytest.raises(InvalidArgumentError):
        store.open("")


# -- list ---------------------------------------------------------------------------------
def test_list_direct_children_sorted(store: ArtifactStore) -> None:
    store.put("b.txt", b"bb")
    store.put("a/one.txt", b"1")
    store.put("a/sub/two.txt", b"22")
    store.put("a/sub/deeper/three.txt", b"333")
    store.put("ab.txt", b"x")
    assert store.list("") == [
        FileInfo(path="a", is_dir=True),
        FileInfo(path="ab.txt", is_dir=False, file_size=1),
        FileInfo(path="b.txt", is_dir=False, file_size=2),
    ]
    assert store.list("a") == [
        FileInfo(path="a/one.txt", is_dir=False, file_size=1),
        FileInfo(path="a/sub", is_dir=True),
    ]
    assert store.list("a/sub/") == store.list("./a/sub")
    assert store.list("a/sub") == [
        FileInfo(path="a/sub/deeper", is_dir=True),
        FileInfo(path="a/sub/two.txt", is_dir=False, file_size=2),
    ]
    assert store.is_dir("a/sub") and not store.is_dir("b.txt")


def test_list_absent_folder_or_file_is_empty(store: ArtifactStore) -> None:
    store.put("f.txt", b"x")
    assert store.list("absent") == []
    assert store.list("f.txt") == []


# -- delete -------------------------------------------------------------------------------
def test_delete_file(store: ArtifactStore) -> None:
    store.put("d/x.txt", b"x")
    store.put("d/y.txt", b"y")
    store.delete("d/x.txt")
    with pytest.raises(NotFoundError):
        store.get("d/x.txt")
    assert store.get("d/y.txt") == b"y"


def test_delete_tree_spares_siblings_with_the_same_prefix(store: ArtifactStore) -> None:
    store.put("d/x.txt", b"x")
    store.put("d/e/f/y.txt", b"y")
    store.put("dx/keep.txt", b"k")
    store.put("d.txt", b"k")
    store.delete("d")
    assert store.list("d") == []
    assert [i.path for i in store.list("")] == ["d.txt", "dx"]
    assert store.get("dx/keep.txt") == b"k"


def test_delete_absent_is_not_an_error(store: ArtifactStore) -> None:
    store.delete("never/existed")
    store.delete("ghost.txt")
    assert store.list("") == []


def test_delete_root_empties_the_store(store: ArtifactStore) -> None:
    store.put("a/b.txt", b"x")
    store.put("c.txt", b"x")
    store.delete("")
    assert store.list("") == []


# -- confinement (the same rules for every backend) ---------------------------------------
@pytest.mark.parametrize(
    "path", ["../x", "a/../../x", "/etc/passwd", "C:\\x", "a\x00b", "~root/x", ".ardea-mpu/x"]
)
def test_unsafe_paths_are_rejected_everywhere(store: ArtifactStore, path: str) -> None:
    with pytest.raises(InvalidArgumentError):
        store.put(path, b"x")
    with pytest.raises(InvalidArgumentError):
        store.open(path)
    with pytest.raises(InvalidArgumentError):
        store.list(path)
    with pytest.raises(InvalidArgumentError):
        store.delete(path)
    assert store.list("") == []


# -- multipart ----------------------------------------------------------------------------
def test_multipart_three_parts_out_of_order(store: ArtifactStore) -> None:
    parts_data = {1: os.urandom(300_000), 2: os.urandom(200_000), 3: b"tail"}
    upload_id = store.create_multipart_upload("mp/file.bin")
    etags = {}
    for n in (3, 1, 2):
        etags[n] = store.upload_part("mp/file.bin", upload_id, n, parts_data[n])
    assert store.list("") == []  # staging is never listed
    store.complete_multipart_upload(
        "mp/file.bin", upload_id, [MultipartPart(n, etags[n]) for n in (2, 3, 1)]
    )
    assert store.get("mp/file.bin") == parts_data[1] + parts_data[2] + parts_data[3]
    assert store.list("") == [FileInfo(path="mp", is_dir=True)]
    with pytest.raises(NotFoundError):  # the upload is finished
        store.upload_part("mp/file.bin", upload_id, 4, b"late")


def test_multipart_reupload_of_a_part_replaces_it(store: ArtifactStore) -> None:
    upload_id = store.create_multipart_upload("r.bin")
    store.upload_part("r.bin", upload_id, 1, b"wrong")
    e1 = store.upload_part("r.bin", upload_id, 1, b"right-")
    e2 = store.upload_part("r.bin", upload_id, 2, b"end")
    store.complete_multipart_upload(
        "r.bin", upload_id, [MultipartPart(1, e1), MultipartPart(2, e2)]
    )
    assert store.get("r.bin") == b"right-end"


def test_multipart_abort(store: ArtifactStore) -> None:
    upload_id = store.create_multipart_upload("ab/file.bin")
    store.upload_part("ab/file.bin", upload_id, 1, b"data")
    store.abort_multipart_upload("ab/file.bin", upload_id)
    with pytest.raises(NotFoundError):
        store.get("ab/file.bin")
    with pytest.raises(NotFoundError):
        store.upload_part("ab/file.bin", upload_id, 2, b"more")
    with pytest.raises(NotFoundError):
        store.complete_multipart_upload("ab/file.bin", upload_id, [MultipartPart(1, "")])
    store.abort_multipart_upload("ab/file.bin", upload_id)  # again: not an error
    assert store.list("") == []


def test_multipart_bad_requests(store: ArtifactStore) -> None:
    upload_id = store.create_multipart_upload("m.bin")
    etag = store.upload_part("m.bin", upload_id, 1, b"one")
    for bad_id in ("../../etc", "x" * 32, upload_id + "\n", "", upload_id.upper()):
        with pytest.raises(InvalidArgumentError):
            store.upload_part("m.bin", bad_id, 2, b"x")
    for bad_number in (0, -1, 10_001):
        with pytest.raises(InvalidArgumentError):
            store.upload_part("m.bin", upload_id, bad_number, b"x")
    with pytest.raises(InvalidArgumentError):  # the upload belongs to another path
        store.upload_part("other.bin", upload_id, 2, b"x")
    with pytest.raises(InvalidArgumentError):
        store.complete_multipart_upload("m.bin", upload_id, [])
    with pytest.raises(InvalidArgumentError):  # part 2 never uploaded
        store.complete_multipart_upload(
            "m.bin", upload_id, [MultipartPart(1, etag), MultipartPart(2, "x")]
        )
    with pytest.raises(InvalidArgumentError):
        store.complete_multipart_upload("m.bin", upload_id, [MultipartPart(1, "bad-etag")])
    with pytest.raises(InvalidArgumentError):
        store.complete_multipart_upload(
            "m.bin", upload_id, [MultipartPart(1, etag), MultipartPart(1, etag)]
        )
    with pytest.raises(NotFoundError):  # well-formed but unknown id
        store.upload_part("m.bin", "0" * 32, 1, b"x")
    with pytest.raises(NotFoundError):
        store.get("m.bin")  # nothing above created the file
    store.complete_multipart_upload("m.bin", upload_id, [MultipartPart(1, f'"{etag}"')])
    assert store.get("m.bin") == b"one"
