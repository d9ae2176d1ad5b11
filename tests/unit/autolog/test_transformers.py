"""transformers Trainer autologging with a tiny BERT built from a config: nothing downloaded."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

import ardea
from ardea.autolog import transformers as hf_autolog
from fixtures.classic_ml import artifacts, download, history, runs, tracking, untrack

torch.set_num_threads(1)


class Tokens(torch.utils.data.Dataset):  # type: ignore[type-arg]
    """Random token sequences with a label that depends on the first token."""

    def __init__(self, n: int, seed: int) -> None:
        gen = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, 50, (n, 6), generator=gen)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, Any]:
        ids = self.ids[i]
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "labels": int(ids[0] > 25),
        }


def _model() -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=50,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=1,
        intermediate_size=16,
        max_position_embeddings=16,
        num_labels=2,
    )
    return BertForSequenceClassification(config)


def _args(tmp: Path, **kwargs: Any) -> TrainingArguments:
    defaults: dict[str, Any] = {
        "output_dir": str(tmp / "out"),
        "num_train_epochs": 2,
        "per_device_train_batch_size": 4,
        "learning_rate": 0.01,
        "logging_steps": 1,
        "report_to": [],
        "save_strategy": "no",
        "use_cpu": True,
        "disable_tqdm": True,
        "hub_token": "hf_secret_token",
    }
    return TrainingArguments(**{**defaults, **kwargs})


@pytest.fixture
def autologged(tmp_path: Path) -> Iterator[Path]:
    tracking(tmp_path)
    hf_autolog.autolog()
    yield tmp_path
    hf_autolog.revert()
    untrack()


def test_train_logs_args_losses_and_model(autologged: Path) -> None:
    model = _model()
    args = _args(autologged, eval_strategy="epoch")
    trainer = Trainer(model=model, args=args, train_dataset=Tokens(8, 0), eval_dataset=Tokens(4, 1))
    trainer.train()
    assert ardea.active_run() is None
    [run] = runs()
    run_id = run.info.run_id
    assert run.info.status == "FINISHED"
    assert run.data.tags["mlflow.autologging"] == "transformers"
    assert run.data.tags["model_class"] == "BertForSequenceClassification"
    params = run.data.params
    assert params["learning_rate"] == "0.01"
    assert params["num_train_epochs"] == "2"
    assert params["per_device_train_batch_size"] == "4"
    assert params["model.hidden_size"] == "8"
    assert "hub_token" not in params
    assert all("hf_secret_token" not in v for v in params.values())
    assert [s for s, _ in history(run_id, "loss")] == [1, 2, 3, 4]  # 2 batches x 2 epochs
    assert [s for s, _ in history(run_id, "eval_loss")] == [2, 4]
    assert "train_runtime" in run.data.metric_values
    assert not any(
        type(cb).__name__ == "ArdeaCallback" for cb in trainer.callback_handler.callbacks
    )
    found = artifacts(run_id, "model")
    assert "model/config.json" in found and "model/model.safetensors" in found
    local = download(run_id, "model", autologged / "dl")
    loaded = BertForSequenceClassification.from_pretrained(str(local))
    batch = Tokens(2, 3)[0]
    with torch.no_grad():
        ids = batch["input_ids"][None]
        model.eval()
        assert torch.allclose(loaded(input_ids=ids).logits, model(input_ids=ids).logits)


def test_train_inside_user_run_and_log_models_off(autologged: Path) -> None:
    hf_autolog.autolog(log_models=False)
    with ardea.start_run() as user_run:
        Trainer(
            model=_model(), args=_args(autologged, num_train_epochs=1), train_dataset=Tokens(4, 0)
        ).train()
    [run] = runs()
    assert run.info.run_id == user_run.info.run_id
    assert [s for s, _ in history(run.info.run_id, "loss")] == [1]
    assert artifacts(run.info.run_id) == []


def test_user_error_fails_the_run_then_next_train_logs_once(autologged: Path) -> None:
    class Broken(Tokens):
        def __getitem__(self, i: int) -> dict[str, Any]:
            raise KeyError("user bug")

    trainer = Trainer(
        model=_model(), args=_args(autologged, num_train_epochs=1), train_dataset=Broken(4, 0)
    )
    with pytest.raises(KeyError, match="user bug"):
        trainer.train()
    trainer.train_dataset = Tokens(4, 0)
    trainer.train()
    failed, finished = sorted(runs(), key=lambda r: r.info.start_time)
    assert (failed.info.status, finished.info.status) == ("FAILED", "FINISHED")
    assert [s for s, _ in history(finished.info.run_id, "loss")] == [1]  # one callback only
    hf_autolog.autolog(disable=True)
    trainer.train()
    assert len(runs()) == 2


def test_renamed_train_warns_once_and_training_works(
    autologged: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARDEA_STRICT", "0")
    hf_autolog.revert()
    monkeypatch.setattr(Trainer, "train_v2", Trainer.train, raising=False)
    monkeypatch.delattr(Trainer, "train")  # the library "changes shape"
    hf_autolog.autolog()
    hf_autolog.autolog()
    assert caplog.text.count("transformers autolog (patching Trainer.train)") == 1
    args = _args(autologged, num_train_epochs=1)
    Trainer(model=_model(), args=args, train_dataset=Tokens(4, 0)).train_v2()
    assert runs() == []
