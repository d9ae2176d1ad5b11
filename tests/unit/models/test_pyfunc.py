"""ardea.pyfunc: save, load and log functions and objects; the MLmodel directory's layout."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import ardea
from ardea import AlreadyExistsError, FailedPreconditionError, InvalidArgumentError
from ardea.models._trust import UntrustedPickleWarning


def shout(texts: list[str]) -> list[str]:
    """A function model."""
    return [t.upper() for t in texts]


class Echo:
    """An object model that streams."""

    def __init__(self) -> None:
        self.loaded = False

    def load_context(self, context: Any) -> None:
        self.loaded = True

    def predict(self, data: dict[str, str]) -> dict[str, Any]:
        return {"q": data["q"], "loaded": self.loaded}

    def predict_stream(self, data: dict[str, str]) -> Iterator[str]:
        yield from data["q"]


def test_function_model_directory_layout(tmp_path: Path) -> None:
    path = tmp_path / "m"
    ardea.pyfunc.save_model(path, python_model=shout, input_example=["hi"])
    assert sorted(p.name for p in path.iterdir()) == [
        "MLmodel",
        "conda.yaml",
        "input_example.json",
        "python_env.yaml",
        "python_model.pkl",
        "requirements.txt",
        "serving_input_example.json",
    ]
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    pyfunc = mlmodel["flavors"]["python_function"]
    assert pyfunc["loader_module"] == "mlflow.pyfunc.model"
    assert pyfunc["python_model"] == "python_model.pkl"
    assert pyfunc["env"] == {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
    assert pyfunc["streamable"] is False
    assert len(mlmodel["model_uuid"]) == 32 and mlmodel["utc_time_created"]
    assert mlmodel["saved_input_example_info"]["type"] == "json_object"
    assert mlmodel["signature"]["inputs"] == '[{"type": "string", "required": true}]'
    assert (path / "requirements.txt").read_text().startswith("cloudpickle==")
    assert yaml.safe_load((path / "python_env.yaml").read_text())["dependencies"] == [
        "-r requirements.txt"
    ]
    model = ardea.pyfunc.load_model(str(path))
    assert model.predict(["hey"]) == ["HEY"]
    with pytest.raises(InvalidArgumentError, match="Column 'input': expected string, got int"):
        model.predict([1])
    with pytest.raises(ardea.NotImplementedFeatureError):
        model.predict_stream(["x"])


def test_class_with_predict_stream_and_load_context(tmp_path: Path) -> None:
    ardea.pyfunc.save_model(tmp_path / "m", python_model=Echo, input_example={"q": "ab"})
    model = ardea.pyfunc.load_model(f"file://{tmp_path / 'm'}")
    assert model.metadata.flavors["python_function"]["streamable"] is True
    assert model.predict({"q": "xy"}) == {"q": "xy", "loaded": True}
    assert list(model.predict_stream({"q": "xy"})) == ["x", "y"]
    with pytest.raises(InvalidArgumentError, match="Missing column 'q' \\(string\\)"):
        model.predict({"other": "x"})


def test_save_refuses_an_existing_folder_and_bad_models(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "f").write_text("x")
    with pytest.raises(AlreadyExistsError):
        ardea.pyfunc.save_model(tmp_path / "m", python_model=shout)
    with pytest.raises(InvalidArgumentError, match="function or an object"):
        ardea.pyfunc.save_model(tmp_path / "n", python_model=42)


def test_code_paths_are_copied_and_importable(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "helper_mod_for_models.py").write_text("def twice(x):\n    return x * 2\n")
    ardea.pyfunc.save_model(
        tmp_path / "m",
        python_model=lambda xs: [__import__("helper_mod_for_models").twice(x) for x in xs],
        code_paths=[str(src / "helper_mod_for_models.py")],
    )
    (src / "helper_mod_for_models.py").unlink()  # only the copy remains
    assert (tmp_path / "m" / "code" / "helper_mod_for_models.py").is_file()
    conf = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())["flavors"]
    assert conf["python_function"]["code"] == "code"
    assert ardea.pyfunc.load_model(str(tmp_path / "m")).predict([2]) == [4]


def test_a_foreign_pickle_needs_the_opt_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ardea.pyfunc.save_model(tmp_path / "m", python_model=shout)
    # The same bytes are trusted wherever they are; altered bytes are not.
    shutil.copytree(tmp_path / "m", tmp_path / "copy")
    assert ardea.pyfunc.load_model(str(tmp_path / "copy")).predict(["a"]) == ["A"]
    pkl = tmp_path / "copy" / "python_model.pkl"
    pkl.write_bytes(pkl.read_bytes() + b"\n")  # trailing bytes after STOP are ignored
    with pytest.raises(FailedPreconditionError, match="ARDEA_ALLOW_PICKLE=1"):
        ardea.pyfunc.load_model(str(tmp_path / "copy"))
    with pytest.warns(UntrustedPickleWarning, match="untrusted source"):
        model = ardea.pyfunc.load_model(str(tmp_path / "copy"), allow_pickle=True)
    assert model.predict(["a"]) == ["A"]
    monkeypatch.setenv("ARDEA_ALLOW_PICKLE", "1")
    with pytest.warns(UntrustedPickleWarning):
        ardea.pyfunc.load_model(str(tmp_path / "copy"))


def test_log_model_creates_a_logged_model_of_the_run(store_uri: str) -> None:
    ardea.set_experiment("models")
    with ardea.start_run() as run:
        info = ardea.pyfunc.log_model(
            shout, "shouter", input_example=["hi"], registered_model_name="shout"
        )
    assert info.model_uri == f"models:/{info.model_id}" and info.run_id == run.info.run_id
    assert info.registered_model_version == 1
    logged = ardea.get_client().store.get_logged_model(info.model_id)
    assert (logged.name, logged.source_run_id, logged.status) == (
        "shouter",
        run.info.run_id,
        "LOGGED_MODEL_READY",
    )
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/shouter", "models:/shout/1"):
        model = ardea.pyfunc.load_model(uri)
        assert model.predict(["a"]) == ["A"], uri
        assert model.metadata.extra["model_id"] == info.model_id
        assert model.metadata.extra["run_id"] == run.info.run_id
