"""Artifact store unit tests: shared fixture modules from tests/fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[3])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures.s3 import S3Server, s3_env, s3_server  # noqa: E402, F401
