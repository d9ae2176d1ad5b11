"""Progress bars on stderr for long work: artifact uploads and downloads, imports.

A bar (``tqdm``, imported only when one is shown) appears when ``ARDEA_PROGRESS`` is ``1``;
``0`` hides every bar. Unset, a bar appears only when stderr is a terminal and the work is
at least :data:`MIN_BYTES` (byte bars) or has any items at all (count bars, for commands such
as ``ardea import mlflow``), so scripts, notebooks' logs and CI output stay clean.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ardea._core.env import ARDEA_PROGRESS

__all__ = ["MIN_BYTES", "byte_progress", "count_progress", "progress_enabled"]

MIN_BYTES = 16 * 1024 * 1024
"""Work smaller than this shows no bar unless ``ARDEA_PROGRESS=1``."""


def progress_enabled(total_bytes: int) -> bool:
    """Whether work of ``total_bytes`` gets a progress bar (see the module docstring)."""
    setting = os.environ.get(ARDEA_PROGRESS, "").strip().lower()
    if setting in ("1", "true", "yes", "on"):
        return True
    if setting in ("0", "false", "no", "off"):
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) and total_bytes >= MIN_BYTES


@contextmanager
def byte_progress(desc: str, total_bytes: int) -> Iterator[Callable[[int], object]]:
    """Yield ``advance(n_bytes)``; it moves a bar on stderr when one is enabled, else nothing.

    Args:
        desc: What is moving, e.g. ``"upload model/"``.
        total_bytes: The whole amount of work.
    """
    if not progress_enabled(total_bytes):
        yield _ignore
        return
    from tqdm import tqdm

    with tqdm(
        total=total_bytes,
        desc=desc,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        yield bar.update


@contextmanager
def count_progress(
    desc: str, total: int | None, unit: str = "it", force: bool | None = None
) -> Iterator[Callable[[int], object]]:
    """Yield ``advance(n)`` for work counted in items (runs, traces, ...); see the module.

    Args:
        desc: What is counted, e.g. ``"runs"``.
        total: How many there are, if known.
        unit: The unit shown after the rate.
        force: True shows the bar, False hides it; None follows the module's rule.
    """
    shown = progress_enabled(MIN_BYTES if total is None or total > 0 else 0)
    if not (shown if force is None else force):
        yield _ignore
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True) as bar:
        yield bar.update


def _ignore(n: int) -> None:
    return None
