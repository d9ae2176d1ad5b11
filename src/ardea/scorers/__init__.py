"""``ardea.scorers``: scorers and LLM judges, as ``mlflow.genai.scorers``.

::

    from ardea.scorers import Correctness, Guidelines, scorer, get_all_scorers

    @scorer
    def exact(outputs, expectations):
        return outputs == expectations["expected_response"]

    scorers = [Correctness(), Guidelines(guidelines=["Be polite"]), exact]

Every built-in (MLflow's under MLflow's names, plus Ardea's deterministic, RAG, agent, safety
and quality scorers) is importable from here; :func:`get_all_scorers` lists those that need
no argument. :func:`run_scorer` runs one scorer on one row and never raises. See
docs/scorers.md.
"""

from __future__ import annotations

import ardea.evaluation.alignment  # noqa: F401 - hands Judge.align its implementation
from ardea.evaluation.scorers import *  # noqa: F403
from ardea.evaluation.scorers import __all__ as __all__
