"""PyTorch autologging: Lightning's Trainer.fit and the plain-loop helper, on a tiny model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import ardea
from ardea.autolog import pytorch as torch_autolog
from fixtures.classic_ml import artifacts, download, history, runs, tracking, untrack

torch.set_num_threads(1)


class Tiny(pl.LightningModule):
    """A linear regression as a LightningModule."""

    def __init__(self, lr: float = 0.1, hidden: int = 3) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, hidden), nn.Linear(hidden, 1))

    def training_step(self, batch: Any, _idx: int) -> torch.Tensor:
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch: Any, _idx: int) -> None:
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.5)


def _loader(seed: int = 0, noise: bool = False) -> DataLoader:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(32, 4, generator=gen)
    y = x.sum(dim=1, keepdim=True) if not noise else torch.randn(32, 1, generator=gen)
    return DataLoader(TensorDataset(x, y), batch_size=16)


def _trainer(tmp: Path, epochs: int, **kwargs: Any) -> pl.Trainer:
    return pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        default_root_dir=str(tmp),
        **kwargs,
    )


@pytest.fixture
def autologged(tmp_path: Path) -> Iterator[Path]:
    tracking(tmp_path)
    torch_autolog.autolog()
    yield tmp_path
    torch_autolog.revert()
    untrack()


def test_lightning_fit_logs_hparams_optimizer_epoch_metrics_and_model(autologged: Path) -> None:
    model = Tiny(lr=0.05)
    trainer = _trainer(autologged, 3)
    trainer.fit(model, _loader(), _loader(1))
    assert ardea.active_run() is None
    [run] = runs()
    run_id = run.info.run_id
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.autologging"] == "pytorch"
    params = run.data.params
    assert params["epochs"] == "3"
    assert params["lr"] == "0.05" and params["hidden"] == "3"
    assert params["optimizer_name"] == "SGD"
    assert params["optimizer.momentum"] == "0.5"
    for key in ("train_loss", "val_loss"):
        assert [s for s, _ in history(run_id, key)] == [0, 1, 2]
    assert all(type(cb).__name__ != "ArdeaCallback" for cb in trainer.callbacks)
    assert artifacts(run_id, "model") == ["model/state_dict.pth"]
    state = torch.load(download(run_id, "model/state_dict.pth", autologged), weights_only=True)
    restored = Tiny()
    restored.load_state_dict(state)
    x = torch.randn(2, 4)
    assert torch.equal(restored.net(x), model.net(x))


def test_early_stopping_is_logged(autologged: Path) -> None:
    from lightning.pytorch.callbacks import EarlyStopping

    stop = EarlyStopping(monitor="val_loss", patience=1, min_delta=10.0)  # stops at once
    with ardea.start_run() as user_run:
        _trainer(autologged, 20, callbacks=[stop]).fit(Tiny(), _loader(), _loader(2, noise=True))
    [run] = runs()
    assert run.info.run_id == user_run.info.run_id
    assert run.data.params["earlystopping_monitor"] == "val_loss"
    assert run.data.params["earlystopping_patience"] == "1"
    metrics = run.data.metric_values
    assert metrics["earlystopping_stopped_epoch"] == stop.stopped_epoch < 19
    assert metrics["earlystopping_best_score"] == pytest.approx(float(stop.best_score))
    epochs = [s for s, _ in history(run.info.run_id, "val_loss")]
    assert epochs == list(range(stop.stopped_epoch + 1))


def test_user_error_fails_the_run_and_disable(autologged: Path) -> None:
    class Broken(Tiny):
        def training_step(self, batch: Any, _idx: int) -> torch.Tensor:
            raise RuntimeError("user bug")

    with pytest.raises(RuntimeError, match="user bug"):
        _trainer(autologged, 1).fit(Broken(), _loader(), _loader())
    [run] = runs()
    assert run.info.status == "FAILED"
    torch_autolog.autolog(disable=True)
    _trainer(autologged, 1).fit(Tiny(), _loader(), _loader())
    assert len(runs()) == 1


def test_renamed_trainer_fit_warns_once_and_training_works(
    autologged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    torch_autolog.revert()
    monkeypatch.setattr(pl.Trainer, "fit_v2", pl.Trainer.fit, raising=False)
    monkeypatch.delattr(pl.Trainer, "fit")  # the library "changes shape"
    torch_autolog.autolog()
    torch_autolog.autolog()
    assert caplog.text.count("pytorch autolog (patching Trainer.fit)") == 1
    _trainer(autologged, 1).fit_v2(Tiny(), _loader(), _loader())
    assert runs() == []


def test_plain_loop_helper_logs_params_epochs_and_model(autologged: Path) -> None:
    model = nn.Linear(4, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.randn(16, 4), torch.randn(16, 1)
    with ardea.pytorch.training(model, optimizer, params={"batch_size": 16}, epochs=3) as t:
        for epoch in range(3):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            t.log(epoch, loss=loss, lr=0.01)  # a scalar tensor works too
    [run] = runs()
    assert run.info.run_id == t.run_id and run.info.status == "FINISHED"
    assert run.data.params["batch_size"] == "16"
    assert run.data.params["epochs"] == "3"
    assert run.data.params["optimizer_name"] == "Adam"
    assert run.data.params["optimizer.lr"] == "0.01"
    assert run.data.tags["model_class"] == "Linear"
    assert [s for s, _ in history(run.info.run_id, "loss")] == [0, 1, 2]
    state = torch.load(download(run.info.run_id, "model/state_dict.pth", autologged))
    assert torch.equal(state["weight"], model.state_dict()["weight"])


def test_plain_loop_helper_failure_and_log_epoch(autologged: Path) -> None:
    with pytest.raises(ValueError), ardea.pytorch.training(nn.Linear(2, 1)):
        raise ValueError("diverged")
    [failed] = runs()
    assert failed.info.status == "FAILED"
    assert "model" not in artifacts(failed.info.run_id)
    with ardea.start_run() as run:
        for epoch in range(2):
            ardea.pytorch.log_epoch({"loss": torch.tensor(1.0 / (epoch + 1))}, epoch)
    assert history(run.info.run_id, "loss") == [(0, 1.0), (1, 0.5)]


def test_ardea_autolog_patches_lightning_on_its_first_import(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import json, sys
        import ardea
        enabled = ardea.autolog()
        before = "lightning" in sys.modules
        import lightning.pytorch as pl
        fit = pl.Trainer.fit
        print(json.dumps({"enabled": enabled, "before": before,
                          "on": ardea.pytorch.is_enabled(),
                          "patched": hasattr(fit, "__ardea_original__")}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"lightning", "pytorch_lightning"} <= set(result["enabled"])
    assert result == {**result, "before": False, "on": True, "patched": True}
