"""Trace retention in SQL: workspace policies (``tables.py``), the store, the sweep's queries."""
