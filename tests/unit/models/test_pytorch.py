"""ardea.pytorch: a state dict plus a loader by import path; pickled modules need the opt-in."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

import ardea
from ardea import FailedPreconditionError, InvalidArgumentError
from ardea.models._trust import UntrustedPickleWarning

NETS = "import torch\n\ndef build():\n    return torch.nn.Linear(2, 1)\n"


@pytest.fixture
def net_module(tmp_path: Path) -> Path:
    """A module file holding the loader, importable only from a model's ``code/``."""
    path = tmp_path / "ardea_test_nets.py"
    path.write_text(NETS)
    yield path
    sys.modules.pop("ardea_test_nets", None)


def test_state_dict_and_loader(tmp_path: Path, net_module: Path) -> None:
    torch.manual_seed(0)
    net = torch.nn.Linear(2, 1)
    frame = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    ardea.pytorch.save_model(
        net,
        str(tmp_path / "m"),
        loader="ardea_test_nets:build",
        code_paths=[str(net_module)],
        input_example=frame,
    )
    conf = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())["flavors"]["pytorch"]
    assert (conf["state_dict"], conf["loader"]) == ("state_dict.pth", "ardea_test_nets:build")
    assert (tmp_path / "m" / "data" / "state_dict.pth").is_file()
    with torch.no_grad():
        expected = net(torch.tensor(frame.to_numpy(dtype=np.float32))).numpy()
    loaded = ardea.pytorch.load_model(str(tmp_path / "m"))
    assert torch.equal(loaded.weight, net.weight)
    model = ardea.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(model.predict(frame), expected)
    with pytest.raises(InvalidArgumentError, match="Missing column 'y' \\(double\\)"):
        model.predict(frame[["x"]])


def test_loader_must_be_an_import_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"package\.module:function"):
        ardea.pytorch.save_model(torch.nn.Linear(2, 1), str(tmp_path / "m"), loader="build()")


def test_a_pickled_module_needs_the_opt_in(tmp_path: Path) -> None:
    # The layout mlflow.pytorch writes by default: data/model.pth, a pickled module.
    net = torch.nn.Linear(2, 1)
    folder = tmp_path / "m"
    (folder / "data").mkdir(parents=True)
    torch.save(net, folder / "data" / "model.pth")
    (folder / "MLmodel").write_text(
        yaml.safe_dump(
            {
                "flavors": {
                    "python_function": {"loader_module": "mlflow.pytorch", "data": "data"},
                    "pytorch": {"model_data": "data", "pytorch_version": str(torch.__version__)},
                }
            }
        )
    )
    with pytest.raises(FailedPreconditionError, match="allow_pickle=True"):
        ardea.pytorch.load_model(str(folder))
    with pytest.warns(UntrustedPickleWarning):
        model = ardea.pyfunc.load_model(str(folder), allow_pickle=True)
    data = np.ones((3, 2), dtype=np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(model.predict(data), net(torch.from_numpy(data)).numpy())
