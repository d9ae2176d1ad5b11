"""Optional extras (``pip install 'ardea[parquet]'``): a clear error when one is missing.

Every layer may check an extra here before it promises work that needs one: the Parquet
writer and reader before they import ``pyarrow``, the retention store before it accepts a
policy whose sweep would archive to Parquet.
"""

from __future__ import annotations

import importlib.util
import sys

from ardea._core.errors import FailedPreconditionError

__all__ = ["require"]


def _installed(name: str) -> bool:
    if name in sys.modules:  # None there: the import is blocked
        return sys.modules[name] is not None
    return importlib.util.find_spec(name) is not None


def require(extra: str, needs: str, *modules: str) -> None:
    """Check that ``modules`` (top-level names, e.g. ``"pyarrow"``) can be imported.

    Args:
        extra: The extra that installs them (``"parquet"``).
        needs: What needs them, ending in the verb: ``"Traces as Parquet need"``.
        modules: The modules.

    Raises:
        FailedPreconditionError: One is not installed; the message names the extra to install.
    """
    missing = [name for name in modules if not _installed(name)]
    if missing:
        raise FailedPreconditionError(
            f"{needs} {' and '.join(missing)}, not installed here: pip install 'ardea[{extra}]'"
        )
