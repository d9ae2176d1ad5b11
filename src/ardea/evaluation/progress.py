"""The progress bar of ``evaluate``: rows, rows/s, errors, tokens and cost so far.

With session-level scorers, each session counts as one more step once the rows are done
(the total grows by the number of sessions, as MLflow's bar), and the postfix shows
``sessions=<done>/<total>``.

Shown on stderr (``tqdm``) when stderr is a terminal, or when ``ARDEA_PROGRESS=1``;
``ARDEA_PROGRESS=0`` hides it (the same rule as Ardea's other progress bars). Tokens and cost
are those of every ``ardea.llm`` call made while the evaluation runs (the judges', and the
app's own when it calls through ``ardea.llm``), counted by an LLM-call observer.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any

from ardea._core.progress import MIN_BYTES, progress_enabled
from ardea.llm.hooks import CallInfo, EndCallback, add_observer, remove_observer

__all__ = ["EvalProgress"]

_REFRESH = 0.5


class EvalProgress:
    """Counts rows, errors, tokens and cost; shows them on a bar when one is enabled.

    Args:
        total: Rows to evaluate.
        show: Force the bar on or off (default: ``ARDEA_PROGRESS`` / a terminal).
        desc: The bar's label.

    Use as a context manager (it observes LLM calls while open).
    """

    def __init__(self, total: int, show: bool | None = None, desc: str = "evaluate") -> None:
        self.total = total
        self.desc = desc
        self.rows = 0
        self.sessions = 0
        self.session_total = 0
        self.errors = 0
        self.llm_calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0
        self._lock = threading.Lock()
        self._shown = progress_enabled(MIN_BYTES) if show is None else show
        self._bar: Any = None
        self._last = 0.0

    def __enter__(self) -> EvalProgress:
        add_observer(self._observe)
        if self._shown:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total,
                desc=self.desc,
                unit="row",
                file=sys.stderr,
                dynamic_ncols=True,
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        remove_observer(self._observe)
        if self._bar is not None:
            self._bar.set_postfix_str(self.postfix(), refresh=False)
            self._bar.close()

    @property
    def tokens(self) -> int:
        """Input plus output tokens so far."""
        return self.input_tokens + self.output_tokens

    def postfix(self) -> str:
        """``errors=.. tokens=.. cost=$..`` as shown after the bar."""
        text = f"errors={self.errors} tokens={self.tokens:,} cost=${self.cost:.4f}"
        if self.session_total:
            text = f"sessions={self.sessions}/{self.session_total} {text}"
        return text

    def add_sessions(self, count: int) -> None:
        """``count`` sessions are to be scored (each one more step of the bar)."""
        with self._lock:
            self.session_total += count
            self.total += count
        if self._bar is not None and count:
            self._bar.total = self.total
            self._bar.refresh()

    def session_done(self, errors: int) -> None:
        """One session was scored, with ``errors`` failed session scorers."""
        with self._lock:
            self.sessions += 1
            self.errors += errors
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(self.postfix(), refresh=False)

    def row_done(self, errors: int) -> None:
        """One row finished, with ``errors`` failed scorers or predictions."""
        with self._lock:
            self.rows += 1
            self.errors += errors
        bar = self._bar
        if bar is None:
            return
        bar.update(1)
        now = time.monotonic()
        if now - self._last >= _REFRESH:
            self._last = now
            bar.set_postfix_str(self.postfix(), refresh=False)

    def _observe(self, info: CallInfo) -> EndCallback | None:
        def end(result: Any, error: BaseException | None) -> None:
            usage = getattr(result, "usage", None)
            cost = getattr(result, "cost", None)
            with self._lock:
                self.llm_calls += 1
                if usage is not None:
                    self.input_tokens += int(getattr(usage, "input_tokens", 0) or 0)
                    self.output_tokens += int(getattr(usage, "output_tokens", 0) or 0)
                if cost is not None:
                    self.cost += float(getattr(cost, "total_cost", 0.0) or 0.0)

        return end
