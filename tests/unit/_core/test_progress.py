"""Progress bars for artifact uploads and downloads (``ARDEA_PROGRESS``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.progress import MIN_BYTES, byte_progress, progress_enabled
from ardea.client import ArdeaClient


def test_setting_wins_and_unset_means_terminal_and_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_PROGRESS", "1")
    assert progress_enabled(1)
    monkeypatch.setenv("ARDEA_PROGRESS", "0")
    assert not progress_enabled(10 * MIN_BYTES)
    monkeypatch.delenv("ARDEA_PROGRESS")
    assert not progress_enabled(10 * MIN_BYTES)  # pytest's stderr is not a terminal


def test_disabled_bar_is_silent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARDEA_PROGRESS", "0")
    with byte_progress("x", 100) as advance:
        advance(100)
    assert capsys.readouterr().err == ""


def test_uploads_and_downloads_show_bytes_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARDEA_PROGRESS", "1")
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.bin").write_bytes(b"a" * 3000)
    (folder / "sub" / "b.bin").write_bytes(b"b" * 2000)
    client = ArdeaClient(str(tmp_path / "data"))
    run_id = client.create_run(client.create_experiment("p")).info.run_id
    client.log_artifacts(run_id, str(folder), "model")
    err = capsys.readouterr().err
    assert "upload model/ (2 files)" in err and "4.88k" in err.replace("K", "k")  # 5000 B
    out = Path(client.download_artifacts(run_id, "model", str(tmp_path / "back")))
    err = capsys.readouterr().err
    assert "download model/" in err
    assert (out / "sub" / "b.bin").read_bytes() == b"b" * 2000
    client.log_artifact(run_id, str(folder / "a.bin"))
    assert "upload a.bin" in capsys.readouterr().err
    client.close()


def test_count_bar_forced_on_or_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ardea._core.progress import count_progress

    monkeypatch.delenv("ARDEA_PROGRESS", raising=False)
    with count_progress("rows", 10, "row", force=True) as advance:
        advance(10)
    assert "10/10" in capsys.readouterr().err  # shown although stderr is not a terminal
    monkeypatch.setenv("ARDEA_PROGRESS", "1")
    with count_progress("rows", 10, "row", force=False) as advance:
        advance(10)
    assert capsys.readouterr().err == ""
