"""``log_model``: save into a temporary folder, then upload it as an MLflow 3 LoggedModel."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ardea.entities import LoggedModelStatus, ModelOutput
from ardea.models._mlmodel import Manifest
from ardea.models._signature import Signature

__all__ = ["ModelInfo", "log_saved"]


@dataclass(frozen=True)
class ModelInfo:
    """What ``log_model`` returns.

    Attributes:
        model_id: The LoggedModel's id (``m-...``).
        model_uri: ``models:/<model_id>``: load it with ``ardea.pyfunc.load_model``.
        run_id: The run it was logged under (None outside a run).
        name: Its name.
        flavors: The flavours in its ``MLmodel``.
        signature: Its signature, or None.
        registered_model_version: The registered version when ``registered_model_name`` was
            given, else None.
    """

    model_id: str
    model_uri: str
    run_id: str | None
    name: str
    flavors: dict[str, Any]
    signature: Signature | None
    registered_model_version: int | None = None


def log_saved(
    name: str,
    save: Callable[[Path, dict[str, Any]], Manifest],
    *,
    registered_model_name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
) -> ModelInfo:
    """Create the LoggedModel, save the model with its ids, upload it, mark it READY.

    Args:
        name: The model's name (MLflow's ``name``, the former ``artifact_path``).
        save: Writes the model into the folder given; receives the extra ``MLmodel`` keys.
        registered_model_name: Also register it as the next version of this model.
        tags: Tags of the LoggedModel.
        model_type: Free-form type recorded on the LoggedModel.
        step: The run step the model is an output of.
    """
    from ardea.fluent import active_run, get_client
    from ardea.fluent._runs import current_experiment_id

    client = get_client()
    run = active_run()
    run_id = run.info.run_id if run is not None else None
    experiment_id = run.info.experiment_id if run is not None else current_experiment_id()
    model = client.store.create_logged_model(
        experiment_id,
        name=name,
        source_run_id=run_id,
        tags=[(str(k), str(v)) for k, v in (tags or {}).items()],
        model_type=model_type,
    )
    extra = {"artifact_path": name, "model_id": model.model_id, "run_id": run_id}
    try:
        with tempfile.TemporaryDirectory(prefix="ardea-model-") as tmp:
            folder = Path(tmp) / "model"
            manifest = save(folder, extra)
            store = client.get_artifact_store(model.artifact_location)
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                store.put_file(path.relative_to(folder).as_posix(), path)
    except BaseException:
        client.store.finalize_logged_model(
            model.model_id, LoggedModelStatus.LOGGED_MODEL_UPLOAD_FAILED.value
        )
        raise
    client.store.finalize_logged_model(model.model_id, LoggedModelStatus.LOGGED_MODEL_READY.value)
    if run_id is not None:
        client.store.log_outputs(run_id, [ModelOutput(model.model_id, step)])
    version = None
    uri = f"models:/{model.model_id}"
    if registered_model_name:
        version = int(client.register_model(uri, registered_model_name).version)
    return ModelInfo(
        model_id=model.model_id,
        model_uri=uri,
        run_id=run_id,
        name=name,
        flavors=manifest.flavors,
        signature=Signature.from_mlmodel(manifest.signature),
        registered_model_version=version,
    )
