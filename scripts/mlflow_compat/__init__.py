"""Run MLflow's own server test suites against ``ardea server`` and ``mlflow server``.

Driven by ``scripts/mlflow_suites.py``; see docs/compatibility.md. Modules:

- ``patterns``: the checked-in lists of MLflow tests (skip list, later-issue list).
- ``results``: one pytest run's outcomes, from its junit XML.
- ``servers``: start and stop one ``ardea server`` or ``mlflow server`` on a fresh folder.
- ``plugin``: the pytest plugin (loaded with ``-p mlflow_compat.plugin`` inside MLflow's
  test venv) that hands MLflow's server fixtures a running external server.
- ``venv``: the venv that runs the checkout's tests (its mlflow, editable, plus pytest).
- ``report``: counts, Ardea's defects apart from later-issue failures, a table and JSON.
- ``runner``: one pytest process per (server, suite).

``patterns``, ``servers`` and ``plugin`` run inside MLflow's test venv, so they use only the
standard library (and, in ``plugin``, the checkout's own ``mlflow`` and ``tests`` packages).
"""
