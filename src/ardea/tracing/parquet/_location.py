"""Where Parquet files of traces go and come from: a folder, an object store or a pyarrow FS.

A local folder (a path or ``file://``) is written in place, each file under a temporary name
renamed when complete. An object-store URI (``s3://``, ``gs://``, ``az://``, ...) goes through
Ardea's artifact store of that URI (the same credentials and endpoint settings as artifacts):
each file is written to a local temporary file, then uploaded, so readers never see a partial
one. A ``pyarrow.fs.FileSystem`` passed by the caller is written through directly.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ardea.store.artifacts.resolve import is_local_uri, local_path, resolve_artifact_store

TABLES = ("traces", "spans")


class Location:
    """A dataset folder: the parent of ``traces/`` and ``spans/``.

    Args:
        uri: A folder path, ``file://`` URI, or an artifact-store URI (``s3://b/prefix``).
        filesystem: A ``pyarrow.fs.FileSystem``; ``uri`` is then a path inside it.
    """

    def __init__(self, uri: str | os.PathLike[str], *, filesystem: Any = None) -> None:
        self.uri = os.fspath(uri)
        self.filesystem = filesystem
        self.local = filesystem is None and is_local_uri(self.uri)
        self._store: Any = None
        if filesystem is None and not self.local:
            self._store = resolve_artifact_store(self.uri)

    def name(self, rel: str) -> str:
        """The path or URI of the file ``rel`` (e.g. ``traces/part-x.parquet``)."""
        if self.local:
            return str(Path(local_path(self.uri)) / rel)
        return f"{self.uri.rstrip('/')}/{rel}"

    @contextmanager
    def writing(self, rel: str) -> Iterator[Any]:
        """A writable file (a path or a pyarrow output stream) that becomes ``rel`` on exit.

        Nothing appears under ``rel`` when the block raises.
        """
        if self.filesystem is not None:
            target = f"{self.uri.rstrip('/')}/{rel}"
            self.filesystem.create_dir(target.rsplit("/", 1)[0], recursive=True)
            tmp = f"{target}.tmp-{uuid.uuid4().hex[:8]}"
            try:
                with self.filesystem.open_output_stream(tmp) as stream:
                    yield stream
                self.filesystem.move(tmp, target)
            except BaseException:
                _quietly(self.filesystem.delete_file, tmp)
                raise
            return
        if self.local:
            final = Path(self.name(rel))
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp_path = final.with_name(f".{final.name}.tmp-{uuid.uuid4().hex[:8]}")
            try:
                yield str(tmp_path)
                os.replace(tmp_path, final)
            finally:
                tmp_path.unlink(missing_ok=True)
            return
        fd, tmp_name = tempfile.mkstemp(suffix=".parquet", prefix="ardea-traces-")
        os.close(fd)
        try:
            yield tmp_name
            self._store.put_file(rel, tmp_name)
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    def parts(self) -> list[str]:
        """The part names (file names under ``traces/``, sorted) of the dataset."""
        if self.filesystem is not None:
            pafs: Any = importlib.import_module("pyarrow.fs")

            selector = pafs.FileSelector(f"{self.uri.rstrip('/')}/traces", allow_not_found=True)
            names = [info.base_name for info in self.filesystem.get_file_info(selector)]
        elif self.local:
            folder = Path(local_path(self.uri)) / "traces"
            names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        else:
            names = [f.path.rsplit("/", 1)[-1] for f in self._store.list("traces") if not f.is_dir]
        return sorted(n for n in names if n.endswith(".parquet") and not n.startswith("."))

    @contextmanager
    def reading(self, rel: str) -> Iterator[Any]:
        """A readable file (a path or a pyarrow input file) for ``rel``; None if it is absent."""
        if self.filesystem is not None:
            path = f"{self.uri.rstrip('/')}/{rel}"
            pafs = importlib.import_module("pyarrow.fs")
            if self.filesystem.get_file_info(path).type == pafs.FileType.NotFound:
                yield None
                return
            with self.filesystem.open_input_file(path) as stream:
                yield stream
            return
        if self.local:
            local_file = Path(self.name(rel))
            yield str(local_file) if local_file.is_file() else None
            return
        from ardea._core.errors import NotFoundError

        folder = tempfile.mkdtemp(prefix="ardea-traces-")
        try:
            local = Path(folder) / "part.parquet"
            try:
                chunks = self._store.open(rel)
            except NotFoundError:
                yield None
                return
            with open(local, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            yield str(local)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def download(self, folder: Path) -> Path:
        """The dataset as a local folder: itself when local, else copied into ``folder``."""
        if self.local:
            return Path(local_path(self.uri))
        for table in TABLES:
            (folder / table).mkdir(parents=True, exist_ok=True)
        for part in self.parts():
            for table in TABLES:
                rel = f"{table}/{part}"
                with self.reading(rel) as src:
                    if src is None:
                        continue
                    if isinstance(src, str):
                        shutil.copyfile(src, folder / rel)
                    else:
                        with open(folder / rel, "wb") as out:
                            shutil.copyfileobj(src, out)
        return folder

    def close(self) -> None:
        """Release the artifact store, if one was opened."""
        if self._store is not None:
            self._store.close()


def _quietly(fn: Any, *args: Any) -> None:
    try:
        fn(*args)
    except OSError:
        pass
