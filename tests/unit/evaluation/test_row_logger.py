"""The row logger writes batches while rows keep coming, not only after the last one."""

from __future__ import annotations

import time
from pathlib import Path

from ardea.client import ArdeaClient
from ardea.evaluation.row_logger import RowLogger
from ardea.evaluation.rows import EvalItem


def test_a_steady_stream_of_rows_is_written_before_it_ends(tmp_path: Path) -> None:
    submitted: list[int] = []
    flushed_at: list[int] = []  # how many rows were submitted when each batch was written
    client = ArdeaClient(f"sqlite:///{tmp_path / 'store.db'}")
    logger = RowLogger(client, "run", flush=lambda: flushed_at.append(len(submitted)), interval=0.1)
    for i in range(300):  # about 2 ms apart: never a pause of ``interval``
        logger.submit(EvalItem(index=i))  # not done: nothing to store, only the batching
        submitted.append(i)
        time.sleep(0.002)
    logger.close()
    assert flushed_at and flushed_at[0] < 300  # a batch went out while rows still came
    assert flushed_at[-1] == 300
    assert logger.errors == []
