"""Artifacts through the fluent API on an embedded store (files land under the data folder)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import ardea


def _read(run_id: str, path: str, tmp_path: Path) -> bytes:
    local = ardea.get_client().download_artifacts(run_id, path, str(tmp_path / "dl"))
    return Path(local).read_bytes()


def test_text_dict_yaml(tracking_uri: str, tmp_path: Path) -> None:
    with ardea.start_run() as run:
        ardea.log_text("hello ✓", "notes/readme.txt")
        ardea.log_dict({"a": 1, "b": [1, 2]}, "cfg/config.json")
        ardea.log_dict({"k": "v"}, "cfg/config.yaml")
    rid = run.info.run_id
    assert _read(rid, "notes/readme.txt", tmp_path).decode() == "hello ✓"
    assert json.loads(_read(rid, "cfg/config.json", tmp_path)) == {"a": 1, "b": [1, 2]}
    assert _read(rid, "cfg/config.yaml", tmp_path).decode().strip() == "k: v"
    listing = ardea.get_client().list_artifacts(rid)
    assert [(f.path, f.is_dir) for f in listing] == [("cfg", True), ("notes", True)]
    nested = ardea.get_client().list_artifacts(rid, "cfg")
    assert [f.path for f in nested] == ["cfg/config.json", "cfg/config.yaml"]


def test_embedded_artifacts_live_under_data_folder(folder_uri: str) -> None:
    with ardea.start_run() as run:
        ardea.log_text("x", "a.txt")
    uri = run.info.artifact_uri
    assert uri.startswith("mlflow-artifacts:/")
    rel = uri.split(":/", 1)[1].lstrip("/")
    assert (Path(folder_uri) / "artifacts" / rel / "a.txt").read_text() == "x"


def test_log_artifact_and_folder(tracking_uri: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub" / "deeper").mkdir(parents=True)
    (src / "top.txt").write_text("top")
    (src / "sub" / "deeper" / "leaf.bin").write_bytes(b"\x00\x01")
    single = tmp_path / "single.csv"
    single.write_text("a,b\n1,2\n")
    with ardea.start_run() as run:
        ardea.log_artifacts(str(src), artifact_path="bundle")
        ardea.log_artifact(str(single))
        ardea.log_artifact(str(single), artifact_path="copies/x")
    rid = run.info.run_id
    out = Path(ardea.get_client().download_artifacts(rid, "", str(tmp_path / "all")))
    assert (out / "bundle" / "top.txt").read_text() == "top"
    assert (out / "bundle" / "sub" / "deeper" / "leaf.bin").read_bytes() == b"\x00\x01"
    assert (out / "single.csv").read_text() == "a,b\n1,2\n"
    assert (out / "copies" / "x" / "single.csv").is_file()
    folder = Path(ardea.get_client().download_artifacts(rid, "bundle/sub", str(tmp_path / "part")))
    assert folder == tmp_path / "part" / "bundle" / "sub"
    assert (folder / "deeper" / "leaf.bin").is_file()


def test_figure_png_and_svg(tracking_uri: str, tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    with ardea.start_run() as run:
        ardea.log_figure(fig, "plots/line.png")
        ardea.log_figure(fig, "plots/line.svg")
    plt.close(fig)
    assert _read(run.info.run_id, "plots/line.png", tmp_path).startswith(b"\x89PNG")
    assert b"<svg" in _read(run.info.run_id, "plots/line.svg", tmp_path)


def test_table_from_dict_and_dataframe(tracking_uri: str, tmp_path: Path) -> None:
    with ardea.start_run() as run:
        ardea.log_table({"q": ["a", "b"], "score": [0.5, float("nan")]}, "tables/t1.json")
        ardea.log_table(pd.DataFrame({"x": np.array([1, 2]), "y": ["u", "v"]}), "tables/t2.json")
    rid = run.info.run_id
    t1 = json.loads(_read(rid, "tables/t1.json", tmp_path))
    assert t1 == {"columns": ["q", "score"], "data": [["a", 0.5], ["b", None]]}
    t2 = json.loads(_read(rid, "tables/t2.json", tmp_path))
    assert t2 == {"columns": ["x", "y"], "data": [[1, "u"], [2, "v"]]}
    tag = json.loads(ardea.get_run(rid).data.tags["mlflow.loggedArtifacts"])
    assert tag == [
        {"path": "tables/t1.json", "type": "table"},
        {"path": "tables/t2.json", "type": "table"},
    ]


def test_image_from_array(tracking_uri: str, tmp_path: Path) -> None:
    with ardea.start_run() as run:
        ardea.log_image(np.zeros((4, 5, 3), dtype=np.uint8), "img/black.png")
        ardea.log_image(np.ones((2, 2)), "img/white.png")
    from PIL import Image

    img = Image.open(
        ardea.get_client().download_artifacts(run.info.run_id, "img/black.png", str(tmp_path))
    )
    assert img.size == (5, 4)


def test_bad_artifact_inputs(tracking_uri: str, tmp_path: Path) -> None:
    with ardea.start_run():
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_text("x", "../escape.txt")
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_text("x", "/abs.txt")
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_table({"a": [1, 2], "b": [1]}, "t.json")
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_table({"a": [1]}, "t.csv")
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_figure(object(), "f.png")
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_artifact(str(tmp_path / "missing.txt"))
        with pytest.raises(ardea.InvalidArgumentError):
            ardea.log_dict([1, 2], "x.json")
