"""Evaluation: managed datasets (``ardea.evaluation.datasets``); evaluate() and scorers to come."""
