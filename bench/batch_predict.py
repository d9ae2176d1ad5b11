"""Batch scoring benchmark: ``ardea models predict`` against ``mlflow models predict``.

Run as ``.venv/bin/python bench/batch_predict.py [--rows N] [--ardea-only] [--mlflow-python
PATH]``. Writes a Parquet file of ``--rows`` rows (default 1,000,000) and 4 float columns,
and the same rows as CSV, fits a scikit-learn ``LinearRegression`` and saves it with
``ardea.sklearn.save_model`` (cloudpickle, which MLflow 3.17 loads; Ardea is given
``--allow-pickle``). Then it times each command as a whole (process start, model load,
reading, scoring, writing), one after the other:

- ``ardea models predict`` Parquet -> Parquet, CSV -> CSV, and CSV -> JSON;
- ``mlflow models predict --env-manager local -t csv`` CSV -> JSON, MLflow 3.17.2 from
  ``bench/.venv-mlflow`` (``tracking.py`` creates it). MLflow's CLI reads only CSV and JSON.

Prints ``case | seconds | rows/s`` and the CSV -> JSON ratio, and writes JSON to
``bench/results/``. ``bench/serving.py`` covers the scoring server; this, batch scoring.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import compile_bytecode  # noqa: E402

MLFLOW_PYTHON = HERE / ".venv-mlflow" / "bin" / "python"


def _prepare(folder: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    import ardea

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.random((rows, 4)), columns=["f0", "f1", "f2", "f3"])
    target = frame @ np.array([1.0, -2.0, 0.5, 3.0])
    model = LinearRegression().fit(frame.head(10_000), target.head(10_000))
    ardea.sklearn.save_model(
        model, folder / "model", input_example=frame.head(3), serialization_format="cloudpickle"
    )
    frame.to_parquet(folder / "data.parquet", index=False)
    frame.to_csv(folder / "data.csv", index=False)


def _timed(name: str, argv: list[str], rows: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "ARDEA_"))}
    began = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=1800)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        print(f"  ! {name} failed ({done.returncode}): {done.stderr[-800:]}")
        return {"case": name, "error": done.stderr[-800:]}
    figure = {"case": name, "seconds": seconds, "rows_per_s": rows / seconds}
    print(f"{name:<44} | {seconds:8.2f} s | {rows / seconds:>12,.0f} rows/s")
    return figure


def main() -> None:
    """Run the benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ardea-only", action="store_true")
    parser.add_argument("--mlflow-python", default=str(MLFLOW_PYTHON))
    args = parser.parse_args()
    mlflow = Path(args.mlflow_python)
    print("compiling bytecode (this machine sets PYTHONDONTWRITEBYTECODE) ...")
    compile_bytecode(sys.executable, HERE.parent / "src")
    if not args.ardea_only and mlflow.exists():
        compile_bytecode(str(mlflow))
    ardea_cmd = [sys.executable, "-m", "ardea.cli.main", "models", "predict", "--allow-pickle"]
    with tempfile.TemporaryDirectory(prefix="ardea-bench-batch-") as tmp:
        folder = Path(tmp)
        print(f"preparing {args.rows:,} rows x 4 floats ...")
        _prepare(folder, args.rows)
        model, parquet, csv = folder / "model", folder / "data.parquet", folder / "data.csv"
        cases = [
            ("ardea parquet -> parquet", ["-i", parquet, "-o", folder / "a.parquet"]),
            ("ardea csv -> csv", ["-i", csv, "-o", folder / "a.csv"]),
            ("ardea csv -> json", ["-i", csv, "-o", folder / "a.json"]),
        ]
        figures = [
            _timed(name, [*ardea_cmd, "-m", str(model), *map(str, rest)], args.rows)
            for name, rest in cases
        ]
        if args.ardea_only:
            pass
        elif not mlflow.exists():
            print(f"note: no {mlflow} (run bench/tracking.py once to create it): MLflow skipped")
        else:
            argv = [str(mlflow), "-m", "mlflow", "models", "predict", "-m", str(model)]
            argv += ["-i", str(csv), "-t", "csv", "-o", str(folder / "m.json")]
            argv += ["--env-manager", "local"]
            figures.append(
                _timed("mlflow 3.17.2 csv -> json (--env-manager local)", argv, args.rows)
            )
    by_case = {f["case"]: f for f in figures if "seconds" in f}
    ours, theirs = (
        by_case.get("ardea csv -> json"),
        next((f for name, f in by_case.items() if name.startswith("mlflow")), None),
    )
    if ours and theirs:
        ratio = ours["rows_per_s"] / theirs["rows_per_s"]
        print(f"csv -> json, ardea / mlflow throughput: {ratio:.2f}x")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    out = results / f"batch_predict-{time.strftime('%Y%m%d-%H%M%S')}.json"
    meta = {"rows": args.rows, "python": platform.python_version(), "cpus": os.cpu_count()}
    out.write_text(json.dumps({"meta": meta, "figures": figures}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
