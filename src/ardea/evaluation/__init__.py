"""Evaluation: scoring an LLM application's outputs and judging the results.

- ``ardea.evaluation.datasets``: managed evaluation datasets (MLflow's wire, with versions).
- ``ardea.evaluation.logged``: logged evaluation runs read back (rows, summary, comparison)
  for the server's ``/ardea/evaluations`` routes.
- ``ardea.evaluation.scorers``: scorers and LLM judges (re-exported as ``ardea.scorers``).
- ``ardea.evaluation.stats``: the statistics (intervals, paired comparison, repeated runs,
  sample sizes, judge agreement); numpy and scipy only, loaded on first use.
"""
