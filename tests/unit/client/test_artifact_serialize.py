"""Objects into artifact bytes: dicts, tables, figures and images."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from ardea import InvalidArgumentError
from ardea.client._serialize import dict_bytes, figure_bytes, image_bytes, table_json


def test_dict_json_and_yaml() -> None:
    assert json.loads(dict_bytes({"a": {"b": 1}}, "x.json")) == {"a": {"b": 1}}
    assert dict_bytes({"a": 1, "b": [1, 2]}, "x.yml").decode() == "a: 1\nb:\n- 1\n- 2\n"


def test_table_cells_become_json_values() -> None:
    df = pd.DataFrame(
        {
            "i": np.array([1, 2], dtype=np.int64),
            "f": [np.float32(0.5), np.inf],
            "o": [{"k": 1}, None],
        }
    )
    assert table_json(df) == {
        "columns": ["i", "f", "o"],
        "data": [[1, 0.5, {"k": 1}], [2, None, None]],
    }
    assert table_json({}) == {"columns": [], "data": []}
    with pytest.raises(InvalidArgumentError):
        table_json([[1, 2]])


def test_plotly_like_figure_to_html() -> None:
    class Figure:
        def to_html(self) -> str:
            return "<div>plot</div>"

    Figure.__module__ = "plotly.graph_objs._figure"
    assert figure_bytes(Figure(), "p.html", None) == b"<div>plot</div>"


def test_images_png_and_jpeg() -> None:
    from PIL import Image

    png = image_bytes(np.full((3, 4), 0.5), "g.png")
    assert Image.open(io.BytesIO(png)).size == (4, 3)
    jpg = image_bytes(Image.new("RGB", (2, 2)), "c.jpg")
    assert jpg[:2] == b"\xff\xd8"
    with pytest.raises(InvalidArgumentError):
        image_bytes("not an image", "x.png")
