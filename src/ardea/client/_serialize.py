"""Turning Python objects into artifact files: dicts, figures, tables and images."""

from __future__ import annotations

import io
import json
import math
import posixpath
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["dict_bytes", "figure_bytes", "image_bytes", "table_bytes", "table_json"]


def dict_bytes(dictionary: dict[str, Any], artifact_file: str) -> bytes:
    """A dict as JSON, or as YAML when the file name ends in ``.yaml``/``.yml``."""
    if not isinstance(dictionary, dict):
        raise InvalidArgumentError(f"log_dict needs a dict, not {type(dictionary).__name__}.")
    ext = posixpath.splitext(artifact_file)[1].lower()
    if ext in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as exc:  # pragma: no cover - PyYAML is nearly always present
            raise InvalidArgumentError("Writing YAML needs PyYAML: pip install pyyaml") from exc
        return yaml.safe_dump(dictionary, sort_keys=False, default_flow_style=False).encode()
    return json.dumps(dictionary, indent=2, default=str).encode()


def _is_matplotlib_figure(figure: object) -> bool:
    return any(c.__module__.startswith("matplotlib") for c in type(figure).__mro__)


def _is_plotly_figure(figure: object) -> bool:
    return any(c.__module__.startswith("plotly") for c in type(figure).__mro__)


def figure_bytes(figure: Any, artifact_file: str, save_kwargs: dict[str, Any] | None) -> bytes:
    """Render a matplotlib or plotly figure in the format the file name's extension names.

    matplotlib: any format ``savefig`` knows (``.png``, ``.svg``, ``.pdf``, ...). plotly:
    ``.html`` always, image formats when kaleido is installed.
    """
    ext = posixpath.splitext(artifact_file)[1].lower().lstrip(".")
    kwargs = dict(save_kwargs or {})
    buf = io.BytesIO()
    if _is_matplotlib_figure(figure):
        figure.savefig(buf, format=ext or "png", **kwargs)
        return buf.getvalue()
    if _is_plotly_figure(figure):
        if ext in ("html", "htm"):
            return str(figure.to_html(**kwargs)).encode()
        return bytes(figure.to_image(format=ext or "png", **kwargs))
    raise InvalidArgumentError(
        f"log_figure needs a matplotlib or plotly figure, not {type(figure).__name__}."
    )


def _json_cell(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_cell(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_cell(v) for k, v in value.items()}
    return str(value)


def table_json(data: Any) -> dict[str, Any]:
    """A table in MLflow's format: ``{"columns": [...], "data": [[row], ...]}``.

    Args:
        data: A dict of equal-length columns, or a pandas DataFrame.

    Raises:
        InvalidArgumentError: ``data`` is neither, or its columns differ in length.
    """
    if type(data).__name__ == "DataFrame" and hasattr(data, "to_dict"):
        columns = [str(c) for c in data.columns]
        rows = data.itertuples(index=False, name=None)
        return {"columns": columns, "data": [[_json_cell(v) for v in row] for row in rows]}
    if isinstance(data, dict):
        columns = [str(c) for c in data]
        values = [list(v) if not isinstance(v, (str, bytes)) else [v] for v in data.values()]
        lengths = {len(v) for v in values}
        if len(lengths) > 1:
            raise InvalidArgumentError(f"Table columns differ in length: {sorted(lengths)}")
        rows = zip(*values, strict=True) if values else iter(())
        return {"columns": columns, "data": [[_json_cell(v) for v in row] for row in rows]}
    raise InvalidArgumentError(
        f"log_table needs a dict of columns or a pandas DataFrame, not {type(data).__name__}."
    )


def table_bytes(data: Any) -> bytes:
    """:func:`table_json` serialized."""
    return json.dumps(table_json(data)).encode()


def image_bytes(image: Any, artifact_file: str) -> bytes:
    """A PIL image or a numpy array (HxW, HxWx3, HxWx4; uint8 or floats in [0, 1]) as an image.

    The format follows the file extension (default PNG).
    """
    try:
        from PIL import Image
    except ImportError as exc:
        raise InvalidArgumentError("log_image needs Pillow: pip install pillow") from exc
    ext = posixpath.splitext(artifact_file)[1].lower().lstrip(".") or "png"
    fmt = {"jpg": "JPEG", "jpeg": "JPEG"}.get(ext, ext.upper())
    if not isinstance(image, Image.Image):
        if not hasattr(image, "dtype") or not hasattr(image, "shape"):
            raise InvalidArgumentError(
                f"log_image needs a PIL image or a numpy array, not {type(image).__name__}."
            )
        import numpy as np

        array = np.asarray(image)
        if array.dtype.kind == "f":
            array = (np.clip(array, 0.0, 1.0) * 255).round().astype("uint8")
        elif array.dtype != np.uint8:
            array = np.clip(array, 0, 255).astype("uint8")
        image = Image.fromarray(array)
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()
