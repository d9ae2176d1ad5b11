"""The files beside ``MLmodel``: requirements, environments and the input example."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "EXAMPLE_FILE",
    "SERVING_EXAMPLE_FILE",
    "load_example",
    "pinned",
    "save_example",
    "write_environment",
]

EXAMPLE_FILE = "input_example.json"
SERVING_EXAMPLE_FILE = "serving_input_example.json"
REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
CONDA_FILE = "conda.yaml"


def pinned(distribution: str) -> str:
    """``name==version`` of an installed distribution (just the name when not installed)."""
    try:
        return f"{distribution}=={metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return distribution


def write_environment(
    folder: Path,
    requirements: Sequence[str],
    extra_requirements: Sequence[str] = (),
) -> dict[str, str]:
    """Write ``requirements.txt``, ``python_env.yaml`` and ``conda.yaml``.

    Returns:
        The ``env`` mapping of the ``python_function`` flavour.
    """
    import yaml

    reqs = list(dict.fromkeys([*requirements, *extra_requirements]))
    (folder / REQUIREMENTS_FILE).write_text("".join(f"{r}\n" for r in reqs))
    python = platform.python_version()
    build = [pinned("pip"), pinned("setuptools"), pinned("wheel")]
    python_env = {
        "python": python,
        "build_dependencies": build,
        "dependencies": [f"-r {REQUIREMENTS_FILE}"],
    }
    (folder / PYTHON_ENV_FILE).write_text(yaml.safe_dump(python_env, sort_keys=False))
    conda = {
        "channels": ["conda-forge"],
        "dependencies": [f"python={python}", "pip", {"pip": reqs}],
        "name": "mlflow-env",
    }
    (folder / CONDA_FILE).write_text(yaml.safe_dump(conda, sort_keys=False))
    return {"conda": CONDA_FILE, "virtualenv": PYTHON_ENV_FILE}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    return value


def save_example(folder: Path, example: Any) -> dict[str, Any]:
    """Write the example as MLflow does; returns ``saved_input_example_info``."""
    pd = sys.modules.get("pandas")
    np = sys.modules.get("numpy")
    info: dict[str, Any] = {
        "artifact_path": EXAMPLE_FILE,
        "serving_input_path": SERVING_EXAMPLE_FILE,
    }
    if pd is not None and isinstance(example, pd.DataFrame):
        split = json.loads(example.to_json(orient="split", index=False, date_format="iso"))
        stored: Any = split
        serving: Any = {"dataframe_split": split}
        info.update(type="dataframe", pandas_orient="split")
    elif np is not None and isinstance(example, np.ndarray):
        stored = {"inputs": example.tolist()}
        serving = stored
        info["type"] = "ndarray"
    else:
        stored = _jsonable(example)
        serving = {"inputs": stored}
        info["type"] = "json_object"
    (folder / EXAMPLE_FILE).write_text(json.dumps(stored))
    (folder / SERVING_EXAMPLE_FILE).write_text(json.dumps(serving, indent=2))
    return info


def load_example(folder: Path, info: dict[str, Any] | None) -> Any:
    """The saved input example (a DataFrame, an ndarray or JSON data), or None."""
    if not info or not (folder / str(info.get("artifact_path", EXAMPLE_FILE))).is_file():
        return None
    data = json.loads((folder / str(info.get("artifact_path", EXAMPLE_FILE))).read_text())
    kind = info.get("type")
    if kind == "dataframe":
        import pandas as pd

        if isinstance(data, dict) and "columns" in data:
            return pd.DataFrame(data["data"], columns=data["columns"])
        return pd.DataFrame(data)
    if kind == "ndarray":
        import numpy as np

        return np.asarray(data["inputs"] if isinstance(data, dict) else data)
    return data
