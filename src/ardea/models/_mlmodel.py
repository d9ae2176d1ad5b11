"""The ``MLmodel`` manifest: MLflow's YAML file at the root of every model directory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = ["MLMODEL_FILE", "MLFLOW_VERSION_COMPAT", "Manifest"]

MLMODEL_FILE = "MLmodel"
MLFLOW_VERSION_COMPAT = "3.18.0"
"""The ``mlflow_version`` written into manifests: the MLflow release whose format Ardea
writes (MLflow compares it with its own version and warns on a mismatch, nothing more)."""


@dataclass
class Manifest:
    """The parsed ``MLmodel`` file.

    Attributes:
        flavors: Flavour name to its configuration (``python_function``, ``sklearn``, ...).
        signature: MLflow's signature mapping (``inputs``/``outputs``/``params`` as JSON
            strings) or None.
        extra: Every other key, kept as read (``run_id``, ``model_id``, ``mlflow_version``).
    """

    flavors: dict[str, dict[str, Any]] = field(default_factory=dict)
    signature: dict[str, Any] | None = None
    saved_input_example_info: dict[str, Any] | None = None
    model_uuid: str = field(default_factory=lambda: uuid.uuid4().hex)
    utc_time_created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    )
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The YAML mapping, with MLflow's keys."""
        from ardea._core.version import __version__

        out: dict[str, Any] = {
            "artifact_path": None,
            "flavors": self.flavors,
            "is_signature_from_type_hint": False,
            "mlflow_version": MLFLOW_VERSION_COMPAT,
            "model_id": None,
            "model_uuid": self.model_uuid,
            "prompts": None,
            "run_id": None,
            "type_hint_from_example": False,
            "utc_time_created": self.utc_time_created,
            "ardea_version": __version__,
        }
        if self.signature is not None:
            out["signature"] = self.signature
        if self.saved_input_example_info is not None:
            out["saved_input_example_info"] = self.saved_input_example_info
        out.update(self.extra)
        return out

    def save(self, folder: Path) -> None:
        """Write ``folder/MLmodel``."""
        import yaml

        text = yaml.safe_dump(self.to_dict(), default_flow_style=False, sort_keys=True)
        (folder / MLMODEL_FILE).write_text(text)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """Read ``folder/MLmodel``; an InvalidArgumentError when it is missing or malformed."""
        import yaml

        path = folder / MLMODEL_FILE
        if not path.is_file():
            raise InvalidArgumentError(f"{str(folder)!r} is not a model directory (no MLmodel).")
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict) or not isinstance(data.get("flavors"), dict):
            raise InvalidArgumentError(f"{str(path)!r} is not a valid MLmodel file (no flavors).")
        known = {"flavors", "signature", "saved_input_example_info", "model_uuid"}
        return cls(
            flavors=data["flavors"],
            signature=data.get("signature"),
            saved_input_example_info=data.get("saved_input_example_info"),
            model_uuid=str(data.get("model_uuid") or uuid.uuid4().hex),
            utc_time_created=str(data.get("utc_time_created") or ""),
            extra={k: v for k, v in data.items() if k not in known | {"utc_time_created"}},
        )

    def flavor(self, name: str) -> dict[str, Any]:
        """One flavour's configuration; an InvalidArgumentError naming the ones present."""
        conf = self.flavors.get(name)
        if not isinstance(conf, dict):
            raise InvalidArgumentError(
                f"The model has no {name!r} flavour (it has: {', '.join(sorted(self.flavors))})."
            )
        return conf
