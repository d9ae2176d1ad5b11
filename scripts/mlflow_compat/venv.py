"""The venv that runs an MLflow checkout's tests: its own mlflow (editable) plus pytest.

The checkout's server fixtures, its ``mlflow server`` and its test code all come from the
checkout, so the tests always run against the mlflow they were written for.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

# What the REST, registry, OTLP and webhook suites import beyond mlflow's own dependencies.
# The `genai` extra brings the gateway's server-side dependencies (the REST suite tests the
# gateway's secrets and endpoints API).
TEST_REQUIREMENTS = (
    "pytest",
    "pytest-asyncio",
    "pytest-timeout",
    "psutil",
    "opentelemetry-exporter-otlp-proto-http",
)


def checkout_version(checkout: Path) -> str:
    """``VERSION`` from the checkout's ``mlflow/version.py``.

    Raises:
        FileNotFoundError: not an MLflow source checkout.
        ValueError: no ``VERSION = "..."`` line.
    """
    text = (checkout / "mlflow" / "version.py").read_text(encoding="utf-8")
    found = re.search(r'^VERSION\s*=\s*["\']([^"\']+)["\']', text, flags=re.MULTILINE)
    if not found:
        raise ValueError(f"no VERSION in {checkout / 'mlflow' / 'version.py'}")
    return found.group(1)


def uv_command() -> list[str]:
    """How to call uv: ``uv`` on PATH, else ``<this python> -m uv``, else ``python3 -m uv``.

    Raises:
        RuntimeError: none of them works (install it with ``pip install uv``).
    """
    candidates = []
    if exe := shutil.which("uv"):
        candidates.append([exe])
    candidates += [[sys.executable, "-m", "uv"], ["python3", "-m", "uv"]]
    for cmd in candidates:
        try:
            # cwd=/ : a pyenv shim must not pick the checkout's .python-version.
            done = subprocess.run([*cmd, "--version"], capture_output=True, cwd="/", check=False)
        except OSError:
            continue
        if done.returncode == 0:
            return cmd
    raise RuntimeError("uv not found: pip install uv")


def base_python() -> str:
    """The interpreter this script's venv was made from (its base, not the venv's)."""
    return str(getattr(sys, "_base_executable", None) or sys.executable)


def ensure_test_venv(
    checkout: Path,
    venv: Path,
    python: str | None = None,
    exclude_newer: str | None = None,
    install: bool = True,
) -> Path:
    """Create (or reuse) ``venv`` with the checkout's mlflow and the test requirements.

    Args:
        checkout: MLflow source checkout (has ``mlflow/`` and ``tests/``).
        venv: where the venv lives; created when missing.
        python: interpreter for a new venv (default: :func:`base_python`).
        exclude_newer: a date for uv's ``--exclude-newer`` (resolve as of that day), e.g.
            the checkout's commit date, when newer releases break its tests.
        install: False reuses ``venv`` as it is (it must already have pytest).

    Returns:
        The venv's python.
    """
    py = venv / "bin" / "python"
    uv = uv_command()
    if not py.exists():
        subprocess.run([*uv, "venv", "-q", "--python", python or base_python(), str(venv)],
                       check=True, cwd="/")  # fmt: skip
    if install:
        # --compile-bytecode: this venv's packages are imported by a new server process
        # for every test; without .pyc files each import compiles from source again.
        cmd = [*uv, "pip", "install", "-q", "--compile-bytecode", "-p", str(py),
               "-e", f"{checkout}[genai]", *TEST_REQUIREMENTS]  # fmt: skip
        constraints = checkout / "requirements" / "constraints.txt"
        if constraints.is_file():
            cmd += ["-c", str(constraints)]
        if exclude_newer:
            cmd += ["--exclude-newer", exclude_newer]
        subprocess.run(cmd, check=True, cwd="/")
    return py


def checkout_commit(tree: Path) -> str:
    """The commit ``tree`` has checked out (``git rev-parse HEAD``), or "" outside git."""
    try:
        done = subprocess.run(["git", "-C", str(tree), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False)  # fmt: skip
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
