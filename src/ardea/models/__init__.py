"""Ardea's model format: MLflow's ``MLmodel`` directories, flavours, signatures and loading.

A model directory holds an ``MLmodel`` manifest (flavours, signature, input example info,
ids), the model's files, ``requirements.txt``, ``python_env.yaml`` and ``conda.yaml``. The
same directories load with ``mlflow`` and with Ardea, in both directions. The flavours:
``ardea.models.pyfunc`` (functions and objects with ``predict``), ``ardea.models.sklearn``,
``ardea.models.xgboost``, ``ardea.models.lightgbm`` and ``ardea.models.pytorch``. Users reach
them as ``ardea.pyfunc``, ``ardea.sklearn``, ``ardea.xgboost``... (docs/models.md).
"""

from __future__ import annotations

from ardea.models._signature import Signature, infer_signature
from ardea.models._trust import UntrustedPickleWarning

__all__ = ["Signature", "UntrustedPickleWarning", "infer_signature"]
