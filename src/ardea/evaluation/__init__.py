"""Evaluation: scoring an LLM application's outputs and judging the results.

``ardea.evaluation.stats`` holds the statistics (intervals, paired comparison, repeated runs,
sample sizes, judge agreement); it depends on numpy and scipy only and loads them on first use.
"""
